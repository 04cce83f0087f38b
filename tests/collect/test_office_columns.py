"""Office columns end to end: an office adds columns in ledger.toml and renames a status, in a
workspace that already holds last month's data, and the whole cycle follows with no code change."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger import layout
from ledger.cli import cli
from ledger.collect.intake import collect_inbox
from ledger.report import make_report
from ledger.store import schema as s
from ledger.template.generate import generate_templates
from ledger.workspace import Workspace
from tests.conftest import GOOD, age

OFFICE = '''
[[columns]]
header = "资金到位(万元)"
kind = "number"
min = 0
required = false
help = "截至本月累计到位资金"

[[columns]]
header = "完成时间"
kind = "date"

[[columns]]
header = "是否需协调"
kind = "yesno"
required_if = ["lagging", "severely_lagging"]
'''
FUNDS, DONE_ON, HELP = "资金到位(万元)", "完成时间", "是否需协调"


def fill(path, out, **by_header) -> None:
    """Fill every task row as a department would, by header (the office's columns have no layout key)."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[layout.LEDGER_SHEET]
    headers = {c.value: c.column for c in sheet[layout.HEADER_ROW] if c.value}
    values = {layout.BY_KEY[k].header: v for k, v in GOOD.items()} | by_header
    for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row, headers["行标识"]).value:
            for header, value in values.items():
                sheet.cell(row, headers[header], value)
    wb.save(out)


def drop(ws, source, name):
    target = ws.inbox_dir / name
    shutil.copyfile(source, target)
    age(target)


def template(ws, unit, period="2024-07"):
    return ws.templates_dir / period / f"{period}_{unit}.xlsx"


def stored_extra(ws, unit):
    q = (sa.select(s.submission_rows.c.extra, s.submission_rows.c.status)
         .join(s.submissions, s.submissions.c.id == s.submission_rows.c.submission_id)
         .join(s.units, s.units.c.id == s.submissions.c.unit_id)
         .where(s.units.c.name == unit, s.submissions.c.period == "2024-07", s.submissions.c.is_current))
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(q)]


@pytest.fixture
def office(planned, tmp_path):
    """Last month collected; this month's templates issued; then the office edits ledger.toml and
    issues 县科技局's template again."""
    generate_templates(planned, "2024-06")
    fill(template(planned, "县科技局", "2024-06"), tmp_path / "june.xlsx", 完成状态="滞后", 存在问题="资金未到位")
    drop(planned, tmp_path / "june.xlsx", "六月.xlsx")
    assert collect_inbox(planned).files[0].outcome == "accepted"
    generate_templates(planned, "2024-07")                       # 县发展改革局's is issued before the edit
    config = planned.root / "ledger.toml"
    text = config.read_text(encoding="utf-8").replace("[statuses]\n", '[statuses]\n"进度滞后" = "lagging"\n')
    config.write_text(text + OFFICE, encoding="utf-8")
    ws = Workspace(planned.root)
    generate_templates(ws, "2024-07", units=["县科技局"])
    return ws


def test_the_template_carries_validated_office_columns(office):
    wb = openpyxl.load_workbook(template(office, "县科技局"))
    sheet = wb[layout.LEDGER_SHEET]
    headers = [c.value for c in sheet[layout.HEADER_ROW]]
    assert headers[-3:] == [FUNDS, DONE_ON, HELP]
    letters = {layout.column_letter(headers.index(h)): h for h in (FUNDS, DONE_ON, HELP)}
    found = {letters[str(dv.sqref).split(":")[0].rstrip("0123456789")]: dv
             for dv in sheet.data_validations.dataValidation
             if str(dv.sqref).split(":")[0].rstrip("0123456789") in letters}
    assert (found[FUNDS].type, found[FUNDS].operator, found[FUNDS].formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "截至本月累计到位资金" in found[FUNDS].prompt
    assert found[DONE_ON].type == "date"
    assert (found[HELP].type, found[HELP].formula1) == ("list", '"是,否"')
    assert not sheet.cell(layout.FIRST_DATA_ROW, headers.index(FUNDS) + 1).protection.locked
    guide = "\n".join(str(c.value) for row in wb[layout.GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "资金到位(万元)（截至本月累计到位资金）" in guide
    assert "是否需协调，完成状态为“进度滞后”或“严重滞后”时必填" in guide
    status = next(dv for dv in sheet.data_validations.dataValidation if dv.type == "list" and "已完成" in dv.formula1)
    assert "进度滞后" in status.formula1


@pytest.mark.slow
def test_typed_values_are_stored_and_reported(office, tmp_path):
    fill(template(office, "县科技局"), tmp_path / "kj.xlsx", **{
        FUNDS: "1,250.5", DONE_ON: datetime(2024, 7, 20), HELP: "需要", "完成状态": "进度滞后", "存在问题": "审批慢"})
    drop(office, tmp_path / "kj.xlsx", "科技局.xlsx")
    fill(template(office, "县发展改革局"), tmp_path / "fg.xlsx")     # issued before the columns existed
    drop(office, tmp_path / "fg.xlsx", "发改局.xlsx")
    result = collect_inbox(office)
    assert sorted(f.outcome for f in result.files) == ["accepted", "accepted"]
    stored = stored_extra(office, "县科技局")
    assert {status for _, status in stored} == {"进度滞后"}
    assert {json.dumps(extra, sort_keys=True, ensure_ascii=False) for extra, _ in stored} == {
        json.dumps({FUNDS: 1250.5, DONE_ON: "2024-07-20", HELP: True}, sort_keys=True, ensure_ascii=False)}
    assert {extra for extra, _ in stored_extra(office, "县发展改革局")} == {None}

    report = make_report(office, "2024-07")
    sheet = openpyxl.load_workbook(report.path)["台账汇总"]
    head = next(r for r in range(1, 8) if sheet.cell(r, 1).value == "部分")
    headers = [c.value for c in sheet[head]]
    assert headers[-4:] == [FUNDS, DONE_ON, HELP, "说明"]
    rows = {sheet.cell(r, 2).value: [c.value for c in sheet[r]] for r in range(head + 1, sheet.max_row + 1)}
    item2 = dict(zip(headers, rows["2"]))                      # led by 县科技局 alone
    assert (item2[FUNDS], item2[DONE_ON], item2[HELP], item2["完成状态"]) == (1250.5, "2024-07-20", "是", "进度滞后")
    item3 = dict(zip(headers, rows["3"]))                      # 县科技局 supports it: its value is reported too
    assert (item3[FUNDS], item3[HELP]) == ("县科技局：1250.5", "县科技局：是")
    assert report.report.summary()["counts"]["lagging"]["label"] == "进度滞后"
    assert report.report.streaks[next(i for i, m in report.report.merged.items() if m.item.number == "2")] == 2

    out = CliRunner().invoke(cli, ["-w", str(office.root), "report", "--period", "2024-07", "--json"])
    assert out.exit_code == 0, out.output
    columns = json.loads(out.output)["columns"]
    assert [(c["header"], c["kind"]) for c in columns] == [(FUNDS, "number"), (DONE_ON, "date"), (HELP, "yesno")]
    assert columns[0]["reported"] == 3              # items 1 and 2 (led), 3 (supported) by 县科技局

    # next month's template carries the values forward, as the layout's input cells are
    generate_templates(office, "2024-08", units=["县科技局"])
    sheet = openpyxl.load_workbook(template(office, "县科技局", "2024-08"))[layout.LEDGER_SHEET]
    headers = [c.value for c in sheet[layout.HEADER_ROW]]
    first = [c.value for c in sheet[layout.FIRST_DATA_ROW]]
    assert [first[headers.index(h)] for h in (FUNDS, DONE_ON, HELP)] == [1250.5, "2024-07-20", "是"]


@pytest.mark.parametrize("typed, code, fragment", [
    ({FUNDS: "约1000"}, "number-invalid", "“约1000”不是数字"),
    ({FUNDS: -3}, "number-below-min", "-3 小于下限 0"),
    ({DONE_ON: "七月底"}, "date-invalid", "不是有效的日期"),
    ({HELP: "看情况"}, "yesno-invalid", "应为“是”或“否”"),
])
def test_a_wrong_office_value_is_a_typed_finding_on_its_cell(office, tmp_path, typed, code, fragment):
    fill(template(office, "县科技局"), tmp_path / "kj.xlsx", **typed)
    drop(office, tmp_path / "kj.xlsx", "科技局.xlsx")
    (out,) = collect_inbox(office).files
    assert out.outcome == "rejected"
    errors = [f for f in out.findings if f.is_error]
    assert {f.code for f in errors} == {code}
    header = next(iter(typed))
    headers = [c.value for c in openpyxl.load_workbook(template(office, "县科技局"))[layout.LEDGER_SHEET][layout.HEADER_ROW]]
    assert errors[0].column == header
    assert errors[0].cell == f"{layout.column_letter(headers.index(header))}{layout.FIRST_DATA_ROW}"
    assert fragment in errors[0].message
    # the feedback workbook keeps what the unit typed in the office columns, and marks the wrong cell
    feedback = openpyxl.load_workbook(office.root / out.feedback)[layout.LEDGER_SHEET]
    fb_headers = [c.value for c in feedback[layout.HEADER_ROW]]
    assert fb_headers[-3:] == [FUNDS, DONE_ON, HELP]
    cell = feedback.cell(layout.FIRST_DATA_ROW, fb_headers.index(header) + 1)
    assert cell.value == typed[header] and cell.comment is not None and fragment in cell.comment.text
    assert feedback.cell(layout.FIRST_DATA_ROW, fb_headers.index("本月进展情况") + 1).value == GOOD["progress"]


def test_a_column_required_by_a_status_meaning_follows_the_renamed_word(office, tmp_path):
    fill(template(office, "县科技局"), tmp_path / "kj.xlsx", **{"完成状态": "进度滞后", "存在问题": "审批慢"})
    drop(office, tmp_path / "kj.xlsx", "科技局.xlsx")
    (out,) = collect_inbox(office).files
    assert out.outcome == "rejected"
    errors = [f for f in out.findings if f.is_error]
    assert {(f.code, f.column) for f in errors} == {("required-if-status", HELP)}
    assert "完成状态为“进度滞后”，须填写“是否需协调”" in errors[0].message


def test_a_deleted_office_column_is_named(office, tmp_path):
    wb = openpyxl.load_workbook(template(office, "县科技局"))
    sheet = wb[layout.LEDGER_SHEET]
    sheet.cell(layout.HEADER_ROW, sheet.max_column, "备用")          # 是否需协调's header overwritten
    wb.save(tmp_path / "kj.xlsx")
    fill(tmp_path / "kj.xlsx", tmp_path / "kj.xlsx")
    drop(office, tmp_path / "kj.xlsx", "科技局.xlsx")
    (out,) = collect_inbox(office).files
    assert out.outcome == "rejected"
    assert [(f.code, f.column) for f in out.findings if f.is_error] == [("column-missing", HELP)]
