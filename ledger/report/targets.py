"""Pure target rules: each quantitative target's completed value, 完成率 and standing against 序时进度.

Nothing here touches the database or a file. The completed value of a target is what its lead
units reported as 本年累计完成值; co-leads disagreeing, the least favourable value counts (the
lowest for a floor, the highest for a limit). A floor (≥, and = or ≈, read as "reach it") is met
at a 完成率 of 100 %, on pace from 序时进度 less the lag tolerance, behind below that; a limit (≤)
is met while the value stays within it and behind once it is exceeded. A rate (a growth, share or
reduction in %) does not accumulate over the year, so 序时进度 does not apply to it: it is met once
reached and behind until then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol

from ledger.plan.model import Target
from ledger.normalise import number_text

LIMIT = "≤"
RATE_KINDS = ("growth", "share", "reduction")   # a level reached, not a quantity accumulated
MET, ON_PACE, BEHIND, UNREPORTED = "met", "on_pace", "behind", "unreported"
STANDINGS = (MET, ON_PACE, BEHIND, UNREPORTED)
LABELS = {MET: "已达标", ON_PACE: "符合序时", BEHIND: "落后序时", UNREPORTED: "未填报"}
LIMIT_LABELS = {MET: "控制在限值内", BEHIND: "超出限值"}
SERIOUS_GAP = 0.30      # behind 序时进度 by more than 30 points: shown red, like 严重滞后


class Item(Protocol):
    """What the rules need of a plan item (``ledger.store.plans.StoredItem`` has it)."""

    id: int
    lead: list[str]
    targets: list[Target]
    target_ids: list[int]


@dataclass(slots=True)
class Achievement:
    """One lead unit's 指标 row of the period, mapped to a target of the current plan."""

    target_id: int
    unit: str
    achieved: float | None
    note: str | None = None


@dataclass
class TargetResult:
    """A target's standing for a period, with the lead rows it was read from."""

    item: Item
    target: Target
    target_id: int
    standing: str
    completed: float | None = None
    rate: float | None = None            # completed / target, for floors with a non-zero target
    serious: bool = False                # behind by more than SERIOUS_GAP, or a limit exceeded
    rows: list[Achievement] = field(default_factory=list)   # the lead units' rows, in lead order

    @property
    def reports(self) -> list[Achievement]:
        """Lead rows with a value."""
        return [a for a in self.rows if a.achieved is not None]

    @property
    def missing_leads(self) -> list[str]:
        reported = {a.unit for a in self.reports}
        return [u for u in self.item.lead if u not in reported]

    @property
    def is_limit(self) -> bool:
        return self.target.comparator == LIMIT

    @property
    def label(self) -> str:
        if self.is_limit and self.standing in LIMIT_LABELS:
            return LIMIT_LABELS[self.standing]
        return LABELS[self.standing]

    @property
    def within_limit(self) -> bool | None:
        """For a limit: whether it holds; None for a floor or when not reported."""
        if not self.is_limit or self.completed is None:
            return None
        return self.completed <= self.target.value


def assess_targets(items: Iterable[Item], achievements: Iterable[Achievement], pace: float,
                   tolerance: float) -> list[TargetResult]:
    """Every target of the items, in plan order. ``pace`` is 序时进度 (0-1), ``tolerance`` in points."""
    by_target: dict[int, dict[str, Achievement]] = {}
    for a in achievements:
        by_target.setdefault(a.target_id, {})[a.unit] = a
    return [assess(item, target, target_id, by_target.get(target_id, {}), pace, tolerance)
            for item in items for target, target_id in zip(item.targets, item.target_ids)]


def assess(item: Item, target: Target, target_id: int, by_unit: dict[str, Achievement], pace: float,
           tolerance: float) -> TargetResult:
    """One target: the lead units' values (units not leading the item are ignored) and its standing."""
    result = TargetResult(item, target, target_id, UNREPORTED, rows=[by_unit[u] for u in item.lead if u in by_unit])
    values = [a.achieved for a in result.reports]
    if not values:
        return result
    result.completed = max(values) if target.comparator == LIMIT else min(values)
    if target.comparator == LIMIT:
        _limit_standing(result)
    elif target.kind in RATE_KINDS:
        _rate_standing(result)
    else:
        _floor_standing(result, pace, tolerance)
    return result


def _rate_standing(result: TargetResult) -> None:
    value = result.target.value
    result.rate = result.completed / value if value else None
    if result.completed >= value:
        result.standing = MET
    else:
        result.standing = BEHIND
        result.serious = result.rate is not None and result.rate < 1 - SERIOUS_GAP


def _limit_standing(result: TargetResult) -> None:
    holds = result.completed <= result.target.value
    result.standing, result.serious = (MET, False) if holds else (BEHIND, True)


def _floor_standing(result: TargetResult, pace: float, tolerance: float) -> None:
    value = result.target.value
    result.rate = result.completed / value if value else None
    if result.completed >= value:
        result.standing = MET
    elif result.rate >= pace - tolerance / 100:
        result.standing = ON_PACE
    else:
        result.standing = BEHIND
        result.serious = pace - result.rate > SERIOUS_GAP


def count_standings(results: Iterable[TargetResult]) -> dict[str, int]:
    counts = {s: 0 for s in STANDINGS}
    for r in results:
        counts[r.standing] += 1
    return counts


def notes(result: TargetResult) -> str:
    """The 说明 of a target: no lead unit, co-leads' values, co-leads not reported, the leads' notes."""
    lines = []
    if not result.item.lead:
        lines.append("未明确牵头单位")
    unit = result.target.unit
    if len(result.reports) > 1:
        lines.append("各牵头单位填报：" + "；".join(f"{a.unit} {number_text(a.achieved)}{unit}" for a in result.reports))
    if result.reports and result.missing_leads:
        lines.append("牵头单位未填报：" + "、".join(result.missing_leads))
    texts = [(a.unit, a.note.strip()) for a in result.rows if a.note and a.note.strip()]
    lines += [f"{u}：{t}" if len(result.item.lead) > 1 else t for u, t in texts]
    return "\n".join(lines)


def sentence(results: list[TargetResult]) -> str:
    """量化指标 N 项：已达标 a 项，符合序时 b 项，落后序时 c 项（其中超出限值 k 项），未填报 d 项。"""
    counts = count_standings(results)
    over = sum(1 for r in results if r.is_limit and r.standing == BEHIND)
    parts = [f"{LABELS[s]} {counts[s]} 项" + (f"（其中超出限值 {over} 项）" if s == BEHIND and over else "")
             for s in STANDINGS]
    return f"量化指标 {len(results)} 项：{'，'.join(parts)}。"
