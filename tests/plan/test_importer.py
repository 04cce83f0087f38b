"""Plan import from the real notices into the store, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.errors import PlanImportError
from ledger.importing import import_notice
from ledger.store import schema
from ledger.store.plans import load_plan, plan_versions
from tests.conftest import SHARED_PLANS

REAL = [("000_3c010aea7f8d64f6.txt", 64), ("001_6253890a023dfeac.txt", 85), ("002_63c9e32671f4df49.txt", 18),
        ("003_0bd5adcbd4f51cd8.txt", 75), ("004_a3713a6d512530b7.txt", 78)]

needs_shared = pytest.mark.skipif(not SHARED_PLANS.is_dir(), reason="../shared/plans is absent")


@needs_shared
@pytest.mark.parametrize("name, items", REAL)
def test_real_notice_imports_as_a_plan_version(workspace, name, items):
    summary = import_notice(workspace, SHARED_PLANS / name)
    stored = load_plan(workspace.engine)
    assert (summary.version, summary.items, len(stored.items)) == (1, items, items)
    assert stored.title == summary.title and stored.year in (2023, 2024)
    assert [i.number for i in stored.items] == [i.number for i in stored.items if i.number]
    unassigned = [i for i in stored.items if not i.units]
    assert len(summary.unassigned) == len(unassigned)
    assert all(label.endswith(i.number) for label, i in zip(summary.unassigned, unassigned))
    if name.startswith("002"):      # 一是 repeats in every part: the part path's numerals tell them apart
        assert summary.unassigned[:4] == ["三（一）一是", "三（一）二是", "三（一）三是", "三（二）一是"]


@needs_shared
def test_summary_counts_for_000(workspace):
    summary = import_notice(workspace, SHARED_PLANS / REAL[0][0])
    assert summary.title == "高青县深化新旧动能转换推动绿色低碳高质量发展2024年工作要点"
    assert summary.unassigned == ["63", "64"]
    assert summary.sections == 12
    stored = load_plan(workspace.engine)
    item4 = stored.items[3]
    assert item4.lead[0] == "县委组织部" and len(item4.lead) == 5
    assert summary.targets > 50


@needs_shared
def test_aliases_and_groups_from_settings(workspace):
    (workspace.root / "ledger.toml").write_text(
        '[units.aliases]\n"县科技局" = "县科学技术局"\n[units.groups]\n"各镇" = ["南麻街道", "历山街道"]\n', encoding="utf-8")
    from ledger.workspace import Workspace
    ws = Workspace(workspace.root)
    summary = import_notice(ws, SHARED_PLANS / "003_0bd5adcbd4f51cd8.txt")
    units = load_plan(ws.engine).units()
    assert "县科学技术局" in units and "县科技局" not in units
    assert "各镇" not in units and "南麻街道" in units
    assert "各镇" not in summary.collective and "街道" in summary.collective


def test_unsupported_empty_and_unrecognised_files_store_nothing(workspace, tmp_path):
    pdf = tmp_path / "通知.rtf"
    pdf.write_bytes(b"{\\rtf1")
    empty = tmp_path / "空.txt"
    empty.write_text("", encoding="utf-8")
    prose = tmp_path / "散文.txt"
    prose.write_text("今天天气很好，我们去公园散步。\n没有任何编号的任务。", encoding="utf-8")
    for path, fragment in ((pdf, "不支持"), (empty, "为空"), (prose, "未能从通知中识别出任何任务")):
        with pytest.raises(PlanImportError, match=fragment):
            import_notice(workspace, path)
    assert plan_versions(workspace.engine) == []


@needs_shared
def test_cli_import_show_json(workspace):
    runner = CliRunner()
    imported = runner.invoke(cli, ["-w", str(workspace.root), "plan", "import", str(SHARED_PLANS / REAL[3][0])])
    assert imported.exit_code == 0, imported.output
    assert "已导入第 1 版计划" in imported.output and "任务 75 项" in imported.output
    shown = runner.invoke(cli, ["-w", str(workspace.root), "plan", "show", "--json"])
    items = json.loads(shown.output)["items"]
    assert len(items) == 75
    first = items[0]
    assert {"id", "number", "section", "title", "text", "lead", "support"} <= set(first)
    assert (first["number"], first["title"], first["lead"], first["support"]) == (
        "1", "加快高能级创新平台建设", ["县科技局"], ["县发展改革局"])
    assert first["section"] == "加快推进国家创新型县建设"


def test_cli_bad_file_is_one_line(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", str(tmp_path / "无.txt")])
    assert result.exit_code == 1 and result.output.startswith("错误：") and "Traceback" not in result.output


NOTICE = "\n".join([
    "示范县2024年工作要点",
    "一、增强科技创新能力",
    "1. 新增高新技术企业。（县科技局负责）",
    "2. 建设创新平台。（县财政局配合）",
    "3. 完善考核办法。",
])


def write_notice(tmp_path) -> Path:
    path = tmp_path / "要点.txt"
    path.write_text(NOTICE, encoding="utf-8")
    return path


def test_dry_run_stores_nothing_and_says_what_would_be_stored(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", "--dry-run",
                                      str(write_notice(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "演练（未保存）：若导入，将成为第 1 版计划：示范县2024年工作要点" in result.output
    assert "新增高新技术企业" in result.output and "县科技局" in result.output
    assert "未保存任何内容" in result.output
    assert plan_versions(workspace.engine) == []
    with workspace.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar() == 0


def test_dry_run_json_gives_items_and_notes(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", "--dry-run", "--json",
                                      str(write_notice(tmp_path))])
    data = json.loads(result.output)
    assert data["dry_run"] is True and data["version"] == 1 and data["items"] == 3
    assert [(i["number"], i["lead"], i["deadline"]) for i in data["plan"]] == [
        ("1", ["县科技局"], None), ("2", [], None), ("3", [], None)]
    no_lead = {n["item"]: n for n in data["notes"] if n["code"] == "no_lead"}
    assert set(no_lead) == {"2", "3"}
    assert no_lead["2"]["line"] == 4 and no_lead["3"]["line"] == 5
    assert "完善考核办法" in no_lead["3"]["snippet"] and "牵头单位" in no_lead["3"]["message"]
    assert plan_versions(workspace.engine) == []


def test_every_import_ends_with_the_notes(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", str(write_notice(tmp_path))])
    assert result.exit_code == 0, result.output
    tail = result.output.splitlines()
    at = next(n for n, line in enumerate(tail) if line.startswith("需要核对的地方 2 处"))
    assert tail[at + 1].startswith("  第 4 行  ") and "2" in tail[at + 1] and "牵头单位" in tail[at + 1]
    assert tail[at + 2].startswith("  第 5 行  ") and "3" in tail[at + 2] and "完善考核办法" in tail[at + 2]
    assert len(plan_versions(workspace.engine)) == 1


def test_our_notes_say_what_an_item_without_a_lead_lacks():
    from ledger.plan.importer import notes_of
    from ledger.plan.model import Plan, PlanItem

    plan = Plan("计划", 2024, [PlanItem("1", "甲", "甲。", support=["县财政局"]), PlanItem("2", "乙", "乙。")])
    first, second = notes_of(plan, "计划\n1. 甲\n2. 乙")
    assert (first.line, first.item) == (2, "1") and "只有配合单位（县财政局）" in first.message
    assert (second.line, second.item) == (3, "2") and "不会下发给任何单位" in second.message


def test_parser_notes_come_first_and_are_not_repeated(workspace):
    from types import SimpleNamespace

    from ledger.plan.importer import notes_of
    from ledger.plan.model import Plan, PlanItem

    plan = Plan("计划", 2024, [PlanItem("1", "甲", "甲。"), PlanItem("2", "乙", "乙。", lead=["县科技局"]),
                             PlanItem("3", "丙", "丙。")])
    plan.notes = [SimpleNamespace(code="no_lead", line=7, snippet="1. 甲。", message="未写明牵头单位", item="1"),
                  SimpleNamespace(code="maybe_person", line=9, snippet="张三", message="疑似人名", item="2")]
    notes = notes_of(plan, "计划\n甲\n乙\n丙")
    assert [(n.code, n.line, n.item) for n in notes] == [
        ("no_lead", 7, "1"), ("maybe_person", 9, "2"), ("no_lead", 4, "3")]


def test_plan_show_json_gives_deadlines_and_leaders(workspace):
    from datetime import date

    from ledger.plan.model import Plan, PlanItem
    from ledger.store.plans import save_plan

    save_plan(workspace.engine, Plan("计划", 2024, [
        PlanItem("1", "甲", "甲。", lead=["县科技局"], leaders=["张三"], deadline_text="2024年6月底",
                 deadline=date(2024, 6, 30)),
        PlanItem("2", "乙", "乙。", lead=["县财政局"], deadline_text="持续推进")]), origin="import")
    items = json.loads(CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "show", "--json"]).output)["items"]
    assert [(i["leaders"], i["deadline_text"], i["deadline"]) for i in items] == [
        (["张三"], "2024年6月底", "2024-06-30"), ([], "持续推进", None)]


def test_an_excel_task_table_imports_end_to_end(workspace, tmp_path):
    pytest.importorskip("ledger.plan.vocabulary", reason="the parser reading ' | ' tables is not on this branch yet")
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "任务表.xlsx"))
    sheet = book.add_worksheet()
    for r, row in enumerate([["示范县2024年重点工作任务"], [],
                             ["牵头单位", "重点工作", "序号", "完成时限", "责任领导", "配合单位"],
                             ["县科技局", "新增高新技术企业10家以上", 1, "2024年6月底", "张三", "县财政局"],
                             ["县发展改革局", "建设创新平台", 2, "持续推进", "李四", ""]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", str(tmp_path / "任务表.xlsx")])
    assert result.exit_code == 0, result.output
    items = json.loads(CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "show", "--json"]).output)["items"]
    assert [(i["number"], i["lead"], i["support"], i["leaders"], i["deadline_text"], i["deadline"]) for i in items] == [
        ("1", ["县科技局"], ["县财政局"], ["张三"], "2024年6月底", "2024-06-30"),
        ("2", ["县发展改革局"], [], ["李四"], "持续推进", None)]


THREE_LEVELS = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "three_levels.txt"


def test_plan_show_gives_each_item_its_part_path(workspace):
    runner = CliRunner()
    imported = runner.invoke(cli, ["-w", str(workspace.root), "plan", "import", str(THREE_LEVELS)])
    assert imported.exit_code == 0, imported.output
    assert "部分 3 个，任务 5 项" in imported.output          # （一）重点项目 twice: under 一、 and under 二、
    items = json.loads(runner.invoke(cli, ["-w", str(workspace.root), "plan", "show", "--json"]).output)["items"]
    assert [(i["number"], i["section"], i["part_path"]) for i in items] == [
        ("1", "重点项目", ["一、产业发展", "（一）重点项目"]), ("2", "重点项目", ["一、产业发展", "（一）重点项目"]),
        ("1", "招商引资", ["一、产业发展", "（二）招商引资"]),
        ("1", "重点项目", ["二、城乡建设", "（一）重点项目"]), ("2", "重点项目", ["二、城乡建设", "（一）重点项目"])]
    shown = runner.invoke(cli, ["-w", str(workspace.root), "plan", "show"]).output.splitlines()
    assert shown[1].split()[:2] == ["部分", "编号"]
    rows = [line.split()[:2] for line in shown[3:]]
    assert rows == [["一（一）重点项目", "1"], ["一（一）重点项目", "2"], ["一（二）招商引资", "1"],
                    ["二（一）重点项目", "1"], ["二（一）重点项目", "2"]]


@pytest.mark.parametrize("dry_run", [False, True])
def test_import_tells_its_progress_step_by_step(workspace, tmp_path, dry_run):
    from importlib import resources
    notice = tmp_path / "通知.txt"
    notice.write_text(resources.files("ledger.data").joinpath("sample_notice.txt").read_text(encoding="utf-8"),
                      encoding="utf-8")
    told: list[tuple[int, int]] = []
    summary = import_notice(workspace, notice, dry_run=dry_run, progress=lambda done, total: told.append((done, total)))
    assert summary.items > 0
    assert told == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
