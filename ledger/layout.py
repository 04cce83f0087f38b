"""The ledger layout: the one declaration of the 台账 columns.

The template writer, the workbook reader, the JSON Schema of a row and the database columns of a
submitted row all derive from ``COLUMNS``. Adding a column is a one-line change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LAYOUT_VERSION = "1"

GUIDE_SHEET = "填报说明"
LEDGER_SHEET = "台账"
TARGET_SHEET = "指标"
META_SHEET = "_meta"
DEFINED_NAME = "LEDGER_ID"

TITLE_ROW = 1      # 1-based worksheet rows of the 台账 sheet
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4

# Column kinds: how a value is typed, validated and stored.
KEY = "key"          # hidden row key, e.g. "123-lead"
INT = "int"
TEXT = "text"
ROLE = "role"
STATUS = "status"    # one of the status vocabulary
PERCENT = "percent"  # whole number 0-100
PHONE = "phone"


@dataclass(frozen=True)
class Column:
    """One column of the 台账 sheet."""

    key: str              # layout key; also the database column of a submitted row
    header: str           # Chinese header as printed
    kind: str = TEXT
    width: float = 12     # Excel character widths
    input: bool = False   # typed by the unit; otherwise locked
    required: bool = False
    plan: bool = False    # prefilled from the plan; part of the plan digest
    hidden: bool = False
    carry: bool = True    # input carried forward from the last accepted period

    @property
    def sql_text(self) -> bool:
        return self.kind != PERCENT


COLUMNS: tuple[Column, ...] = (
    Column("row_key", "行标识", KEY, width=10, hidden=True),
    Column("seq", "序号", INT, width=6),
    Column("title", "重点任务", TEXT, width=18, plan=True),
    Column("text", "工作内容", TEXT, width=46, plan=True),
    Column("role", "本单位职责", ROLE, width=8, plan=True),
    Column("lead_units", "牵头单位", TEXT, width=16, plan=True),
    Column("support_units", "配合单位", TEXT, width=16, plan=True),
    Column("progress", "本月进展情况", TEXT, width=40, input=True, required=True, carry=False),
    Column("status", "完成状态", STATUS, width=11, input=True, required=True),
    Column("percent", "完成进度(%)", PERCENT, width=9, input=True, required=True),
    Column("problems", "存在问题", TEXT, width=26, input=True),
    Column("next_steps", "下步计划", TEXT, width=26, input=True),
    Column("person", "责任人", TEXT, width=9, input=True),
    Column("phone", "联系电话", PHONE, width=13, input=True),
    Column("remarks", "备注", TEXT, width=14, input=True),
)

BY_KEY = {c.key: c for c in COLUMNS}
BY_HEADER = {c.header: c for c in COLUMNS}
INPUT_COLUMNS = tuple(c for c in COLUMNS if c.input)
PLAN_COLUMNS = tuple(c for c in COLUMNS if c.plan)


def column_index(key: str) -> int:
    """0-based column index of a layout key in the 台账 sheet."""
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, key: str) -> str:
    """A1 reference of a layout column in a 1-based worksheet row."""
    return f"{column_letter(column_index(key))}{row}"


def row_schema(statuses: list[str]) -> dict[str, Any]:
    """JSON Schema of one normalised input row, derived from the layout."""
    props: dict[str, Any] = {}
    for col in INPUT_COLUMNS:
        props[col.key] = _column_schema(col, statuses)
    required = [c.key for c in INPUT_COLUMNS if c.required]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": required,
    }


def _column_schema(col: Column, statuses: list[str]) -> dict[str, Any]:
    if col.kind == STATUS:
        return {"type": "string", "enum": list(statuses)}
    if col.kind == PERCENT:
        return {"type": "integer", "minimum": 0, "maximum": 100}
    if col.kind == PHONE:
        return {"type": "string", "pattern": r"^[0-9+\-()（） ]{7,20}$"}
    schema: dict[str, Any] = {"type": "string"}
    if col.required:
        schema["minLength"] = 1
    return schema
