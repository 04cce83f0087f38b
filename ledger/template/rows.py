"""What a unit's template holds: its rows (lead items first, then supported ones) and their plan cells,
and the quantitative targets of its lead items for the 指标 sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger import layout
from ledger.kinds import kind_of
from ledger.plan.model import LEAD, ROLE_LABELS, SUPPORT
from ledger.store.plans import StoredPlan
from ledger.template.identity import plan_digest, row_key, target_key


@dataclass
class TemplateRow:
    item_id: int
    role: str
    cells: dict[str, Any]                                   # plan cells by layout key
    carried: dict[str, Any] = field(default_factory=dict)   # input cells from the last period
    note: str = ""                                          # last period's progress, as a comment
    typed: dict[str, Any] = field(default_factory=dict)     # values a unit typed (feedback workbooks)
    marks: dict[str, str] = field(default_factory=dict)     # layout key -> problem, highlighted
    errors: set[str] = field(default_factory=set)           # marked keys with an error (red, else amber)
    fixed: dict[str, Any] = field(default_factory=dict)     # input cells written filled and locked (已销号)

    def plan_values(self) -> tuple[str, ...]:
        return tuple(str(self.cells[c.key]) for c in (layout.BY_KEY["row_key"], *layout.PLAN_COLUMNS))


@dataclass
class TargetRow:
    """One row of the 指标 sheet: a target of one of the unit's lead items."""

    target_id: int
    item_id: int
    cells: dict[str, Any]                                   # plan cells by TARGET_COLUMNS key
    section_number: str = ""                                # the item's section numeral
    path_numbers: str = ""                                  # its part path's numerals (一（二）)
    item_identity: int = 0                                  # the item across plan versions: ``carry_key``
    carried: dict[str, Any] = field(default_factory=dict)   # input cells from the last period
    typed: dict[str, Any] = field(default_factory=dict)     # values a unit typed (feedback workbooks)
    marks: dict[str, str] = field(default_factory=dict)     # layout key -> problem, highlighted
    errors: set[str] = field(default_factory=set)           # marked keys with an error (red, else amber)

    @property
    def carry_key(self) -> tuple[int, str]:
        """(item identity, indicator): the same target in another plan version, whatever its number."""
        return self.item_identity, self.cells["indicator"]

    def carried_from(self, values: dict[tuple[int, str], Any]) -> Any:
        """This target's entry in values keyed by ``carry_key``."""
        return values.get(self.carry_key)

    def plan_values(self) -> tuple[str, ...]:
        keys = (layout.TARGET_BY_KEY["target_key"], *layout.TARGET_PLAN_COLUMNS)
        return tuple(kind_of(c).text(self.cells[c.key]) for c in keys)


def unit_rows(plan: StoredPlan, unit: str) -> list[TemplateRow]:
    """One row per (item, role) of the unit: its lead items first, then those it supports."""
    return all_unit_rows(plan, [unit])[unit]


def all_unit_rows(plan: StoredPlan, units: list[str]) -> dict[str, list[TemplateRow]]:
    """``unit_rows`` for many units in one pass over the plan."""
    by_unit = RowsByUnit(plan, units)
    return {unit: by_unit[unit] for unit in units}


class RowsByUnit:
    """``all_unit_rows`` of ``units`` (all the plan's by default), each unit's rows made when first
    asked for: collect examines a few units' files in each worker process."""

    def __init__(self, plan: StoredPlan, units: list[str] | None = None) -> None:
        units = plan.units() if units is None else units
        self._items: dict[str, dict[str, list]] = {u: {LEAD: [], SUPPORT: []} for u in units}
        for item in plan.items:
            for role, names in ((LEAD, item.lead), (SUPPORT, item.support)):
                for name in names:
                    if name in self._items:
                        self._items[name][role].append(item)
        self._made: dict[str, list[TemplateRow]] = {}
        self._cells: dict[int, dict] = {}      # by item: the cells its rows share, whatever unit or role

    def __getitem__(self, unit: str) -> list[TemplateRow]:
        if unit not in self._made:
            by_role = self._items[unit]
            pairs = [(item, LEAD) for item in by_role[LEAD]] + [(item, SUPPORT) for item in by_role[SUPPORT]]
            self._made[unit] = [_row(item, role, n, self._shared(item)) for n, (item, role) in enumerate(pairs, start=1)]
        return self._made[unit]

    def _shared(self, item) -> dict:
        if item.id not in self._cells:
            self._cells[item.id] = _item_cells(item)
        return self._cells[item.id]


def _item_cells(item) -> dict:
    """The plan cells of an item's rows (the same in every unit's template)."""
    return {"title": item.title, "text": item.text, "lead_units": "、".join(item.lead),
            "support_units": "、".join(item.support), "leaders": "、".join(item.leaders),
            "deadline": item.deadline_text or ""}


def _row(item, role: str, seq: int, shared: dict) -> TemplateRow:
    cells = {"row_key": row_key(item.id, role), "seq": seq, "role": ROLE_LABELS[role], **shared}
    return TemplateRow(item.id, role, cells)


def all_unit_targets(plan: StoredPlan, units: list[str]) -> dict[str, list[TargetRow]]:
    """The targets of each unit's lead items, in plan order; empty for a unit leading none."""
    out: dict[str, list[TargetRow]] = {u: [] for u in units}
    for item in plan.items:
        for name in item.lead:
            if name in out:
                start = len(out[name]) + 1
                out[name] += [_target_row(item, t, tid, seq)
                              for seq, (t, tid) in enumerate(zip(item.targets, item.target_ids), start=start)]
    return out


def _target_row(item, target, target_id: int, seq: int) -> TargetRow:
    cells = {
        "target_key": target_key(target_id),
        "seq": seq,
        "item_number": item.number,
        "item_title": item.title,
        "indicator": target.indicator,
        "comparator": target.comparator,
        "target": target.value,
        "unit": target.unit,
    }
    return TargetRow(target_id, item.id, cells, item.section_number, item.path_numbers,
                     getattr(item, "identity", None) or item.id)


def rows_digest(rows: list[TemplateRow], targets: list[TargetRow] | None = None) -> str:
    """The plan digest of a template: its 台账 rows, then its 指标 rows (none: as before targets)."""
    return plan_digest([r.plan_values() for r in rows] + [t.plan_values() for t in targets or []])


def unit_counts(plan: StoredPlan) -> dict[str, tuple[int, int]]:
    """(lead items, support items) of every unit, in order of first appearance."""
    counts: dict[str, list[int]] = {}
    for item in plan.items:
        for name in item.lead:
            counts.setdefault(name, [0, 0])[0] += 1
        for name in item.support:
            counts.setdefault(name, [0, 0])[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}
