"""What a plan import yields, without storing it: the office's notes, the summary, units resolved.

Storing a plan version is ``ledger.importing`` (the plan package does not know the store: the store
depends on ``plan.model``, never the other way)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ledger.plan.model import Plan, PlanItem
from ledger.plan.parts import label
from ledger.plan.units import is_collective, normalise_unit
from ledger.plan.vocabulary import PROGRESS_ROLES, ROLE_NAMES
from ledger.settings import UnitSettings


@dataclass
class Note:
    """Something the office should check after an import: from the parser, or found here."""

    code: str              # no_lead, maybe_person, split_doubt, numbering_gap … (the parser's codes)
    line: int | None       # 1-based line in the notice text; None when not from a notice line
    snippet: str
    message: str           # in Chinese
    item: str = ""         # the item's number as written

    @classmethod
    def of(cls, note) -> "Note":
        """A parser's ParseNote (or anything shaped like one) as a Note."""
        return cls(str(getattr(note, "code", "")), getattr(note, "line", None), str(getattr(note, "snippet", "")),
                   str(getattr(note, "message", "")), str(getattr(note, "item", "") or ""))

    def to_dict(self) -> dict:
        return {"code": self.code, "line": self.line, "item": self.item, "snippet": self.snippet,
                "message": self.message}


@dataclass
class ImportSummary:
    """What a new plan version holds, as printed after import or load (or what it would hold)."""

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
    notes: list[Note] = field(default_factory=list)       # what needs the office's eye
    dry_run: bool = False                                 # nothing was stored
    plan: Plan | None = None                              # the plan as it is (or would be) stored
    changes: Any = None                                   # ledger.plan.diff.PlanDiff from the previous version
    progress_period: str | None = None                    # --progress-period: the month progress was kept for
    progress_kept: int = 0                                # submissions stored from the progress columns

    @property
    def tables(self) -> list[list[dict]]:
        """Each task table's columns and what each was read as (for the office to check a mapping)."""
        return [[{"header": c.header, "role": c.role, "read_as": ROLE_NAMES.get(c.role, c.role)} for c in table]
                for table in (self.plan.tables if self.plan else [])]

    def to_dict(self) -> dict:
        data = {
            "version": self.version, "title": self.title, "year": self.year,
            "sections": self.sections, "items": self.items, "units": len(self.units),
            "unassigned": self.unassigned, "collective": self.collective,
            "targets": self.targets, "new_units": self.new_units,
            "notes": [n.to_dict() for n in self.notes], "dry_run": self.dry_run,
            "changes": self.changes.to_dict() if self.changes is not None else None,
            "tables": [{"columns": columns} for columns in self.tables],
            "progress_period": self.progress_period, "progress_kept": self.progress_kept,
        }
        return data


def notes_of(plan: Plan, text: str | None = None) -> list[Note]:
    """The parser's notes, then ours: items left without a lead unit once units are resolved
    (an alias or group may have changed them) that the parser did not already name."""
    notes = [Note.of(n) for n in getattr(plan, "notes", [])]
    named = {n.item for n in notes if n.code == "no_lead"}
    lines = text.splitlines() if text else []
    repeats = Counter(item.number for item in plan.items)
    for item in plan.items:
        if item.lead or item.number in named:
            continue
        label = _label(item, repeats)
        if item.support:
            what = (f"只有配合单位（{'、'.join(item.support)}），没有牵头单位：无人汇总报送此任务")
        else:
            what = "未写明责任单位：此任务不会下发给任何单位"
        notes.append(Note("no_lead", _line_of(lines, item), item.title[:40],
                          f"任务 {label} {what}，请在计划分解表中填写牵头单位后 ledger plan load", item.number))
    return notes


def progress_note(plan: Plan) -> Note | None:
    """When the notice's tables carry progress columns (推进情况, 形象进度, 是否达序) and they are not
    kept: a note naming them and saying how to keep them as a month's reports."""
    headers = list(dict.fromkeys(c.header for table in plan.tables for c in table if c.role in PROGRESS_ROLES))
    if not headers:
        return None
    month = next((m.group(1) for h in headers if (m := re.search(r"(\d{1,2})\s*月", h))), None)
    example = f"{plan.year or 'YYYY'}-{int(month):02d}" if month else f"{plan.year or 'YYYY'}-MM"
    return Note("progress_ignored", None, "、".join(headers),
                f"表格中的推进情况列（{'、'.join(headers)}）未导入；如要作为该月各牵头单位的报送保留"
                f"（下月模板带出、首次报告对比），请加 --progress-period {example} 再导入一次")


def _line_of(lines: list[str], item: PlanItem) -> int | None:
    """The first line of the notice holding the item's title (1-based), when it can be found."""
    probe = item.title[:20]
    if not probe:
        return None
    return next((n for n, line in enumerate(lines, start=1) if probe in line), None)


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


def summarise(plan: Plan, version: int, collective: set[str], previous: set[str],
              notes: list[Note] | None = None) -> ImportSummary:
    repeats = Counter(item.number for item in plan.items)
    units: dict[str, None] = {}
    for item in plan.items:
        for name in item.units:
            units.setdefault(name, None)
    sections = {item.path_key for item in plan.items}      # （一）重点项目 under 一、 and 二、: two
    return ImportSummary(
        version=version, title=plan.title, year=plan.year, sections=len(sections),
        items=len(plan.items), units=list(units),
        unassigned=[_label(item, repeats) for item in plan.items if not item.units],
        collective=[u for u in units if u in collective],
        targets=sum(len(item.targets) for item in plan.items),
        new_units=[u for u in units if previous and u not in previous],
        notes=list(notes or []), plan=plan,
    )


def _label(item: PlanItem, repeats: Counter) -> str:
    """An item's number, with its parts' numerals where numbers repeat across parts (一（二）1, 一是 …)."""
    return f"{item.path_numbers}{item.number}" if repeats[item.number] > 1 else item.number


def item_to_dict(item: PlanItem, item_id: int | None = None) -> dict:
    """The JSON shape of an item as printed by ``ledger plan show --json``."""
    data = {
        "id": item_id, "number": item.number, "section": item.section,
        "part_path": [label(sec) for sec in item.part_path], "title": item.title,
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
