"""The progress columns of an office's own 推进情况表, as the month's reports of each lead unit.

An office switching to ledger tracks its plan in a table with last month's progress beside each
task (``1-6月推进情况``, ``形象进度(%)``, ``是否达序``, ``说明``). :func:`progress_reports` turns those
fields (:class:`~ledger.plan.model.ItemField`, read by the parser) into one report per lead unit:
rows of the 台账 input keys (progress, percent, status, remarks) for each of its items, so the
first templates carry that text forward and the first report compares with it. Pure: storing the
reports is ``ledger.importing``'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ledger.plan.model import Plan, PlanItem
from ledger.plan.units import is_collective
from ledger.plan.vocabulary import PROGRESS_ROLES
from ledger.statuses import LAGGING, ON_PACE, Vocabulary

# 是否达序 answered yes or no: the meaning of each answer.
ON_PACE_ANSWERS = {"是": ON_PACE, "达序": ON_PACE, "已达序": ON_PACE, "否": LAGGING, "未达序": LAGGING,
                   "不达序": LAGGING}
# A percent cell: 30 / 30% / 30.5％ (a figure over 100 or anything else is kept as written only).
PERCENT = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)\s*[%％]?\s*$")


@dataclass
class ProgressRow:
    """One item's progress as a lead unit's row: the 台账 input keys, and the cells as written."""

    item: int                      # the item's index in the plan
    values: dict[str, Any]         # progress, percent, status, remarks (None when the table has none)
    raw: dict[str, str]            # the table's cells by header, as written


@dataclass
class ProgressReport:
    """A lead unit's report for the month, read from the table."""

    unit: str
    rows: list[ProgressRow] = field(default_factory=list)


def has_progress(plan: Plan) -> bool:
    """Whether any item carries a progress column's value."""
    return any(f.role in PROGRESS_ROLES for item in plan.items for f in item.fields)


def progress_reports(plan: Plan, statuses: Vocabulary) -> list[ProgressReport]:
    """One report per lead unit (collective names aside) holding a row for each of its items that
    has progress in the table, in plan order."""
    reports: dict[str, ProgressReport] = {}
    for index, item in enumerate(plan.items):
        row = _row(index, item, statuses)
        if row is None:
            continue
        for unit in item.lead:
            if not is_collective(unit):
                reports.setdefault(unit, ProgressReport(unit)).rows.append(row)
    return list(reports.values())


def _row(index: int, item: PlanItem, statuses: Vocabulary) -> ProgressRow | None:
    by_role: dict[str, list[str]] = {}
    for f in item.fields:
        if f.value.strip():
            by_role.setdefault(f.role, []).append(f.value.strip())
    if not any(role in by_role for role in PROGRESS_ROLES):
        return None
    values = {
        "progress": "；".join(by_role.get("progress", [])) or None,
        "percent": _percent(by_role.get("percent", [])),
        "status": _status(by_role.get("on_pace", []), statuses),
        "remarks": "；".join(by_role.get("remark", [])) or None,
    }
    raw = {f.header: f.value for f in item.fields if f.role in PROGRESS_ROLES + ("remark",)}
    return ProgressRow(index, values, raw)


def _percent(cells: list[str]) -> int | None:
    m = PERCENT.match(cells[0]) if cells else None
    if not m or float(m.group(1)) > 100:
        return None
    return round(float(m.group(1)))


def _status(cells: list[str], statuses: Vocabulary) -> str | None:
    """The office's status word for a 是否达序 answer (是/否) or a status word of known meaning."""
    if not cells:
        return None
    word = cells[0]
    meaning = ON_PACE_ANSWERS.get(word) or statuses.meaning(word)
    if meaning is None or meaning not in {m for _, m in statuses.pairs}:
        return None
    return statuses.word(meaning)
