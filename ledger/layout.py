"""The ledger layout: the one declaration of the 台账 columns, and of the 指标 sheet's columns.

The template writer, the workbook reader, the JSON Schema of a row and the database columns of a
submitted row all derive from ``COLUMNS`` (and, for the 指标 sheet, from ``TARGET_COLUMNS``).
Adding a column is a one-line change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.kinds import Context, kind_of
from ledger.statuses import LAGGING, SEVERELY_LAGGING

LAYOUT_VERSION = "3"     # 2: templates carry a 指标 sheet for the unit's lead targets;
                         # 3: and the 责任领导 and 完成时限 of each task (locked)

GUIDE_SHEET = "填报说明"
LEDGER_SHEET = "台账"
TARGET_SHEET = "指标"
META_SHEET = "_meta"
DEFINED_NAME = "LEDGER_ID"

TITLE_ROW = 1      # 1-based worksheet rows of the 台账 and 指标 sheets
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4

# Column kinds: how a value is typed, validated and stored. Each is an object in ledger.kinds, which
# owns its SQL type, JSON Schema, normaliser, Excel validation and messages.
KEY = "key"          # hidden row key, e.g. "123-lead"
INT = "int"
TEXT = "text"
LONGTEXT = "longtext"
ROLE = "role"
STATUS = "status"    # one of the status vocabulary
PERCENT = "percent"  # whole number 0-100
PHONE = "phone"
NUMBER = "number"    # a decimal number, within the column's minimum/maximum
DATE = "date"
CHOICE = "choice"    # one of the column's choices
YESNO = "yesno"      # 是 / 否
COMPARATOR = "comparator"  # ≥, ≤, ≈ or =


@dataclass(frozen=True)
class Column:
    """One column of the 台账 (or 指标) sheet."""

    key: str              # layout key; also the database column of a submitted row
    header: str           # Chinese header as printed
    kind: str = TEXT
    width: float = 12     # Excel character widths
    input: bool = False   # typed by the unit; otherwise locked
    required: bool = False
    plan: bool = False    # prefilled from the plan; part of the plan digest
    hidden: bool = False
    carry: bool = True    # input carried forward from the last accepted period
    since: str = "1"      # the layout version that added the column (older templates lack it)
    help: str = ""        # the input prompt of the template's cells
    minimum: float | None = None   # number: bounds
    maximum: float | None = None
    unit: str = ""                 # number: unit of measurement, not typed in the cell
    choices: tuple[str, ...] = ()  # choice: the values offered
    required_if: tuple[str, ...] = ()   # status meanings (ledger.statuses) that make the cell required
    office: bool = False           # declared in ledger.toml; stored in the row's ``extra`` values
    keep_width: bool = False       # printed at its width, never narrowed to fit the page (must not wrap)


COLUMNS: tuple[Column, ...] = (
    Column("row_key", "行标识", KEY, width=10, hidden=True),
    Column("seq", "序号", INT, width=6),
    Column("title", "重点任务", TEXT, width=14, plan=True),
    Column("text", "工作内容", TEXT, width=36, plan=True),
    Column("role", "本单位职责", ROLE, width=8, plan=True),
    Column("lead_units", "牵头单位", TEXT, width=13, plan=True),
    Column("support_units", "配合单位", TEXT, width=13, plan=True),
    Column("leaders", "责任领导", TEXT, width=9, plan=True, since="3"),
    Column("deadline", "完成时限", TEXT, width=10, plan=True, since="3"),
    Column("progress", "本月进展情况", LONGTEXT, width=32, input=True, required=True, carry=False,
           help="简要写明本月工作进展"),
    Column("status", "完成状态", STATUS, width=11, input=True, required=True, keep_width=True),
    Column("percent", "完成进度(%)", PERCENT, width=9, input=True, required=True),
    Column("problems", "存在问题", TEXT, width=20, input=True, required_if=(LAGGING, SEVERELY_LAGGING)),
    Column("next_steps", "下步计划", TEXT, width=20, input=True),
    Column("person", "责任人", TEXT, width=9, input=True),
    Column("phone", "联系电话", PHONE, width=13, input=True, keep_width=True),
    Column("remarks", "备注", TEXT, width=10, input=True),
)

BY_KEY = {c.key: c for c in COLUMNS}
BY_HEADER = {c.header: c for c in COLUMNS}
INPUT_COLUMNS = tuple(c for c in COLUMNS if c.input)
PLAN_COLUMNS = tuple(c for c in COLUMNS if c.plan)

# The 指标 sheet: one row per quantitative target of the unit's lead items.
TARGET_COLUMNS: tuple[Column, ...] = (
    Column("target_key", "指标标识", KEY, width=10, hidden=True),
    Column("seq", "序号", INT, width=6),
    Column("item_number", "任务编号", TEXT, width=8, plan=True),
    Column("item_title", "重点任务", TEXT, width=18, plan=True),
    Column("indicator", "指标", TEXT, width=28, plan=True),
    Column("comparator", "比较", COMPARATOR, width=6, plan=True),
    Column("target", "目标值", NUMBER, width=10, plan=True),
    Column("unit", "计量单位", TEXT, width=9, plan=True),
    Column("achieved", "本年累计完成值", NUMBER, width=14, input=True, minimum=0,
           help="填写本年1月起累计完成的数值，只填数字、不带单位，例如 3200"),
    Column("note", "说明", TEXT, width=36, input=True, help="可写明数据来源、统计口径，或未达进度的原因"),
)

TARGET_BY_KEY = {c.key: c for c in TARGET_COLUMNS}
TARGET_BY_HEADER = {c.header: c for c in TARGET_COLUMNS}
TARGET_INPUT_COLUMNS = tuple(c for c in TARGET_COLUMNS if c.input)
TARGET_PLAN_COLUMNS = tuple(c for c in TARGET_COLUMNS if c.plan)


def office_column(header: str, kind: str, **declared: Any) -> Column:
    """An office column of ledger.toml: an input cell after the layout's, keyed by its header."""
    return Column("".join(header.split()), header, kind, input=True, office=True, **declared)


OFFICE_FIELDS = ("kind", "width", "required", "help", "minimum", "maximum", "unit", "choices", "required_if")

# A unit holding a 督办单 awaiting its reply finds this column in its next template: what it writes on
# a task's row is recorded as its reply to the notices about that task (``ledger.supervise``). It is
# carried like an office column (in the row's ``extra`` values), never carried into the next month.
NOTICE_REPLY = office_column("督办反馈", "longtext", width=28,
                             help="本单位收到督办单的，请在督办事项所在行填写办理情况，作为对督办单的反馈")


def office_record(columns: tuple[Column, ...]) -> list[dict[str, Any]] | None:
    """Office columns as a template's record keeps them (None: the template had none)."""
    return [{"header": c.header, **{f: getattr(c, f) for f in OFFICE_FIELDS}} for c in columns] or None


def office_columns_of(record: list[dict[str, Any]] | None) -> tuple[Column, ...]:
    """The office columns a template was issued with, from its record."""
    return tuple(office_column(d["header"], **{f: (tuple(d[f]) if f in ("choices", "required_if") else d[f])
                                               for f in OFFICE_FIELDS if f in d})
                 for d in record or [])


def columns_of(layout_version: str, columns: tuple[Column, ...] = COLUMNS) -> tuple[Column, ...]:
    """The columns a template of that layout version was issued with."""
    return tuple(c for c in columns if int(c.since) <= int(layout_version))


def column_index(key: str, columns: tuple[Column, ...] = COLUMNS) -> int:
    """0-based column index of a layout key in the 台账 sheet (or the sheet of ``columns``)."""
    return next(i for i, c in enumerate(columns) if c.key == key)


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def row_schema(statuses: list[str]) -> dict[str, Any]:
    """JSON Schema of one normalised input row, derived from the layout."""
    return _schema(INPUT_COLUMNS, statuses)


def target_schema() -> dict[str, Any]:
    """JSON Schema of one normalised 指标 row (its input cells), derived from the layout."""
    return _schema(TARGET_INPUT_COLUMNS, [])


def _schema(columns: tuple[Column, ...], statuses: list[str]) -> dict[str, Any]:
    ctx = Context(statuses=tuple(statuses))
    props = {col.key: kind_of(col).schema(col, ctx) for col in columns}
    required = [c.key for c in columns if c.required]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": props,
        "required": required,
    }
