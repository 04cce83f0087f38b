"""Sign-off on evidence: an item its lead reported 已完成 waits for evidence, checked by content and
archived; the office signs it off or rejects the evidence with a comment; every step is a row."""

from __future__ import annotations

import io
from pathlib import Path
import json
import zipfile

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger import signoff
from ledger.cli import cli
from ledger.collect.evidence import add_evidence, check_evidence
from ledger.signoff import SignoffError
from ledger.store import schema as s
from tests.report.report_scenario import build_scenario

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture
def ws(tmp_path):
    return build_scenario(tmp_path / "ws")


def states(ws) -> dict[str, str]:
    return {i.number: i.state for i in signoff.signoff_list(ws.engine, ws.settings.vocabulary)}


def office_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="x"/>'}


CASES = {      # case -> (file name, its bytes made when the case runs, what the refusal says)
    "exe-named-pdf": ("验收报告.pdf", lambda: b"MZ\x90\x00" + b"\x00" * 100, "文件内容不是PDF 文件（实为Windows 可执行程序）"),
    "pdf-named-png": ("照片.png", lambda: PDF, "文件内容不是PNG 图片（实为PDF 文件）"),
    "macro-docx": ("说明.docx", lambda: office_zip({**DOCX, "word/vbaProject.bin": b"\x00" * 10}), "文件包含宏"),
    "zip-bomb": ("说明.docx", lambda: office_zip({**DOCX, "word/media/big.bin": b"\x00" * (300 * MB // 4)}), "文件内部数据异常"),
    "workbook-named-docx": ("说明.docx", lambda: office_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
                            "文件内容不是Word 文档"),
    "xml-entity": ("说明.docx", lambda: office_zip({**DOCX, "word/x.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'}),
                   "XML 声明"),
    "zip": ("压缩包.zip", lambda: office_zip(DOCX), "只接收 PDF、JPG、PNG、DOCX、XLSX 文件"),
    "empty": ("空.pdf", lambda: b"", "文件为空"),
    "too-large": ("大.pdf", lambda: PDF + b"\x00" * (2 * MB), "文件过大"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_evidence_is_checked_by_its_content(tmp_path, case):
    name, make, says = CASES[case]
    path = tmp_path / "upload.bin"
    path.write_bytes(make())
    assert says in (check_evidence(path, name, 2 * MB) or "")


def test_real_formats_pass(tmp_path):
    for name, data in (("a.pdf", PDF), ("b.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
                       ("c.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20), ("d.docx", office_zip(DOCX))):
        path = tmp_path / name
        path.write_bytes(data)
        assert check_evidence(path, name, MB) is None, name


def test_a_finished_item_is_signed_off_on_evidence(ws, tmp_path):
    assert states(ws) == {"1": "awaiting_evidence"}          # 发改局 reported item 1 已完成 in July
    pdf = tmp_path / "项目A竣工验收报告.pdf"
    pdf.write_bytes(PDF)
    added = add_evidence(ws, "发改局", "1", pdf, pdf.name, "发改局（网页）")
    assert added.stored_path.read_bytes() == PDF
    assert added.stored_path.parent == ws.archive_dir / "evidence" / "1"
    assert states(ws) == {"1": "awaiting_signoff"}
    # the content check on 已完成 rows (collect.quality) takes attached evidence as the 成效
    item_1 = signoff.item_state(ws.engine, ws.settings.vocabulary, "1").identity
    assert signoff.evidenced_items(ws.engine, "发改局") == {item_1} and not signoff.evidenced_items(ws.engine, "工信局")
    rejected = signoff.reject(ws.engine, ws.settings.vocabulary, "1", "请补充验收组签字页", "张三")
    assert rejected.state == "rejected" and rejected.comment == "请补充验收组签字页"
    add_evidence(ws, "发改局", "1", pdf, "签字页.pdf", "发改局（网页）")
    done = signoff.approve(ws.engine, ws.settings.vocabulary, "1", "张三")
    assert done.state == "signed_off" and done.signed_off_by == "张三" and done.signed_off_at is not None
    assert [e.file_name for e in done.evidence] == ["项目A竣工验收报告.pdf", "签字页.pdf"]
    assert set(signoff.signed_off(ws.engine)) == {item_1}
    with ws.engine.connect() as conn:
        actions = conn.execute(sa.select(s.signoffs.c.action).order_by(s.signoffs.c.id)).scalars().all()
    assert actions == ["evidence", "rejected", "evidence", "approved"]


@pytest.mark.parametrize("act, says", [
    (lambda ws, f: add_evidence(ws, "商务局", "1", f, "a.pdf", "x"), "第 1 项不是商务局牵头的任务"),
    (lambda ws, f: add_evidence(ws, "工信局", "3", f, "a.pdf", "x"), "第 3 项任务尚未由牵头单位报为“已完成”"),
    (lambda ws, f: add_evidence(ws, "发改局", "99", f, "a.pdf", "x"), "没有编号为“99”的任务"),
    (lambda ws, f: signoff.approve(ws.engine, ws.settings.vocabulary, "1", "张三"), "还没有待审核的佐证材料"),
    (lambda ws, f: signoff.approve(ws.engine, ws.settings.vocabulary, "3", "张三"), "尚未由牵头单位报为“已完成”"),
    (lambda ws, f: signoff.reject(ws.engine, ws.settings.vocabulary, "1", "长" * 2001, "张三"), "意见太长"),
])
def test_bad_input_is_one_line_and_changes_nothing(ws, tmp_path, act, says):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    with pytest.raises(SignoffError, match=says):
        act(ws, pdf)
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.signoffs)).scalar() == 0
    assert not (ws.archive_dir / "evidence").exists() or not any((ws.archive_dir / "evidence").rglob("*.pdf"))


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


def test_signoff_and_evidence_commands(ws, tmp_path):
    pdf = tmp_path / "验收.pdf"
    pdf.write_bytes(PDF)
    exe = tmp_path / "验收2.pdf"
    exe.write_bytes(b"MZ" + b"\x00" * 64)
    refused = run(ws, "evidence", "add", "--unit", "发改局", "--item", "1", str(exe))
    assert refused.exit_code == 1 and refused.output.startswith("错误：佐证材料“验收2.pdf”未被接收：文件内容不是PDF 文件")
    assert run(ws, "evidence", "add", "--unit", "发改局", "--item", "1", str(pdf)).exit_code == 0
    listed = json.loads(run(ws, "signoff", "list", "--json").output)["items"]
    assert listed == [{"number": "1", "title": "推进项目A", "lead": ["发改局"], "state": "awaiting_signoff",
                       "done_period": "2024-07", "evidence": ["验收.pdf"], "signed_off_by": None,
                       "signed_off_at": None, "comment": ""}]
    approved = json.loads(run(ws, "signoff", "approve", "1", "--json").output)["items"][0]
    assert approved["state"] == "signed_off" and approved["signed_off_at"].endswith("+08:00")
    again = run(ws, "signoff", "approve", "1")
    assert again.exit_code == 1 and "已于" in again.output and "销号" in again.output
    assert "销号：第 1 项 推进项目A" in run(ws, "log").output


def test_a_signed_off_item_shows_in_status_report_and_bulletin(ws, tmp_path):
    from datetime import datetime, timezone

    import openpyxl
    from docx import Document

    from ledger.report import make_report, period_status

    pdf = tmp_path / "验收.pdf"
    pdf.write_bytes(PDF)
    add_evidence(ws, "发改局", "1", pdf, pdf.name, "发改局")
    signoff.approve(ws.engine, ws.settings.vocabulary, "1", "张三")
    with ws.engine.begin() as conn:          # signed off during August, when July's ledgers are reviewed
        conn.execute(s.signoffs.update().values(at=datetime(2024, 8, 20, 2, tzinfo=timezone.utc)))
    status = period_status(ws, "2024-07")
    assert [(x.number, x.this_month) for x in status.signed_off] == [("1", True)]
    from tests.report.report_scenario import at, row, submit
    submit(ws, "2024-08", "商务局", at("2024-09-03 09:00"), {"2": row("序时推进", 70)})
    assert [(x.number, x.this_month) for x in period_status(ws, "2024-08").signed_off] == [("1", False)]
    assert period_status(ws, "2024-06").signed_off == []
    out = run(ws, "status", "--period", "2024-07").output
    assert "已销号任务 1 项，其中本月销号 1 项：1 推进项目A（8月20日）" in out
    made = make_report(ws, "2024-07")
    sheet = openpyxl.load_workbook(made.path)["销号情况"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "推进项目A" in cells and "2024年8月20日" in cells and "验收.pdf" in cells
    link = next(c.hyperlink.target for row in sheet.iter_rows() for c in row if c.hyperlink).replace("\\", "/")
    assert (made.path.parent / link).resolve() == (ws.archive_dir / "evidence" / "1").resolve() / Path(link).name
    text = "\n".join(p.text for p in Document(made.bulletin).paragraphs)
    assert "本月销号 1 项（累计已销号 1 项）：1. 推进项目A（8月20日销号）。" in text


# --- sign-offs follow the task, not its number ---------------------------------------------------

def _renumbered_with_a_new_first_item(ws):
    """Plan version 3: a new item put first, every item after it numbered one more; each old item
    keeps its identity (as the review workbook's hidden column carries it)."""
    from ledger.plan.model import Plan, PlanItem
    from ledger.store.plans import load_plan, save_plan

    old = load_plan(ws.engine)
    new = PlanItem(number="1", title="新增任务Z", text="新增任务Z的具体措施。", section=old.items[0].section,
                   section_number=old.items[0].section_number, lead=["工信局"])
    items = [new] + [PlanItem(number=str(int(i.number) + 1), title=i.title, text=i.text, section=i.section,
                              section_number=i.section_number, lead=list(i.lead), support=list(i.support),
                              identity=i.identity) for i in old.items]
    save_plan(ws.engine, Plan(old.title, old.year, items, old.sections), origin="review")


def test_a_signed_off_item_stays_signed_off_when_the_plan_is_renumbered(ws, tmp_path):
    pdf = tmp_path / "验收报告.pdf"
    pdf.write_bytes(PDF)
    add_evidence(ws, "发改局", "1", pdf, pdf.name, "发改局（网页）")
    signoff.approve(ws.engine, ws.settings.vocabulary, "1", "张三")
    _renumbered_with_a_new_first_item(ws)
    # 推进项目A is item 2 now; the new item 1 has nothing to do with the sign-off
    assert states(ws) == {"2": "signed_off"}
    found = signoff.item_state(ws.engine, ws.settings.vocabulary, "2")
    assert found.title == "推进项目A" and found.signed_off_by == "张三" and [e.file_name for e in found.evidence] == [pdf.name]
    with pytest.raises(SignoffError, match="第 1 项任务尚未由牵头单位报为“已完成”"):
        signoff.item_state(ws.engine, ws.settings.vocabulary, "1")
    # next month's template locks 推进项目A's row as 已销号, and no other
    from ledger.template.generate import generate_templates
    from ledger.collect.reader import read_workbook

    made = {f.unit: f.path for f in generate_templates(ws, "2024-08").files}
    rows = read_workbook(made["发改局"], "xlsx").rows
    locked = [r.values["title"] for r in rows if str(r.values.get("progress") or "").startswith("已销号")]
    assert locked == ["推进项目A"]


def test_items_numbered_again_in_each_part_are_told_apart(tmp_path):
    from ledger.plan.model import Plan, PlanItem, Section
    from ledger.store.plans import load_plan, save_plan
    from ledger.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    items = [PlanItem(number="1", title="推进项目A", text="A。", section="经济发展", section_number="一", lead=["发改局"]),
             PlanItem(number="1", title="教育提质D", text="D。", section="民生保障", section_number="二", lead=["教育局"])]
    save_plan(ws.engine, Plan("测试计划", 2024, items, [Section("一", "经济发展"), Section("二", "民生保障")]),
              origin="import")
    plan = load_plan(ws.engine)
    assert sorted(signoff.references(plan.items).values()) == ["一1", "二1"]
    with pytest.raises(SignoffError, match="编号为“1”的任务不止一项（一1 推进项目A；二1 教育提质D）"):
        signoff.find_item(plan.items, "1")
    assert signoff.find_item(plan.items, "二、1").title == "教育提质D"
    assert signoff.find_item(plan.items, "一1").title == "推进项目A"
