"""Column kinds, registered once: what the values of a column are.

A kind owns everything that follows from it — the SQL type a value is stored as, the JSON Schema
fragment that checks a normalised value, the normaliser that reads what a department typed, the
Excel data validation and input prompt of the template, and the Chinese messages of a finding.
A column (``ledger.layout.Column``) names its kind; nothing else asks what a kind is.

Kinds a unit types: text, longtext, percent (whole 0–100), number (unit, min/max), date, phone,
choice, yesno. Kinds of locked plan cells: key, int, role, comparator; and status, a choice whose
choices are the office's status vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping, Protocol

import sqlalchemy as sa

from ledger.normalise import clean_text, normalise_number, normalise_percent, normalise_status, number_text
from ledger import codes
from ledger.codes import Told


class Column(Protocol):
    """What a kind reads of a column (``ledger.layout.Column`` is one): kinds sit below the layout,
    which asks them for its schema, so they never import it."""

    key: str
    header: str
    kind: str
    required: bool
    help: str
    minimum: float | None
    maximum: float | None
    unit: str
    choices: tuple[str, ...]

DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
EXCEL_EPOCH = date(1899, 12, 30)
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)
YES, NO = "是", "否"
YES_WORDS = {"是", "有", "需要", "需", "y", "yes", "true", "√", "✓", "1"}
NO_WORDS = {"否", "无", "不需要", "不需", "n", "no", "false", "×", "✗", "0"}


@dataclass(frozen=True)
class Context:
    """What a kind needs beyond its column: the status vocabulary and its synonyms, and the unit of
    measurement of a 指标 row (its own, not the column's)."""

    statuses: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    unit: str | None = None


NO_CONTEXT = Context()


class Kind:
    """A text kind; the others override what differs."""

    name = "text"
    wrap = True              # written wrapped and measured for the row height
    sql: Any = sa.Text

    def choices(self, col: "Column", ctx: Context) -> tuple[str, ...]:
        return ()

    def schema(self, col: "Column", ctx: Context) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if col.required:
            schema["minLength"] = 1
        return schema

    def normalise(self, value: Any, col: "Column", ctx: Context) -> tuple[Any, str | None]:
        """(the normalised value, a note when a reading was assumed)."""
        return clean_text(value), None

    def to_sql(self, value: Any) -> Any:
        """A normalised value as stored ('' is no value)."""
        return None if value == "" else value

    def to_json(self, value: Any) -> Any:
        """A normalised value as kept in a JSON column (office columns): typed, dates as ISO text."""
        return self.to_sql(value)

    def shown(self, value: Any) -> Any:
        """A stored value as a cell shows it again (a value carried into next month's template)."""
        return value

    def text(self, value: Any) -> str:
        """A locked cell's value as issued, as digest text."""
        return str(value)

    def read_text(self, value: Any) -> str:
        """A locked cell's value as read back, as digest text."""
        return clean_text(value)

    def validation(self, col: "Column", ctx: Context) -> dict[str, Any] | None:
        """xlsxwriter data validation options for the column's input cells; None: none."""
        return self._prompt(col, {"validate": "any"}) if col.help else None

    def hint(self, col: "Column", ctx: Context) -> str:
        """How to fill an empty required cell."""
        return f"请填写“{_bare(col.header)}”"

    def invalid(self, col: "Column", value: Any, ctx: Context) -> Told:
        """What is wrong with a value the schema refused, and how to fix it (codes declared in ``ledger.codes``)."""
        return codes.VALUE_INVALID.told(typed=value, hint=self.hint(col, ctx))

    def _prompt(self, col: "Column", options: dict[str, Any], default: str = "") -> dict[str, Any]:
        message = col.help or default
        if col.required and message:
            message = "必填：" + message
        if message:
            options.update({"input_title": col.header[:32], "input_message": message[:255]})
        return options


class LongText(Kind):
    """Several sentences (本月进展情况): written in a wide, wrapped cell."""

    name = "longtext"


class Locked(Kind):
    """A plan cell written by the template (key, role, comparator): centred text."""

    wrap = False

    def __init__(self, name: str, sql: Any = sa.Text) -> None:
        self.name, self.sql = name, sql


class Percent(Kind):
    name = "percent"
    wrap = False
    sql = sa.Integer

    def schema(self, col, ctx):
        return {"type": "integer", "minimum": 0, "maximum": 100}

    def normalise(self, value, col, ctx):
        return normalise_percent(value)

    def validation(self, col, ctx):
        return self._prompt(col, {
            "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 100,
            "error_title": f"{_bare(col.header)}无效"[:32],
            "error_message": f"{_bare(col.header)}应为 0 到 100 之间的整数，例如 60",
        }, "填写 0 到 100 的整数，不带 % 号")

    def hint(self, col, ctx):
        return "请填写 0 到 100 的整数"

    def invalid(self, col, value, ctx):
        return codes.PERCENT_INVALID.told(typed=value)


class Number(Kind):
    name = "number"
    wrap = False
    sql = sa.Float

    def schema(self, col, ctx):
        schema: dict[str, Any] = {"type": "number"}
        if col.minimum is not None:
            schema["minimum"] = col.minimum
        if col.maximum is not None:
            schema["maximum"] = col.maximum
        return schema

    def normalise(self, value, col, ctx):
        return normalise_number(value, ctx.unit if ctx.unit is not None else col.unit), None

    def text(self, value):
        return number_text(value) if isinstance(value, (int, float)) else str(value)

    def read_text(self, value):      # as the template wrote them: 3.0 -> "3"
        return number_text(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else clean_text(value)

    def validation(self, col, ctx):
        low, high = _whole(col.minimum), _whole(col.maximum)
        if low is not None and high is not None:
            criteria = {"criteria": "between", "minimum": low, "maximum": high}
        elif low is not None:
            criteria = {"criteria": ">=", "value": low}
        elif high is not None:
            criteria = {"criteria": "<=", "value": high}
        else:
            criteria = {"criteria": "between", "minimum": -1e15, "maximum": 1e15}
        return self._prompt(col, {
            "validate": "decimal", **criteria,
            "error_title": f"{_bare(col.header)}无效"[:32],
            "error_message": f"{_bare(col.header)}应为{self._range(col)}数字（不带单位），例如 {self._example(col)}",
        }, f"只填数字、不带单位{self._per(col)}")

    def hint(self, col, ctx):
        return f"请填写{self._range(col)}数字{self._per(col)}"

    def invalid(self, col, value, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if col.minimum is not None and value < col.minimum:
                return codes.NUMBER_BELOW_MIN.told(typed=number_text(value), minimum=number_text(col.minimum))
            return codes.NUMBER_ABOVE_MAX.told(typed=number_text(value), maximum=number_text(col.maximum))
        return codes.NUMBER_INVALID.told(typed=value, example=self._example(col), per=self._per(col))

    @staticmethod
    def _range(col) -> str:
        low, high = col.minimum, col.maximum
        if low is not None and high is not None:
            return f" {number_text(low)} 到 {number_text(high)} 之间的"
        if low is not None:
            return f"不小于 {number_text(low)} 的"
        return f"不大于 {number_text(high)} 的" if high is not None else ""

    @staticmethod
    def _per(col) -> str:
        return f"，单位为“{col.unit}”，不必填写" if col.unit else ""

    @staticmethod
    def _example(col) -> str:
        return "3200" if col.minimum is None or col.minimum <= 3200 else number_text(col.minimum)


class Date(Kind):
    name = "date"
    wrap = False
    sql = sa.Date

    def schema(self, col, ctx):
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}   # checked by format

    def normalise(self, value, col, ctx):
        if isinstance(value, datetime):
            return value.date().isoformat(), None
        if isinstance(value, date):
            return value.isoformat(), None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            day = EXCEL_EPOCH + timedelta(days=int(value))     # a date cell read without its format
            if FIRST_DATE <= day <= LAST_DATE:
                return day.isoformat(), f"按日期理解为 {day.isoformat()}"
        text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
        match = DATE_RE.match(text)
        if match:
            try:
                return date(*map(int, match.groups())).isoformat(), None
            except ValueError:
                pass
        return clean_text(value), None

    def to_sql(self, value):
        return date.fromisoformat(value) if value else None

    def to_json(self, value):
        return value or None

    def validation(self, col, ctx):
        return self._prompt(col, {
            "validate": "date", "criteria": "between", "minimum": FIRST_DATE, "maximum": LAST_DATE,
            "error_title": f"{_bare(col.header)}无效"[:32],
            "error_message": f"{_bare(col.header)}应为日期，例如 2024-07-31",
        }, "填写日期，例如 2024-07-31")

    def hint(self, col, ctx):
        return "请填写日期，例如 2024-07-31"

    def invalid(self, col, value, ctx):
        return codes.DATE_INVALID.told(typed=value)


class Phone(Kind):
    name = "phone"
    wrap = False
    PATTERN = r"^[0-9+\-()（） ]{7,20}$"

    def schema(self, col, ctx):
        return {"type": "string", "pattern": self.PATTERN}

    def validation(self, col, ctx):
        return self._prompt(col, {
            "validate": "length", "criteria": "between", "minimum": 7, "maximum": 20, "error_type": "warning",
            "error_title": "电话号码有误？", "error_message": "电话号码一般为 7 到 20 位，如 0533-1234567 或 13800000000",
        }, "填写手机或座机号码，如 0533-1234567")

    def hint(self, col, ctx):
        return "请填写电话号码"

    def invalid(self, col, value, ctx):
        return codes.PHONE_INVALID.told(typed=value)


class Choice(Kind):
    name = "choice"
    wrap = False

    def choices(self, col, ctx):
        return tuple(col.choices)

    def schema(self, col, ctx):
        return {"type": "string", "enum": list(self.choices(col, ctx))}

    def normalise(self, value, col, ctx):
        return unicodedata.normalize("NFKC", clean_text(value)).replace(" ", ""), None

    def validation(self, col, ctx):
        choices = self.choices(col, ctx)
        return self._prompt(col, {
            "validate": "list", "source": list(choices),
            "error_title": f"{_bare(col.header)}无效"[:32],
            "error_message": ("请从下拉列表中选择：" + "、".join(choices))[:255],
        }, "请从下拉列表中选择")

    def hint(self, col, ctx):
        return f"请从下拉列表选择{_bare(col.header)}"

    def invalid(self, col, value, ctx):
        return codes.CHOICE_INVALID.told(typed=value, choices="、".join(self.choices(col, ctx)))


class Status(Choice):
    """完成状态: the choices are the office's vocabulary; synonyms are rewritten with a note."""

    name = "status"

    def choices(self, col, ctx):
        return ctx.statuses

    def normalise(self, value, col, ctx):
        return normalise_status(value, ctx.synonyms)

    def invalid(self, col, value, ctx):
        return codes.STATUS_UNKNOWN.told(typed=value, choices="、".join(ctx.statuses))


class YesNo(Choice):
    name = "yesno"
    sql = sa.Boolean

    def choices(self, col, ctx):
        return YES, NO

    def normalise(self, value, col, ctx):
        if isinstance(value, bool):
            return (YES if value else NO), None
        text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "").lower()
        if text in (YES, NO, ""):
            return text, None
        if text in YES_WORDS or text in NO_WORDS:
            answer = YES if text in YES_WORDS else NO
            return answer, f"“{clean_text(value)}”按“{answer}”处理"
        return clean_text(value), None

    def to_sql(self, value):
        return None if value == "" else value == YES

    def shown(self, value):
        return (YES if value else NO) if isinstance(value, bool) else value

    def invalid(self, col, value, ctx):
        return codes.YESNO_INVALID.told(typed=value)


def _whole(number: float | None) -> float | int | None:
    """0.0 as 0: Excel writes a bound as typed."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _bare(header: str) -> str:
    """A header without its parenthesised unit: 完成进度(%) -> 完成进度."""
    return re.sub(r"[(（][^)）]*[)）]$", "", header)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind(), LongText(), Percent(), Number(), Date(), Phone(), Choice(), YesNo(), Status(),
    Locked("key"), Locked("role"), Locked("comparator"), Locked("int", sa.Integer),
)}
OFFICE_KINDS = ("text", "longtext", "percent", "number", "date", "phone", "choice", "yesno")


def kind_of(col: "Column") -> Kind:
    return KINDS[col.kind]


def normalise_row(values: dict[str, Any], columns: "tuple[Column, ...]",
                  ctx: Context = NO_CONTEXT) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(normalised values of the input ``columns``, raw values where they differ, notes by key):
    one path for the 台账 and 指标 sheets."""
    return row_normaliser(columns, ctx)(values)


def row_normaliser(columns: "tuple[Column, ...]", ctx: Context = NO_CONTEXT
                   ) -> Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, Any], dict[str, str]]]:
    """``normalise_row`` for the rows of one sheet: what each column's kind does is looked up once."""
    steps = tuple((col.key, None if type(KINDS[col.kind]).normalise is _PLAIN else _bound(KINDS[col.kind], col, ctx))
                  for col in columns)

    def normalise(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        out: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        notes: dict[str, str] = {}
        get = values.get
        for key, kind_normalise in steps:
            value = get(key, "")
            if kind_normalise is None:          # text: trimmed, never a note (most cells)
                norm = clean_text(value)
            else:
                norm, note = kind_normalise(value)
                if note:
                    notes[key] = note
            out[key] = norm
            if norm != value and value is not None and value != "":
                raw[key] = clean_text(value) if not isinstance(value, (int, float)) else value
        return out, raw, notes

    return normalise


def _bound(kind: Kind, col: "Column", ctx: Context) -> Callable[[Any], tuple[Any, str | None]]:
    return lambda value: kind.normalise(value, col, ctx)


_PLAIN = Kind.normalise
