"""The consolidated month: merged items, changes since the previous month, lag streaks, targets, the file.

Reads happen in one snapshot; merging is delegated to the pure ``ledger.report.merge``; the
workbook is written atomically by ``ledger.report.workbook``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.engine import Connection

from ledger.durable import sweep_temporaries
from ledger.period import label, previous_period, schedule_share
from ledger.progress import Progress, report as tell
from ledger.report import bulletin, data, official
from ledger.report.merge import (UNREPORTED, Change, Entry, MergedItem, compare, count_changes,
                                 count_statuses, extend_streaks, merge_items, office_value, share)
from ledger.report.scores import period_scores
from ledger.report.status import StatusReport, deadline_watch, read_status
from ledger.report.targets import LABELS as TARGET_LABELS, TargetResult, assess_targets, count_standings
from ledger.report.workbook import write_workbook
from ledger.statuses import DEFAULT_VOCABULARY, Vocabulary
from ledger.store import events
from ledger.store.plans import StoredPlan, load_plan
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output, safe_name



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
    scores: list = field(default_factory=list)                  # 考评: UnitScore of each unit, ranked

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
                "items": total, "no_submissions": self.no_submissions,
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
                "targets": {"total": len(self.targets),
                            "counts": {k: {"label": TARGET_LABELS[k], "count": v} for k, v in self.target_counts.items()}}}


@dataclass
class ReportResult:
    path: Path
    report: Consolidated
    bulletin: Path | None = None         # the 督查通报 beside the workbook


def consolidate(ws: Workspace, period: str | None = None) -> Consolidated:
    """Read and merge one period (by default last month) for the consolidated workbook."""
    period = data.resolve_period(period, ws.settings.office.timezone)
    plan = load_plan(ws.engine)
    with data.snapshot(ws.engine) as conn:
        status = read_status(conn, period, ws.settings)
        names = data.unit_names(conn)
        entries = data.period_entries(conn, period, plan, names)
        vocabulary = ws.settings.vocabulary
        merged = merge_items(plan.items, entries, vocabulary)
        previous = _merged_period(conn, plan, previous_period(period), names, vocabulary)
        streaks = lag_streaks(conn, plan, period, merged, previous, names, vocabulary)
        achievements = data.period_achievements(conn, period, plan, names)
        scores = period_scores(conn, status, ws.settings)
    status.deadlines = deadline_watch(plan.items, merged, period, vocabulary)
    statuses = list(ws.settings.templates.statuses)
    targets = assess_targets(plan.items, achievements, schedule_share(period), ws.settings.collect.lag_tolerance)
    return Consolidated(plan, period, statuses, status, merged, entries, previous, streaks, targets,
                        ws.settings.collect.lag_tolerance, vocabulary, ws.settings.office_columns, scores)


def _merged_period(conn: Connection, plan: StoredPlan, period: str, names: dict[int, str],
                   vocabulary: Vocabulary) -> dict[int, MergedItem] | None:
    if not data.has_submissions(conn, period):
        return None
    return merge_items(plan.items, data.period_entries(conn, period, plan, names), vocabulary)


def lag_streaks(conn: Connection, plan: StoredPlan, period: str, merged: dict[int, MergedItem],
                previous: dict[int, MergedItem] | None, names: dict[int, str],
                vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> dict[int, int]:
    """Consecutive months each lagging item has lagged, ending with ``period``.

    Walks back one month at a time, reading only the lead rows of the items still lagging, and
    stops at the first month where none is; the cost follows the streaks, not the history.
    """
    streaks = {i: 1 for i, m in merged.items() if m.lagging}
    alive, step, month = set(streaks), previous, previous_period(period)
    first = data.first_period(conn)
    while alive and step is not None:
        alive = extend_streaks(streaks, alive, step)
        month = previous_period(month)
        if not alive or first is None or month < first:
            break
        step = _merged_leads(conn, plan, month, alive, names, vocabulary)
    return streaks


def _merged_leads(conn: Connection, plan: StoredPlan, period: str, item_ids: set[int],
                  names: dict[int, str], vocabulary: Vocabulary) -> dict[int, MergedItem]:
    items = [i for i in plan.items if i.id in item_ids]
    leads = {u for i in items for u in i.lead}
    unit_ids = {uid for uid, name in names.items() if name in leads}
    entries = data.period_entries(conn, period, plan, names, unit_ids=unit_ids, lead_only=True)
    return merge_items(items, entries, vocabulary)


def reports_dir(ws: Workspace) -> Path:
    return ws.outbox_dir / "reports"


def report_path(ws: Workspace, plan_title: str, period: str) -> Path:
    """outbox/reports/<period>/<plan title>工作台账汇总（2024年7月）.xlsx"""
    title = safe_name(plan_title, "工作台账")
    return reports_dir(ws) / period / f"{title}工作台账汇总（{label(period)}）.xlsx"


def bulletin_path(ws: Workspace, plan_title: str, period: str) -> Path:
    """outbox/reports/<period>/<plan title>督查通报（2024年7月）.docx, beside the workbook."""
    title = safe_name(plan_title, "工作台账")
    return reports_dir(ws) / period / f"{title}督查通报（{label(period)}）.docx"


def period_outputs(ws: Workspace, period: str) -> tuple[Path, Path]:
    """Where the period's workbook and 督查通报 are (or will be): named after the current plan."""
    with data.snapshot(ws.engine) as conn:
        title = data.plan_header(conn).title
    return report_path(ws, title, period), bulletin_path(ws, title, period)


def bulletin_lines(ws: Workspace, report: Consolidated) -> list[str]:
    """The 督查通报's lines: the workspace's template (written there on first use), filled."""
    values = bulletin.fields(report, ws.settings.office.name, ws.settings.office.deadline_day)
    if ws.settings.scoring.honour_roll:
        values["红黑榜"] = bulletin.honour_roll(report, ws.settings.scoring.honour_roll_size)
    return bulletin.fill(bulletin.read_template(ws), values)


# Test hook: called with a step name between the steps of writing a report (crash injection).
_step_hook: Callable[[str], None] = lambda step: None


def make_report(ws: Workspace, period: str | None = None, command: str = "report",
                progress: Progress = None) -> ReportResult:
    """Consolidate a period and write its workbook atomically; a failed run keeps the last one.

    ``progress(done, 3)`` is told at each of the three steps: consolidated, written, recorded.
    """
    with ws.lock():     # never interleaves with a collect run, manual or scheduled
        sweep_temporaries(reports_dir(ws))     # what a killed run left half-written
        tell(progress, 0, 3)
        report = consolidate(ws, period)
        tell(progress, 1, 3)
        path = report_path(ws, report.plan.title, report.period)
        counts = report.counts
        # The event is written with the workbook and committed after its rename: a database that
        # refuses (read-only, full) leaves the previous report, and a rename refused (the file open
        # in Excel on Windows) leaves no event.
        notice = bulletin_path(ws, report.plan.title, report.period)
        lines = bulletin_lines(ws, report)       # a template error stops the run before any file
        with ws.engine.begin() as conn, atomic_output(path) as tmp:
            write_workbook(report, tmp)
            with atomic_output(notice) as tmp_notice:
                official.write_document(tmp_notice, lines, f"{report.plan.title}落实情况督查通报（{label(report.period)}）",
                                        ws.settings.office.name)
                _step_hook("written")
                tell(progress, 2, 3)
                # inside both outputs: a database that refuses the event leaves both previous files
                events.record(conn, command, "report",
                              f"{label(report.period)}汇总表：任务 {len(report.merged)} 项，未报送 {counts[UNREPORTED]} 项",
                              {"period": report.period, "file": ws.relative(path), "plan_version": report.plan.version})
        _step_hook("renamed")
        tell(progress, 3, 3)
    return ReportResult(path, report, notice)

