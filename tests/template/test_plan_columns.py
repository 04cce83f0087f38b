"""责任领导 and 完成时限 in templates: shown, locked, covered by the digest; older templates still read."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from ledger import layout
from ledger.collect.intake import collect_inbox
from ledger.store import schema as s
from ledger.store.plans import load_plan, save_plan
from ledger.template.generate import generate_templates
from ledger.template.identity import plan_digest
from ledger.template.rows import all_unit_rows
from tests.collect.test_collect import drop, only, template
from tests.conftest import GOOD, fill_all, fill_template, sample_plan

UNIT = "县科技局"    # leads items 1 and 2


@pytest.fixture
def issued(workspace):
    plan = sample_plan()
    plan.items[0].leaders = ["张三", "李四"]
    plan.items[0].deadline_text, plan.items[0].deadline = "2024年6月底", date(2024, 6, 30)
    plan.items[1].deadline_text = "持续推进"
    save_plan(workspace.engine, plan, origin="import")
    generate_templates(workspace, "2024-07")
    return workspace


def test_leaders_and_deadline_are_shown_and_locked(issued):
    sheet = openpyxl.load_workbook(template(issued, UNIT))[layout.LEDGER_SHEET]
    header = [c.value for c in sheet[layout.HEADER_ROW]]
    assert header.index("责任领导") == layout.column_index("leaders")
    assert header.index("完成时限") == layout.column_index("deadline")
    first, second = layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + 1
    leaders, deadline = layout.column_index("leaders") + 1, layout.column_index("deadline") + 1
    assert (sheet.cell(first, leaders).value, sheet.cell(first, deadline).value) == ("张三、李四", "2024年6月底")
    assert sheet.cell(second, deadline).value == "持续推进"
    assert sheet.protection.sheet and sheet.cell(first, deadline).protection.locked
    assert not sheet.cell(first, layout.column_index("progress") + 1).protection.locked


def test_an_edited_deadline_is_named_and_refused(issued, tmp_path):
    filled = fill_all(template(issued, UNIT), tmp_path / "f.xlsx")
    fill_template(filled, {0: {"deadline": "年底前"}})
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    (finding,) = out.findings
    assert (finding.code, finding.column, finding.value) == ("plan-cell-changed", "完成时限", "年底前")
    assert "原为“2024年6月底”" in finding.message


def as_layout_2(ws, path):
    """The template as it would have been issued before 责任领导/完成时限: columns, record, digest."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[layout.LEDGER_SHEET]
    sheet.delete_cols(layout.column_index("leaders") + 1, 2)
    old = layout.columns_of("2")
    assert [c.value for c in sheet[layout.HEADER_ROW]][:len(old)] == [c.header for c in old]
    for r in range(len(all_unit_rows(load_plan(ws.engine), [UNIT])[UNIT])):
        for key, value in GOOD.items():
            sheet.cell(layout.FIRST_DATA_ROW + r, layout.column_index(key, old) + 1, value)
    wb.save(path)
    rows = all_unit_rows(load_plan(ws.engine), [UNIT])[UNIT]
    keys = [layout.BY_KEY["row_key"], *(c for c in old if c.plan)]
    digest = plan_digest([tuple(str(r.cells[c.key]) for c in keys) for r in rows])
    with ws.engine.begin() as conn:
        conn.execute(sa.update(s.templates).where(s.templates.c.file_name.like(f"%{UNIT}%"))
                     .values(layout_version="2", digest=digest))
    return path


def test_a_template_issued_before_these_columns_is_still_accepted(issued, tmp_path):
    old = as_layout_2(issued, fill_all(template(issued, UNIT), tmp_path / "old.xlsx"))
    drop(issued, old)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", [f.message for f in out.findings]
