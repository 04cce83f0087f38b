"""Year and quarter views: built only from the recorded months, each as it was reported.

Every month of the span that has a record (templates issued or files received) is consolidated
through its own plan and units (``build.consolidate``); the span is then a fold of those months,
so a year figure is the sum of its months. Items are followed by identity (a renumbered or
retitled item is one task), units by the unit carrying their history now (a renamed or merged
unit is one row, the name it reported under shown where it differs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import PeriodError
from ledger.period import label
from ledger.plan.parts import part_groups
import ledger.report.data as data
from ledger.report.merge import UNREPORTED, lead_progress, problems
from ledger.report.model import Consolidated
from ledger.report.status import ON_TIME, OUTCOME_LABELS, OUTCOMES
from ledger.statuses import DONE
from ledger.store.plans import unit_successors
from ledger.workspace import Workspace

QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")


class SpanError(PeriodError):
    """A year or quarter written wrongly, or with no recorded month."""


@dataclass
class Span:
    """A year (2024) or a quarter (2024Q3): its name and its months."""

    key: str
    title: str
    months: list[str]

    @classmethod
    def year(cls, year: int | str) -> "Span":
        text = str(year).strip()
        if not re.fullmatch(r"\d{4}", text):
            raise SpanError(f"年份“{year}”无效，应为四位数字，如 2024")
        return cls(text, f"{text}年", [f"{text}-{m:02d}" for m in range(1, 13)])

    @classmethod
    def quarter(cls, text: str) -> "Span":
        found = QUARTER.match(str(text).strip())
        if not found:
            raise SpanError(f"季度“{text}”无效，应写作 2024Q3")
        year, q = found.group(1), int(found.group(2))
        return cls(f"{year}Q{q}", f"{year}年第{'一二三四'[q - 1]}季度",
                   [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)])


@dataclass
class UnitRecord:
    """One unit (as it is called now) over the span's months: each month the outcome of every unit
    it stands for then (two, in the months before two units merged into it)."""

    name: str
    months: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # period -> [(outcome, name then)]

    def count(self, outcome: str) -> int:
        return sum(1 for entries in self.months.values() for o, _ in entries if o == outcome)

    @property
    def expected(self) -> int:
        return sum(len(entries) for entries in self.months.values())

    @property
    def on_time_rate(self) -> float:
        return self.count(ON_TIME) / self.expected if self.expected else 0.0

    def cell(self, period: str) -> str:
        """The month as shown: 按时报送, or each former unit's outcome under its name then."""
        entries = self.months.get(period, [])
        return "、".join(OUTCOME_LABELS[o] + (f"（{name}）" if name != self.name else "") for o, name in entries)

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.name,
                "months": {p: [{"outcome": o, "label": OUTCOME_LABELS[o], "reported_as": name}
                               for o, name in entries] for p, entries in self.months.items()},
                "expected": self.expected, **{o: self.count(o) for o in OUTCOMES},
                "on_time_rate": round(self.on_time_rate, 4)}


@dataclass
class TaskRecord:
    """One task (by identity) over the span's months, as its latest month names it."""

    identity: int
    label: str
    title: str
    part: str
    lead: list[str]
    statuses: dict[str, str] = field(default_factory=dict)     # period -> merged status (word)
    done_in: str | None = None                                 # first month reported done
    lagged: int = 0                                            # months reported lagging
    last_problems: str = ""
    last_progress: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.label, "title": self.title, "part": self.part, "lead": self.lead,
                "done_in": self.done_in, "months_lagging": self.lagged, "statuses": self.statuses,
                "last_status": self.last_status, "problems": self.last_problems, "progress": self.last_progress}

    @property
    def last_status(self) -> str:
        return list(self.statuses.values())[-1] if self.statuses else UNREPORTED


@dataclass
class SpanView:
    span: Span
    title: str                                       # the plan's title (its latest month's)
    months: list[str]                                # recorded months, in order
    reports: dict[str, Consolidated]
    units: list[UnitRecord]
    tasks: list[TaskRecord]

    @property
    def last(self) -> Consolidated:
        return self.reports[self.months[-1]]

    def month_totals(self) -> list[dict[str, Any]]:
        """Each month's figures as its report gave them: the trend."""
        out = []
        for p in self.months:
            r = self.reports[p]
            out.append({"period": p, "label": label(p), "plan_version": r.plan.version, "items": len(r.merged),
                        "counts": {r._json_key(k): v for k, v in r.counts.items()},
                        "units": r.status.totals.to_dict(),
                        "lagging": sum(1 for m in r.merged.values() if m.lagging)})
        return out

    def unit_totals(self) -> dict[str, int]:
        """Unit-months by outcome over the span: the sum of the months' figures."""
        return {o: sum(u.count(o) for u in self.units) for o in OUTCOMES}

    def finished(self) -> list[TaskRecord]:
        return sorted((t for t in self.tasks if t.done_in), key=lambda t: (t.done_in, self._order(t)))

    def unfinished(self) -> list[TaskRecord]:
        """Tasks of the last month's plan not reported done by the end."""
        current = {i.identity for i in self.last.plan.items}
        return [t for t in self.tasks if t.identity in current and self.last_meaning(t) != DONE]

    def last_meaning(self, task: TaskRecord) -> str | None:
        return self.last.vocabulary.meaning(task.last_status) if task.last_status != UNREPORTED else None

    def _order(self, task: TaskRecord) -> int:
        return [t.identity for t in self.tasks].index(task.identity)

    def by_part(self) -> list[dict[str, Any]]:
        """Completion at the end by top part of the last month's plan."""
        last = self.last
        out = []
        for heading, members in part_groups(list(last.merged.values()), lambda m: m.item):
            done = sum(1 for m in members if m.meaning == DONE)
            out.append({"part": f"{heading.number}{heading.title}" or "（未分部分）", "items": len(members), "done": done})
        return out

    def by_lead(self) -> list[dict[str, Any]]:
        """Completion at the end by lead unit (its lead items in the last month's plan)."""
        counts: dict[str, list[int]] = {}
        for m in self.last.merged.values():
            for unit in m.item.lead:
                c = counts.setdefault(unit, [0, 0])
                c[0] += 1
                c[1] += m.meaning == DONE
        return [{"unit": u, "items": n, "done": d} for u, (n, d) in counts.items()]

    def to_dict(self) -> dict[str, Any]:
        return {"span": self.span.key, "label": self.span.title, "title": self.title, "months": self.months,
                "trend": self.month_totals(), "unit_totals": self.unit_totals(),
                "units": [u.to_dict() for u in self.units],
                "finished": [t.to_dict() for t in self.finished()],
                "unfinished": [t.to_dict() for t in self.unfinished()],
                "tasks": [t.to_dict() for t in self.tasks],
                "by_part": self.by_part(), "by_lead": self.by_lead()}


def span_view(ws: Workspace, span: Span) -> SpanView:
    """The span's recorded months, each consolidated as it was reported, folded into a view."""
    from ledger.report.build import consolidate

    with data.snapshot(ws.engine) as conn:
        months = [p for p in span.months if data.known(conn, p)]
        heirs = unit_successors(conn)
        names = data.unit_names(conn)
    if not months:
        raise SpanError(f"{span.title}没有任何月份的记录：既未生成模板，也未收到报送")
    reports = {p: consolidate(ws, p) for p in months}
    units = _units(reports, heirs, names)
    tasks = _tasks(reports)
    return SpanView(span, reports[months[-1]].plan.title, months, reports, units, tasks)


def _units(reports: dict[str, Consolidated], heirs: dict[int, int], names: dict[int, str]) -> list[UnitRecord]:
    records: dict[int, UnitRecord] = {}
    for period, report in reports.items():
        for u in report.status.units:
            now = heirs.get(u.unit.id, u.unit.id)
            record = records.setdefault(now, UnitRecord(names.get(now, u.unit.name)))
            record.months.setdefault(period, []).append((u.outcome, u.unit.name))
    return list(records.values())


def _tasks(reports: dict[str, Consolidated]) -> list[TaskRecord]:
    tasks: dict[int, TaskRecord] = {}
    for period, report in reports.items():
        parts = {m.item.identity: f"{h.number}{h.title}" for h, members in
                 part_groups(list(report.merged.values()), lambda m: m.item) for m in members}
        for m in report.merged.values():
            item = m.item
            task = tasks.setdefault(item.identity, TaskRecord(item.identity, "", "", "", []))
            task.label, task.title, task.part, task.lead = (f"{item.path_numbers}{item.number}", item.title,
                                                            parts.get(item.identity, ""), list(item.lead))
            task.statuses[period] = m.status
            if m.meaning == DONE and task.done_in is None:
                task.done_in = period
            task.lagged += m.lagging
            if m.status != UNREPORTED:
                task.last_problems, task.last_progress = problems(m), lead_progress(m)
    return list(tasks.values())
