"""Target extraction: measured against hand-labelled items of the real notices, plus one row per pattern.

The labels in tests/fixtures/targets_labelled.json were written by reading the notices, before
the extractor; they follow the conventions in the docstring of ledger.plan.targets. A target is
found when an extracted (value, unit, comparator) equals a labelled one and one indicator
contains the other (spaces removed); each label matches at most one extracted target.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.plan.targets import extract_targets

from tests.conftest import report_metric  # noqa: E402

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "targets_labelled.json"
MIN_SCORE = 0.85


def _key(value, unit, comparator):
    return round(float(value), 6), unit, comparator


def _same_indicator(a: str, b: str) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return bool(a and b) and (a in b or b in a)


def _score_item(item: dict) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of one labelled item."""
    unmatched = list(item["targets"])
    tp = fp = 0
    for t in extract_targets(item["text"]):
        label = next((w for w in unmatched
                      if _key(w["value"], w["unit"], w["comparator"]) == _key(t.value, t.unit, t.comparator)
                      and _same_indicator(w["indicator"], t.indicator)), None)
        if label is None:
            fp += 1
        else:
            unmatched.remove(label)
            tp += 1
    return tp, fp, len(unmatched)


def test_fixture_covers_the_notices():
    items = json.loads(FIXTURE.read_text(encoding="utf-8"))
    files = {item["file"][:3] for item in items}
    assert len(items) >= 60
    assert sum(not item["targets"] for item in items) >= 10
    assert {"000", "001", "002", "003", "004"} <= files


def test_precision_and_recall_on_labelled_items():
    items = json.loads(FIXTURE.read_text(encoding="utf-8"))
    tp = fp = fn = 0
    for item in items:
        a, b, c = _score_item(item)
        tp, fp, fn = tp + a, fp + b, fn + c
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    report_metric(f"target extraction: precision {p:.1%}, recall {r:.1%} over {len(items)} hand-labelled items")
    assert p >= MIN_SCORE and r >= MIN_SCORE


# (text, [(indicator, value, unit, comparator, kind), ...])
CASES = {
    # comparators
    "以上": ("新增市级以上绿色工厂 3 家以上。", [("新增市级以上绿色工厂", 3, "家", "≥", "count")]),
    "不少于": ("建成人才公寓不少于 200 套。", [("人才公寓", 200, "套", "≥", "count")]),
    "突破": ("全年网络零售额突破 9 亿元。", [("网络零售额", 9, "亿元", "≥", "amount")]),
    "超过": ("智慧社区覆盖率超过 90%。", [("智慧社区覆盖率", 90, "%", "≥", "share")]),
    "达到": ("市级以上新型研发机构达到 5 家。", [("市级以上新型研发机构", 5, "家", "≥", "count")]),
    "达": ("规上工业企业研发机构建有率达35%。", [("规上工业企业研发机构建有率", 35, "%", "≥", "share")]),
    "力争": ("力争新增省级及以上重点人才工程专家 5 人。",
             [("新增省级及以上重点人才工程专家", 5, "人", "≥", "count")]),
    "力争 reaches the end of the sentence": (
        "力争年内新增瞪羚类企业 3 家，省级以上专精特新企业 10 家。",
        [("新增瞪羚类企业", 3, "家", "≥", "count"), ("省级以上专精特新企业", 10, "家", "≥", "count")]),
    "以内": ("年度新增建设用地 50 公顷以内。", [("年度新增建设用地", 50, "公顷", "≤", "amount")]),
    "之内": ("确保全县年度用水总量控制在21980万立方米之内。",
             [("年度用水总量", 21980, "万立方米", "≤", "amount")]),
    "以下": ("城镇调查失业率 5.5% 以下。", [("城镇调查失业率", 5.5, "%", "≤", "share")]),
    "控制在": ("城镇登记失业率控制在 3%。", [("城镇登记失业率", 3, "%", "≤", "share")]),
    "低于": ("万元地区生产总值用水量低于 20 立方米。",
             [("万元地区生产总值用水量", 20, "立方米", "≤", "amount")]),
    "不超过": ("年度新增债务不超过 5 亿元。", [("年度新增债务", 5, "亿元", "≤", "amount")]),
    "左右": ("新增省创新型中小企业10家左右。", [("新增省创新型中小企业", 10, "家", "≈", "count")]),
    "余": ("举办综合性赛事活动 80 余场。", [("综合性赛事活动", 80, "场", "≥", "count")]),
    "no comparator word": ("新增充电桩 480 个。", [("新增充电桩", 480, "个", "=", "count")]),
    "确保 is not a comparator": ("确保新增规上工业企业35家。", [("新增规上工业企业", 35, "家", "=", "count")]),
    "range gives its lower bound": ("培养1—2家企业纳入市级后备企业资源库。",
                                    [("企业纳入市级后备企业资源库", 1, "家", "≥", "count")]),
    # kinds
    "amount": ("完成年度投资 67 亿元以上。", [("年度投资", 67, "亿元", "≥", "amount")]),
    "amount of a measure": ("新增光伏建设容量 10 万千瓦以上。", [("新增光伏建设容量", 10, "万千瓦", "≥", "amount")]),
    "growth": ("力争本外币贷款余额增长 10% 以上。", [("本外币贷款余额", 10, "%", "≥", "growth")]),
    "growth in points": ("确保省级优质园占比提高 15 个百分点。", [("省级优质园占比", 15, "个百分点", "=", "growth")]),
    "share raised to a level": ("力争“四强”产业增加值占比提高到 51%。",
                                [("“四强”产业增加值占比", 51, "%", "≥", "share")]),
    "reduction": ("单位GDP能耗下降3.5%。", [("单位GDP能耗", 3.5, "%", "=", "reduction")]),
    # lists
    "paired 分别 with 、": ("高新技术企业、科技型中小企业分别达到 72 家、78 家。",
                           [("高新技术企业", 72, "家", "≥", "count"), ("科技型中小企业", 78, "家", "≥", "count")]),
    "paired 分别 reduction": (
        "万元地区生产总值用水量、万元工业增加值用水量分别较2020年下降26%、8.5%。",
        [("万元地区生产总值用水量", 26, "%", "=", "reduction"), ("万元工业增加值用水量", 8.5, "%", "=", "reduction")]),
    "paired with 和": ("高新技术企业和科技型中小企业数量分别达到70家和80家。",
                      [("高新技术企业", 70, "家", "≥", "count"), ("科技型中小企业数量", 80, "家", "≥", "count")]),
    "paired with a shared tail": (
        "新医药、新材料、智能装备、电子信息等产业产值分别达到180亿元、130亿元、20亿元、20亿元。",
        [("新医药产业产值", 180, "亿元", "≥", "amount"), ("新材料产业产值", 130, "亿元", "≥", "amount"),
         ("智能装备产业产值", 20, "亿元", "≥", "amount"), ("电子信息产业产值", 20, "亿元", "≥", "amount")]),
    "rate shared by a list": ("力争技术合同登记额、技术合同交易额同比增长10%。",
                              [("技术合同登记额", 10, "%", "≥", "growth"), ("技术合同交易额", 10, "%", "≥", "growth")]),
    "quoted shared rate": ("确保项目开工率、年度投资完成率“两个 100%”。",
                           [("项目开工率", 100, "%", "=", "share"), ("年度投资完成率", 100, "%", "=", "share")]),
    "count after a list is combined": ("省专精特新企业、省单项冠军10家左右。",
                                       [("省专精特新企业、省单项冠军", 10, "家", "≈", "count")]),
    "values each with its noun": ("力争新增5家市级创新平台、2家省级创新平台。",
                                  [("新增市级创新平台", 5, "家", "≥", "count"), ("省级创新平台", 2, "家", "≥", "count")]),
    "adjacent values of one indicator": ("改造老旧片区2个、1580户。",
                                         [("改造老旧片区", 2, "个", "=", "count"),
                                          ("改造老旧片区", 1580, "户", "=", "count")]),
    # indicators
    "noun after the unit keeps 新增": ("新增 2 家电商“双基地”企业。", [("新增电商“双基地”企业", 2, "家", "=", "count")]),
    "noun after the unit": ("完成 37 个行政村生活污水治理任务。",
                            [("行政村生活污水治理任务", 37, "个", "=", "count")]),
    "bare 占比 takes the previous indicator": (
        "推动数字经济核心产业增加值同比增长15%以上，占比达到1.2%。",
        [("数字经济核心产业增加值", 15, "%", "≥", "growth"), ("数字经济核心产业增加值占比", 1.2, "%", "≥", "share")]),
    "threshold inside the indicator": ("年内实施投资 500 万元以上技术改造项目 60 个左右。",
                                       [("投资500万元以上技术改造项目", 60, "个", "≈", "count")]),
    "Latin inside the indicator": ("新建5G基站200个。", [("新建5G基站", 200, "个", "=", "count")]),
    "voltage is a spec": ("开工 110 千伏电网项目 2 项。", [("110千伏电网项目", 2, "项", "=", "count")]),
    "（含5%） is not repeated": ("保障标准提高5%以上（含5%）。", [("保障标准", 5, "%", "≥", "growth")]),
    "full-width digits": ("新增充电桩４８０个。", [("新增充电桩", 480, "个", "=", "count")]),
}

NOT_TARGETS = {
    "year": "落实好 2024 年度土地征收成片开发方案。",
    "year range": "制定2023—2025年工作方案。",
    "year range in brackets": "深入推动《三年行动计划(2023—2025年)》重点任务落实落地。",
    "date": "2024 年 6 月 28 日印发。",
    "document number": "源政办字〔2023〕21号",
    "八抓20条 quoted": "严格落实省“八抓20条”创新举措。",
    "八抓20条": "落实安全生产八抓20条创新举措。",
    "3+4 quoted": "积极申办中职学校“3+4”教育试点。",
    "3+4": "探索中职3+4贯通培养模式。",
    "“103060”": "聚焦打造“103060”交通圈。",
    "“2132”招商": "深入实施“2132”招商攻坚行动。",
    "人才金政50条 quoted": "用活用好“人才金政50条”。",
    "人才金政50条": "用活用好人才金政50条。",
    "20条措施": "推进落实改善群众就医体验行动20条措施。",
    "十强产业": "聚焦“十强产业”和重大战略需求。",
    "五年二十万": "落实五年二十万大学生来淄创新创业计划。",
    "rank 第一": "进入全市第一方阵。",
    "rank 前10位": "综合排名保持全省前10位。",
    "rank 前 10 名": "综合排名进入全省前 10 名。",
    "rank 进5强": "确保综合排名全市进5强。",
    "ordinal 第四届": "承办第四届潍坊市职业技能大赛。",
    "ordinal 第 4 届": "举办第 4 届社区运动会。",
    "edition 2.0版本": "开发伴企通2.0版本。",
    "edition quoted": "开发“伴企通”2.0版本。",
    "PM2.5": "确保全县PM2.5浓度超额完成市定目标。",
    "MW rating": "实施华电 60MW 渔光互补、汇祥 100MW 渔农光一体等项目。",
    "measure of a project": "实施虹桥生物质热电联产和 3 万千瓦煤电机组项目。",
    "threshold with 的": "稳步提升村集体经济年收入超过 20 万元的行政村占比。",
    "size class 亿元级": "重新梳理确定 30 亿元级、50 亿元级龙头企业成长梯队名单。",
    "scope after 围绕": "围绕工业、农业、医疗 7 个重点领域，开展设备更新情况摸排。",
    "scope after 以…为": "以 1 家种业国家阵型企业和 12 家育种研发企业为核心，建设繁育基地。",
    "duration 15分钟": "完善城市社区 15 分钟健身圈。",
    "duration quoted": "打造“15分钟生活圈”。",
    "road number": "全力争取新105、新342国道规划建设。",
    "no number": "推进普惠金融与科技金融深度融合。",
    "empty": "",
}


def _as_tuples(text: str) -> list[tuple]:
    return [(t.indicator, t.value, t.unit, t.comparator, t.kind) for t in extract_targets(text)]


@pytest.mark.parametrize("text, expected", list(CASES.values()), ids=list(CASES))
def test_pattern(text, expected):
    assert _as_tuples(text) == [(i, float(v), u, c, k) for i, v, u, c, k in expected]


@pytest.mark.parametrize("text", list(NOT_TARGETS.values()), ids=list(NOT_TARGETS))
def test_not_a_target(text):
    assert extract_targets(text) == []


def test_source_is_the_span_read():
    text = "实施“四好农村路”工程，新改建农村道路 20 公里，路面状况改善 115 公里。"
    sources = [t.source for t in extract_targets(text)]
    assert sources == ["新改建农村道路 20 公里", "路面状况改善 115 公里"]


def test_source_keeps_full_width_digits():
    assert [t.source for t in extract_targets("新增充电桩４８０个。")] == ["新增充电桩４８０个"]


def test_sources_are_spans_of_the_labelled_texts():
    for item in json.loads(FIXTURE.read_text(encoding="utf-8")):
        for t in extract_targets(item["text"]):
            assert t.source and t.source in item["text"], (item["number"], t)
