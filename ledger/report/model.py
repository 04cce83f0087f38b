"""What a consolidated month is: the ``Consolidated`` record the writers read, and a report run's result.

The writers (``workbook``, ``overview``, ``bulletin``) import this module, never ``build``, which
reads the store and calls them: dependencies in the report package point one way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ledger.period import label, previous_period
from ledger.report.merge import (UNREPORTED, Change, Entry, MergedItem, compare, count_changes,
                                 count_statuses, office_value, share)
from ledger.report.status import StatusReport
from ledger.report.targets import LABELS as TARGET_LABELS, TargetResult, count_standings
from ledger.statuses import DEFAULT_VOCABULARY, Vocabulary
from ledger.store.plans import StoredPlan


@dataclass
class Consolidated:
    """Everything the consolidated workbook shows for one period."""

    plan: StoredPlan
    period: str
    statuses: list[str]                       # configured vocabulary, in order
    status: StatusReport
    merged: dict[int, MergedItem]             # by current item id, plan order
    entries: list[Entry]                      # every row of the period, mapped to the plan
    previous: dict[int, MergedItem] | None    # None when the previous period has no submission
    streaks: dict[int, int] = field(default_factory=dict)   # lagging items: consecutive months
    targets: list[TargetResult] = field(default_factory=list)   # every target of the plan, plan order
    lag_tolerance: int = 20                                     # points below 序时进度 still on pace
    vocabulary: Vocabulary = DEFAULT_VOCABULARY                 # the statuses' meanings
    office_columns: tuple = ()                                  # ledger.toml [[columns]]: a column each
    revision: Any = None        # ledger.plan.diff.PlanDiff: the plan changed since the previous month
    revised_on: str = ""        # when that version was stored, as the office reads it (2024年4月2日)
    scores: list = field(default_factory=list)                  # 考评: UnitScore of each unit, ranked

    def revision_text(self) -> str:
        """计划于 … 调整（第 N 版）：…, when this month is the first under a new plan version."""
        if self.revision is None:
            return ""
        return (f"计划于{self.revised_on}调整为第 {self.plan.version} 版，自本月起执行："
                f"{self.revision.counts_text()}。")

    @property
    def previous_period(self) -> str:
        return previous_period(self.period)

    @cached_property
    def counts(self) -> dict[str, int]:
        return count_statuses(self.merged.values(), self.vocabulary)

    @property
    def no_submissions(self) -> bool:
        return not any(u.reported for u in self.status.units)

    @cached_property
    def changes(self) -> list[Change]:
        return compare(self.merged, self.previous) if self.previous is not None else []

    def lagging(self) -> list[MergedItem]:
        """Lagging items, the most seriously lagging first, then in plan order."""
        items = [m for m in self.merged.values() if m.lagging]
        return sorted(items, key=lambda m: m.rank)

    def unit_status_counts(self) -> dict[str, Counter]:
        """Each unit's own reported statuses, counted over its rows."""
        counts: dict[str, Counter] = {}
        for e in self.entries:
            counts.setdefault(e.unit, Counter())[self.vocabulary.canonical(e.status)] += 1
        return counts

    @cached_property
    def target_counts(self) -> dict[str, int]:
        """Targets met, on pace, behind and not reported."""
        return count_standings(self.targets)

    def _json_key(self, status: str) -> str:
        """Report JSON keys are meanings, which do not change when an office renames its words; a
        word of no meaning is its own key."""
        if status == UNREPORTED:
            return "unreported"
        return self.vocabulary.meaning(status) or status

    def summary(self) -> dict[str, Any]:
        total = len(self.merged)
        return {"period": self.period, "label": label(self.period), "plan_version": self.plan.version,
                "final": self.status.locked is not None, "items": total,
                "signed_off": [s.to_dict() for s in self.status.signed_off], "no_submissions": self.no_submissions,
                "as_of": self.status.as_of.isoformat() if self.status.as_of else None,
                "counts": {self._json_key(k): {"label": k, "count": v, "share": round(share(v, total), 4)}
                           for k, v in self.counts.items()},
                "units": self.status.totals.to_dict(),
                "changes": count_changes(self.changes) if self.previous is not None else None,
                "consecutive_lagging": sum(1 for n in self.streaks.values() if n >= 2),
                "columns": [{"header": c.header, "kind": c.kind,
                             "reported": sum(1 for m in self.merged.values() if office_value(m, c.key) not in (None, ""))}
                            for c in self.office_columns],
                "deadlines": self.status.deadlines.to_dict() if self.status.deadlines else None,
                "revision": ({**self.revision.to_dict(), "text": self.revision_text()}
                             if self.revision is not None else None),
                "corrections": [{"unit": u.unit.name, "corrected_at": u.corrected_at.isoformat()}
                                for u in self.status.units if u.corrected_at],
                "targets": {"total": len(self.targets),
                            "counts": {k: {"label": TARGET_LABELS[k], "count": v} for k, v in self.target_counts.items()}}}


@dataclass
class ReportResult:
    path: Path
    report: Consolidated
    bulletin: Path | None = None         # the 督查通报 beside the workbook
