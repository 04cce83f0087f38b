"""Items against their 完成时限: those past it and not 已完成 (逾期未完成), and those due within the
coming month. Pure: a function of the plan's items, each item's status for the period and a date.

The date is the last day of the period reported: the statuses describe the month's end, so an
item due on 6月30日 is not overdue in June's report, and is in July's if not yet 已完成.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Protocol

from ledger.report.merge import DONE, UNREPORTED

OVERDUE_LABEL = "逾期未完成"
DUE_SOON_LABEL = "下月到期"


class DatedItem(Protocol):
    id: int
    number: str
    title: str
    section_number: str
    lead: list[str]
    leaders: list[str]
    deadline: date | None
    deadline_text: str


@dataclass
class DueItem:
    item: DatedItem
    status: str            # the item's status for the period, 未报送 when its lead did not report
    days: int              # days past the deadline (overdue) or left until it (due soon)

    def to_dict(self) -> dict[str, Any]:
        i = self.item
        return {"id": i.id, "number": i.number, "title": i.title, "lead": list(i.lead),
                "leaders": list(i.leaders), "deadline": i.deadline.isoformat() if i.deadline else None,
                "deadline_text": i.deadline_text, "status": self.status, "days": self.days}

    def line(self) -> str:
        """One line naming the item, for the terminal and the report."""
        i = self.item
        when = f"{i.deadline_text}（{i.deadline.month}月{i.deadline.day}日）" if i.deadline else i.deadline_text
        lead = "、".join(i.lead) or "未明确"
        who = f"，责任领导 {'、'.join(i.leaders)}" if i.leaders else ""
        return f"{i.number} {i.title}（完成时限 {when}，牵头 {lead}{who}，本期 {self.status}）"


@dataclass
class DeadlineWatch:
    as_of: date
    overdue: list[DueItem] = field(default_factory=list)    # most overdue first
    due_soon: list[DueItem] = field(default_factory=list)   # soonest first

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "overdue": [d.to_dict() for d in self.overdue],
                "due_soon": [d.to_dict() for d in self.due_soon]}

    def sentence(self) -> str:
        if not self.overdue and not self.due_soon:
            return ""
        return (f"截至 {self.as_of.month}月{self.as_of.day}日，{OVERDUE_LABEL}的任务 {len(self.overdue)} 项，"
                f"下月（{self.horizon().month}月{self.horizon().day}日前）到期未完成的任务 {len(self.due_soon)} 项。")

    def horizon(self) -> date:
        return one_month_after(self.as_of)


def period_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def one_month_after(day: date) -> date:
    """The same day next month; from a month's last day, next month's last day (6-30 → 7-31)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def watch(items: Iterable[DatedItem], statuses: dict[int, str], as_of: date) -> DeadlineWatch:
    """Items not 已完成 whose deadline is before ``as_of`` (overdue), or within a month after it."""
    horizon = one_month_after(as_of)
    result = DeadlineWatch(as_of)
    for item in items:
        status = statuses.get(item.id, UNREPORTED)
        if item.deadline is None or status == DONE:
            continue
        if item.deadline < as_of:
            result.overdue.append(DueItem(item, status, (as_of - item.deadline).days))
        elif item.deadline <= horizon:
            result.due_soon.append(DueItem(item, status, (item.deadline - as_of).days))
    result.overdue.sort(key=lambda d: -d.days)
    result.due_soon.sort(key=lambda d: d.days)
    return result
