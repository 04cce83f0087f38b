"""What a new plan version changes: items added, removed, renumbered, retitled, units changed per item,
units left without tasks, targets gained and lost. Items are matched by identity, never by number.

Pure: the caller gives each new item's identity (the review workbook's hidden column, or the store's
match for a notice imported again); the previous items carry theirs (``PlanItem.identity``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.plan.model import PlanItem


@dataclass
class PlanDiff:
    previous_version: int
    added: list[str] = field(default_factory=list)                 # "二3 养老F"
    removed: list[str] = field(default_factory=list)
    renumbered: list[tuple[str, str, str]] = field(default_factory=list)   # (title, old label, new label)
    retitled: list[tuple[str, str, str]] = field(default_factory=list)     # (label, old title, new title)
    units_changed: list[dict[str, Any]] = field(default_factory=list)      # per item: lead/support before, after
    units_without_tasks: list[str] = field(default_factory=list)
    units_renamed: dict[str, str] = field(default_factory=dict)            # old name -> new ([units.aliases])
    targets_gained: list[tuple[str, str]] = field(default_factory=list)    # (item label, indicator)
    targets_lost: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.renumbered, self.retitled, self.units_changed,
                        self.units_without_tasks, self.units_renamed, self.targets_gained, self.targets_lost))

    def to_dict(self) -> dict[str, Any]:
        return {"previous_version": self.previous_version, "added": self.added, "removed": self.removed,
                "renumbered": [{"title": t, "from": a, "to": b} for t, a, b in self.renumbered],
                "retitled": [{"item": n, "from": a, "to": b} for n, a, b in self.retitled],
                "units_changed": self.units_changed, "units_without_tasks": self.units_without_tasks,
                "units_renamed": [{"from": a, "to": b} for a, b in self.units_renamed.items()],
                "targets_gained": [{"item": n, "indicator": i} for n, i in self.targets_gained],
                "targets_lost": [{"item": n, "indicator": i} for n, i in self.targets_lost]}

    def counts_text(self) -> str:
        """One sentence for the report and the 通报: 新增任务 1 项，删除 1 项，……"""
        parts = [(self.added, "新增任务"), (self.removed, "删除任务"), (self.renumbered, "调整编号"),
                 (self.retitled, "修改名称"), (self.units_changed, "调整责任单位"),
                 (self.targets_gained, "新增指标"), (self.targets_lost, "删除指标")]
        text = "，".join(f"{word} {len(items)} 项" for items, word in parts if items)
        if self.units_renamed:
            text += ("；" if text else "") + "、".join(f"{a}并入{b}" for a, b in self.units_renamed.items())
        if self.units_without_tasks:
            text += f"；{'、'.join(self.units_without_tasks)}不再承担任务"
        return text or "内容未变"

    def lines(self) -> list[str]:
        """What changed, one line each, for ``plan load`` and ``plan import``."""
        out = [f"新增任务：{x}" for x in self.added]
        out += [f"删除任务：{x}" for x in self.removed]
        out += [f"调整编号：{t}（{a} → {b}）" for t, a, b in self.renumbered]
        out += [f"修改名称：{n}“{a}” → “{b}”" for n, a, b in self.retitled]
        for c in self.units_changed:
            moves = [f"{word} {'、'.join(c[k + '_before']) or '无'} → {'、'.join(c[k + '_after']) or '无'}"
                     for k, word in (("lead", "牵头"), ("support", "配合")) if c[k + "_before"] != c[k + "_after"]]
            out.append(f"调整责任单位：{c['item']}（{'；'.join(moves)}）")
        out += [f"单位更名或合并：{a} → {b}（历史报送随之转入）" for a, b in self.units_renamed.items()]
        out += [f"不再承担任务的单位：{u}" for u in self.units_without_tasks]
        out += [f"新增指标：{n} {i}" for n, i in self.targets_gained]
        out += [f"删除指标：{n} {i}" for n, i in self.targets_lost]
        return out


def plan_diff(previous: list[PlanItem], items: list[PlanItem], identities: list[int | None],
              previous_version: int, renamed: dict[str, str] | None = None) -> PlanDiff:
    """The changes from ``previous`` to ``items`` (``identities[n]`` of ``items[n]``; None: new).
    ``renamed`` (old unit -> new) are renames and merges: an item whose units changed by them alone
    is not listed, and the old names are not “left without tasks”."""
    renamed = renamed or {}
    previous_units = {u for p in previous for u in p.units}
    diff = PlanDiff(previous_version, units_renamed={a: b for a, b in renamed.items() if a in previous_units})
    before = {p.identity: p for p in previous}
    old_label = new_label = label
    kept = set()
    for item, identity in zip(items, identities):
        old = before.get(identity) if identity is not None else None
        if old is None:
            diff.added.append(f"{new_label(item)} {item.title}")
            diff.targets_gained += [(new_label(item), t.indicator) for t in item.targets]
            continue
        kept.add(identity)
        _compare(diff, old, item, old_label(old), new_label(item), diff.units_renamed)
    diff.removed = [f"{old_label(p)} {p.title}" for p in previous if p.identity not in kept]
    diff.targets_lost += [(old_label(p), t.indicator) for p in previous if p.identity not in kept for t in p.targets]
    still = {u for item in items for u in item.units}
    diff.units_without_tasks = [u for u in dict.fromkeys(u for p in previous for u in p.units)
                                if u not in still and u not in diff.units_renamed]
    return diff


def _compare(diff: PlanDiff, old: PlanItem, new: PlanItem, old_label: str, new_label: str,
             renamed: dict[str, str]) -> None:
    if old_label != new_label:
        diff.renumbered.append((new.title, old_label, new_label))
    if old.title != new.title:
        diff.retitled.append((new_label, old.title, new.title))
    lead, support = _renamed(old.lead, renamed), _renamed(_support(old), renamed)
    if lead != new.lead or [u for u in support if u not in lead] != _support(new):
        diff.units_changed.append({"item": f"{new_label} {new.title}", "lead_before": list(old.lead),
                                   "lead_after": list(new.lead), "support_before": _support(old),
                                   "support_after": _support(new)})
    had, has = {t.indicator for t in old.targets}, {t.indicator for t in new.targets}
    diff.targets_gained += [(new_label, t.indicator) for t in new.targets if t.indicator not in had]
    diff.targets_lost += [(old_label, t.indicator) for t in old.targets if t.indicator not in has]


def _support(item: PlanItem) -> list[str]:
    return [u for u in item.support if u not in item.lead]


def _renamed(names: list[str], renamed: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(renamed.get(u, u) for u in names))


def label(item: PlanItem) -> str:
    """An item's label: its parts' numerals and its number (一（二）3), the same in both versions."""
    return f"{item.path_numbers}{item.number}"
