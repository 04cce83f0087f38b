"""The consolidated month: merged items, changes since the previous month, lag streaks, targets, the file.

Reads happen in one snapshot; merging is delegated to the pure ``ledger.report.merge``; the
workbook is written atomically by ``ledger.report.workbook``.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo
from typing import Callable

from sqlalchemy.engine import Connection

from ledger.durable import sweep_temporaries
from ledger.period import label, previous_period, schedule_share
from ledger.progress import Progress, report as tell
from ledger.report import bulletin, data, official
from ledger.plan.diff import PlanDiff, plan_diff
from ledger.report.merge import UNREPORTED, MergedItem, extend_streaks, merge_items
from ledger.report.model import Consolidated, ReportResult
from ledger.report.sheets import created_time, date_text
from ledger.report.scores import period_scores
from ledger.report.status import StatusReport, deadline_watch, read_status
from ledger.report.targets import assess_targets
from ledger.report.workbook import write_workbook
from ledger.statuses import DEFAULT_VOCABULARY, Vocabulary
from ledger.store import events
from ledger.store.plans import StoredPlan, load_plan
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output, safe_name


def consolidate(ws: Workspace, period: str | None = None) -> Consolidated:
    """Read and merge one period (by default last month) for the consolidated workbook, through the
    plan in force for that period; the previous month and the lag streaks through theirs, matched
    by the items' identities."""
    period = data.resolve_period(period, ws.settings.office.timezone)
    plans = _Plans(ws)
    with data.snapshot(ws.engine) as conn:
        status = read_status(conn, period, ws.settings)
        plan = plans.get(status.plan.version)
        names = data.unit_names(conn)
        entries = data.period_entries(conn, period, plan, names)
        vocabulary = ws.settings.vocabulary
        merged = merge_items(plan.items, entries, vocabulary)
        previous = _merged_period(conn, plans, plan, previous_period(period), names, vocabulary)
        streaks = lag_streaks(conn, plans, plan, period, merged, previous, names, vocabulary)
        achievements = data.period_achievements(conn, period, plan, names)
        revision = _revision(conn, plans, plan, previous_period(period))
        scores = period_scores(conn, status, ws.settings)
    status.deadlines = deadline_watch(plan.items, merged, period, vocabulary)
    statuses = list(ws.settings.templates.statuses)
    targets = assess_targets(plan.items, achievements, schedule_share(period), ws.settings.collect.lag_tolerance)
    report = Consolidated(plan, period, statuses, status, merged, entries, previous, streaks, targets,
                          ws.settings.collect.lag_tolerance, vocabulary, ws.settings.office_columns, scores=scores)
    if revision is not None:
        report.revision = revision
        report.revised_on = date_text(plan.created_at.astimezone(ZoneInfo(ws.settings.office.timezone)).date())
    return report


def _revision(conn: Connection, plans: "_Plans", plan: StoredPlan, before: str) -> PlanDiff | None:
    """What the plan in force changed since the month before, when that month was under another
    version that differs (a version stored again unchanged is no revision)."""
    if not data.known(conn, before):
        return None
    earlier = plans.of_period(conn, before)
    if earlier.version == plan.version:
        return None
    resolve = data.unit_resolver(conn, plan)
    ids = {name: uid for uid, name in data.unit_names(conn).items()}
    names = data.unit_names(conn)
    renamed = {u: names[resolve(ids[u])] for u in earlier.units() if u in ids and names[resolve(ids[u])] != u}
    diff = plan_diff(earlier.items, plan.items, [i.identity for i in plan.items], earlier.version, renamed)
    return None if diff.empty else diff


class _Plans:
    """Plan versions read once per report (a year's streak may cross several)."""

    def __init__(self, ws: Workspace):
        self.ws, self.by_version = ws, {}

    def get(self, version: int) -> StoredPlan:
        if version not in self.by_version:
            self.by_version[version] = load_plan(self.ws.engine, version)
        return self.by_version[version]

    def of_period(self, conn: Connection, period: str) -> StoredPlan:
        return self.get(data.period_plan(conn, period).version)


def rekey(merged: dict[int, MergedItem], source: StoredPlan, target: StoredPlan) -> dict[int, MergedItem]:
    """A month merged under its own plan, keyed by the ids of the same items in ``target``."""
    if source.id == target.id:
        return merged
    ids = {i.identity: i.id for i in target.items}
    return {ids[i.identity]: merged[i.id] for i in source.items if i.identity in ids and i.id in merged}


def _merged_period(conn: Connection, plans: _Plans, plan: StoredPlan, period: str, names: dict[int, str],
                   vocabulary: Vocabulary) -> dict[int, MergedItem] | None:
    """The previous month as it was reported (its own plan and units), keyed by ``plan``'s items."""
    if not data.has_submissions(conn, period):
        return None
    own = plans.of_period(conn, period)
    merged = merge_items(own.items, data.period_entries(conn, period, own, names), vocabulary)
    return rekey(merged, own, plan)


def lag_streaks(conn: Connection, plans: _Plans, plan: StoredPlan, period: str, merged: dict[int, MergedItem],
                previous: dict[int, MergedItem] | None, names: dict[int, str],
                vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> dict[int, int]:
    """Consecutive months each lagging item has lagged, ending with ``period``.

    Walks back one month at a time, reading only the lead rows of the items still lagging (each
    month through its own plan, the items matched by identity), and stops at the first month where
    none is; the cost follows the streaks, not the history.
    """
    streaks = {i: 1 for i, m in merged.items() if m.lagging}
    alive, step, month = set(streaks), previous, previous_period(period)
    first = data.first_period(conn)
    while alive and step is not None:
        alive = extend_streaks(streaks, alive, step)
        month = previous_period(month)
        if not alive or first is None or month < first:
            break
        step = _merged_leads(conn, plans, plan, month, alive, names, vocabulary)
    return streaks


def _merged_leads(conn: Connection, plans: _Plans, plan: StoredPlan, period: str, item_ids: set[int],
                  names: dict[int, str], vocabulary: Vocabulary) -> dict[int, MergedItem]:
    own = plans.of_period(conn, period)
    wanted = {i.identity for i in plan.items if i.id in item_ids}
    items = [i for i in own.items if i.identity in wanted]
    leads = {u for i in items for u in i.lead}
    unit_ids = data.units_named(conn, own, names, leads)
    entries = data.period_entries(conn, period, own, names, unit_ids=unit_ids, lead_only=True)
    return rekey(merge_items(items, entries, vocabulary), own, plan)


def drop_stale_pdfs(*outputs: Path) -> None:
    """A PDF beside a workbook or 通报 just written says last run's figures: remove it (``report``
    makes a new one when asked, so a PDF is never older than its source)."""
    for output in outputs:
        output.with_suffix(".pdf").unlink(missing_ok=True)


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
    """Where the period's workbook and 督查通报 are (or will be): named after the plan in force for it."""
    with data.snapshot(ws.engine) as conn:
        title = data.period_plan(conn, period).title
    return report_path(ws, title, period), bulletin_path(ws, title, period)


def bulletin_lines(ws: Workspace, report: Consolidated) -> list[str]:
    """The 督查通报's lines: the workspace's template (written there on first use), filled."""
    values = bulletin.fields(report, ws.settings.office.name, ws.settings.office.deadline_day)
    if ws.settings.scoring.honour_roll:
        values["红黑榜"] = bulletin.honour_roll(report, ws.settings.scoring.honour_roll_size)
    lines = bulletin.fill(bulletin.read_template(ws), values)
    title = next((n for n, line in enumerate(lines) if line.startswith("# ")), None)
    if title is not None and report.status.locked:      # a locked month's 通报 is the final one
        lines[title] += report.status.final_mark
    return _with_signed_off(lines, report.status)


def _with_signed_off(lines: list[str], status: StatusReport) -> list[str]:
    """The 本月销号 paragraph, after the 报送情况 sentence (else before the signature)."""
    done = status.signed_off_this_month
    if not done:
        return lines
    text = (f"本月销号 {len(done)} 项（累计已销号 {len(status.signed_off)} 项）："
            + "；".join(f"{s.number}. {s.title}（{s.at.month}月{s.at.day}日销号）" for s in done) + "。")
    sentence = status.totals.sentence()
    at = next((n + 1 for n, line in enumerate(lines) if line.strip() == sentence), None)
    if at is None:
        at = next((n for n, line in enumerate(lines) if line.startswith("> ")), len(lines))
    return lines[:at] + [text] + lines[at:]


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
                official.write_document(tmp_notice, lines, f"{report.plan.title}落实情况督查通报（{label(report.period)}）{report.status.final_mark}",
                                        ws.settings.office.name,
                                        created_time(report.status.as_of, report.status.deadline))
                _step_hook("written")
                tell(progress, 2, 3)
                # inside both outputs: a database that refuses the event leaves both previous files
                events.record(conn, command, "report",
                              f"{label(report.period)}汇总表：任务 {len(report.merged)} 项，未报送 {counts[UNREPORTED]} 项",
                              {"period": report.period, "file": ws.relative(path), "plan_version": report.plan.version})
        _step_hook("renamed")
        drop_stale_pdfs(path, notice)
        tell(progress, 3, 3)
    return ReportResult(path, report, notice)

