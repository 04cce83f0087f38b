"""Validate a returned ledger against the template it was issued as: findings, and the rows to store.

Row values are checked by a JSON Schema derived from the layout, then by cross-field rules;
locked plan cells are checked by digest, and named cell by cell when the digest differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from ledger import layout
from ledger.collect.normalise import clean_text, normalise_row
from ledger.collect.reader import LedgerRow, ReadWorkbook
from ledger.findings import ERROR, WARNING, Finding, Report
from ledger.period import schedule_share
from ledger.settings import Settings
from ledger.template.identity import plan_digest
from ledger.template.rows import TemplateRow

LAGGING = ("滞后", "严重滞后")
ON_PACE = ("序时推进", "超序时")
DONE = "已完成"
FORMULA_RE = re.compile(r"^\s*[=+@]|^\s*-\s*[A-Za-z(]")


@dataclass
class Expected:
    """The template as issued: identification and its rows with their plan cells."""

    template_id: str
    period: str
    unit: str
    rows: list[TemplateRow]
    digest: str

    @property
    def by_key(self) -> dict[str, TemplateRow]:
        return {r.cells["row_key"]: r for r in self.rows}


@dataclass
class Validated:
    report: Report
    rows: list[dict[str, Any]] = field(default_factory=list)   # ready for submission_rows


def validate_ledger(read: ReadWorkbook, expected: Expected, settings: Settings) -> Validated:
    """All findings of the 台账 sheet; rows are returned only when there is no error."""
    report = Report()
    sheet = read.ledger_sheet
    if sheet is None:
        report.add(_finding("sheet-missing", ERROR, f"未找到“{layout.LEDGER_SHEET}”工作表（或其表头被改动）：请使用下发的模板填写，不要删除或改动表头"))
        return Validated(report)
    missing = [c for c in layout.COLUMNS if c.key not in read.columns]
    for col in missing:
        report.add(_finding("column-missing", ERROR, f"“{sheet}”工作表缺少“{col.header}”列：请不要删除或改名表头", sheet=sheet, column=col.header, field=col.key))
    if missing:
        return Validated(report)
    matched = _match_rows(read, expected, report)
    _check_plan_cells(read, expected, matched, report)
    rows = [_check_row(sheet, row, tpl, expected.period, settings, report) for row, tpl in matched]
    return Validated(report, rows if report.valid else [])


def _finding(code: str, severity: str, message: str, **where: Any) -> Finding:
    return Finding(code=code, severity=severity, message=message, **where)


def _cell(read: ReadWorkbook, row: int, key: str) -> str:
    from ledger.layout import column_letter

    return f"{column_letter(read.columns[key])}{row}"


def _match_rows(read: ReadWorkbook, expected: Expected, report: Report) -> list[tuple[LedgerRow, TemplateRow]]:
    by_key = expected.by_key
    sheet = read.ledger_sheet
    matched, seen = [], {}
    for row in read.rows:
        key = clean_text(row.values.get("row_key"))
        where = {"sheet": sheet, "row": row.number, "cell": _cell(read, row.number, "row_key")}
        if key not in by_key:
            report.add(_finding("row-added", ERROR, f"第 {row.number} 行不是模板中的任务行（可能是新增或复制的行）：请删除该行，只在原有行中填写", value=key or None, **where))
        elif key in seen:
            report.add(_finding("row-duplicate", ERROR, f"第 {row.number} 行与第 {seen[key]} 行是同一任务的重复行：请删除重复行", value=key, **where))
        else:
            seen[key] = row.number
            matched.append((row, by_key[key]))
    for key, tpl in by_key.items():
        if key not in seen:
            report.add(_finding("row-deleted", ERROR, f"任务“{tpl.cells['title']}”（序号 {tpl.cells['seq']}）的行被删除：请使用下发的模板，不要删除任务行", sheet=sheet, value=tpl.cells["title"]))
    return matched


def _check_plan_cells(read: ReadWorkbook, expected: Expected, matched: list, report: Report) -> None:
    if len(matched) == len(expected.rows):
        seen_rows = sorted(matched, key=lambda m: expected.rows.index(m[1]))
        typed = [tuple(_plan_text(row.values, c.key) for c in _digest_columns()) for row, _ in seen_rows]
        if plan_digest(typed) == expected.digest:
            return
    for row, tpl in matched:
        for col in layout.PLAN_COLUMNS:
            typed, issued = _plan_text(row.values, col.key), str(tpl.cells[col.key])
            if typed != issued:
                report.add(_finding(
                    "plan-cell-changed", ERROR,
                    f"{_cell(read, row.number, col.key)}“{col.header}”是计划内容，不能修改（原为“{_short(issued)}”）：请恢复原内容，进展请写在“本月进展情况”中",
                    sheet=read.ledger_sheet, cell=_cell(read, row.number, col.key), column=col.header,
                    field=col.key, value=typed, row=row.number))


def _digest_columns() -> tuple[layout.Column, ...]:
    return (layout.BY_KEY["row_key"], *layout.PLAN_COLUMNS)


def _plan_text(values: dict[str, Any], key: str) -> str:
    return clean_text(values.get(key)) if values.get(key) is not None else ""


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"


@lru_cache(maxsize=8)
def _validator(statuses: tuple[str, ...]) -> Draft202012Validator:
    return Draft202012Validator(layout.row_schema(list(statuses)))


@lru_cache(maxsize=8)
def _free_text_keys(statuses: tuple[str, ...]) -> frozenset[str]:
    """Properties whose schema asks only for a (non-empty) string: for them only emptiness matters."""
    props = layout.row_schema(list(statuses))["properties"]
    return frozenset(k for k, sch in props.items() if set(sch) <= {"type", "minLength"} and sch["type"] == "string")


def _schema_errors(row: dict[str, Any], statuses: tuple[str, ...]) -> list:
    """jsonschema errors of a row, memoised on the part of the row the schema can tell apart."""
    free = _free_text_keys(statuses)
    projected = tuple(sorted((k, type(v).__name__, "x" if k in free and isinstance(v, str) else v)
                             for k, v in row.items()))
    return _schema_errors_of(projected, statuses)


@lru_cache(maxsize=4096)
def _schema_errors_of(projected: tuple, statuses: tuple[str, ...]) -> list:
    return list(_validator(statuses).iter_errors({k: v for k, _, v in projected}))


def _check_row(sheet: str, row: LedgerRow, tpl: TemplateRow, period: str, settings: Settings, report: Report) -> dict[str, Any]:
    values, raw, notes = normalise_row(row.values, settings.collect.synonyms)
    present = {k: v for k, v in values.items() if v != ""}
    for error in _schema_errors(present, tuple(settings.templates.statuses)):
        report.add(_schema_finding(sheet, row, error, values, settings))
    for key, note in notes.items():
        report.add(_located(sheet, row, key, "value-normalised", WARNING, f"{note}，如不对请改正", row.values.get(key)))
    for finding in _cross_checks(sheet, row, present, period, settings):
        report.add(finding)
    return {"item_id": tpl.item_id, "role": tpl.role, **{k: (v if v != "" else None) for k, v in values.items()}, "raw": raw}


def _located(sheet: str, row: LedgerRow, key: str, code: str, severity: str, message: str, value: Any) -> Finding:
    col = layout.BY_KEY[key]
    cell = f"{layout.column_letter(layout.column_index(key))}{row.number}"
    return Finding(code=code, severity=severity, message=f"{cell}“{col.header}”：{message}", sheet=sheet,
                   cell=cell, column=col.header, field=key, value=value if value != "" else None, row=row.number)


def _schema_finding(sheet: str, row: LedgerRow, error, values: dict[str, Any], settings: Settings) -> Finding:
    if error.validator == "required":
        key = next(k for k in error.validator_value if k not in error.instance)
    else:
        key = error.path[0]
    col = layout.BY_KEY[key]
    code, severity, message = _schema_message(col, error.validator, values.get(key), settings)
    return _located(sheet, row, key, code, severity, message, row.values.get(key))


def _schema_message(col: layout.Column, validator: str, value: Any, settings: Settings) -> tuple[str, str, str]:
    if validator in ("required", "minLength"):
        hint = {"progress": "请填写本月工作进展", "status": "请从下拉列表选择完成状态",
                "percent": "请填写 0 到 100 的整数"}.get(col.key, "请填写")
        return "required-empty", ERROR, f"不能为空，{hint}"
    if col.kind == layout.STATUS:
        return "status-unknown", ERROR, f"“{value}”不是有效的完成状态，请从下拉列表选择：{'、'.join(settings.templates.statuses)}"
    if col.kind == layout.PERCENT:
        return "percent-invalid", ERROR, f"“{value}”不是 0 到 100 之间的整数，请填写如 60 这样的整数（不带 % 号）"
    if col.kind == layout.PHONE:
        return "phone-invalid", WARNING, f"“{value}”看起来不是电话号码，请核对"
    return "value-invalid", ERROR, f"“{value}”格式不正确"


def _cross_checks(sheet: str, row: LedgerRow, v: dict[str, Any], period: str, settings: Settings):
    status, percent = v.get("status"), v.get("percent")
    whole = isinstance(percent, int) and 0 <= percent <= 100
    if status == DONE and whole and percent < 100:
        yield _located(sheet, row, "percent", "done-not-100", ERROR, f"完成状态为“已完成”，完成进度应为 100（现为 {percent}）：请改为 100，或改选其他状态", percent)
    if status in LAGGING and not v.get("problems"):
        yield _located(sheet, row, "problems", "lag-no-problem", ERROR, f"完成状态为“{status}”，须在“存在问题”中说明原因", None)
    pace = round(schedule_share(period) * 100)
    if status in ON_PACE and whole and percent < pace - settings.collect.lag_tolerance:
        yield _located(sheet, row, "percent", "behind-schedule", WARNING, f"状态为“{status}”，但完成进度 {percent} 比序时进度 {pace} 低 {pace - percent} 个百分点，请核对状态或进度", percent)
    for key in ("progress", "problems", "next_steps", "remarks", "person"):
        text = v.get(key)
        if isinstance(text, str) and FORMULA_RE.match(text):
            yield _located(sheet, row, key, "formula-like", WARNING, "内容以“=”等符号开头，看起来像公式，将按文字保存", text)
