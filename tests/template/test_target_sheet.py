"""The 指标 sheet of a template, read back cell by cell: present only for units leading targets,
locked plan cells, validated input cells, print setup, and covered by the plan digest."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from ledger import layout
from ledger.collect.reader import read_workbook
from ledger.plan.model import Target
from ledger.store.plans import load_plan, save_plan
from ledger.template.generate import generate_templates
from ledger.template.identity import plan_digest
from ledger.template.rows import all_unit_rows
from tests.conftest import sample_plan

COL = {c.key: layout.column_index(c.key, layout.TARGET_COLUMNS) + 1 for c in layout.TARGET_COLUMNS}


def targeted_plan():
    """The sample plan with targets on items 1 (co-led) and 2; item 3's lead has none."""
    plan = sample_plan()
    plan.items[0].targets = [Target("市级以上创新平台", 2, "家", "≥", "count", "市级以上创新平台达到 2 家")]
    plan.items[1].targets = [Target("市级以上科技计划项目", 5, "项", "≥", "count"),
                             Target("研发经费投入强度", 2.5, "%", "≥", "share"),
                             Target("=科技型企业亏损面", 10, "%", "≤", "share")]
    return plan


@pytest.fixture
def issued(workspace):
    save_plan(workspace.engine, targeted_plan(), origin="import")
    generate_templates(workspace, "2024-07")
    return workspace


def path_of(ws, unit, period="2024-07"):
    return ws.templates_dir / period / f"{period}_{unit}.xlsx"


def target_sheet(ws, unit="县科技局"):
    return openpyxl.load_workbook(path_of(ws, unit))[layout.TARGET_SHEET]


def test_only_units_leading_targets_get_the_sheet(issued):
    sheets = {unit: openpyxl.load_workbook(path_of(issued, unit)).sheetnames
              for unit in ("县科技局", "县发展改革局", "县委组织部", "县财政局")}
    with_targets = [layout.GUIDE_SHEET, layout.LEDGER_SHEET, layout.TARGET_SHEET, layout.META_SHEET]
    without = [layout.GUIDE_SHEET, layout.LEDGER_SHEET, layout.META_SHEET]
    assert sheets == {"县科技局": with_targets, "县发展改革局": with_targets,    # leads 1 and 2 / co-leads 1
                      "县委组织部": without,                                  # leads 3, which has no target
                      "县财政局": without}                                    # supports only
    assert openpyxl.load_workbook(path_of(issued, "县科技局")).active.title == layout.LEDGER_SHEET


def test_rows_equal_the_targets_of_the_lead_items(issued):
    sheet = target_sheet(issued)
    assert [c.value for c in sheet[layout.HEADER_ROW]] == [c.header for c in layout.TARGET_COLUMNS]
    plan = load_plan(issued.engine)
    expected = [(item, t, tid) for item in plan.items[:2] for t, tid in zip(item.targets, item.target_ids)]
    assert sheet.max_row == layout.FIRST_DATA_ROW + len(expected) - 1
    for offset, (item, target, target_id) in enumerate(expected):
        row = layout.FIRST_DATA_ROW + offset
        cell = lambda key: sheet.cell(row=row, column=COL[key])
        assert cell("target_key").value == f"{target_id}-target"
        assert cell("seq").value == offset + 1
        assert (cell("item_number").value, cell("item_title").value) == (item.number, item.title)
        assert (cell("indicator").value, cell("comparator").value) == (target.indicator, target.comparator)
        assert cell("target").value == target.value and cell("target").data_type == "n"
        assert cell("unit").value == target.unit
        assert cell("achieved").value is None and cell("note").value is None


def test_plan_text_is_never_a_formula(issued):
    sheet = target_sheet(issued)
    cell = sheet.cell(row=layout.FIRST_DATA_ROW + 3, column=COL["indicator"])
    assert cell.value == "=科技型企业亏损面" and cell.data_type == "s"
    with zipfile.ZipFile(path_of(issued, "县科技局")) as zf:
        assert all("<f>" not in zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))


def test_only_input_cells_are_unlocked_and_the_sheet_is_protected(issued):
    sheet = target_sheet(issued)
    assert sheet.protection.sheet is True
    assert sheet.protection.selectLockedCells is True
    assert sheet.protection.formatRows is False and sheet.protection.autoFilter is False
    for col in layout.TARGET_COLUMNS:
        cell = sheet.cell(row=layout.FIRST_DATA_ROW, column=COL[col.key])
        assert cell.protection.locked is (not col.input), col.header
    assert [c.key for c in layout.TARGET_INPUT_COLUMNS] == ["achieved", "note"]
    assert sheet.column_dimensions[layout.column_letter(COL["target_key"] - 1)].hidden is True


def test_achieved_is_validated_as_a_number_of_at_least_zero(issued):
    sheet = target_sheet(issued)
    letter = layout.column_letter(COL["achieved"] - 1)
    (dv,) = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(letter)]
    assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert str(dv.sqref) == f"{letter}{layout.FIRST_DATA_ROW}:{letter}{layout.FIRST_DATA_ROW + 2000}"
    assert dv.promptTitle == "本年累计完成值" and "只填数字" in dv.prompt
    assert dv.errorTitle == "本年累计完成值无效" and "不小于 0 的数字" in dv.error


def test_print_setup_and_fonts_like_the_ledger_sheet(issued):
    sheet = target_sheet(issued)
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.page_setup.fitToHeight) == ("landscape", 9, 0)
    assert sheet.print_title_rows == f"${layout.HEADER_ROW}:${layout.HEADER_ROW}"
    assert sheet.freeze_panes == f"A{layout.FIRST_DATA_ROW}"
    assert sheet.cell(row=layout.HEADER_ROW, column=2).font.name == "黑体"
    assert sheet["A1"].value == "测试县2024年工作要点量化指标填报表（2024年7月）"
    assert "县科技局" in sheet["A2"].value


def test_guide_explains_the_target_sheet(issued):
    wb = openpyxl.load_workbook(path_of(issued, "县科技局"))
    guide = {r[0].value: r[1].value for r in wb[layout.GUIDE_SHEET].iter_rows(min_row=3) if r[0].value}
    assert "4 项量化指标" in guide["指标填报"] and "本年累计完成值" in guide["指标填报"]
    other = openpyxl.load_workbook(path_of(issued, "县财政局"))
    assert "指标填报" not in {r[0].value for r in other[layout.GUIDE_SHEET].iter_rows()}


def test_the_digest_covers_the_locked_target_cells(issued):
    identity = read_workbook(path_of(issued, "县科技局"), "xlsx").identities["property"]
    plan = load_plan(issued.engine)
    ledger = [r.plan_values() for r in all_unit_rows(plan, ["县科技局"])["县科技局"]]
    ids = plan.items[0].target_ids + plan.items[1].target_ids
    targets = [(f"{ids[0]}-target", "1", "培育战略科技力量", "市级以上创新平台", "≥", "2", "家"),
               (f"{ids[1]}-target", "2", "强化关键核心技术攻关", "市级以上科技计划项目", "≥", "5", "项"),
               (f"{ids[2]}-target", "2", "强化关键核心技术攻关", "研发经费投入强度", "≥", "2.5", "%"),
               (f"{ids[3]}-target", "2", "强化关键核心技术攻关", "=科技型企业亏损面", "≤", "10", "%")]
    assert identity.digest == plan_digest(ledger + targets) != plan_digest(ledger)
    assert identity.layout_version == layout.LAYOUT_VERSION == "3"
    no_targets = read_workbook(path_of(issued, "县财政局"), "xlsx").identities["property"]
    assert no_targets.digest == plan_digest([r.plan_values() for r in all_unit_rows(plan, ["县财政局"])["县财政局"]])


def test_reader_finds_the_sheet_and_its_columns(issued):
    read = read_workbook(path_of(issued, "县科技局"), "xlsx")
    assert read.targets.sheet == layout.TARGET_SHEET and read.targets.header_row == layout.HEADER_ROW
    assert read.targets.columns == {k: v - 1 for k, v in COL.items()}
    assert [r.number for r in read.targets.rows] == [4, 5, 6, 7]
    assert read_workbook(path_of(issued, "县财政局"), "xlsx").targets is None


def test_a_target_row_is_carried_by_its_item_identity_never_by_its_number():
    from ledger.template.rows import TargetRow

    row = TargetRow(1, 1, {"item_number": "1", "indicator": "改造小区"}, "（一）", "二（一）", item_identity=40)
    assert row.carry_key == (40, "改造小区")
    # the item was number 2 when last reported; another item now numbered 1 had identity 39
    assert row.carried_from({(39, "改造小区"): 3, (40, "改造小区"): 10}) == 10
    assert row.carried_from({(39, "改造小区"): 3}) is None