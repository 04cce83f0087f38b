"""Parsing notices into items: annotation formats, outline styles, clean-up, and the real notices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger.errors import PlanImportError
from ledger.plan.parse import parse_plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
SHARED_PLANS = Path(__file__).resolve().parents[2].parent / "shared" / "plans"

HEADING = "一、深入实施创新驱动发展战略"


def notice(*body: str) -> str:
    """A minimal notice: title, one part heading, then the given lines."""
    return "\n\n".join(["测试县2024年工作要点", HEADING, *body])


def only_item(text: str):
    plan = parse_plan(text)
    assert len(plan.items) == 1, [i.number for i in plan.items]
    return plan.items[0]


def cn(n: int) -> str:
    """Chinese numeral for 1..99, as notices write them."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


# --- annotation formats ----------------------------------------------------------------------

ANNOTATIONS = [
    # id, item as written, title, text, lead, support, leaders
    ("co-responsible 负责",
     "1. 培育战略科技力量。搭建合作平台。（县发展改革局、县科技局负责）",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县发展改革局", "县科技局"], [], []),
    ("牵头单位 and 参与单位 before the final 。",
     "1. 高质量建设实验室体系。加快推进重点实验室建设（牵头单位：市科技局，参与单位：市工信局、市财政局）。",
     "高质量建设实验室体系", "高质量建设实验室体系。加快推进重点实验室建设。",
     ["市科技局"], ["市工信局", "市财政局"], []),
    ("half-width 牵头 and 等部门配合",
     "1.加快高能级创新平台建设。布局建设创新平台。(县科技局牵头,县发展改革局、县财政局等部门配合)",
     "加快高能级创新平台建设", "加快高能级创新平台建设。布局建设创新平台。",
     ["县科技局"], ["县发展改革局", "县财政局"], []),
    ("several lead units after 牵头单位",
     "（一）搭建创新平台。强化企业创新主体地位。（牵头单位：县科技局、县工业和信息化局）",
     "搭建创新平台", "搭建创新平台。强化企业创新主体地位。", ["县科技局", "县工业和信息化局"], [], []),
    ("half-width single 负责",
     "1.加强关键核心技术攻关。实施攻关行动。(县科技局负责)",
     "加强关键核心技术攻关", "加强关键核心技术攻关。实施攻关行动。", ["县科技局"], [], []),
    ("units without 负责",
     "1. 稳定城乡居民就业。强化就业优先导向。（县委社会工作部、县残联、县税务局）",
     "稳定城乡居民就业", "稳定城乡居民就业。强化就业优先导向。",
     ["县委社会工作部", "县残联", "县税务局"], [], []),
    ("annotation broken by a page break",
     "1. 大力推进双招双引。组织专题招商活动（牵\n\n头单位：市商务局、市投促中心）。",
     "大力推进双招双引", "大力推进双招双引。组织专题招商活动。", ["市商务局", "市投促中心"], [], []),
    ("full-width open, half-width close, page break inside",
     "1. 推动化石能源低碳高效利用。提升供暖保障能力。（县发展改革局、\n\n县住房城乡建设局负责)",
     "推动化石能源低碳高效利用", "推动化石能源低碳高效利用。提升供暖保障能力。",
     ["县发展改革局", "县住房城乡建设局"], [], []),
    ("unit name containing 牵头",
     "1.持续壮大产业链群。深入实施链长制。(县工业和信息化局牵头,县发展改革局、县有关产业专班牵头部门等配合)",
     "持续壮大产业链群", "持续壮大产业链群。深入实施链长制。",
     ["县工业和信息化局"], ["县发展改革局", "县有关产业专班牵头部门"], []),
    ("牵头负责",
     "1.加快对外开放平台建设。推介开发区招商项目。(县商务局、经济开发区牵头负责)",
     "加快对外开放平台建设", "加快对外开放平台建设。推介开发区招商项目。", ["县商务局", "经济开发区"], [], []),
    ("牵头单位 and 配合单位 on their own lines",
     "1. 培育战略科技力量。搭建合作平台。\n牵头单位：县科技局\n配合单位：县财政局、县发展改革局",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局"], ["县财政局", "县发展改革局"], []),
    ("责任单位 on its own line: all lead, first consolidates",
     "1. 培育战略科技力量。搭建合作平台。\n\n责任单位：县科技局、县财政局",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局", "县财政局"], [], []),
    ("责任单位 line broken by a page break",
     "1. 培育战略科技力量。搭建合作平台。\n责任单位：县科技局、\n\n县财政局",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局", "县财政局"], [], []),
    ("square brackets",
     "1. 培育战略科技力量。搭建合作平台。[责任单位：县科技局、县财政局]",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局", "县财政局"], [], []),
    ("【】 brackets with a leader",
     "1. 培育战略科技力量。搭建合作平台。【责任单位：县科技局】【责任领导：张三】",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局"], [], ["张三"]),
    ("【】 groups on their own line",
     "1. 培育战略科技力量。搭建合作平台。\n【责任单位：县科技局、各镇（街道）】【责任领导：张三】",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局", "各镇（街道）"], [], ["张三"]),
    ("责任领导 on its own line",
     "1. 培育战略科技力量。搭建合作平台。（县科技局负责）\n责任领导：张三、李四",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局"], [], ["张三", "李四"]),
    ("unbracketed 责任单位 after the last sentence",
     "1. 培育战略科技力量。搭建合作平台。责任单位：县科技局、县财政局",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局", "县财政局"], [], []),
    ("all roles in one bracket",
     "1. 培育战略科技力量。搭建合作平台。（牵头单位：县科技局；配合单位：县财政局；责任领导：王五）",
     "培育战略科技力量", "培育战略科技力量。搭建合作平台。", ["县科技局"], ["县财政局"], ["王五"]),
    ("no annotation (组织实施)",
     "1. 强化组织推进。压实各方责任。",
     "强化组织推进", "强化组织推进。压实各方责任。", [], [], []),
]


@pytest.mark.parametrize("written, title, text, lead, support, leaders",
                         [row[1:] for row in ANNOTATIONS], ids=[row[0] for row in ANNOTATIONS])
def test_annotation_formats(written, title, text, lead, support, leaders):
    item = only_item(notice(written))
    assert (item.title, item.text) == (title, text)
    assert (item.lead, item.support, item.leaders) == (lead, support, leaders)
    assert item.section == "深入实施创新驱动发展战略" and item.section_number == "一"


TEXT_PARENTHESES = [
    ("policy title at the end",
     "1. 落实行动计划。推动《三年行动计划（2023—2025年）》重点任务落实。",
     "落实行动计划。推动《三年行动计划（2023—2025年）》重点任务落实。", []),
    ("trailing parenthesis that names no unit",
     "1. 建设特色专业。推进省级特色化专业（植物保护专业）",
     "建设特色专业。推进省级特色化专业（植物保护专业）", []),
    ("count qualifier at the end",
     "1. 开展促消费活动。全年开展促消费活动30场（次）",
     "开展促消费活动。全年开展促消费活动30场（次）", []),
    ("policy title inside, units at the end",
     "1. 规范化工园区。按照《化工园区扩区管理办法（试行）》推进扩区。（县工业和信息化局负责）",
     "规范化工园区。按照《化工园区扩区管理办法（试行）》推进扩区。", ["县工业和信息化局"]),
]


@pytest.mark.parametrize("written, text, lead", [row[1:] for row in TEXT_PARENTHESES],
                         ids=[row[0] for row in TEXT_PARENTHESES])
def test_parentheses_in_the_text_are_not_units(written, text, lead):
    item = only_item(notice(written))
    assert item.text == text
    assert item.lead == lead and item.support == []


# --- outline ---------------------------------------------------------------------------------

def test_arabic_numbering_styles():
    plan = parse_plan(notice("1. 第一项任务。内容。", "2、第二项任务。内容。", "3.第三项任务。内容。",
                             "4．第四项任务。内容。"))
    assert [(i.number, i.title) for i in plan.items] == [
        ("1", "第一项任务"), ("2", "第二项任务"), ("3", "第三项任务"), ("4", "第四项任务")]


def test_chinese_numbering_runs_across_parts():
    body = ["测试县2023年重点工作任务"]
    for n in range(1, 79):
        if n % 10 == 1:
            body.append(f"{cn(n // 10 + 1)}、第{n // 10 + 1}部分")
        body.append(f"（{cn(n)}）任务{n}。内容{n}。（牵头单位：县科技局）")
    plan = parse_plan("\n\n".join(body))
    assert [i.number for i in plan.items] == [f"（{cn(n)}）" for n in range(1, 79)]
    assert plan.items[-1].number == "（七十八）" and plan.items[-1].title == "任务78"
    assert plan.items[10].section == "第2部分" and plan.items[10].section_number == "二"
    assert [s.number for s in plan.sections] == ["一", "二", "三", "四", "五", "六", "七", "八"]


def test_markdown_headings_and_rules_are_cleaned():
    plan = parse_plan("\n".join([
        "# 测试市2023年重点工作任务", "## 一、加快建设创新型城市", "1.任务一。内容。（牵头单位：市科技局）",
        "### 二、纵深推进新旧动能转换", "2.任务二。内容。（牵头单位：市工信局）",
        "#### **三、统筹推进降碳减污扩绿**", "3.任务三。内容。（牵头单位：市住建局）",
        "## **四、组织实施**", "4.任务四。内容。", "---"]))
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "加快建设创新型城市"), ("二", "纵深推进新旧动能转换"), ("三", "统筹推进降碳减污扩绿"),
        ("四", "组织实施")]
    assert plan.title == "测试市2023年重点工作任务"
    assert [i.section for i in plan.items] == [s.title for s in plan.sections]


def test_page_breaks_are_rejoined_without_stray_spaces():
    item = only_item(notice("1. 加强科技创新型培育。壮大县域科技型\n\n企业群体，分别达到 72 家、78 家，"
                            "建设 Smart\nCity 平台和 5G 基站。（县科技局负责）"))
    assert item.text == "加强科技创新型培育。壮大县域科技型企业群体，分别达到72家、78家，建设Smart City平台和5G基站。"


def test_markdown_line_breaks_inside_an_item():
    item = only_item(notice("1.大力建设新型信息基础设施。推动数字基础设施建设工  \n作，到 2023 年底，实现 5G  \n"
                            "基站突破 1235 个(牵头单位：市工信局)。"))
    assert item.text == "大力建设新型信息基础设施。推动数字基础设施建设工作，到2023年底，实现5G基站突破1235个。"
    assert (item.number, item.lead) == ("1", ["市工信局"])


def test_trailer_after_the_last_item_belongs_to_no_item():
    plan = parse_plan(notice("1. 强化组织推进。压实各方责任。", "2. 强化督导落实。对工作推进不力的予以通报批评。",
                             "---", "测试县人民政府办公室", "2024年6月28日印发", "---",
                             "抄送：县委各部门，县人大常委会办公室。"))
    assert [i.text for i in plan.items] == ["强化组织推进。压实各方责任。", "强化督导落实。对工作推进不力的予以通报批评。"]


def test_copy_to_line_ends_the_body():
    plan = parse_plan(notice("（一）强化督导检查。依法依纪追责问责。", "抄送：县委各部门，县法院，县检察院。"))
    assert plan.items[-1].text == "强化督导检查。依法依纪追责问责。"


def test_numbers_in_the_cover_letter_are_not_items():
    plan = parse_plan("\n".join([
        "测试县人民政府办公室关于印发测试县2024年工作要点的通知", "各镇人民政府，县政府各部门：",
        "《测试县2024年工作要点》已经县政府同意，现印发给你们，请注意：", "1. 认真抓好落实。", "2. 及时报送进展。",
        "测试县人民政府办公室", "2024年6月28日", "（此件公开发布）", "测试县2024年工作要点",
        "为贯彻落实（2023—2025年）有关要求，制定如下要点。", "一、创新驱动",
        "1. 培育力量。搭建平台。（县科技局负责）", "2. 攻关技术。开展攻关。（县工信局负责）"]))
    assert [(i.number, i.title, i.lead) for i in plan.items] == [
        ("1", "培育力量", ["县科技局"]), ("2", "攻关技术", ["县工信局"])]
    assert plan.title == "测试县2024年工作要点"


def test_three_level_outline_takes_the_numbered_tasks_under_sub_headings():
    plan = parse_plan("\n".join([
        "测试县2024年工作要点", "一、创新驱动", "（一）加快建设创新平台",
        "1. 培育力量。搭建平台。（县科技局负责）", "2. 攻关技术。开展攻关。（县工信局负责）",
        "（二）加快人才集聚", "3. 引进人才。新引进人才。（县委组织部负责）"]))
    assert [(i.number, i.section_number, i.section, i.lead) for i in plan.items] == [
        ("1", "（一）", "加快建设创新平台", ["县科技局"]), ("2", "（一）", "加快建设创新平台", ["县工信局"]),
        ("3", "（二）", "加快人才集聚", ["县委组织部"])]


def test_numbered_sub_points_stay_inside_their_item():
    plan = parse_plan("\n".join([
        "测试县2024年重点任务", "一、创新驱动", "（一）培育力量。主要做好以下工作：", "1. 搭建平台；",
        "2. 开展攻关。（县科技局、县工信局负责）", "（二）引进人才。新引进人才。（县委组织部负责）"]))
    assert [(i.number, i.lead) for i in plan.items] == [("（一）", ["县科技局", "县工信局"]),
                                                        ("（二）", ["县委组织部"])]
    assert plan.items[0].text == "培育力量。主要做好以下工作：1.搭建平台；2.开展攻关。"


def test_no_items_message_says_what_was_looked_for_found_and_what_to_do():
    with pytest.raises(PlanImportError) as raised:
        parse_plan("测试县2024年工作要点\n\n为贯彻落实有关要求，特制定本要点。\n\n坚持稳中求进。")
    message = str(raised.value)
    assert "“1.”" in message and "任务分解表" in message and "一是" in message     # looked for
    assert "3 行文字" in message                                                   # found
    assert "计划分解表" in message and "ledger plan load" in message               # what to do


def test_notes_for_the_office_with_line_numbers_and_snippets():
    plan = parse_plan("\n".join([
        "测试县2024年工作要点", "一、创新驱动", "1. 培育力量。搭建平台。（县科技局负责）",
        "2. 强化组织推进。压实各方责任。", "3. 引进人才。", "责任单位：县人社局、张某、县教体局"]))
    assert [(n.code, n.line, n.item) for n in plan.notes] == [
        ("no_lead", 4, "2"), ("maybe_person", 6, "3")]
    no_lead = plan.notes[0]
    assert no_lead.snippet == "2.强化组织推进。压实各方责任。" and "牵头单位" in no_lead.message


def test_no_items_raises_a_chinese_message():
    with pytest.raises(PlanImportError, match="^未能从通知中识别出任何任务："):
        parse_plan("测试县2024年工作要点\n\n为贯彻落实有关要求，特制定本要点。\n\n一、总体要求\n\n坚持稳中求进。")
    with pytest.raises(PlanImportError, match="^未能从通知中识别出任何任务："):
        parse_plan("")


# --- narrative plans -------------------------------------------------------------------------

NARRATIVE = "\n".join([
    "测试县人民政府关于印发测试县2024年国民经济和社会发展计划的通知",
    "《测试县2024年国民经济和社会发展计划》经县人民代表大会批准，现印发给你们。",
    "测试县2024年国民经济和社会发展计划",
    "一、2023年国民经济和社会发展计划执行情况",
    "（一）深化动能转换，取得新成效。一是项目建设卓有成效。完成投资71亿元。二是园区平台蝶变升级。完成扩区。",
    "二、2024年经济社会发展的总体要求和预期目标",
    "地区生产总值增长6%左右。",
    "三、2024年经济社会发展的重点任务和主要措施",
    "（一）聚焦现代产业体系，厚植强劲发展动能。一是提升改造传统产业。实施技改项目40个以上。"
    "二是培育壮大优势集群。开发“伴企通”2.0版本；三是推动企业创新转型。新增企业17家。",
    "（二）聚焦民生服务保障，共享幸福美好生活。一是大力发展社会事业。改建12所幼儿园。二是完善社会保障体系。",
])


def test_narrative_plan_yields_the_task_clauses_of_the_task_part():
    plan = parse_plan(NARRATIVE)
    assert [(i.number, i.title, i.section_number) for i in plan.items] == [
        ("一是", "提升改造传统产业", "（一）"), ("二是", "培育壮大优势集群", "（一）"),
        ("三是", "推动企业创新转型", "（一）"), ("一是", "大力发展社会事业", "（二）"),
        ("二是", "完善社会保障体系", "（二）")]
    first = plan.items[0]
    assert first.section == "聚焦现代产业体系，厚植强劲发展动能"
    assert first.text == "提升改造传统产业。实施技改项目40个以上。"
    assert plan.items[1].text == "培育壮大优势集群。开发“伴企通”2.0版本；"
    assert all(not (i.lead or i.support) for i in plan.items)
    assert (plan.title, plan.year) == ("测试县2024年国民经济和社会发展计划", 2024)


def test_clauses_inside_a_numbered_item_do_not_split_it():
    plan = parse_plan(notice("1. 加强组织领导。一是成立专班；二是定期调度。（县发展改革局负责）",
                             "2. 强化督导检查。开展督查。（县政府督查室负责）"))
    assert [(i.number, i.title) for i in plan.items] == [("1", "加强组织领导"), ("2", "强化督导检查")]
    assert plan.items[0].text == "加强组织领导。一是成立专班；二是定期调度。"


# --- title and year --------------------------------------------------------------------------

def test_title_falls_back_to_the_name_in_the_cover_letter():
    plan = parse_plan("\n".join([
        "测政办字〔2023〕5号", "测试县人民政府办公室关于印发测试县2023年重点工作任务的通知",
        "各镇人民政府：", "《测试县深化新旧动能转换 2023  ", "年重点工作任务》已经县政府同意，现印发给你们。",
        "测试县人民政府办公室", "2023年7月5日", "一、创新驱动", "1. 培育力量。搭建平台。（县科技局负责）"]))
    assert (plan.title, plan.year) == ("测试县深化新旧动能转换2023年重点工作任务", 2023)


def test_year_from_the_document_number_when_the_title_has_none():
    plan = parse_plan("测政办字〔2022〕5号\n\n测试县重点工作任务\n\n一、创新驱动\n\n1. 培育力量。搭建平台。")
    assert (plan.title, plan.year) == ("测试县重点工作任务", 2022)


def test_sample_notice_fixture():
    plan = parse_plan((FIXTURES / "sample_notice.md").read_text(encoding="utf-8"))
    assert (plan.title, plan.year) == ("测试县深化新旧动能转换2024年工作要点", 2024)
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一", "深入实施创新驱动发展战略"), ("二", "积极稳妥抓好组织实施")]
    assert [(i.number, i.title, i.lead, i.support) for i in plan.items] == [
        ("1", "培育战略科技力量", ["县发展改革局", "县科技局"], []),
        ("2", "壮大科技型企业", ["县科技局"], ["县财政局", "县工业和信息化局"]),
        ("3", "强化组织推进", [], [])]
    assert plan.items[1].text.endswith("壮大县域科技型企业群体，高新技术企业达到72家，推广5G专网和PM2.5监测。")
    assert plan.items[2].text == "强化组织推进。建立年度工作要点落实台账，定期调度推进。"


# --- the real notices ------------------------------------------------------------------------

def shared_notice(prefix: str) -> str:
    if not SHARED_PLANS.is_dir():
        pytest.skip(f"{SHARED_PLANS} is absent")
    (path,) = SHARED_PLANS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


_PLANS: dict[str, object] = {}


def real_plan(prefix: str):
    if prefix not in _PLANS:
        _PLANS[prefix] = parse_plan(shared_notice(prefix))
    return _PLANS[prefix]


REAL = [
    # prefix, count, first (number, title), last (number, title), plan title, year, sections
    ("000", 64, ("1", "培育战略科技力量"), ("64", "强化督导落实"),
     "高青县深化新旧动能转换推动绿色低碳高质量发展2024年工作要点", 2024, 12),
    ("001", 85, ("1", "高质量建设实验室体系"), ("85", "强化督导检查"),
     "青州市深化新旧动能转换推动绿色低碳高质量发展2023年重点工作任务", 2023, 12),
    ("002", 18, ("一是", "提升改造传统产业"), ("三是", "维护社会和谐稳定"),
     "高青县2024年国民经济和社会发展计划", 2024, 6),
    ("003", 75, ("1", "加快高能级创新平台建设"), ("75", "强化督导检查"),
     "沂源县深化新旧动能转换推动绿色低碳高质量发展2023年重点工作任务", 2023, 12),
    ("004", 78, ("（一）", "搭建创新平台"), ("（七十八）", "强化督导检查"),
     "汶上县深化新旧动能转换推动绿色低碳高质量发展2023年重点工作任务", 2023, 11),
]


@pytest.mark.shared
@pytest.mark.parametrize("prefix, count, first, last, title, year, sections", REAL,
                         ids=[row[0] for row in REAL])
def test_real_notice_outline(prefix, count, first, last, title, year, sections):
    plan = real_plan(prefix)
    assert len(plan.items) == count
    assert (plan.items[0].number, plan.items[0].title) == first
    assert (plan.items[-1].number, plan.items[-1].title) == last
    assert (plan.title, plan.year) == (title, year)
    assert len(plan.sections) == sections
    assert [s.title for s in plan.sections] == list(dict.fromkeys(i.section for i in plan.items))


@pytest.mark.shared
@pytest.mark.parametrize("prefix", [row[0] for row in REAL])
def test_real_notice_texts_are_clean(prefix):
    for item in real_plan(prefix).items:
        assert not re.search(r"\n|##|\*\*|---|[（(]牵头单位|抄送|  ", item.text), (item.number, item.text)
        assert not item.text.rstrip("。").endswith(("）", ")")), (item.number, item.text)
        assert item.text.startswith(item.title) and "。" not in item.title, item.number
        assert item.section and item.section_number, item.number


@pytest.mark.shared
@pytest.mark.parametrize("prefix", ["000", "001", "003", "004"])
def test_real_numbered_notices_count_in_order(prefix):
    numbers = [i.number for i in real_plan(prefix).items]
    expected = [f"（{cn(n)}）" if prefix == "004" else str(n) for n in range(1, len(numbers) + 1)]
    assert numbers == expected


def items_by_number(prefix: str) -> dict:
    return {i.number: i for i in real_plan(prefix).items}


@pytest.mark.shared
def test_real_000_units():
    items = items_by_number("000")
    assert items["1"].lead == ["县发展改革局", "县科技局"]
    assert items["4"].lead == ["县委组织部", "县教育和体育局", "县科技局", "县工业和信息化局", "县人力资源社会保障局"]
    assert items["25"].lead == ["县发展改革局", "县工业和信息化局", "县住房城乡建设局"]        # （…负责)
    assert items["42"].lead[2] == "县住房城乡建设局"                                        # split by a page break
    assert items["54"].lead == ["县委社会工作部", "县残联", "县人力资源社会保障局", "县退役军人局", "县税务局"]
    assert all(not i.support for i in items.values())
    assert [(n, items[n].lead) for n in ("63", "64")] == [("63", []), ("64", [])]
    assert "（植物保护专业）和市级特色化专业（化工专业）" in items["5"].text
    assert "壮大县域科技型企业群体。" in items["3"].text
    assert items["64"].text.endswith("对工作推进不力的予以通报批评。")
    assert (items["1"].section_number, items["1"].section) == ("一", "深入实施创新驱动发展战略")
    assert (items["64"].section_number, items["64"].section) == ("十二", "积极稳妥抓好组织实施")


@pytest.mark.shared
def test_real_001_units():
    items = items_by_number("001")
    assert (items["5"].lead, items["5"].support) == (["市科技局", "市工信局"], ["潍坊市生态环境局青州分局"])
    assert items["1"].text.endswith("生物基材料助剂关键技术重点实验室建设。")
    assert (items["4"].title, items["9"].title) == ("提升基础研究能力", "加大人才引育力度")
    assert items["25"].support == ["市科技局", "市工信局", "市投促中心"]                        # （…中\n\n心)
    assert items["55"].lead == ["市商务局", "市投促中心"]                                     # （牵\n\n头单位…
    assert items["41"].support == ["市推进黄河流域生态保护和高质量发展领导小组成员单位"]
    assert items["82"].support == ["市国资中心"]
    assert all(not (items[n].lead or items[n].support) for n in ("83", "84", "85"))
    assert items["20"].section == "充分释放内需潜力"            # ### 三、
    assert items["31"].section == "统筹推进降碳减污扩绿"        # #### **四、…**
    assert items["49"].section == "推进海洋强市建设"            # ## **七、…**


@pytest.mark.shared
def test_real_002_narrative():
    plan = real_plan("002")
    assert [i.number for i in plan.items] == ["一是", "二是", "三是"] * 6
    assert [(s.number, s.title) for s in plan.sections][0] == ("（一）", "聚焦现代产业体系，厚植强劲发展动能")
    assert plan.sections[-1].title == "聚焦民生服务保障，共享幸福美好生活"
    assert all(not (i.lead or i.support or i.leaders) for i in plan.items)
    titles = {i.title for i in plan.items}
    assert "项目建设卓有成效" not in titles and "园区平台蝶变升级" not in titles     # part 一 reviews 2023
    assert plan.items[0].text.startswith("提升改造传统产业。实施技改项目40个以上")


@pytest.mark.shared
def test_real_003_units():
    items = items_by_number("003")
    assert (items["1"].lead, items["1"].support) == (["县科技局"], ["县发展改革局"])
    assert (items["2"].lead, items["2"].support) == (["县科技局"], [])
    assert items["4"].lead == ["县委组织部"] and len(items["4"].support) == 5
    assert items["9"].support == ["县发展改革局", "县有关产业专班牵头部门"]
    assert items["52"].lead == ["县商务局", "经济开发区"]
    assert items["54"].support == ["各镇", "街道", "经济开发区", "国投集团"]
    assert items["33"].text.endswith("增强全社会节水意识") and items["33"].support == ["县住房城乡建设局"]
    assert all(not (items[n].lead or items[n].support) for n in ("72", "73", "74", "75"))


@pytest.mark.shared
def test_real_004_units():
    items = items_by_number("004")
    assert items["（一）"].lead == ["县科技局", "县工业和信息化局", "县发展和改革局", "县卫生健康局"]
    assert items["（四）"].lead == ["县委组织部", "团县委", "县科技局", "县人力资源和社会保障局"]
    assert (items["（五）"].section, items["（六）"].section) == ("大力实施创新驱动战略", "大力实施产业升级行动")
    assert all(not (items[n].lead or items[n].support) for n in ("（七十六）", "（七十七）", "（七十八）"))
    assert items["（七十八）"].text.endswith("依法依纪追责问责。")


def test_windows_line_endings_and_form_feeds():
    plan = parse_plan("测试县2024年工作要点\r\n\r\n一、创新驱动\r\n\r\n1、培育力量。搭建平台，壮大\r\n\r\n"
                      "企业群体。（责任单位：县发改局，配合单位：县财政局）\r\n2、加强组织。\f压实责任。\r\n")
    assert [(i.text, i.lead, i.support) for i in plan.items] == [
        ("培育力量。搭建平台，壮大企业群体。", ["县发改局"], ["县财政局"]), ("加强组织。压实责任。", [], [])]


# --- more real notices, with hand-checked items (../shared/plans/more/oracle.json) ------------

MORE = SHARED_PLANS / "more"


def _oracle() -> dict:
    import json
    path = MORE / "oracle.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _norm(text: str) -> str:
    import unicodedata
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "")


def _hard_wrapped(text: str, width: int) -> str:
    """Every line cut every ``width`` characters, as a PDF's text layer breaks them."""
    return "\n".join(line[i:i + width] for line in text.split("\n") for i in range(0, max(len(line), 1), width))


FORMS = {   # the same notice as different sources deliver it
    "as stored": lambda text: text,
    "one long line": lambda text: " ".join(text.split("\n")),
    "hard-wrapped": lambda text: _hard_wrapped(text, 31),
}


@pytest.mark.shared
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("name", [k for k in _oracle() if not k.startswith("_")] or ["(absent)"])
def test_more_real_notices_match_their_oracle(name, form):
    if not (MORE / "oracle.json").exists():
        pytest.skip(f"{MORE} is absent")
    want = _oracle()[name]
    plan = parse_plan(FORMS[form]((MORE / name).read_text(encoding="utf-8")))
    assert len(plan.items) >= want.get("count_min", 1)
    units = {_norm(u) for i in plan.items for u in i.units}
    assert not units & {_norm(p) for p in want.get("units_must_not_include", [])}
    for key, expected in want["items"].items():
        number, _, k = key.partition("@")
        same = [i for i in plan.items if re.sub(r"[（）()、.．﹒]", "", _norm(i.number)) ==
                re.sub(r"[（）()、.．﹒]", "", _norm(number))]
        item = same[int(k or 1) - 1]
        assert [_norm(u) for u in item.lead] == [_norm(u) for u in expected["lead"]], key
        assert [_norm(u) for u in item.support] == [_norm(u) for u in expected["support"]], key
        if "title" in expected:
            assert _norm(item.title).rstrip("。") == _norm(expected["title"]), key
        if "deadline_text" in expected:
            assert item.deadline_text == expected["deadline_text"], key
        if "deadline" in expected:
            assert item.deadline and item.deadline.isoformat()[:7] == expected["deadline"], key



@pytest.mark.shared
@pytest.mark.parametrize("prefix, count", [(row[0], row[1]) for row in REAL], ids=[row[0] for row in REAL])
def test_real_notices_flattened_to_one_line_give_the_same_items(prefix, count):
    flat = parse_plan(" ".join(shared_notice(prefix).split("\n")))
    plan = real_plan(prefix)
    assert len(flat.items) == count
    assert [(i.number, i.lead, i.support) for i in flat.items] == [(i.number, i.lead, i.support) for i in plan.items]


@pytest.mark.shared
@pytest.mark.parametrize("width", [23, 38, 57])
@pytest.mark.parametrize("prefix", [row[0] for row in REAL])
def test_real_notices_hard_wrapped_give_the_same_items(prefix, width):
    wrapped = parse_plan(_hard_wrapped(shared_notice(prefix), width))
    assert [(i.number, i.title, i.lead, i.support) for i in wrapped.items] == \
        [(i.number, i.title, i.lead, i.support) for i in real_plan(prefix).items]


def test_an_item_keeps_its_whole_part_path_and_parts_stay_apart():
    """一、/（一）/1.: the 1. level carries the units; 一、 and （一） are the item's part path, and the
    same （一）重点项目 under two parts is two sections, its items numbered again from 1."""
    plan = parse_plan((FIXTURES / "three_levels.txt").read_text(encoding="utf-8"))
    assert [(i.number, [(s.number, s.title) for s in i.part_path], i.lead) for i in plan.items] == [
        ("1", [("一", "产业发展"), ("（一）", "重点项目")], ["县发改局"]),
        ("2", [("一", "产业发展"), ("（一）", "重点项目")], ["县工信局"]),
        ("1", [("一", "产业发展"), ("（二）", "招商引资")], ["县商务局"]),
        ("1", [("二", "城乡建设"), ("（一）", "重点项目")], ["县住建局"]),
        ("2", [("二", "城乡建设"), ("（一）", "重点项目")], ["县交通运输局"])]
    assert [(i.section_number, i.section) for i in plan.items][3] == ("（一）", "重点项目")
    assert [(s.number, s.title) for s in plan.sections] == [("（一）", "重点项目"), ("（二）", "招商引资"),
                                                            ("（一）", "重点项目")]
    assert not [n for n in plan.notes if n.code == "numbering_gap"]


def test_a_two_level_notice_has_no_parents():
    plan = parse_plan(notice("1. 培育力量。搭建平台。（县科技局负责）"))
    assert plan.items[0].parents == [] and [s.title for s in plan.items[0].part_path] == ["深入实施创新驱动发展战略"]
