"""Plan import: a notice file or a reviewed workbook into a new stored plan version."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ledger.errors import PlanNotFoundError
from ledger.plan.model import Plan, PlanItem
from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice
from ledger.plan.targets import extract_targets
from ledger.plan.units import is_collective, normalise_unit
from ledger.settings import UnitSettings
from ledger.store import events
from ledger.store.plans import load_plan, save_plan
from ledger.workspace import Workspace


@dataclass
class ImportSummary:
    """What a new plan version holds, as printed after import or load."""

    version: int
    title: str
    year: int | None
    sections: int
    items: int
    units: list[str]
    unassigned: list[str] = field(default_factory=list)   # numbers of items without units
    collective: list[str] = field(default_factory=list)   # collective names kept as written
    targets: int = 0
    new_units: list[str] = field(default_factory=list)    # units not in the previous version

    def to_dict(self) -> dict:
        return {
            "version": self.version, "title": self.title, "year": self.year,
            "sections": self.sections, "items": self.items, "units": len(self.units),
            "unassigned": self.unassigned, "collective": self.collective,
            "targets": self.targets, "new_units": self.new_units,
        }


def import_notice(workspace: Workspace, path: Path, title: str | None = None,
                  command: str = "plan import") -> ImportSummary:
    """Read, parse and store a notice as the next plan version."""
    path = Path(path)
    plan = parse_plan(read_notice(path))
    if title:
        plan.title = title.strip()
    if not plan.title:
        plan.title = path.stem      # no title found in the notice: name the plan after its file
    _extract_targets(plan)
    return store_plan(workspace, plan, origin="import", source=path, command=command)


def _extract_targets(plan: Plan) -> None:
    for item in plan.items:
        if not item.targets:
            item.targets = extract_targets(item.text)


def store_plan(workspace: Workspace, plan: Plan, *, origin: str, source: Path | None,
               command: str) -> ImportSummary:
    """Resolve unit names against the settings, store the plan, log the event."""
    collective = resolve_units(plan, workspace.settings.units)
    digest = hashlib.sha256(source.read_bytes()).hexdigest() if source else None
    with workspace.lock():
        previous = _current_units(workspace)
        version = save_plan(workspace.engine, plan, origin=origin, collective=collective,
                            source_name=source.name if source else None, source_sha256=digest)
        summary = summarise(plan, version, collective, previous)
        events.record(workspace.engine, command, f"plan-{origin}", f"第 {version} 版计划：{plan.title}",
                      summary.to_dict() | {"source": source.name if source else None})
    return summary


def _current_units(workspace: Workspace) -> set[str]:
    try:
        return set(load_plan(workspace.engine).units())
    except PlanNotFoundError:
        return set()


def resolve_units(plan: Plan, settings: UnitSettings) -> set[str]:
    """Merge aliases and expand groups in place; return the collective names left as written."""
    aliases = {normalise_unit(k): normalise_unit(v) for k, v in settings.aliases.items()}
    groups = {normalise_unit(k): [normalise_unit(m) for m in v] for k, v in settings.groups.items()}
    collective: set[str] = set()
    for item in plan.items:
        item.lead = _resolve_list(item.lead, aliases, groups)
        item.support = [u for u in _resolve_list(item.support, aliases, groups) if u not in item.lead]
        collective.update(u for u in item.units if is_collective(u))
    return collective


def _resolve_list(names: list[str], aliases: dict[str, str], groups: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for name in names:
        name = normalise_unit(name)
        name = aliases.get(name, name)
        for member in groups.get(name, [name]):
            member = aliases.get(member, member)
            if member and member not in out:
                out.append(member)
    return out


def summarise(plan: Plan, version: int, collective: set[str], previous: set[str]) -> ImportSummary:
    repeats = Counter(item.number for item in plan.items)
    units: dict[str, None] = {}
    for item in plan.items:
        for name in item.units:
            units.setdefault(name, None)
    sections = {item.section for item in plan.items}
    return ImportSummary(
        version=version, title=plan.title, year=plan.year, sections=len(sections),
        items=len(plan.items), units=list(units),
        unassigned=[_label(item, repeats) for item in plan.items if not item.units],
        collective=[u for u in units if u in collective],
        targets=sum(len(item.targets) for item in plan.items),
        new_units=[u for u in units if previous and u not in previous],
    )


def _label(item: PlanItem, repeats: Counter) -> str:
    """An item's number, with its part's numeral where numbers repeat across parts (一是 …)."""
    return f"{item.section_number}{item.number}" if repeats[item.number] > 1 else item.number


def item_to_dict(item: PlanItem, item_id: int | None = None) -> dict:
    """The JSON shape of an item as printed by ``ledger plan show --json``."""
    data = {
        "id": item_id, "number": item.number, "section": item.section, "title": item.title,
        "text": item.text, "lead": list(item.lead), "support": list(item.support),
        "leaders": list(item.leaders),
        "deadline_text": item.deadline_text or "",
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "targets": [
            {"indicator": t.indicator, "value": t.value, "unit": t.unit,
             "comparator": t.comparator, "kind": t.kind}
            for t in item.targets
        ],
    }
    return data
