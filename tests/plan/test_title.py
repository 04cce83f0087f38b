"""The plan's title and year, found above the body or in the cover letter."""

from __future__ import annotations

import pytest

from ledger.plan.parse import parse_plan
from ledger.plan.title import plan_title, plan_year


@pytest.mark.parametrize("lines, title", [
    (["当前位置：首页 >> 通知公告", "示范市2023年重点工作责任分解", "时间：2023-07-11 浏览次数：", "一、目标"],
     "示范市2023年重点工作责任分解"),                        # web chrome around the title
    (["示范县人民政府办公室", "2024年2月1日", "附件1", "示范县2024年重点任务分解表", "序号"],
     "示范县2024年重点任务分解表"),                          # an annex label above the title
    (["示范市人民政府关于2021年重点工作及责任分解的通知", "各县区人民政府：", "现将有关事项通知如下。", "一、目标"],
     "2021年重点工作及责任分解"),                            # only the notice's own subject
    (["示范县2024年工作要点", "2024年3月1日", "一、目标"], "示范县2024年工作要点"),   # a date under the title
])
def test_plan_title(lines, title):
    assert plan_title(lines, len(lines) - 1) == title


@pytest.mark.parametrize("title, text, year", [
    ("示范县2024年工作要点", "", 2024), ("示范县重点工作任务", "示政办字〔2022〕5号", 2022), ("工作要点", "", None),
])
def test_plan_year(title, text, year):
    assert plan_year(title, text) == year


def test_a_date_under_the_plan_title():
    plan = parse_plan("\n".join(["测试县2024年工作要点", "2024年3月1日", "一、创新驱动", "1. 培育力量。（县科技局负责）"]))
    assert (plan.title, len(plan.items)) == ("测试县2024年工作要点", 1)
