"""The pure merge rules, table-driven."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ledger.report import merge
from ledger.report.merge import (BACK, FORWARD, NEW_DONE, NEW_LAG, UNREPORTED, Entry, MergedItem, change_kinds,
                                 compare, count_changes, count_statuses, extend_streaks, merge_item, merge_items, rank)


@dataclass
class Item:
    id: int
    lead: list[str]
    support: list[str] = field(default_factory=list)


def entry(unit: str, status: str | None, percent: int | None = None, item_id: int = 1, **text) -> Entry:
    return Entry(item_id, unit, status, percent, text.get("progress"), text.get("problems"), text.get("next_steps"))


def merged(status: str, percent: int | None = None, item_id: int = 1) -> MergedItem:
    return MergedItem(Item(item_id, ["甲"]), status, percent)


@pytest.mark.parametrize("lower, higher", [
    ("严重滞后", "滞后"), ("滞后", "未启动"), ("未启动", "序时推进"), ("序时推进", "超序时"), ("超序时", "已完成"),
    ("滞后", "自定义状态"), ("自定义状态", "超序时"),
])
def test_status_order(lower, higher):
    assert rank(lower) < rank(higher)


def test_custom_status_ranks_with_schedule():
    assert rank("正在论证") == rank("序时推进")


def test_single_lead_gives_its_status_and_percent():
    m = merge_item(Item(1, ["甲"], ["乙"]), {"甲": entry("甲", "序时推进", 60), "乙": entry("乙", "已完成", 100)})
    assert (m.status, m.percent, m.disagree, m.missing_leads) == ("序时推进", 60, False, [])
    assert [e.unit for e in m.supports] == ["乙"]


@pytest.mark.parametrize("statuses, expected", [
    (("序时推进", "滞后"), "滞后"),
    (("已完成", "超序时"), "超序时"),
    (("未启动", "严重滞后"), "严重滞后"),
    (("序时推进", "自定义状态"), "序时推进"),     # equal rank: the first lead's
    (("自定义状态", "序时推进"), "自定义状态"),
])
def test_co_leads_least_advanced_wins(statuses, expected):
    m = merge_item(Item(1, ["甲", "乙"]), {"甲": entry("甲", statuses[0], 70), "乙": entry("乙", statuses[1], 40)})
    assert m.status == expected
    assert m.percent == 40
    assert m.disagree
    assert merge.notes(m) == f"牵头单位报送状态不一致：甲 {statuses[0]}；乙 {statuses[1]}"


def test_lead_not_reported_is_unreported_even_with_support():
    m = merge_item(Item(1, ["甲"], ["乙"]), {"乙": entry("乙", "已完成", 100, progress="配合完成")})
    assert m.status == UNREPORTED and m.percent is None
    assert merge.support_progress(m) == "乙：配合完成"
    assert merge.notes(m) == ""


def test_support_never_overrides_lead():
    m = merge_item(Item(1, ["甲"], ["乙"]), {"甲": entry("甲", "已完成", 100), "乙": entry("乙", "严重滞后", 5)})
    assert m.status == "已完成"


def test_one_co_lead_missing_is_named():
    m = merge_item(Item(1, ["甲", "乙"]), {"乙": entry("乙", "序时推进", 50)})
    assert m.status == "序时推进"
    assert m.missing_leads == ["甲"]
    assert merge.notes(m) == "牵头单位未报送：甲"


def test_units_no_longer_assigned_are_ignored():
    m = merge_item(Item(1, ["甲"]), {"甲": entry("甲", "序时推进"), "丙": entry("丙", "严重滞后")})
    assert m.status == "序时推进" and m.supports == []


def test_item_without_lead_units():
    m = merge_item(Item(1, []), {})
    assert m.status == UNREPORTED
    assert merge.notes(m) == "未明确牵头单位"


def test_merge_items_keeps_plan_order_and_routes_entries():
    items = [Item(2, ["甲"]), Item(1, ["乙"])]
    result = merge_items(items, [entry("乙", "滞后", 10, item_id=1), entry("甲", "已完成", 100, item_id=2)])
    assert list(result) == [2, 1]
    assert [m.status for m in result.values()] == ["已完成", "滞后"]


@pytest.mark.parametrize("lead_texts, support_texts, expected", [
    ({"甲": "资金未到位"}, {}, "资金未到位"),
    ({"甲": "资金未到位"}, {"乙": "配合不足"}, "甲：资金未到位\n乙：配合不足"),
    ({"甲": None}, {"乙": "配合不足"}, "乙：配合不足"),
    ({"甲": "  "}, {"乙": None}, ""),
])
def test_problems_text(lead_texts, support_texts, expected):
    item = Item(1, list(lead_texts), list(support_texts))
    by_unit = {u: entry(u, "滞后", problems=t) for u, t in lead_texts.items()}
    by_unit.update({u: entry(u, "序时推进", problems=t) for u, t in support_texts.items()})
    assert merge.problems(merge_item(item, by_unit)) == expected


def test_co_lead_progress_is_prefixed():
    m = merge_item(Item(1, ["甲", "乙"]), {"甲": entry("甲", "序时推进", progress="甲做了"),
                                          "乙": entry("乙", "序时推进", progress="乙做了")})
    assert merge.lead_progress(m) == "甲：甲做了\n乙：乙做了"


def test_count_statuses_order_extras_and_unreported_last():
    ms = [merged("滞后"), merged(UNREPORTED), merged("论证中"), merged("滞后")]
    counts = count_statuses(ms, ["已完成", "滞后"])
    assert list(counts.items()) == [("已完成", 0), ("滞后", 2), ("论证中", 1), (UNREPORTED, 1)]


@pytest.mark.parametrize("before, now, kinds", [
    (("序时推进", 70), ("已完成", 100), [FORWARD, NEW_DONE]),
    (("序时推进", 50), ("滞后", 40), [BACK, NEW_LAG]),
    (("滞后", 20), ("严重滞后", 10), [BACK]),
    (("超序时", 75), ("超序时", 70), [BACK]),
    (("超序时", 70), ("超序时", 75), []),
    (("序时推进", 50), ("序时推进", None), []),
    ((UNREPORTED, None), ("滞后", 10), [NEW_LAG]),
    ((UNREPORTED, None), ("已完成", 100), [NEW_DONE]),
    (("滞后", 20), (UNREPORTED, None), []),
    (("已完成", 100), ("已完成", 100), []),
    (("滞后", 20), ("序时推进", 60), [FORWARD]),
])
def test_change_kinds(before, now, kinds):
    assert change_kinds(merged(*now), merged(*before)) == kinds


def test_compare_and_count_changes():
    current = {1: merged("已完成", 100, 1), 2: merged("滞后", 40, 2), 3: merged("序时推进", 50, 3)}
    previous = {1: merged("序时推进", 70, 1), 2: merged("序时推进", 50, 2)}
    changes = compare(current, previous)
    assert [(c.now.item.id, c.kinds) for c in changes] == [(1, [FORWARD, NEW_DONE]), (2, [BACK, NEW_LAG])]
    assert count_changes(changes) == {FORWARD: 1, BACK: 1, NEW_LAG: 1, NEW_DONE: 1}


def test_extend_streaks():
    streaks = {1: 1, 2: 1, 3: 1}
    alive = extend_streaks(streaks, {1, 2, 3}, {1: merged("滞后"), 2: merged("序时推进"), 3: merged("严重滞后")})
    assert alive == {1, 3}
    alive = extend_streaks(streaks, alive, {1: merged("严重滞后")})
    assert alive == {1} and streaks == {1: 3, 2: 1, 3: 2}
    assert merge.streak_label(3) == "连续滞后3个月" and merge.streak_label(1) == ""
