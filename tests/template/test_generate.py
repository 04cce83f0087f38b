"""Templates read back cell by cell: sheets, headers, locking, validation, identification."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from ledger import layout
from ledger.collect.reader import read_workbook
from ledger.errors import PeriodError, PlanNotFoundError, UnitNotFoundError
from ledger.store.plans import load_plan
from ledger.template.generate import MANIFEST_NAME, generate_templates, safe_file_name
from ledger.workspace import Workspace


@pytest.fixture
def generated(planned):
    return planned, generate_templates(planned, "2024-07")


def ledger_sheet(path):
    return openpyxl.load_workbook(path)[layout.LEDGER_SHEET]


def test_one_workbook_per_unit_named_by_period_and_unit(generated):
    ws, result = generated
    names = sorted(p.name for p in (ws.templates_dir / "2024-07").iterdir())
    assert names == sorted([MANIFEST_NAME, "2024-07_县发展改革局.xlsx", "2024-07_县科技局.xlsx",
                            "2024-07_县财政局.xlsx", "2024-07_县委组织部.xlsx"])
    counts = {f.unit: (f.lead, f.support) for f in result.files}
    assert counts == {"县发展改革局": (1, 1), "县科技局": (2, 1), "县财政局": (0, 1), "县委组织部": (1, 0)}


def test_sheets_headers_and_rows_equal_the_plan(generated):
    ws, result = generated
    path = ws.templates_dir / "2024-07" / "2024-07_县科技局.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [layout.GUIDE_SHEET, layout.LEDGER_SHEET, layout.META_SHEET]
    assert wb.active.title == layout.LEDGER_SHEET
    sheet = wb[layout.LEDGER_SHEET]
    assert [c.value for c in sheet[layout.HEADER_ROW]] == [c.header for c in layout.COLUMNS]
    plan = load_plan(ws.engine)
    by_number = {i.number: i for i in plan.items}
    expected = [("1", "牵头"), ("2", "牵头"), ("3", "配合")]   # lead items first, then supported
    for offset, (number, role) in enumerate(expected):
        row = [c.value for c in sheet[layout.FIRST_DATA_ROW + offset]]
        item = by_number[number]
        assert row[layout.column_index("row_key")] == f"{item.id}-{'lead' if role == '牵头' else 'support'}"
        assert row[layout.column_index("seq")] == offset + 1
        assert row[layout.column_index("title")] == item.title
        assert row[layout.column_index("text")] == item.text
        assert row[layout.column_index("role")] == role
        assert row[layout.column_index("lead_units")] == "、".join(item.lead)
        assert (row[layout.column_index("support_units")] or "") == "、".join(item.support)
        assert all(row[layout.column_index(c.key)] is None for c in layout.INPUT_COLUMNS)
    assert sheet.max_row == layout.FIRST_DATA_ROW + 2


def test_only_input_cells_are_unlocked_and_the_sheet_is_protected(generated):
    ws, _ = generated
    sheet = ledger_sheet(ws.templates_dir / "2024-07" / "2024-07_县科技局.xlsx")
    assert sheet.protection.sheet is True
    assert sheet.protection.selectLockedCells is True      # openpyxl: True means "not allowed"
    assert sheet.protection.formatRows is False            # resizing rows is allowed
    assert sheet.protection.autoFilter is False            # filters are allowed
    for col in layout.COLUMNS:
        cell = sheet.cell(row=layout.FIRST_DATA_ROW, column=layout.column_index(col.key) + 1)
        assert cell.protection.locked is (not col.input), col.header
    key_letter = layout.column_letter(layout.column_index("row_key"))
    assert sheet.column_dimensions[key_letter].hidden is True


def test_status_and_progress_validations_with_chinese_messages(generated):
    ws, _ = generated
    sheet = ledger_sheet(ws.templates_dir / "2024-07" / "2024-07_县科技局.xlsx")
    by_col = {}
    for dv in sheet.data_validations.dataValidation:
        by_col[str(dv.sqref).split(":")[0].rstrip("0123456789")] = dv
    status = by_col[layout.column_letter(layout.column_index("status"))]
    assert status.type == "list"
    assert status.formula1 == '"已完成,超序时,序时推进,滞后,严重滞后,未启动"'
    assert "请从下拉列表中选择" in status.error
    percent = by_col[layout.column_letter(layout.column_index("percent"))]
    assert (percent.type, percent.formula1, percent.formula2) == ("whole", "0", "100")
    assert percent.operator in (None, "between")  # "between" is the OOXML default
    assert "0 到 100" in percent.error and "0 到 100" in percent.prompt


def test_print_setup_is_a4_landscape_with_repeated_header(generated):
    ws, _ = generated
    sheet = ledger_sheet(ws.templates_dir / "2024-07" / "2024-07_县科技局.xlsx")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.page_setup.fitToWidth in (None, 1)   # 1 is the OOXML default
    assert sheet.page_setup.fitToHeight == 0          # as many pages tall as needed
    assert sheet.print_title_rows == f"${layout.HEADER_ROW}:${layout.HEADER_ROW}"
    assert sheet.freeze_panes == f"A{layout.FIRST_DATA_ROW}"
    assert "&P" in sheet.oddFooter.center.text
    header = sheet.cell(row=layout.HEADER_ROW, column=2)
    assert header.font.name == "黑体"
    body = sheet.cell(row=layout.FIRST_DATA_ROW, column=layout.column_index("text") + 1)
    assert body.font.name.startswith("仿宋") and body.alignment.wrap_text


def test_identification_in_property_hidden_sheet_and_defined_name(generated):
    ws, result = generated
    path = ws.templates_dir / "2024-07" / "2024-07_县科技局.xlsx"
    read = read_workbook(path, "xlsx", every_identity=True)
    assert set(read.identities) == {"property", "sheet", "name"}
    ids = {(i.template_id, i.plan_version, i.period, i.unit, i.layout_version) for i in read.identities.values()}
    assert len(ids) == 1
    template_id, plan_version, period, unit, layout_version = ids.pop()
    assert (plan_version, period, unit, layout_version) == ("1", "2024-07", "县科技局", layout.LAYOUT_VERSION)
    wb = openpyxl.load_workbook(path)
    assert wb[layout.META_SHEET].sheet_state == "hidden"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["ledger_template_id"] == template_id
    from ledger.store.submissions import template_record
    record = template_record(ws.engine, template_id)
    assert record["unit"] == "县科技局" and record["period"] == "2024-07"
    assert record["digest"] == read.identities["property"].digest


def test_guide_sheet_names_unit_deadline_and_statuses(generated):
    ws, _ = generated
    wb = openpyxl.load_workbook(ws.templates_dir / "2024-07" / "2024-07_县财政局.xlsx")
    text = "\n".join(str(c.value) for row in wb[layout.GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "测试县2024年工作要点工作台账（2024年7月）" in text
    assert "县财政局" in text
    assert "2024年8月5日" in text
    for status in ("已完成", "超序时", "序时推进", "滞后", "严重滞后", "未启动"):
        assert status in text


def test_renamed_statuses_reach_the_dropdown_and_the_guide(planned):
    config = planned.root / "ledger.toml"  # the office edits its [statuses] table
    config.write_text(config.read_text(encoding="utf-8").replace("[statuses]\n", '[statuses]\n"进度滞后" = "lagging"\n"全部完成" = "done"\n'), encoding="utf-8")
    planned = Workspace(planned.root)  # settings are read when a workspace opens
    generate_templates(planned, "2024-07")
    wb = openpyxl.load_workbook(planned.templates_dir / "2024-07" / "2024-07_县科技局.xlsx")
    column = layout.column_letter(layout.column_index("status"))
    (status,) = [dv for dv in wb[layout.LEDGER_SHEET].data_validations.dataValidation
                 if str(dv.sqref).startswith(column)]
    assert status.formula1 == '"全部完成,超序时,序时推进,进度滞后,严重滞后,未启动"'
    text = "\n".join(str(c.value) for row in wb[layout.GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "进度滞后：进度慢于时间进度，须在“存在问题”中说明原因" in text     # its help follows its meaning
    assert "选择“进度滞后”或“严重滞后”的，须填写“存在问题”；选择“全部完成”的，完成进度应为 100" in text


def test_department_text_is_never_a_formula(planned):
    from ledger.store.plans import save_plan
    from tests.conftest import sample_plan

    plan = sample_plan()
    plan.items[0].text = "=HYPERLINK(\"http://x\")培育"
    save_plan(planned.engine, plan, origin="import")
    generate_templates(planned, "2024-07")
    path = planned.templates_dir / "2024-07" / "2024-07_县发展改革局.xlsx"
    with zipfile.ZipFile(path) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet_xml
    cell = ledger_sheet(path).cell(row=layout.FIRST_DATA_ROW, column=layout.column_index("text") + 1)
    assert cell.value == "=HYPERLINK(\"http://x\")培育" and cell.data_type == "s"


def test_regenerating_replaces_the_period_folder(generated):
    ws, first = generated
    stray = ws.templates_dir / "2024-07" / "stray.txt"
    stray.write_text("x")
    second = generate_templates(ws, "2024-07")
    assert not stray.exists()
    assert {f.path.name for f in second.files} == {f.path.name for f in first.files}
    assert not [p for p in ws.templates_dir.iterdir() if p.name.startswith(".")]


def test_one_unit_only(planned):
    result = generate_templates(planned, "2024-08", units=["县财政局"])
    assert [f.unit for f in result.files] == ["县财政局"]
    assert sorted(p.name for p in (planned.templates_dir / "2024-08").iterdir()) == [
        "2024-08_县财政局.xlsx", MANIFEST_NAME]


def test_manifest_lists_every_unit_with_counts(generated):
    ws, _ = generated
    sheet = openpyxl.load_workbook(ws.templates_dir / "2024-07" / MANIFEST_NAME).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert rows[0] == [1, "县发展改革局", "2024-07_县发展改革局.xlsx", 1, 1]
    assert {r[1]: (r[3], r[4]) for r in rows}["县科技局"] == (2, 1)


@pytest.mark.parametrize("period", ["2024-7", "2024-13", "24-07", "2024/07"])
def test_bad_period_is_refused_without_output(planned, period):
    with pytest.raises(PeriodError, match="YYYY-MM"):
        generate_templates(planned, period)
    assert not any(planned.templates_dir.glob("*/*.xlsx"))


def test_unknown_unit_is_refused_with_a_hint(planned):
    with pytest.raises(UnitNotFoundError, match="是否指：县科技局"):
        generate_templates(planned, "2024-07", units=["科技局"])


def test_no_plan_yet(workspace):
    with pytest.raises(PlanNotFoundError, match="ledger plan import"):
        generate_templates(workspace, "2024-07")


@pytest.mark.parametrize("unit, name", [
    ("县科技局", "2024-07_县科技局.xlsx"),
    ('A/B:C*?"<>|', "2024-07_A_B_C______.xlsx"),
    ("单位. ", "2024-07_单位.xlsx"),
])
def test_file_names_are_safe_on_windows(unit, name):
    assert safe_file_name("2024-07", unit) == name


def test_parallel_and_serial_writers_give_the_same_cells(planned, monkeypatch):
    import ledger.template.generate as gen
    monkeypatch.setattr(gen, "PARALLEL_FROM", 1)
    parallel = generate_templates(planned, "2024-09", workers=2)
    serial = generate_templates(planned, "2024-10", workers=1)
    for a, b in zip(parallel.files, serial.files):
        rows_a = [[c.value for c in r][1:] for r in ledger_sheet(a.path).iter_rows(min_row=layout.HEADER_ROW)]
        rows_b = [[c.value for c in r][1:] for r in ledger_sheet(b.path).iter_rows(min_row=layout.HEADER_ROW)]
        assert rows_a == rows_b


@pytest.mark.parametrize("workers, parallel_from", [(1, 24), (2, 1)], ids=["serial", "parallel"])
def test_progress_counts_the_workbooks_written(planned, monkeypatch, workers, parallel_from):
    import ledger.template.generate as gen
    monkeypatch.setattr(gen, "PARALLEL_FROM", parallel_from)
    told: list[tuple[int, int]] = []
    result = generate_templates(planned, "2024-09", workers=workers, progress=lambda done, total: told.append((done, total)))
    assert {total for _, total in told} == {len(result.files)} == {4}
    assert [done for done, _ in told] == sorted(done for done, _ in told) and told[-1] == (4, 4)


def test_an_unwritable_templates_folder_is_one_error_and_no_output(planned):
    from ledger.errors import OutputError
    import shutil
    shutil.rmtree(planned.templates_dir)
    planned.templates_dir.write_text("a file where the folder should be")
    with pytest.raises(OutputError, match="无法写入") as err:
        generate_templates(planned, "2024-07")
    assert str(err.value).endswith("：已有同名文件")         # the reason in Chinese, not the OS's English
    from ledger.store import schema as s
    import sqlalchemy as sa
    with planned.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.templates)).scalar() == 0


def test_a_period_folder_that_cannot_be_replaced_is_left_as_it_was(generated, monkeypatch):
    import os
    from ledger.errors import OutputError
    ws, first = generated
    real_replace = os.replace

    def busy(src, dst):            # Windows refuses to rename a folder holding an open file
        if str(src).endswith("2024-07"):
            raise PermissionError(13, "in use")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", busy)
    with pytest.raises(OutputError, match="正被其他程序占用"):
        generate_templates(ws, "2024-07")
    monkeypatch.setattr(os, "replace", real_replace)
    assert sorted(p.name for p in (ws.templates_dir / "2024-07").iterdir()) == sorted(
        [f.path.name for f in first.files] + [MANIFEST_NAME])
    assert not [p for p in ws.templates_dir.iterdir() if p.name.startswith(".")]
