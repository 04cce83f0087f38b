"""Pure merge rules: units' reported rows into one status per plan item, and changes between periods.

Nothing here touches the database or a file; every function is a function of its arguments.

Statuses are compared by meaning (``ledger.statuses``), never by word. Order, least to most advanced
(used when co-leads disagree and to call a change a step forward or back): severely lagging <
lagging < not started < on pace < ahead < done; a word of the office's own with no meaning ranks
as on pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from ledger.statuses import DEFAULT_VOCABULARY, DONE, Vocabulary

UNREPORTED = "未报送"

FORWARD = "状态提升"
BACK = "状态后退"
NEW_LAG = "新增滞后"
NEW_DONE = "新完成"
CHANGE_KINDS = (FORWARD, BACK, NEW_LAG, NEW_DONE)


class Item(Protocol):
    """What the merge needs of a plan item (``ledger.store.plans.StoredItem`` has it)."""

    id: int
    lead: list[str]
    support: list[str]


@dataclass(slots=True)
class Entry:
    """One unit's reported row for a plan item of the current plan."""

    item_id: int
    unit: str
    status: str | None
    percent: int | None = None
    progress: str | None = None
    problems: str | None = None
    next_steps: str | None = None
    extra: dict[str, Any] | None = None      # the office columns' values, by column key


@dataclass
class MergedItem:
    """An item's status for a period, with the entries it was merged from."""

    item: Item
    status: str
    percent: int | None = None
    leads: list[Entry] = field(default_factory=list)
    supports: list[Entry] = field(default_factory=list)
    missing_leads: list[str] = field(default_factory=list)
    vocabulary: Vocabulary = field(default=DEFAULT_VOCABULARY, repr=False, compare=False)

    @property
    def meaning(self) -> str | None:
        return None if self.status == UNREPORTED else self.vocabulary.meaning(self.status)

    @property
    def lagging(self) -> bool:
        return self.status != UNREPORTED and self.vocabulary.lagging(self.status)

    @property
    def rank(self) -> int:
        return self.vocabulary.rank(self.status)

    @property
    def disagree(self) -> bool:
        """Co-leads reported different statuses."""
        return len({e.status for e in self.leads}) > 1


@dataclass
class Change:
    """How an item moved since the previous period."""

    now: MergedItem
    before: MergedItem
    kinds: list[str]


def rank(status: str | None, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> int:
    """Position of a status from least (0) to most advanced, by its meaning; a word of no meaning
    ranks as on pace."""
    return vocabulary.rank(status)


def merge_items(items: Iterable[Item], entries: Iterable[Entry],
                vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> dict[int, MergedItem]:
    """Every item's merged result, in the order of ``items``."""
    by_item: dict[int, dict[str, Entry]] = {}
    for e in entries:
        by_item.setdefault(e.item_id, {})[e.unit] = e
    return {item.id: merge_item(item, by_item.get(item.id, {}), vocabulary) for item in items}


def merge_item(item: Item, by_unit: dict[str, Entry], vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> MergedItem:
    """One item: the least advanced status of its reporting lead units, 未报送 if none reported.

    Units take the role the current plan gives them; entries of units no longer assigned to the
    item are ignored. Support entries are attached as text and never decide the status. Co-leads'
    completion percent is the lowest they reported.
    """
    leads = [by_unit[u] for u in item.lead if u in by_unit and by_unit[u].status]
    supports = [by_unit[u] for u in item.support if u in by_unit and u not in item.lead]
    reported = {e.unit for e in leads}
    missing = [u for u in item.lead if u not in reported]
    if not leads:
        return MergedItem(item, UNREPORTED, None, [], supports, missing, vocabulary)
    worst = min(leads, key=lambda e: vocabulary.rank(e.status))   # min keeps the first of equal rank
    percents = [e.percent for e in leads if e.percent is not None]
    return MergedItem(item, worst.status, min(percents) if percents else None, leads, supports, missing, vocabulary)


def count_statuses(merged: Iterable[MergedItem], statuses: Vocabulary | list[str]) -> dict[str, int]:
    """Items per status: the configured statuses in order, any others seen, then 未报送. A word
    of the same meaning as a configured status (stored before a rename) counts as that status."""
    vocabulary = statuses if isinstance(statuses, Vocabulary) else Vocabulary.of(statuses)
    counts = {s: 0 for s in vocabulary.words if s != UNREPORTED}
    unreported = 0
    for m in merged:
        if m.status == UNREPORTED:
            unreported += 1
        else:
            word = vocabulary.canonical(m.status)
            counts[word] = counts.get(word, 0) + 1
    counts[UNREPORTED] = unreported
    return counts


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def change_kinds(now: MergedItem, before: MergedItem) -> list[str]:
    """What moved: status rank up or down (a lower percent at the same rank is a step back),
    newly lagging, newly completed. Nothing is said of an item not reported this period."""
    if now.status == UNREPORTED:
        return []
    kinds = []
    if before.status != UNREPORTED:
        r_now, r_before = now.rank, before.rank
        if r_now > r_before:
            kinds.append(FORWARD)
        elif r_now < r_before or (_same(now, before) and _lower(now.percent, before.percent)):
            kinds.append(BACK)
    if now.lagging and not before.lagging:
        kinds.append(NEW_LAG)
    if now.meaning == DONE and before.meaning != DONE:
        kinds.append(NEW_DONE)
    return kinds


def _same(now: MergedItem, before: MergedItem) -> bool:
    """The same status: the same meaning, or the same word of no meaning."""
    return (now.meaning or now.status) == (before.meaning or before.status)


def _lower(now: int | None, before: int | None) -> bool:
    return now is not None and before is not None and now < before


def compare(current: dict[int, MergedItem], previous: dict[int, MergedItem]) -> list[Change]:
    """Items that changed since the previous period, in plan order."""
    changes = []
    for item_id, now in current.items():
        before = previous.get(item_id)
        kinds = change_kinds(now, before) if before else []
        if kinds:
            changes.append(Change(now, before, kinds))
    return changes


def count_changes(changes: Iterable[Change]) -> dict[str, int]:
    counts = {k: 0 for k in CHANGE_KINDS}
    for change in changes:
        for kind in change.kinds:
            counts[kind] += 1
    return counts


def extend_streaks(streaks: dict[int, int], alive: set[int], merged: dict[int, MergedItem]) -> set[int]:
    """Add one period to the lag streak of each item still lagging in ``merged``; return those."""
    still = {i for i in alive if i in merged and merged[i].lagging}
    for item_id in still:
        streaks[item_id] += 1
    return still


def office_value(m: MergedItem, key: str) -> Any:
    """An office column's value of the item: the lead's as typed (a number stays a number, 是/否 for
    yes/no) when it alone gave one; otherwise the leads' then the support units' values, one line
    each, prefixed with the unit (a support unit's value is reported too)."""
    def given(entries: list[Entry]) -> list[tuple[str, Any]]:
        values = [(e.unit, _shown((e.extra or {}).get(key))) for e in entries]
        return [(unit, v) for unit, v in values if v not in (None, "")]

    leads, supports = given(m.leads), given(m.supports)
    if len(leads) == 1 and not supports:
        return leads[0][1]
    return "\n".join(f"{unit}：{v}" for unit, v in leads + supports)


def _shown(value: Any) -> Any:
    return {True: "是", False: "否"}.get(value, value) if isinstance(value, bool) else value


def lead_progress(m: MergedItem) -> str:
    """The lead's progress text; co-leads' texts each prefixed with the unit."""
    return _text(m.leads, "progress", prefix=len(m.leads) > 1)


def support_progress(m: MergedItem) -> str:
    """Support units' progress, one line each, prefixed with the unit."""
    return _text(m.supports, "progress", prefix=True)


def problems(m: MergedItem) -> str:
    return _lead_then_support(m, "problems")


def next_steps(m: MergedItem) -> str:
    return _lead_then_support(m, "next_steps")


def _lead_then_support(m: MergedItem, key: str) -> str:
    """Leads' text then supports'; prefixed with units when a support unit, a co-lead or several speak."""
    prefix = len(m.leads) > 1 or any(_clean(getattr(e, key)) for e in m.supports)
    return _text(m.leads + m.supports, key, prefix=prefix)


def _text(entries: list[Entry], key: str, prefix: bool) -> str:
    parts = [(e.unit, text) for e in entries if (text := _clean(getattr(e, key)))]
    prefix = prefix or len(parts) > 1
    return "\n".join(f"{unit}：{text}" if prefix else text for unit, text in parts)


def _clean(value) -> str:
    return "" if value is None else str(value).strip()


def notes(m: MergedItem, streak: int = 0) -> str:
    """The 说明 of an item: co-lead disagreement, co-leads not reported, lag streak."""
    lines = []
    if not m.item.lead:
        lines.append("未明确牵头单位")
    if m.disagree:
        lines.append("牵头单位报送状态不一致：" + "；".join(f"{e.unit} {e.status}" for e in m.leads))
    if m.leads and m.missing_leads:
        lines.append("牵头单位未报送：" + "、".join(m.missing_leads))
    if streak >= 2:
        lines.append(streak_label(streak))
    return "\n".join(lines)


def streak_label(streak: int) -> str:
    return f"连续滞后{streak}个月" if streak >= 2 else ""
