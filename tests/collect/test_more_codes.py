"""Findings no other collect test reaches: a repeated row, a tampered identification, a unit the
plan does not know, and the office's own columns typed out of range or off their list."""

from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa

from ledger import codes, layout
from ledger.collect.intake import collect_inbox
from ledger.kinds import NO_CONTEXT, Kind
from ledger.store import schema as s
from ledger.template.generate import generate_templates
from ledger.workspace import Workspace
from tests.collect.test_collect import UNIT, drop, only, template
from tests.collect.test_office_columns import fill
from tests.conftest import fill_all


@pytest.fixture
def issued(planned):
    generate_templates(planned, "2024-07")
    return planned


def test_a_copied_row_is_named_with_the_row_it_repeats(issued, tmp_path):
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(filled)
    sheet = wb[layout.LEDGER_SHEET]
    first, copy = layout.FIRST_DATA_ROW, sheet.max_row + 1
    for col in range(1, sheet.max_column + 1):
        sheet.cell(copy, col, sheet.cell(first, col).value)
    wb.save(filled)
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    [dup] = [f for f in out.findings if f.code == "row-duplicate"]
    assert dup.row == copy and f"第 {copy} 行与第 {first} 行是同一任务的重复行" in dup.message


def test_an_identification_edited_to_another_unit_is_refused(issued, tmp_path):
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(filled)
    props = wb.custom_doc_props
    unit_prop = next(p for p in props.props if p.name.endswith("unit"))
    unit_prop.value = "县财政局"
    wb.save(filled)
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert (out.outcome, [f.code for f in out.findings]) == ("rejected", ["identity-mismatch"])
    assert f"记录为“{UNIT}”" in out.findings[0].message


def test_a_unit_the_plan_no_longer_assigns_is_told_to_ask_the_office(issued, tmp_path):
    drop(issued, fill_all(template(issued), tmp_path / "f.xlsx"))
    with issued.engine.begin() as conn:          # a database edited by hand: the unit keeps no task
        unit_id = conn.execute(sa.select(s.units.c.id).where(s.units.c.name == UNIT)).scalar_one()
        conn.execute(sa.delete(s.assignments).where(s.assignments.c.unit_id == unit_id))
    out = only(collect_inbox(issued))
    assert (out.outcome, [f.code for f in out.findings]) == ("rejected", ["unit-unknown"])
    assert "请与督查室联系" in out.findings[0].message


OFFICE = '''
[[columns]]
header = "资金到位(万元)"
kind = "number"
min = 0
max = 5000

[[columns]]
header = "推进方式"
kind = "choice"
choices = ["自建", "合作"]
'''


@pytest.fixture
def office(issued):
    config = issued.root / "ledger.toml"
    config.write_text(config.read_text(encoding="utf-8") + OFFICE, encoding="utf-8")
    ws = Workspace(issued.root)
    generate_templates(ws, "2024-07", units=[UNIT])
    return ws


@pytest.mark.parametrize("typed, code, fragment", [
    ({"资金到位(万元)": 9000}, "number-above-max", "9000 超过上限 5000"),
    ({"推进方式": "外包"}, "choice-invalid", "请从下拉列表选择：自建、合作"),
])
def test_the_offices_own_columns_are_held_to_their_declaration(office, tmp_path, typed, code, fragment):
    fill(template(office, UNIT), tmp_path / "kj.xlsx", **typed)
    drop(office, tmp_path / "kj.xlsx", "科技局.xlsx")
    out = only(collect_inbox(office))
    assert out.outcome == "rejected"
    errors = [f for f in out.findings if f.is_error]
    assert {f.code for f in errors} == {code} and fragment in errors[0].message
    assert errors[0].column == next(iter(typed))


def test_a_kind_without_a_message_of_its_own_falls_back_to_the_general_one():
    col = layout.Column("note", "备注")
    told = Kind().invalid(col, "？？", NO_CONTEXT)
    assert told.code is codes.VALUE_INVALID
    assert told.at().message == "“？？”格式不正确，请填写“备注”"


def test_an_office_send_back_is_told_on_the_items_rows_or_on_the_whole_ledger():
    from types import SimpleNamespace as NS

    from ledger.collect.sendback import comment_findings

    plan = NS(items=[NS(number="3", id=7), NS(number="4", id=8)])
    read = NS(ledger_sheet="台账", rows=[NS(number=5, values={"row_key": "7-lead"}), NS(number=6, values={"row_key": "8-lead"})])
    [whole] = comment_findings(read, plan, "进展写得太笼统", [], "张三")
    assert (whole.code, whole.severity, whole.cell) == ("review-sent-back", "error", None)
    assert whole.message == "督查室审核意见（张三）：进展写得太笼统：请按督查室意见修改后重新报送"
    [one] = comment_findings(read, plan, "", [("3", "请写明人数")], "张三")
    assert (one.code, one.row, one.column) == ("review-sent-back", 5, "本月进展情况")
    assert one.problem == "第 3 项，督查室审核意见（张三）：请写明人数"
