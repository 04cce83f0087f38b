"""Validate a returned ledger against the template it was issued as: findings, and the rows to store.

Row values of the 台账 and 指标 sheets are checked by JSON Schemas derived from the layout, then by
cross-field rules; locked plan cells of both sheets are checked by one digest, and named cell by
cell when the digest differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable

from jsonschema import Draft202012Validator

from ledger import layout
from ledger.kinds import Context, Kind, kind_of, normalise_row, row_normaliser
from ledger.normalise import clean_text
from ledger.collect import quality
from ledger.collect.reader import LedgerRow, ReadTable, ReadWorkbook
from ledger import codes
from ledger.codes import Told
from ledger.findings import Finding, Report
from ledger.period import label, schedule_share
from ledger.settings import Settings
from ledger.statuses import CHECKED_PACE, DONE
from ledger.store.submissions import INPUT_KEYS
from ledger.normalise import number_text
from ledger.template.identity import plan_digest
from ledger.template.rows import TargetRow, TemplateRow

FORMULA_RE = re.compile(r"^\s*[=+@]|^\s*-\s*[A-Za-z(]")


@dataclass(frozen=True)
class SheetKind:
    """How findings name the rows of one kind of sheet: 台账 task rows or 指标 rows."""

    columns: tuple[layout.Column, ...]
    key: str          # the hidden row key column
    name: str         # the plan cell naming a row in messages
    noun: str         # 任务 / 指标
    where: str        # prefix naming the sheet in messages ("" for the 台账)
    fix: str          # where the unit should write instead of a locked cell


LEDGER = SheetKind(layout.COLUMNS, "row_key", "title", "任务", "", "进展请写在“本月进展情况”中")


@lru_cache(maxsize=8)
def _ledger_kind(layout_version: str, office: tuple[layout.Column, ...] = ()) -> SheetKind:
    """The 台账 sheet as issued in that layout version (a template issued before a column existed),
    with the office columns it was issued with."""
    return replace(LEDGER, columns=layout.columns_of(layout_version) + office)
TARGETS = SheetKind(layout.TARGET_COLUMNS, "target_key", "indicator", "指标", f"“{layout.TARGET_SHEET}”工作表",
                    "完成情况请填在“本年累计完成值”和“说明”中")


@dataclass
class Expected:
    """The template as issued: identification, its rows and its 指标 rows with their plan cells."""

    template_id: str
    period: str
    unit: str
    rows: list[TemplateRow]
    digest: str
    targets: list[TargetRow] = field(default_factory=list)
    layout_version: str = layout.LAYOUT_VERSION
    office_columns: tuple[layout.Column, ...] = ()     # ledger.toml [[columns]] as issued
    # This year's last accepted 本年累计完成值 of the unit, by TargetRow.carry_key, and their period.
    previous: dict[tuple[str, str, str], float] = field(default_factory=dict)
    previous_period: str | None = None
    # The unit's last accepted 台账 values by (item id, role) and their period, for ledger.collect.quality.
    last_rows: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    last_period: str | None = None
    evidenced: frozenset[int] = frozenset()    # items (ids in this plan) the unit attached evidence to

    @property
    def by_key(self) -> dict[str, TemplateRow]:
        return {r.cells["row_key"]: r for r in self.rows}

    @property
    def targets_by_key(self) -> dict[str, TargetRow]:
        return {t.cells["target_key"]: t for t in self.targets}


@dataclass
class Validated:
    report: Report
    rows: list[dict[str, Any]] = field(default_factory=list)      # ready for submission_rows
    targets: list[dict[str, Any]] = field(default_factory=list)   # ready for target_rows


def validate_ledger(read: ReadWorkbook, expected: Expected, settings: Settings) -> Validated:
    """All findings of the 台账 and 指标 sheets; rows are returned only when there is no error."""
    report = Report()
    sheet = read.ledger_sheet
    if sheet is None:
        report.add(codes.SHEET_MISSING.finding(sheet_name=layout.LEDGER_SHEET, why=""))
        return Validated(report)
    kind = _ledger_kind(expected.layout_version, expected.office_columns)
    if not _columns_present(sheet, read.columns, kind.columns, report):
        return Validated(report)
    table = _target_table(read, expected, report)
    matched = _match(kind, sheet, read.rows, read.columns, expected.by_key, report)
    tmatched = _match(TARGETS, table.sheet, table.rows, table.columns, expected.targets_by_key, report) if table else []
    _check_plan_cells(read, expected, matched, table, tmatched, report)
    rules = _RowRules.of(expected, settings)
    rows = [_check_row(read, row, tpl, rules, settings, report) for row, tpl in matched]
    targets = [_check_target(table, row, tpl, expected, report) for row, tpl in tmatched]
    quality.review(report, read, matched, rows, expected, settings)
    valid = report.valid
    return Validated(report, rows if valid else [], targets if valid else [])


def _columns_present(sheet: str, found: dict[str, int], columns: tuple[layout.Column, ...], report: Report) -> bool:
    missing = [c for c in columns if c.key not in found]
    for col in missing:
        report.add(codes.COLUMN_MISSING.finding(sheet_name=sheet, header=col.header, sheet=sheet, column=col.header, field=col.key))
    return not missing


def _target_table(read: ReadWorkbook, expected: Expected, report: Report) -> ReadTable | None:
    """The 指标 sheet when the template had one and it is usable; a finding when it is not."""
    if not expected.targets:
        return None
    table = read.targets
    if table is None:
        report.add(codes.SHEET_MISSING.finding(sheet_name=layout.TARGET_SHEET, why="：本单位牵头任务有量化指标",
                                               sheet=layout.TARGET_SHEET))
        return None
    return table if _columns_present(table.sheet, table.columns, layout.TARGET_COLUMNS, report) else None


def _cell(columns: dict[str, int], row: int, key: str) -> str:
    return f"{layout.column_letter(columns[key])}{row}"


def _match(kind: SheetKind, sheet: str, rows: list[LedgerRow], columns: dict[str, int], by_key: dict[str, Any],
           report: Report) -> list[tuple[LedgerRow, Any]]:
    """Pair each row read with the template row of its key; added, repeated and deleted rows are errors."""
    matched, seen = [], {}
    for row in rows:
        key = clean_text(row.values.get(kind.key))
        if key in by_key and key not in seen:
            seen[key] = row.number
            matched.append((row, by_key[key]))
            continue
        place = {"sheet": sheet, "row": row.number, "cell": _cell(columns, row.number, kind.key)}
        if key not in by_key:
            report.add(codes.ROW_ADDED.finding(where=kind.where, number=row.number, noun=kind.noun, value=key or None, **place))
        else:
            report.add(codes.ROW_DUPLICATE.finding(where=kind.where, number=row.number, first=seen[key], noun=kind.noun,
                                                   value=key, **place))
    for key, tpl in by_key.items():
        if key not in seen:
            name = tpl.cells[kind.name]
            report.add(codes.ROW_DELETED.finding(noun=kind.noun, name=name, seq=tpl.cells["seq"], sheet=sheet, value=name))
    return matched


def _check_plan_cells(read: ReadWorkbook, expected: Expected, matched: list, table: ReadTable | None,
                      tmatched: list, report: Report) -> None:
    """A finding for each locked plan cell a department changed. Most files change none, and their
    cells read back just as issued; otherwise the issued digest tells whether the cells, as text,
    are still the plan's (a client may write 3 as 3.0), and only when it fails is each cell compared."""
    kind = _ledger_kind(expected.layout_version)
    if _as_issued(matched, _plan_keys(kind)) and _as_issued(tmatched, _plan_keys(TARGETS)):
        return
    if _digest_holds(expected, matched, tmatched):
        return
    for row, tpl in matched:
        _changed_cells(kind, read.ledger_sheet, read.columns, row, tpl, report)
    for row, tpl in tmatched:
        _changed_cells(TARGETS, table.sheet, table.columns, row, tpl, report)


def _as_issued(matched: list, keys: tuple[str, ...]) -> bool:
    """True when every plan cell of the matched rows holds exactly the value the template was issued with."""
    for row, tpl in matched:
        get, cells = row.values.get, tpl.cells
        for key in keys:
            if get(key) != cells[key]:
                return False
    return True


@lru_cache(maxsize=8)
def _plan_keys(kind: SheetKind) -> tuple[str, ...]:
    return tuple(c.key for c in kind.columns if c.plan)


def _digest_holds(expected: Expected, matched: list, tmatched: list) -> bool:
    """True when every row is there and the locked cells of both sheets hash to the issued digest."""
    if len(matched) != len(expected.rows) or len(tmatched) != len(expected.targets):
        return False
    rows = _in_issued_order(matched, expected.rows)
    targets = _in_issued_order(tmatched, expected.targets)
    ledger_cols, target_cols = _digest_readers(_ledger_kind(expected.layout_version)), _digest_readers(TARGETS)
    typed = [_plan_texts(row.values, ledger_cols) for row, _ in rows]
    typed += [_plan_texts(row.values, target_cols) for row, _ in targets]
    return plan_digest(typed) == expected.digest


@lru_cache(maxsize=4)
def _digest_readers(kind: SheetKind) -> tuple[tuple[str, Any], ...]:
    """(key, how its kind reads the cell back as text) of the columns the digest covers."""
    return tuple((c.key, clean_text if type(kind_of(c)).read_text is Kind.read_text else kind_of(c).read_text)
                 for c in _digest_columns(kind))


def _plan_texts(values: dict[str, Any], readers: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    """The locked cells of a row as digest text (``_plan_text`` of each column, in one pass)."""
    get = values.get
    return tuple(["" if (value := get(key)) is None else read(value) for key, read in readers])


def _in_issued_order(matched: list, issued: list) -> list:
    position = {id(tpl): n for n, tpl in enumerate(issued)}
    return sorted(matched, key=lambda m: position[id(m[1])])


def _changed_cells(kind: SheetKind, sheet: str, columns: dict[str, int], row: LedgerRow, tpl, report: Report) -> None:
    for col in kind.columns:
        if not col.plan:
            continue
        typed, issued = _plan_text(row.values, col), _issued_text(tpl.cells, col)
        if typed != issued:
            cell = _cell(columns, row.number, col.key)
            told = codes.PLAN_CELL_CHANGED.told(original=_short(issued), fix_more=kind.fix)
            report.add(told.at(f"{kind.where}{cell}“{col.header}”", sheet=sheet, cell=cell, column=col.header,
                               field=col.key, value=typed, row=row.number))


@lru_cache(maxsize=4)
def _digest_columns(kind: SheetKind) -> tuple[layout.Column, ...]:
    return tuple(c for c in kind.columns if c.key == kind.key or c.plan)


def _plan_text(values: dict[str, Any], col: layout.Column) -> str:
    """A locked cell as read, as digest text (numbers as the template wrote them: 3.0 -> "3")."""
    value = values.get(col.key)
    if value is None:
        return ""
    return kind_of(col).read_text(value)


def _issued_text(cells: dict[str, Any], col: layout.Column) -> str:
    return kind_of(col).text(cells[col.key])


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"


@lru_cache(maxsize=8)
def _validator(statuses: tuple[str, ...], office: tuple[layout.Column, ...]) -> Draft202012Validator:
    return Draft202012Validator(layout._schema(layout.INPUT_COLUMNS + office, list(statuses)),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=8)
def _free_text_keys(statuses: tuple[str, ...], office: tuple[layout.Column, ...]) -> frozenset[str]:
    """Properties whose schema asks only for a (non-empty) string: for them only emptiness matters."""
    props = layout._schema(layout.INPUT_COLUMNS + office, list(statuses))["properties"]
    return frozenset(k for k, sch in props.items() if set(sch) <= {"type", "minLength"} and sch["type"] == "string")


def _schema_errors(row: dict[str, Any], statuses: tuple[str, ...], office: tuple[layout.Column, ...],
                   free: frozenset[str] | None = None) -> list:
    """jsonschema errors of a row, memoised on the part of the row the schema can tell apart."""
    free = _free_text_keys(statuses, office) if free is None else free
    # In the row's own order: rows are built in the order of their columns, the same for every row
    # of these statuses and office columns (part of the memo's key).
    projected = tuple([(k, type(v).__name__, "x" if k in free and type(v) is str else v) for k, v in row.items()])
    return _schema_errors_of(projected, statuses, office)


@lru_cache(maxsize=4096)
def _schema_errors_of(projected: tuple, statuses: tuple[str, ...], office: tuple[layout.Column, ...]) -> list:
    return list(_validator(statuses, office).iter_errors({k: v for k, _, v in projected}))


@dataclass(frozen=True)
class _RowRules:
    """What checking a row needs that is the same for every row of a file, worked out once."""

    ctx: Context
    statuses: tuple[str, ...]
    office: tuple[layout.Column, ...]
    columns: tuple[layout.Column, ...]          # the input columns, the layout's and the office's
    pace: int                                   # 序时进度 of the period, in per cent
    required: dict[str | None, tuple[layout.Column, ...]]   # columns a status's meaning requires
    free: frozenset[str]                        # columns whose schema asks only for some text
    normalise: Callable                         # kinds.row_normaliser of the columns

    @classmethod
    def of(cls, expected: Expected, settings: Settings) -> "_RowRules":
        statuses, office = tuple(settings.templates.statuses), expected.office_columns
        columns = layout.INPUT_COLUMNS + office
        meanings = {m for c in columns for m in c.required_if}
        ctx = Context(statuses, settings.collect.synonyms)
        return cls(ctx, statuses, office, columns,
                   round(schedule_share(expected.period) * 100),
                   {m: tuple(c for c in columns if m in c.required_if) for m in meanings},
                   _free_text_keys(statuses, office), row_normaliser(columns, ctx))


def _check_row(read: ReadWorkbook, row: LedgerRow, tpl: TemplateRow, rules: _RowRules, settings: Settings,
               report: Report) -> dict[str, Any]:
    office = rules.office
    values, raw, notes = rules.normalise(row.values)
    present = {k: v for k, v in values.items() if v != ""}
    for error in _schema_errors(present, rules.statuses, office, rules.free):
        report.add(_schema_finding(read, row, error, values, settings, office))
    for key, note in notes.items():
        report.add(_located(read, row, key, codes.VALUE_NORMALISED.told(note=note), row.values.get(key), office))
    report.extend(_cross_checks(read, row, present, rules, settings))
    stored = {"item_id": tpl.item_id, "role": tpl.role}
    for key in INPUT_KEYS:                      # the layout's input cells, stored as columns
        value = values[key]
        stored[key] = value if value != "" else None
    stored["raw"] = raw or None
    stored["extra"] = {c.key: kind_of(c).to_json(values[c.key]) for c in office} or None
    return stored


def _located(read: ReadWorkbook, row: LedgerRow, key: str, told: Told, value: Any,
             office: tuple[layout.Column, ...] = ()) -> Finding:
    """A finding on a cell of the 台账 sheet, named where the value is (a department may have moved columns)."""
    col = layout.BY_KEY.get(key) or next(c for c in office if c.key == key)
    cell = _cell(read.columns, row.number, key)
    return told.at(f"{cell}“{col.header}”：", sheet=read.ledger_sheet, cell=cell, column=col.header, field=key,
                   value=value if value != "" else None, row=row.number)


def _schema_finding(read: ReadWorkbook, row: LedgerRow, error, values: dict[str, Any], settings: Settings,
                    office: tuple[layout.Column, ...] = ()) -> Finding:
    if error.validator == "required":
        key = next(k for k in error.validator_value if k not in error.instance)
    else:
        key = error.path[0]
    col = layout.BY_KEY.get(key) or next(c for c in office if c.key == key)
    told = _schema_message(col, error.validator, values.get(key), settings)
    if told.code is codes.REQUIRED_EMPTY and (formula := read.formula_at(read.ledger_sheet, _cell(read.columns, row.number, key))):
        return _located(read, row, key, codes.FORMULA_NO_TEXT.told(formula=_short(formula)), formula, office)
    return _located(read, row, key, told, row.values.get(key), office)


def _schema_message(col: layout.Column, validator: str, value: Any, settings: Settings) -> Told:
    kind = kind_of(col)
    ctx = Context(tuple(settings.templates.statuses))
    if validator in ("required", "minLength"):
        return codes.REQUIRED_EMPTY.told(hint=kind.hint(col, ctx))
    return kind.invalid(col, value, ctx)


_FORMULA_KEYS = ("progress", "problems", "next_steps", "remarks", "person")


def _cross_checks(read: ReadWorkbook, row: LedgerRow, v: dict[str, Any], rules: _RowRules, settings: Settings):
    status, percent = v.get("status"), v.get("percent")
    meaning = settings.vocabulary.meaning(status)
    whole = type(percent) is int and 0 <= percent <= 100
    out = []
    if meaning == DONE and whole and percent < 100:
        out.append(_located(read, row, "percent", codes.DONE_NOT_100.told(status=status, percent=percent), percent))
    for col in rules.required.get(meaning, ()):
        if not v.get(col.key):     # required by the status's meaning
            if col.key == "problems":     # the layout's own rule keeps its code: lagging needs a reason
                out.append(_located(read, row, col.key, codes.LAG_NO_PROBLEM.told(status=status, header=col.header), None))
            else:
                out.append(_located(read, row, col.key, codes.REQUIRED_IF_STATUS.told(status=status, header=col.header),
                                    None, rules.office))
    pace = rules.pace
    if meaning in CHECKED_PACE and whole and percent < pace - settings.collect.lag_tolerance:
        said = codes.BEHIND_SCHEDULE.told(status=status, percent=percent, pace=pace, gap=pace - percent)
        out.append(_located(read, row, "percent", said, percent))
    for key in _FORMULA_KEYS:
        text = v.get(key)
        if type(text) is str and FORMULA_RE.match(text):
            out.append(_located(read, row, key, codes.FORMULA_LIKE.told(), text))
    return out


# --- the 指标 sheet ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _target_validator() -> Draft202012Validator:
    return Draft202012Validator(layout.target_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _check_target(table: ReadTable, row: LedgerRow, tpl: TargetRow, expected: Expected, report: Report) -> dict[str, Any]:
    """Findings of one 指标 row; returns the row as it will be stored."""
    values, _, _ = normalise_row(row.values, layout.TARGET_INPUT_COLUMNS, Context(unit=str(tpl.cells["unit"])))
    present = {k: v for k, v in values.items() if v != ""}
    for error in _target_validator().iter_errors(present):
        report.add(_target_schema_finding(table, row, error, tpl))
    for finding in _target_checks(table, row, present, tpl, expected):
        report.add(finding)
    return {"target_id": tpl.target_id, **{k: (v if v != "" else None) for k, v in values.items()}}


def _target_located(table: ReadTable, row: LedgerRow, key: str, told: Told, value: Any) -> Finding:
    col = layout.TARGET_BY_KEY[key]
    cell = _cell(table.columns, row.number, key)
    return told.at(f"{TARGETS.where}{cell}“{col.header}”：", sheet=table.sheet, cell=cell, column=col.header, field=key,
                   value=value if value != "" else None, row=row.number)


def _target_schema_finding(table: ReadTable, row: LedgerRow, error, tpl: TargetRow) -> Finding:
    key = error.path[0]
    typed = row.values.get(key)
    if error.validator == "minimum":
        return _target_located(table, row, key, codes.TARGET_NEGATIVE.told(typed=number_text(error.instance)), typed)
    unit = str(tpl.cells["unit"])
    per = f"，单位为“{unit}”，不必填写" if unit else ""
    return _target_located(table, row, key, codes.TARGET_NOT_NUMBER.told(typed=clean_text(typed), per=per), typed)


def _target_checks(table: ReadTable, row: LedgerRow, v: dict[str, Any], tpl: TargetRow, expected: Expected):
    achieved = v.get("achieved")
    before = tpl.carried_from(expected.previous)
    if isinstance(achieved, (int, float)) and before is not None and 0 <= achieved < before:
        when = label(expected.previous_period) if expected.previous_period else "上期"
        said = codes.TARGET_DECREASED.told(achieved=number_text(achieved), when=when, before=number_text(before))
        yield _target_located(table, row, "achieved", said, achieved)
    target = tpl.cells.get("target")
    if (str(tpl.cells["unit"]).strip() in ("%", "％") and isinstance(achieved, float) and 0 < achieved < 1
            and isinstance(target, (int, float)) and target >= 1):
        said = codes.TARGET_PERCENT_FRACTION.told(achieved=number_text(achieved), target=number_text(target),
                                                  as_percent=number_text(round(achieved * 100, 4)))
        yield _target_located(table, row, "achieved", said, achieved)
    note = v.get("note")
    if isinstance(note, str) and FORMULA_RE.match(note):
        yield _target_located(table, row, "note", codes.FORMULA_LIKE.told(), note)
