"""Part-path labels: one heading per line, written and read back exactly."""

from __future__ import annotations

import pytest

from ledger.plan.model import PlanItem, Section
from ledger.plan.parts import label, part_groups, part_label, path_text, read_label, read_path


@pytest.mark.parametrize("section, written", [
    (Section("一", "产业发展"), "一、产业发展"),
    (Section("（一）", "重点项目"), "（一）重点项目"),
    (Section("第二部分", "重点任务"), "第二部分重点任务"),
    (Section("3", "项目建设"), "3、项目建设"),
    (Section("十二", "民生保障"), "十二、民生保障"),
    (Section("", "产业发展（5项）"), "产业发展（5项）"),
    (Section("（二）", ""), "（二）"),
])
def test_a_heading_is_written_as_the_notice_writes_it_and_read_back(section, written):
    assert label(section) == written
    assert read_label(written) == section


def test_a_path_is_one_heading_per_line_and_reads_back_exactly():
    path = [Section("第一部分", "总体安排"), Section("一", "产业发展"), Section("（一）", "重点项目")]
    assert path_text(path) == "第一部分总体安排\n一、产业发展\n（一）重点项目"
    assert read_path(path_text(path)) == path
    assert read_path("  一、产业发展\r\n\n（一）重点项目 ") == path[1:]
    assert read_path("") == []


def test_the_short_label_tells_apart_the_same_title_under_two_parts():
    a = PlanItem("1", "甲", "甲。", "重点项目", "（一）", parents=[Section("一", "产业发展")])
    b = PlanItem("1", "乙", "乙。", "重点项目", "（一）", parents=[Section("二", "城乡建设")])
    assert (part_label(a), part_label(b)) == ("一（一）重点项目", "二（一）重点项目")
    assert part_label(PlanItem("1", "丙", "丙。", "加快推进新型工业化建设现代化产业体系", "三"), 8) == "三加快推进新型…"


def item(number: str, *path: tuple[str, str]) -> PlanItem:
    *parents, (sec_number, sec_title) = path or [("", "")]
    return PlanItem(number, number, number, sec_title, sec_number, parents=[Section(*p) for p in parents])


def grouped(items):
    return [((part.number, part.title), [i.number for i in members]) for part, members in part_groups(items)]


def test_items_group_by_their_top_part():
    items = [item("1", ("一", "产业发展"), ("（一）", "重点项目")), item("2", ("一", "产业发展"), ("（二）", "招商引资")),
             item("3", ("二", "城乡建设"), ("（一）", "重点项目")), item("4", ("一", "产业发展"), ("（一）", "重点项目"))]
    assert grouped(items) == [(("一", "产业发展"), ["1", "2", "4"]), (("二", "城乡建设"), ["3"])]


def test_under_one_top_part_the_items_group_where_they_divide():
    """A narrative plan: every task under 三、主要任务, grouped by its （一）（二） paragraphs; the same
    title under two parts stays two groups."""
    items = [item("一是", ("三", "主要任务"), ("（一）", "稳增长")), item("二是", ("三", "主要任务"), ("（一）", "稳增长")),
             item("一是", ("三", "主要任务"), ("（二）", "惠民生"))]
    assert grouped(items) == [(("（一）", "稳增长"), ["一是", "二是"]), (("（二）", "惠民生"), ["一是"])]
    twice = [item("1", ("一", "甲"), ("（一）", "重点项目")), item("2", ("二", "乙"), ("（一）", "重点项目"))]
    assert [members for _, members in part_groups(twice)] == [[twice[0]], [twice[1]]]


def test_items_without_a_heading_form_one_group():
    assert grouped([item("1"), item("2")]) == [(("", ""), ["1", "2"])]
    assert grouped([]) == []
