"""Part-path labels: one heading per line, written and read back exactly."""

from __future__ import annotations

import pytest

from ledger.plan.model import PlanItem, Section
from ledger.plan.parts import label, part_label, path_text, read_label, read_path


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
