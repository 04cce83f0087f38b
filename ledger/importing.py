"""Plan import into a workspace: a notice file (or a reviewed workbook) becomes the next stored plan version.

The workflow over the plan package (read, parse, targets, summary) and the store (plan versions, events);
it lives outside both so that the store depends on the plan's model and the plan package never on the store.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from ledger.errors import PlanNotFoundError
from ledger.period import check_period
from ledger.plan.importer import ImportSummary, Note, notes_of, progress_note, resolve_units, summarise
from ledger.plan.model import LEAD, Plan
from ledger.plan.parse import parse_plan
from ledger.plan.progress import ProgressReport, has_progress, progress_reports
from ledger.plan.sources import read_notice
from ledger.plan.units import normalise_unit
from ledger.plan.targets import extract_targets
from ledger.progress import Progress, report as tell
from ledger.store import events
from ledger.plan.diff import PlanDiff, plan_diff
from ledger.store.plans import StoredPlan, load_plan, match_identities, save_plan, unit_ids
from ledger.store.submissions import INPUT_KEYS, returned_units, save_imported
from ledger.workspace import Workspace


def import_notice(workspace: Workspace, path: Path, title: str | None = None,
                  command: str = "plan import", dry_run: bool = False, progress: Progress = None,
                  progress_period: str | None = None) -> ImportSummary:
    """Read, parse and store a notice as the next plan version (with ``dry_run``: only say what
    would be stored; no database row, no event).

    With ``progress_period`` (YYYY-MM), the progress columns of a 推进情况表 (推进情况, 形象进度,
    是否达序, 说明) are stored with the plan as that month's submissions of each lead unit, marked
    imported; without it they are left out, with a note saying how to keep them.

    ``progress(done, 4)`` is told at each step: read, parsed, targets found, stored (or previewed).
    """
    period = check_period(progress_period) if progress_period else None
    path = Path(path)
    tell(progress, 0, 4)
    text = read_notice(path)
    tell(progress, 1, 4)
    plan = parse_plan(text, **_parse_options(workspace))
    if title:
        plan.title = title.strip()
    if not plan.title:
        plan.title = path.stem      # no title found in the notice: name the plan after its file
    tell(progress, 2, 4)
    _extract_targets(plan)
    tell(progress, 3, 4)
    note = None if period else progress_note(plan)
    notes = [note] if note else []
    if dry_run:
        summary = preview_plan(workspace, plan, text=text, notes=notes, progress_period=period)
    else:
        summary = store_plan(workspace, plan, origin="import", source=path, command=command, text=text,
                             notes=notes, progress_period=period)
    tell(progress, 4, 4)
    return summary


def _parse_options(workspace: Workspace) -> dict:
    """The office's extra organisational endings (``[units] unit_endings``), when it set any."""
    endings = list(getattr(workspace.settings.units, "unit_endings", None) or [])
    return {"unit_endings": endings} if endings else {}


def preview_plan(workspace: Workspace, plan: Plan, text: str | None = None,
                 notes: list[Note] | None = None, progress_period: str | None = None) -> ImportSummary:
    """The summary a store would give, storing nothing."""
    collective = resolve_units(plan, workspace.settings.units)
    current = _current(workspace)
    version, previous = (current.version + 1, set(current.units())) if current else (1, set())
    reports = _reports(workspace, plan, progress_period)
    kept, skipped = _keepable(workspace, reports, progress_period)
    summary = summarise(plan, version, collective, previous,
                        notes=(notes or []) + _progress_notes(plan, progress_period, skipped) + notes_of(plan, text))
    summary.changes = changes(current, plan, successors(workspace, plan))
    summary.dry_run = True
    summary.progress_period, summary.progress_kept = progress_period, len(kept)
    return summary


def _current(workspace: Workspace) -> StoredPlan | None:
    try:
        return load_plan(workspace.engine)
    except PlanNotFoundError:
        return None


def changes(current: StoredPlan | None, plan: Plan, renamed: dict[str, str] | None = None) -> PlanDiff | None:
    """What the plan changes from the current version, its items matched by identity (the review
    workbook's hidden column; for a notice imported again, the store's match), which the items
    then carry into the store."""
    if current is None:
        return None
    if any(item.identity for item in plan.items):
        known = {i.identity for i in current.items}
        identities = [item.identity if item.identity in known else None for item in plan.items]
    else:
        identities = match_identities(current.items, plan.items)
        for item, identity in zip(plan.items, identities):
            item.identity = identity
    return plan_diff(current.items, plan.items, identities, current.version, renamed)


def _extract_targets(plan: Plan) -> None:
    for item in plan.items:
        if not item.targets:
            item.targets = extract_targets(item.text)


def store_plan(workspace: Workspace, plan: Plan, *, origin: str, source: Path | None,
               command: str, text: str | None = None, notes: list[Note] | None = None,
               progress_period: str | None = None) -> ImportSummary:
    """Resolve unit names against the settings, store the plan (and the progress it carries, as
    ``progress_period``'s imported submissions, in the same transaction), log the event."""
    collective = resolve_units(plan, workspace.settings.units)
    data = source.read_bytes() if source else b""
    digest = hashlib.sha256(data).hexdigest() if source else None
    reports = _reports(workspace, plan, progress_period)
    with workspace.lock():
        kept, skipped = _keepable(workspace, reports, progress_period)
        found = (notes or []) + _progress_notes(plan, progress_period, skipped) + notes_of(plan, text)
        current = _current(workspace)
        previous = set(current.units()) if current else set()
        renamed = successors(workspace, plan)
        revision = changes(current, plan, renamed)
        along = _keeper(kept, progress_period, digest or "", len(data), source.name if source else "") if kept else None
        version = save_plan(workspace.engine, plan, origin=origin, collective=collective,
                            source_name=source.name if source else None, source_sha256=digest,
                            successors=renamed, along=along)
        summary = summarise(plan, version, collective, previous, notes=found)
        summary.changes = revision
        summary.progress_period, summary.progress_kept = progress_period, len(kept)
        events.record(workspace.engine, command, f"plan-{origin}", f"第 {version} 版计划：{plan.title}",
                      summary.to_dict() | {"notes": len(summary.notes), "source": source.name if source else None})
    return summary


def successors(workspace: Workspace, plan: Plan) -> dict[str, str]:
    """Renamed and merged units (``[units.aliases]`` old -> new) whose new name the plan uses."""
    names = set(n for item in plan.items for n in item.units)
    pairs = {normalise_unit(k): normalise_unit(v) for k, v in workspace.settings.units.aliases.items()}
    return {old: new for old, new in pairs.items() if new in names and old not in names}


def _reports(workspace: Workspace, plan: Plan, period: str | None) -> list[ProgressReport]:
    """The lead units' reports the plan's progress columns hold, when a period asks for them."""
    return progress_reports(plan, workspace.settings.vocabulary) if period else []


def _keepable(workspace: Workspace, reports: list[ProgressReport],
              period: str | None) -> tuple[list[ProgressReport], list[str]]:
    """The reports that may be stored, and the units left out: a unit that already returned its
    own workbook for the period keeps it (an import never supersedes what a unit submitted)."""
    if not reports:
        return [], []
    returned = returned_units(workspace.engine, period)
    return [r for r in reports if r.unit not in returned], [r.unit for r in reports if r.unit in returned]


def _progress_notes(plan: Plan, period: str | None, skipped: list[str]) -> list[Note]:
    """What the office should know about the progress kept for ``period``."""
    if not period:
        return []
    if not has_progress(plan):
        return [Note("progress_none", None, "", f"指定了 --progress-period {period}，但表格中没有推进情况、"
                     "形象进度或是否达序等列，没有保存任何进展")]
    return [Note("progress_returned", None, unit, f"“{unit}”已报送 {period} 的台账，保留其报送，"
                 "未用表格中的推进情况覆盖") for unit in skipped]


def _keeper(reports: list[ProgressReport], period: str, sha256: str, size: int, name: str):
    """What stores the reports beside the plan: one imported submission per lead unit."""
    def keep(conn, plan_id: int, item_ids: list[int]) -> None:
        units = unit_ids(conn, [r.unit for r in reports])
        now = datetime.now(timezone.utc)
        for report in reports:
            rows = [{"item_id": item_ids[row.item], "role": LEAD, **dict.fromkeys(INPUT_KEYS), **row.values,
                     "raw": row.raw or None, "extra": None} for row in report.rows]
            save_imported(conn, plan_id=plan_id, period=period, unit_id=units[report.unit], submitted_at=now,
                          sha256=sha256, size=size, source_name=name, rows=rows)
    return keep
