"""Plan import into a workspace: a notice file (or a reviewed workbook) becomes the next stored plan version.

The workflow over the plan package (read, parse, targets, summary) and the store (plan versions, events);
it lives outside both so that the store depends on the plan's model and the plan package never on the store.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ledger.errors import PlanNotFoundError
from ledger.plan.importer import ImportSummary, Note, notes_of, resolve_units, summarise
from ledger.plan.model import Plan
from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice
from ledger.plan.units import normalise_unit
from ledger.plan.targets import extract_targets
from ledger.progress import Progress, report as tell
from ledger.store import events
from ledger.plan.diff import PlanDiff, plan_diff
from ledger.store.plans import StoredPlan, load_plan, match_identities, save_plan
from ledger.workspace import Workspace


def import_notice(workspace: Workspace, path: Path, title: str | None = None,
                  command: str = "plan import", dry_run: bool = False, progress: Progress = None) -> ImportSummary:
    """Read, parse and store a notice as the next plan version (with ``dry_run``: only say what
    would be stored; no database row, no event).

    ``progress(done, 4)`` is told at each step: read, parsed, targets found, stored (or previewed).
    """
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
    if dry_run:
        summary = preview_plan(workspace, plan, text=text)
    else:
        summary = store_plan(workspace, plan, origin="import", source=path, command=command, text=text)
    tell(progress, 4, 4)
    return summary


def _parse_options(workspace: Workspace) -> dict:
    """The office's extra organisational endings (``[units] unit_endings``), when it set any."""
    endings = list(getattr(workspace.settings.units, "unit_endings", None) or [])
    return {"unit_endings": endings} if endings else {}


def preview_plan(workspace: Workspace, plan: Plan, text: str | None = None) -> ImportSummary:
    """The summary a store would give, storing nothing."""
    collective = resolve_units(plan, workspace.settings.units)
    current = _current(workspace)
    version, previous = (current.version + 1, set(current.units())) if current else (1, set())
    summary = summarise(plan, version, collective, previous, notes=notes_of(plan, text))
    summary.changes = changes(current, plan, successors(workspace, plan))
    summary.dry_run = True
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
               command: str, text: str | None = None, notes: list[Note] | None = None) -> ImportSummary:
    """Resolve unit names against the settings, store the plan, log the event."""
    collective = resolve_units(plan, workspace.settings.units)
    digest = hashlib.sha256(source.read_bytes()).hexdigest() if source else None
    found = (notes or []) + notes_of(plan, text)
    with workspace.lock():
        current = _current(workspace)
        previous = set(current.units()) if current else set()
        renamed = successors(workspace, plan)
        revision = changes(current, plan, renamed)
        version = save_plan(workspace.engine, plan, origin=origin, collective=collective,
                            source_name=source.name if source else None, source_sha256=digest,
                            successors=renamed)
        summary = summarise(plan, version, collective, previous, notes=found)
        summary.changes = revision
        events.record(workspace.engine, command, f"plan-{origin}", f"第 {version} 版计划：{plan.title}",
                      summary.to_dict() | {"notes": len(summary.notes), "source": source.name if source else None})
    return summary


def successors(workspace: Workspace, plan: Plan) -> dict[str, str]:
    """Renamed and merged units (``[units.aliases]`` old -> new) whose new name the plan uses."""
    names = set(n for item in plan.items for n in item.units)
    pairs = {normalise_unit(k): normalise_unit(v) for k, v in workspace.settings.units.aliases.items()}
    return {old: new for old, new in pairs.items() if new in names and old not in names}
