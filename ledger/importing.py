"""Plan import into a workspace: a notice file (or a reviewed workbook) becomes the next stored plan version.

The workflow over the plan package (read, parse, targets, summary) and the store (plan versions, events);
it lives outside both so that the store depends on the plan's model and the plan package never on the store.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ledger.errors import PlanNotFoundError
from ledger.plan.importer import ImportSummary, Note, notes_of, progress_note, resolve_units, summarise
from ledger.plan.model import Plan
from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice
from ledger.plan.targets import extract_targets
from ledger.progress import Progress, report as tell
from ledger.store import events
from ledger.store.plans import load_plan, save_plan
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
    kept = progress_note(plan)
    notes = [kept] if kept else []
    if dry_run:
        summary = preview_plan(workspace, plan, text=text, notes=notes)
    else:
        summary = store_plan(workspace, plan, origin="import", source=path, command=command, text=text,
                             notes=notes)
    tell(progress, 4, 4)
    return summary


def _parse_options(workspace: Workspace) -> dict:
    """The office's extra organisational endings (``[units] unit_endings``), when it set any."""
    endings = list(getattr(workspace.settings.units, "unit_endings", None) or [])
    return {"unit_endings": endings} if endings else {}


def preview_plan(workspace: Workspace, plan: Plan, text: str | None = None,
                 notes: list[Note] | None = None) -> ImportSummary:
    """The summary a store would give, storing nothing."""
    collective = resolve_units(plan, workspace.settings.units)
    try:
        current = load_plan(workspace.engine)
        version, previous = current.version + 1, set(current.units())
    except PlanNotFoundError:
        version, previous = 1, set()
    summary = summarise(plan, version, collective, previous, notes=(notes or []) + notes_of(plan, text))
    summary.dry_run = True
    return summary


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
        previous = _current_units(workspace)
        version = save_plan(workspace.engine, plan, origin=origin, collective=collective,
                            source_name=source.name if source else None, source_sha256=digest)
        summary = summarise(plan, version, collective, previous, notes=found)
        events.record(workspace.engine, command, f"plan-{origin}", f"第 {version} 版计划：{plan.title}",
                      summary.to_dict() | {"notes": len(summary.notes), "source": source.name if source else None})
    return summary


def _current_units(workspace: Workspace) -> set[str]:
    try:
        return set(load_plan(workspace.engine).units())
    except PlanNotFoundError:
        return set()
