"""Deadlines: the 完成时限 text as written → the date it gives (or none)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.plan.deadlines import deadline_date, find_deadline
from ledger.plan.parse import parse_plan

PLAN_YEAR = 2024


@pytest.mark.parametrize("text, expected", [
    ("2024年6月底", date(2024, 6, 30)),
    ("2024年2月底前", date(2024, 2, 29)),              # a leap year's February
    ("2021年12月31日", date(2021, 12, 31)),
    ("2024年10月前完成", date(2024, 10, 31)),
    ("10月底", date(2024, 10, 31)),                    # the plan's year
    ("十二月底前", date(2024, 12, 31)),
    ("二〇二五年三月", date(2025, 3, 31)),
    ("9月15日前", date(2024, 9, 15)),
    ("6月中旬", date(2024, 6, 20)),
    ("年底前", date(2024, 12, 31)),
    ("年内", date(2024, 12, 31)),
    ("2025年底", date(2025, 12, 31)),
    ("2025年", date(2025, 12, 31)),
    ("三季度末", date(2024, 9, 30)),
    ("第一季度", date(2024, 3, 31)),
    ("上半年", date(2024, 6, 30)),
    ("下半年", date(2024, 12, 31)),
    ("6月底前完成方案，12月底前全面完成", date(2024, 12, 31)),   # the last step is the deadline
    ("２０２４年８月", date(2024, 8, 31)),            # full-width digits
    ("2024-06-30", date(2024, 6, 30)),               # a date cell of an Excel table
    ("2024-06-30 00:00:00", date(2024, 6, 30)),
    ("2024.9", date(2024, 9, 30)),
    ("2024/11/15", date(2024, 11, 15)),
    ("持续推进", None),
    ("全年", None),
    ("长期坚持", None),
    ("每月25日前报送", None),
    ("", None),
])
def test_deadline_date(text, expected):
    assert deadline_date(text, PLAN_YEAR) == expected


def test_without_a_plan_year_only_written_years_give_dates():
    assert deadline_date("年底前", None) is None
    assert deadline_date("2024年6月底", None) == date(2024, 6, 30)


@pytest.mark.parametrize("text, clause", [
    ("实施重点项目100个，2024年10月前完成。", "2024年10月前完成"),
    ("出台实施方案，6月底前出台，年底前全面完成。", "年底前全面完成"),
    ("到2025年底，实现全覆盖。", ""),                 # a target year, not a deadline clause
    ("完成投资6.5亿元。", ""),
])
def test_find_deadline_in_an_item(text, clause):
    assert find_deadline(text) == clause


# A period without 前 inside the text (issue 10): a deadline when what it completes has no figure.
@pytest.mark.parametrize("text, clause, expected", [
    ("推进产业园建设，年内完成。", "年内完成", date(2024, 12, 31)),
    ("力争年内建成投用。", "年内建成", date(2024, 12, 31)),
    ("实施老旧小区改造，年底前完成。", "年底前完成", date(2024, 12, 31)),
    ("改造雨污管网，上半年完成主体工程。", "上半年完成", date(2024, 6, 30)),
    ("启动学校扩建，一季度开工建设。", "一季度开工", date(2024, 3, 31)),
    ("编制专项规划，1季度内完成。", "1季度内完成", date(2024, 3, 31)),
    ("新建污水处理厂，6月底建成。", "6月底建成", date(2024, 6, 30)),
    ("推进集中供热，年内完成一期主体工程。", "年内完成", date(2024, 12, 31)),
    ("一季度完成招标，三季度完成主体。", "三季度完成", date(2024, 9, 30)),     # the last step: the deadline
    ("上半年实现开工，年内基本建成。", "年内基本建成", date(2024, 12, 31)),
])
def test_a_period_in_the_text_gives_the_deadline(text, clause, expected):
    assert find_deadline(text) == clause
    assert deadline_date(clause, PLAN_YEAR) == expected


@pytest.mark.parametrize("text", [
    "年内新增规上工业企业10家以上。",          # a target: 新增 completes nothing
    "年内完成投资5亿元。",                    # what is completed is a figure: a target
    "年内完成三个片区改造。",
    "年内实现营业收入增长10%。",
    "1-6月完成投资3亿元。",                  # a range of months, not a deadline
    "全年完成造林1万亩。",
    "到年底，项目完工率达到90%。",
    "持续推进营商环境建设，年内常态化开展督查。",
])
def test_a_target_with_a_period_is_not_a_deadline(text):
    assert find_deadline(text) == ""


def test_a_labelled_deadline_wins_over_a_period_in_the_text():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务", "一、城乡建设",
        "1.改造老旧小区，上半年完成主体工程。（县住建局负责）", "完成时限：2024年10月底",
        "2.建设污水处理厂，年内建成。（县水利局负责）",
        "3.年内新增停车位500个。（县交通运输局负责）"]))
    assert [(i.deadline_text, i.deadline) for i in plan.items] == [
        ("2024年10月底", date(2024, 10, 31)), ("年内建成", date(2024, 12, 31)), ("", None)]


def test_item_deadlines_from_a_labelled_line_a_bracket_and_a_clause():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务", "一、科技创新",
        "1.建设实验室。（县科技局负责）", "完成时限：2024年6月底",
        "2.引进人才。【责任单位：县人社局】【时限要求：年底前】",
        "3.改造产业，三季度末前完成。（县工信局负责）",
        "4.优化服务。（县政务服务中心负责）", "时间节点：持续推进"]))
    assert [(i.deadline_text, i.deadline) for i in plan.items] == [
        ("2024年6月底", date(2024, 6, 30)), ("年底前", date(2024, 12, 31)),
        ("三季度末前完成", date(2024, 9, 30)), ("持续推进", None)]
    assert plan.items[0].text == "建设实验室。"
