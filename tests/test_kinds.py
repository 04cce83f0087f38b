"""Column kinds, table-driven: each kind's normaliser, schema, Chinese message and Excel validation.

Every test declares its columns as one ``Column(...)`` line each, as an office column or a layout
change would: nothing else is needed for the value to be read, checked, stored and validated.
"""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from jsonschema import Draft202012Validator

from ledger import layout
from ledger.kinds import KINDS, OFFICE_KINDS, Context, kind_of, normalise_row
from ledger.layout import Column
from ledger.template.writer import _column_validations

CTX = Context(statuses=("已完成", "序时推进", "滞后"), synonyms={"正常推进": "序时推进"})

# One column of each kind a unit types (the one-line declarations).
COLUMNS = {
    "text": Column("x_text", "经办人", "text", input=True, required=True),
    "longtext": Column("x_long", "主要做法", "longtext", input=True, help="简要写明主要做法"),
    "percent": Column("x_pct", "形象进度(%)", "percent", input=True),
    "number": Column("x_num", "资金到位(万元)", "number", input=True, minimum=0, maximum=5000, unit="万元"),
    "date": Column("x_date", "完成时间", "date", input=True),
    "phone": Column("x_phone", "联系电话", "phone", input=True),
    "choice": Column("x_choice", "推进方式", "choice", input=True, choices=("自建", "合作", "委托")),
    "yesno": Column("x_yes", "是否需协调", "yesno", input=True),
    "status": Column("x_status", "完成状态", "status", input=True, required=True),
}


def check(kind: str, typed):
    """(normalised value, note, schema error message or None) of one typed value."""
    col = COLUMNS[kind]
    values, _, notes = normalise_row({col.key: typed}, (col,), CTX)
    value = values[col.key]
    schema = layout._schema((col,), list(CTX.statuses))
    errors = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors({col.key: value} if value != "" else {}))
    message = None
    if errors:
        validator = errors[0].validator
        message = (f"不能为空，{kind_of(col).hint(col, CTX)}" if validator in ("required", "minLength")
                   else kind_of(col).invalid(col, value, CTX).message)
    return value, notes.get(col.key), message


def test_every_office_kind_is_registered_and_declared_here():
    assert set(OFFICE_KINDS) <= set(KINDS) and set(OFFICE_KINDS) <= set(COLUMNS)


@pytest.mark.parametrize("kind, typed, value, note", [
    ("text", "  张三　", "张三", None),
    ("longtext", "完成选址。\n开工建设。", "完成选址。\n开工建设。", None),
    ("percent", "６０％", 60, None),
    ("percent", 0.3, 30, "按百分比理解为 30"),
    ("number", "3,200", 3200, None),
    ("number", "12.5", 12.5, None),
    ("number", 0, 0, None),
    ("date", datetime(2024, 7, 31), "2024-07-31", None),
    ("date", date(2024, 7, 31), "2024-07-31", None),
    ("date", "2024年7月31日", "2024-07-31", None),
    ("date", "2024/7/1", "2024-07-01", None),
    ("date", 45504, "2024-07-31", "按日期理解为 2024-07-31"),
    ("phone", "0533-1234567", "0533-1234567", None),
    ("phone", 13800000000, "13800000000", None),
    ("choice", "合作", "合作", None),
    ("yesno", "是", "是", None),
    ("yesno", "需要", "是", "“需要”按“是”处理"),
    ("yesno", True, "是", None),
    ("status", "正常推进", "序时推进", "“正常推进”按“序时推进”处理"),
])
def test_valid_values_are_read_as_typed(kind, typed, value, note):
    assert check(kind, typed) == (value, note, None)


@pytest.mark.parametrize("kind, typed, message", [
    ("text", None, "不能为空，请填写“经办人”"),
    ("percent", 150, "“150”不是 0 到 100 之间的整数"),
    ("percent", "八十", "“八十”不是 0 到 100 之间的整数"),
    ("number", "约3200", "“约3200”不是数字：请只填写数字（如 3200，单位为“万元”，不必填写）"),
    ("number", -1, "-1 小于下限 0：请核对后重填"),
    ("number", 6000, "6000 超过上限 5000：请核对后重填"),
    ("date", "七月底", "“七月底”不是有效的日期：请填写如 2024-07-31 的日期"),
    ("date", "2024-02-30", "“2024-02-30”不是有效的日期"),
    ("phone", "找张三", "“找张三”看起来不是电话号码，请核对"),
    ("choice", "外包", "“外包”不是可选的值，请从下拉列表选择：自建、合作、委托"),
    ("yesno", "看情况", "“看情况”应为“是”或“否”：请从下拉列表选择"),
    ("status", "差不多", "“差不多”不是有效的完成状态，请从下拉列表选择：已完成、序时推进、滞后"),
    ("status", None, "不能为空，请从下拉列表选择完成状态"),
])
def test_invalid_values_get_their_chinese_message(kind, typed, message):
    _, _, found = check(kind, typed)
    assert found is not None and found.startswith(message)


@pytest.mark.parametrize("kind, stored", [
    ("percent", 60), ("number", 12.5), ("date", date(2024, 7, 31)), ("yesno", True), ("text", "张三"),
])
def test_values_are_stored_typed(kind, stored):
    col = COLUMNS[kind]
    typed = {"percent": "60", "number": "12.5", "date": "2024-07-31", "yesno": "是", "text": "张三"}[kind]
    value, _, _ = check(kind, typed)
    assert kind_of(col).to_sql(value) == stored


# The Excel validation each kind writes: (openpyxl type, operator, formula1, formula2, prompt fragment).
EXCEL = {
    "longtext": ("any", None, None, None, "简要写明主要做法"),
    "percent": ("whole", "between", "0", "100", "0 到 100 的整数"),
    "number": ("decimal", "between", "0", "5000", "单位为“万元”"),
    "date": ("date", "between", None, None, "2024-07-31"),
    "phone": ("textLength", "between", "7", "20", "0533-1234567"),
    "choice": ("list", None, '"自建,合作,委托"', None, "下拉列表"),
    "yesno": ("list", None, '"是,否"', None, "下拉列表"),
    "status": ("list", None, '"已完成,序时推进,滞后"', None, "必填：请从下拉列表中选择"),
}


@pytest.fixture(scope="module")
def validations(tmp_path_factory):
    path = tmp_path_factory.mktemp("kinds") / "kinds.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    columns = tuple(COLUMNS.values())
    _column_validations(wb.add_worksheet("台账"), columns, CTX)
    wb.close()
    sheet = openpyxl.load_workbook(path)["台账"]
    letters = {layout.column_letter(i): col.kind for i, col in enumerate(columns)}
    return {letters[str(dv.sqref).split(":")[0].rstrip("0123456789")]: dv
            for dv in sheet.data_validations.dataValidation}


@pytest.mark.parametrize("kind", list(EXCEL))
def test_each_kind_writes_its_excel_validation_and_prompt(validations, kind):
    dv = validations[kind]
    kind_type, operator, formula1, formula2, prompt = EXCEL[kind]
    assert (dv.type or "any") == kind_type               # any and between are defaults, left unwritten
    if operator:
        assert (dv.operator or "between") == operator
    if formula1:
        assert (dv.formula1, dv.formula2) == (formula1, formula2)
    assert prompt in (dv.prompt or "")
    assert dv.showInputMessage


def test_a_plain_text_column_without_help_gets_no_validation(validations):
    assert "text" not in validations


def test_the_date_validation_spans_this_century(validations):
    dv = validations["date"]
    assert float(dv.formula1) == (date(2000, 1, 1) - date(1899, 12, 30)).days
    assert "应为日期" in dv.error
