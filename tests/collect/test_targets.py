"""Collect and the 指标 sheet: typed values stored as typed, findings for each code, feedback, carry-forward."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from ledger import layout
from ledger.collect.intake import collect_inbox
from ledger.store import schema as s
from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from tests.collect.test_collect import codes, drop, only, stored_rows, template
from tests.conftest import fill_all
from tests.template.test_target_sheet import targeted_plan

UNIT = "县科技局"          # leads items 1 and 2: four targets (家, 项, %, and a ≤ %)
ACHIEVED = layout.column_index("achieved", layout.TARGET_COLUMNS)
NOTE = layout.column_index("note", layout.TARGET_COLUMNS)
FIRST = layout.FIRST_DATA_ROW


@pytest.fixture
def issued(workspace):
    save_plan(workspace.engine, targeted_plan(), origin="import")
    generate_templates(workspace, "2024-07")
    return workspace


def fill_targets(path: Path, values: dict[int, dict[str, object]], out: Path | None = None) -> Path:
    """Type into the 指标 sheet (0-based index among target rows) by layout key, as a department would."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[layout.TARGET_SHEET]
    for index, row_values in values.items():
        for key, value in row_values.items():
            cell = sheet.cell(row=FIRST + index, column=layout.column_index(key, layout.TARGET_COLUMNS) + 1, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    wb.save(out or path)
    return out or path


def filled(ws, tmp_path, targets: dict[int, dict[str, object]], name="科技局.xlsx", period="2024-07") -> Path:
    """UNIT's template with every task row filled correctly (each month's own progress, as content checks
    expect) and the given 指标 values typed."""
    progress = f"完成平台申报材料 {int(period[5:])} 份，组织评审 1 次。"
    return fill_targets(fill_all(template(ws, UNIT, period), tmp_path / f"filled-{name}", progress=progress), targets)


def returned(ws, tmp_path, targets: dict[int, dict[str, object]], name="科技局.xlsx", period="2024-07") -> Path:
    return drop(ws, filled(ws, tmp_path, targets, name, period), name)


def stored_targets(ws, unit=UNIT, period="2024-07") -> list[dict]:
    t = s.targets
    q = (sa.select(t.c.indicator, s.target_rows.c.achieved, s.target_rows.c.note)
         .join(s.target_rows, s.target_rows.c.target_id == t.c.id)
         .join(s.submissions, s.submissions.c.id == s.target_rows.c.submission_id)
         .join(s.units, s.units.c.id == s.submissions.c.unit_id)
         .where(s.units.c.name == unit, s.submissions.c.period == period, s.submissions.c.is_current)
         .order_by(s.target_rows.c.id))
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def cell_of(key: str, index: int) -> str:
    return f"{layout.column_letter(layout.column_index(key, layout.TARGET_COLUMNS))}{FIRST + index}"


ALL_FILLED = {0: {"achieved": 1, "note": "已申报 2 家"}, 1: {"achieved": 3}, 2: {"achieved": 2.1}, 3: {"achieved": 8}}


# --- the round trip -----------------------------------------------------------------------

def test_typed_targets_are_stored_as_typed(issued, tmp_path):
    returned(issued, tmp_path, ALL_FILLED)
    out = only(collect_inbox(issued))
    assert (out.outcome, out.findings) == ("accepted", [])
    assert stored_targets(issued) == [
        {"indicator": "市级以上创新平台", "achieved": 1.0, "note": "已申报 2 家"},
        {"indicator": "市级以上科技计划项目", "achieved": 3.0, "note": None},
        {"indicator": "研发经费投入强度", "achieved": 2.1, "note": None},
        {"indicator": "=科技型企业亏损面", "achieved": 8.0, "note": None}]
    assert len(stored_rows(issued)) == 3


@pytest.mark.parametrize("typed, stored", [
    ("１２", 12), ("12", 12), (" 45 ", 45), ("3,200", 3200), ("３，２００", 3200), ("1,234,567.5", 1234567.5),
    ("１２.５", 12.5), (0.3, 0.3), (3200, 3200), (0, 0),
])
def test_numbers_are_normalised(issued, tmp_path, typed, stored):
    returned(issued, tmp_path, {0: {"achieved": typed}})
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", out.findings
    assert stored_targets(issued)[0]["achieved"] == stored


def test_a_percent_sign_is_read_only_where_the_unit_is_percent(issued, tmp_path):
    returned(issued, tmp_path, {2: {"achieved": "2.1%"}})          # 研发经费投入强度, unit %
    assert only(collect_inbox(issued)).outcome == "accepted"
    assert stored_targets(issued)[2]["achieved"] == 2.1


def test_blank_values_are_accepted_and_stored_empty(issued, tmp_path):
    returned(issued, tmp_path, {1: {"note": "数据年底统计"}})
    out = only(collect_inbox(issued))
    assert (out.outcome, out.findings) == ("accepted", [])
    assert [(r["achieved"], r["note"]) for r in stored_targets(issued)] == [
        (None, None), (None, "数据年底统计"), (None, None), (None, None)]


def test_a_template_without_targets_needs_no_target_sheet(issued, tmp_path):
    drop(issued, fill_all(template(issued, "县财政局"), tmp_path / "f.xlsx"))
    out = only(collect_inbox(issued))
    assert (out.outcome, out.unit) == ("accepted", "县财政局")
    assert stored_targets(issued, "县财政局") == []


def test_a_renamed_target_sheet_is_still_read(issued, tmp_path):
    path = filled(issued, tmp_path, {0: {"achieved": 2}})
    wb = openpyxl.load_workbook(path)
    wb[layout.TARGET_SHEET].title = "量化指标"
    wb.save(path)
    drop(issued, path)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", out.findings
    assert stored_targets(issued)[0]["achieved"] == 2


# --- findings, one per code -------------------------------------------------------------------

@pytest.mark.parametrize("typed, code, fragment", [
    ("三千", "target-not-number", "“三千”不是数字"),
    ("约3200", "target-not-number", "请只填写数字"),
    ("2家", "target-not-number", "单位为“家”，不必填写"),
    ("12%", "target-not-number", "不是数字"),          # the unit of this target is 家, not %
    (-5, "target-negative", "不能为负数（现为 -5）"),
    ("-5", "target-negative", "不能为负数"),
])
def test_errors_reject_the_file_and_name_the_cell(issued, tmp_path, typed, code, fragment):
    returned(issued, tmp_path, {0: {"achieved": typed}})
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    (finding,) = out.findings
    assert (finding.code, finding.severity, finding.sheet) == (code, "error", layout.TARGET_SHEET)
    assert (finding.cell, finding.column, finding.field, finding.row) == (cell_of("achieved", 0), "本年累计完成值", "achieved", FIRST)
    assert finding.message.startswith(f"“指标”工作表{cell_of('achieved', 0)}“本年累计完成值”：") and fragment in finding.message
    assert stored_targets(issued) == [] and stored_rows(issued) == []


def test_a_cumulative_value_below_last_month_is_a_warning(issued, tmp_path):
    returned(issued, tmp_path, {0: {"achieved": 3200}, 1: {"achieved": 4}}, name="7月.xlsx")
    collect_inbox(issued)
    generate_templates(issued, "2024-08")
    returned(issued, tmp_path, {0: {"achieved": "3,000"}, 1: {"achieved": 4}}, name="8月.xlsx", period="2024-08")
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted"
    (finding,) = out.findings
    assert (finding.code, finding.severity, finding.cell, finding.value) == ("target-decreased", "warning", cell_of("achieved", 0), 3000)
    assert "小于上期（2024年7月）已报送的 3200" in finding.message and "请核对" in finding.message
    assert stored_targets(issued, period="2024-08")[0]["achieved"] == 3000


def test_a_new_year_starts_the_cumulative_value_again(issued, tmp_path):
    generate_templates(issued, "2024-12")
    returned(issued, tmp_path, {0: {"achieved": 3200}}, name="12月.xlsx", period="2024-12")
    collect_inbox(issued)
    generate_templates(issued, "2025-01")
    january = openpyxl.load_workbook(template(issued, UNIT, "2025-01"))[layout.TARGET_SHEET]
    assert january.cell(row=FIRST, column=ACHIEVED + 1).value is None      # not carried into a new year
    returned(issued, tmp_path, {0: {"achieved": 100}}, name="1月.xlsx", period="2025-01")
    out = only(collect_inbox(issued))
    assert (out.outcome, out.findings) == ("accepted", [])


def test_formula_looking_note_is_a_warning_and_stored_as_text(issued, tmp_path):
    returned(issued, tmp_path, {0: {"achieved": 1, "note": "=1+1"}})
    out = only(collect_inbox(issued))
    assert (out.outcome, codes(out)) == ("accepted", ["formula-like"])
    assert out.findings[0].cell == cell_of("note", 0)
    assert stored_targets(issued)[0]["note"] == "=1+1"


@pytest.mark.parametrize("key, typed, issued_text", [
    ("target", 1, "2"), ("indicator", "市级创新平台", "市级以上创新平台"), ("comparator", "≤", "≥"), ("unit", "个", "家"),
])
def test_an_edited_locked_target_cell_is_named(issued, tmp_path, key, typed, issued_text):
    returned(issued, tmp_path, {0: {key: typed}})
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    (finding,) = out.findings
    assert (finding.code, finding.sheet, finding.cell, finding.value) == ("plan-cell-changed", layout.TARGET_SHEET, cell_of(key, 0), str(typed))
    assert f"不能修改（原为“{issued_text}”）" in finding.message and "本年累计完成值" in finding.message


def test_a_missing_target_sheet_is_an_error(issued, tmp_path):
    path = filled(issued, tmp_path, {})
    wb = openpyxl.load_workbook(path)
    del wb[layout.TARGET_SHEET]
    wb.save(path)
    drop(issued, path)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    (finding,) = out.findings
    assert (finding.code, finding.sheet) == ("sheet-missing", layout.TARGET_SHEET)
    assert "未找到“指标”工作表" in finding.message and "请在下发模板的“指标”工作表中填报" in finding.message


def test_deleted_and_added_target_rows_are_errors(issued, tmp_path):
    path = filled(issued, tmp_path, {})
    wb = openpyxl.load_workbook(path)
    sheet = wb[layout.TARGET_SHEET]
    sheet.delete_rows(FIRST + 1)
    sheet.cell(row=FIRST + 6, column=ACHIEVED + 1, value=5)
    wb.save(path)
    drop(issued, path)
    out = only(collect_inbox(issued))
    assert sorted(codes(out, "error")) == ["row-added", "row-deleted"]
    deleted = next(f for f in out.findings if f.code == "row-deleted")
    assert deleted.message.startswith("指标“市级以上科技计划项目”（序号 2）的行被删除") and deleted.sheet == layout.TARGET_SHEET
    added = next(f for f in out.findings if f.code == "row-added")
    assert added.message.startswith(f"“指标”工作表第 {FIRST + 6} 行不是模板中的指标行")


# --- feedback and carry-forward ------------------------------------------------------------------

def test_feedback_highlights_target_cells_and_can_be_resent(issued, tmp_path):
    returned(issued, tmp_path, {0: {"achieved": "三千", "note": "统计局口径"}, 1: {"achieved": 3}})
    out = only(collect_inbox(issued))
    wb = openpyxl.load_workbook(issued.root / out.feedback)
    assert wb.sheetnames == ["问题清单", layout.GUIDE_SHEET, layout.LEDGER_SHEET, layout.TARGET_SHEET, layout.META_SHEET]
    problems = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=4)]
    assert [p[1:4] for p in problems] == [[f"指标!{cell_of('achieved', 0)}", "本年累计完成值", "三千"]]
    assert "“台账”“指标”工作表中修改" in wb["问题清单"]["A2"].value
    sheet = wb[layout.TARGET_SHEET]
    bad = sheet.cell(row=FIRST, column=ACHIEVED + 1)
    assert bad.value == "三千" and bad.fill.fgColor.rgb.endswith("FFC7CE") and "不是数字" in bad.comment.text
    assert not bad.protection.locked
    assert sheet.cell(row=FIRST, column=NOTE + 1).value == "统计局口径"
    assert sheet.cell(row=FIRST + 1, column=ACHIEVED + 1).value == 3
    assert sheet.cell(row=FIRST + 1, column=ACHIEVED + 1).comment is None
    fixed = fill_targets(issued.root / out.feedback, {0: {"achieved": 3000}}, tmp_path / "fixed.xlsx")
    drop(issued, fixed, "改后.xlsx")
    again = only(collect_inbox(issued))
    assert again.outcome == "accepted", again.findings
    assert [r["achieved"] for r in stored_targets(issued)] == [3000, 3, None, None]


def test_carry_forward_starts_next_month_from_accepted_target_values(issued, tmp_path):
    returned(issued, tmp_path, ALL_FILLED)
    collect_inbox(issued)
    generate_templates(issued, "2024-08")
    sheet = openpyxl.load_workbook(template(issued, UNIT, "2024-08"))[layout.TARGET_SHEET]
    achieved = sheet.cell(row=FIRST, column=ACHIEVED + 1)
    note = sheet.cell(row=FIRST, column=NOTE + 1)
    assert (achieved.value, note.value) == (1, "已申报 2 家")
    assert achieved.font.i and achieved.fill.fgColor.rgb.endswith("E2EFDA") and not achieved.protection.locked
    assert [sheet.cell(row=FIRST + i, column=ACHIEVED + 1).value for i in range(4)] == [1, 3, 2.1, 8]
    # the carried template, returned untouched, is accepted with the same values
    drop(issued, fill_all(template(issued, UNIT, "2024-08"), tmp_path / "aug.xlsx"))
    out = only(collect_inbox(issued))
    assert (out.outcome, out.findings) == ("accepted", [])
    assert [r["achieved"] for r in stored_targets(issued, period="2024-08")] == [1, 3, 2.1, 8]


def test_carry_forward_follows_the_target_into_a_new_plan_version(issued, tmp_path):
    returned(issued, tmp_path, ALL_FILLED)
    collect_inbox(issued)
    save_plan(issued.engine, targeted_plan(), origin="review")            # version 2: new target ids
    generate_templates(issued, "2024-08")
    sheet = openpyxl.load_workbook(template(issued, UNIT, "2024-08"))[layout.TARGET_SHEET]
    assert [sheet.cell(row=FIRST + i, column=ACHIEVED + 1).value for i in range(4)] == [1, 3, 2.1, 8]


# --- a real spreadsheet client ------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_targets_resaved_by_libreoffice_are_accepted_as_typed(issued, tmp_path, fmt):
    from tests.conftest import libreoffice_convert, soffice
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    resaved = libreoffice_convert(filled(issued, tmp_path, {0: {"achieved": "3,200"}, 2: {"achieved": 2.1}}),
                                  fmt, tmp_path / "lo")
    drop(issued, resaved, f"科技局.{fmt}")
    out = only(collect_inbox(issued))
    assert (out.outcome, out.findings) == ("accepted", [])
    assert [r["achieved"] for r in stored_targets(issued)] == [3200, None, 2.1, None]


def test_a_percentage_stored_as_a_fraction_is_pointed_out(issued, tmp_path):
    returned(issued, tmp_path, {2: {"achieved": 0.021}})       # 2.1% typed into a percent-formatted cell
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted"
    (finding,) = out.findings
    assert (finding.code, finding.severity, finding.cell) == ("target-percent-fraction", "warning", cell_of("achieved", 2))
    assert "2.1% 会被存成 0.021" in finding.message and "常规格式" in finding.message
