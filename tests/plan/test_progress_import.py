"""A progress table (推进情况表) through ``ledger plan import``: the dry run shows how each column was
read, and the progress columns are either kept as a month's reports or named in a note.

The table is written for this test; none is a real county's.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ledger.cli import cli
from ledger.store.plans import plan_versions

PROGRESS_TABLE = [
    "示范县2024年重点工作推进情况表",
    "序号 | 主要任务 | 全年目标 | 分管领导 | 牵头单位 | 配合单位 | 1-9月推进情况 | 形象进度(%) | 是否达序 | 资金来源",
    "1 | 建设城东污水处理厂 | 日处理5万吨 | 王某 | 县住建局 | 县水利局、县城管局 | 已进场施工 | 30 | 是 | 县财政",
    "2 | 改造老旧小区12个 | 完成12个 | 李某 | 县住建局 | 各镇（街道） | 完成30% | 45 | 否 | 专项债",
    "3 | 新建幼儿园2所 | 9月开园 | 孙某 | 县教体局 |  | 主体完工 | 80 | 是 | 县财政",
]


def write_table(tmp_path: Path) -> Path:
    path = tmp_path / "推进情况表.txt"
    path.write_text("\n".join(PROGRESS_TABLE), encoding="utf-8")
    return path


def test_a_dry_run_says_which_column_was_read_as_what(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", "--dry-run",
                                      str(write_table(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("表格各列的读法：")
    mapping = [line.split() for line in lines[at + 3:at + 13]]
    assert mapping == [["序号", "序号"], ["主要任务", "任务"], ["全年目标", "目标"], ["分管领导", "责任领导（人名）"],
                       ["牵头单位", "牵头单位"], ["配合单位", "配合单位"], ["1-9月推进情况", "推进情况"],
                       ["形象进度(%)", "完成进度（%）"], ["是否达序", "是否达序"], ["资金来源", "其他（不作为单位）"]]
    assert "县财政" not in result.output and "已进场施工" not in result.output     # never a unit
    assert plan_versions(workspace.engine) == []


def test_without_a_period_a_note_says_how_to_keep_the_progress_columns(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", "--dry-run", "--json",
                                      str(write_table(tmp_path))])
    data = json.loads(result.output)
    assert [c["role"] for c in data["tables"][0]["columns"]] == [
        "number", "title", "target", "leaders", "lead", "support", "progress", "percent", "on_pace", "other"]
    note = next(n for n in data["notes"] if n["code"] == "progress_ignored")
    assert "1-9月推进情况、形象进度(%)、是否达序" in note["message"]
    assert "--progress-period 2024-09" in note["message"]
    assert data["progress_kept"] == 0 and data["progress_period"] is None
    assert data["plan"][1]["fields"] == [
        {"header": "全年目标", "role": "target", "value": "完成12个"},
        {"header": "1-9月推进情况", "role": "progress", "value": "完成30%"},
        {"header": "形象进度(%)", "role": "percent", "value": "45"},
        {"header": "是否达序", "role": "on_pace", "value": "否"},
        {"header": "资金来源", "role": "other", "value": "专项债"}]


# --- §5: bring the office's existing ledger -------------------------------------------------------

PROGRESS_WORKBOOK = [
    ["示范县2024年重点工作推进情况表"],
    ["序号", "重点任务", "牵头单位", "配合单位", "责任\n领导", "完成时限", "1-6月推进情况", "形象进度\n(%)", "是否达序", "说明"],
    [1, "建设城东污水处理厂", "县住建局", "县水利局、县城管局", "王某", "12月底前", "已进场施工，完成主体", 30, "是", None],
    [2, "改造老旧小区12个", "县住建局", "各镇（街道）", "李某", "10月底前", "完成3个", 25, "否", "资金未到位"],
    [3, "新建幼儿园2所", "县教体局", None, "孙某", "8月底前", "主体完工", "80%", "正常推进", None],
    [4, "完善养老服务网络", "各镇（街道）", "县民政局", "钱某", "持续推进", "已摸底", None, None, None],
    [5, "推进一网通办", "县政务服务中心", None, "赵某", "年底前", None, None, None, None],
]


def write_workbook(tmp_path: Path, rows=PROGRESS_WORKBOOK) -> Path:
    import xlsxwriter

    path = tmp_path / "推进表.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("推进情况")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    wb.close()
    return path


def imported(workspace, period: str) -> dict[str, list[dict]]:
    """The current submissions of a period by unit: source and rows (item number, input values)."""
    import sqlalchemy as sa

    from ledger.store import schema as s

    sub, rows, items, units = s.submissions, s.submission_rows, s.items, s.units
    query = (sa.select(units.c.name, sub.c.source, items.c.number, rows.c.role, rows.c.progress, rows.c.percent,
                       rows.c.status, rows.c.remarks)
             .join(sub, sub.c.unit_id == units.c.id).join(rows, rows.c.submission_id == sub.c.id)
             .join(items, items.c.id == rows.c.item_id)
             .where(sub.c.period == period, sub.c.is_current).order_by(units.c.name, rows.c.id))
    out: dict[str, list] = {}
    with workspace.engine.connect() as conn:
        for r in conn.execute(query):
            out.setdefault(r.name, []).append((r.source, r.number, r.role, r.progress, r.percent, r.status, r.remarks))
    return out


def test_a_progress_workbook_becomes_a_plan_and_last_months_reports_in_one_command(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", str(write_workbook(tmp_path)),
                                      "--progress-period", "2024-06"])
    assert result.exit_code == 0, result.output
    assert "已保存 2024-06 的进展：2 个牵头单位的报送（来源：导入）" in result.output
    assert imported(workspace, "2024-06") == {
        "县住建局": [("imported", "1", "lead", "已进场施工，完成主体", 30, "序时推进", None),
                    ("imported", "2", "lead", "完成3个", 25, "滞后", "资金未到位")],
        "县教体局": [("imported", "3", "lead", "主体完工", 80, "序时推进", None)],
    }      # supporting units, a collective lead (各镇（街道）) and an item without progress have none


def test_the_first_templates_carry_the_imported_text_forward(workspace, tmp_path):
    from ledger.store.plans import load_plan
    from ledger.store.submissions import carried_values

    from ledger.importing import import_notice

    import_notice(workspace, write_workbook(tmp_path), progress_period="2024-06")
    carried = carried_values(workspace.engine, ["县住建局", "县教体局"], "2024-07")
    number = {i.identity: i.number for i in load_plan(workspace.engine).items}    # rows are keyed by identity
    assert {u: (c.period, sorted((number[k[0]], v["progress"], v["percent"]) for k, v in c.values.items()))
            for u, c in carried.items()} == {
        "县住建局": ("2024-06", [("1", "已进场施工，完成主体", 30), ("2", "完成3个", 25)]),
        "县教体局": ("2024-06", [("3", "主体完工", 80)])}


def test_a_dry_run_with_a_period_says_what_it_would_keep_and_keeps_nothing(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", str(write_workbook(tmp_path)),
                                      "--progress-period", "2024-06", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "将保存 2024-06 的进展：2 个牵头单位的报送（来源：导入）" in result.output
    assert "progress_ignored" not in result.output and "未导入；如要" not in result.output
    assert imported(workspace, "2024-06") == {} and plan_versions(workspace.engine) == []


def test_the_plan_and_its_progress_are_stored_together_or_not_at_all(workspace, tmp_path, monkeypatch):
    import pytest

    from ledger import importing

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(importing, "save_imported", broken)
    with pytest.raises(OSError):
        importing.import_notice(workspace, write_workbook(tmp_path), progress_period="2024-06")
    assert plan_versions(workspace.engine) == [] and imported(workspace, "2024-06") == {}


def test_an_import_never_supersedes_a_workbook_a_unit_returned(workspace, tmp_path):
    from ledger.importing import import_notice
    from ledger.store.plans import load_plan, unit_id_for
    from ledger.store.submissions import record_intake, save_submission

    path = write_workbook(tmp_path)
    import_notice(workspace, path)
    stored = load_plan(workspace.engine)
    with workspace.engine.begin() as conn:
        unit = unit_id_for(conn, "县教体局")
        intake = record_intake(conn, sha256="a" * 64, size=10, original_name="2024-06_县教体局.xlsx",
                               outcome="accepted", period="2024-06", unit_id=unit)
        save_submission(conn, intake_id=intake, template_id="t1", plan_id=stored.id, period="2024-06",
                        unit_id=unit, submitted_at=stored.created_at,
                        rows=[{"item_id": stored.items[2].id, "role": "lead", "progress": "幼儿园已开园", "percent": 100,
                               "status": "已完成"}])
    summary = import_notice(workspace, path, progress_period="2024-06")
    assert summary.progress_kept == 1
    assert [n.message for n in summary.notes if n.code == "progress_returned"] == [
        "“县教体局”已报送 2024-06 的台账，保留其报送，未用表格中的推进情况覆盖"]
    assert imported(workspace, "2024-06")["县教体局"] == [(None, "3", "lead", "幼儿园已开园", 100, "已完成", None)]


def test_a_period_on_a_notice_without_progress_columns_says_nothing_was_kept(workspace, tmp_path):
    from ledger.importing import import_notice

    notice = tmp_path / "通知.txt"
    notice.write_text("示范县2024年工作要点\n一、科技创新\n1.建设实验室2家。（县科技局负责）\n", encoding="utf-8")
    summary = import_notice(workspace, notice, progress_period="2024-06")
    assert summary.progress_kept == 0
    assert [n.code for n in summary.notes] == ["progress_none"]


def test_a_progress_table_in_a_word_document_keeps_its_progress_too(workspace, tmp_path):
    import docx

    from ledger.importing import import_notice

    document = docx.Document()
    document.add_paragraph("示范县2024年重点工作推进情况表")
    rows = [row for row in PROGRESS_WORKBOOK[1:4]]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.rows[r].cells[c].text = "" if value is None else str(value)
    path = tmp_path / "推进表.docx"
    document.save(path)
    summary = import_notice(workspace, path, progress_period="2024-06")
    assert (summary.items, summary.progress_kept) == (2, 1)
    assert imported(workspace, "2024-06") == {
        "县住建局": [("imported", "1", "lead", "已进场施工，完成主体", 30, "序时推进", None),
                    ("imported", "2", "lead", "完成3个", 25, "滞后", "资金未到位")]}


def test_the_imported_month_shows_as_imported_not_late(workspace, tmp_path):
    from ledger.importing import import_notice
    from ledger.report import period_status

    import_notice(workspace, write_workbook(tmp_path), progress_period="2024-06")
    units = {u.unit.name: u for u in period_status(workspace, "2024-06").units}
    assert units["县住建局"].reported and units["县住建局"].outcome == "on_time"     # imported today, long after June
    assert units["县住建局"].label == "已导入（督查室原有台账）" and units["县住建局"].to_dict()["imported"]
    assert not any(u.imported for name, u in units.items() if name not in ("县住建局", "县教体局"))
