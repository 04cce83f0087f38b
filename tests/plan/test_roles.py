"""The roles stage: role words around unit lists → lead, support, leaders, deadline."""

from __future__ import annotations

import pytest

from ledger.plan.parse import parse_plan
from ledger.plan.roles import read_annotation, read_sentence, strip_list_notes
from ledger.plan.vocabulary import vocabulary


@pytest.mark.parametrize("content, lead, support, leaders", [
    ("县发展改革局、县科技局负责", ["县发展改革局", "县科技局"], [], []),
    ("县科技局负责", ["县科技局"], [], []),
    ("牵头单位：市科技局，参与单位：市工信局、潍坊市生态环境局青州分局",
     ["市科技局"], ["市工信局", "潍坊市生态环境局青州分局"], []),
    ("牵头单位：县科技局、县工业和信息化局", ["县科技局", "县工业和信息化局"], [], []),
    ("县科技局牵头,县发展改革局等部门配合", ["县科技局"], ["县发展改革局"], []),
    ("县交通运输局、县住房城乡建设局牵头，县铁路事业服务中心等部门配合",
     ["县交通运输局", "县住房城乡建设局"], ["县铁路事业服务中心"], []),
    ("县商务局、经济开发区牵头负责", ["县商务局", "经济开发区"], [], []),
    ("县委社会工作部、县残联、县税务局", ["县委社会工作部", "县残联", "县税务局"], [], []),
    ("责任单位：县发改局、县财政局", ["县发改局", "县财政局"], [], []),
    ("责任单位:县发改局;配合单位:县财政局;责任领导:张三、李四",
     ["县发改局"], ["县财政局"], ["张三", "李四"]),
    ("责任领导：王五", [], [], ["王五"]),
])
def test_read_annotation_roles(content, lead, support, leaders):
    who = read_annotation(content).resolve()
    assert (who.lead, who.support, who.leaders) == (lead, support, leaders)


@pytest.mark.parametrize("content", [
    "2023—2025年", "植物保护专业", "此件公开发布", "试行", "EOD", "实验室", "含5%",
    "国发〔2022〕18号", "次", "",
])
def test_text_parentheses_are_not_annotations(content):
    assert read_annotation(content) is None


# --- role forms, each in a small notice of our own ------------------------------------------

def notice_item(*lines: str):
    plan = parse_plan("\n".join(["示范县2024年重点工作任务", "一、科技创新", *lines]))
    assert len(plan.items) == 1, [i.number for i in plan.items]
    return plan.items[0]


ROLE_FORMS = [
    # id, item as written, lead, support, leaders
    ("parentheses", "1.建设实验室。（县科技局牵头，县财政局配合）", ["县科技局"], ["县财政局"], []),
    ("square brackets, a unit with its own parentheses",
     "1.建设实验室。[牵头单位：县发改局(粮食局)；责任单位：各镇人民政府,示范经济开发区]",
     ["县发改局(粮食局)"], ["各镇人民政府", "示范经济开发区"], []),
    ("【】 with 主办 and 协办", "1.建设实验室。【主办单位：县科技局】【协办单位：县工信局】",
     ["县科技局"], ["县工信局"], []),
    ("after a colon in the text", "1.建设实验室。责任单位：县科技局、县财政局", ["县科技局", "县财政局"], [], []),
    ("three own lines with a leader", "1.建设实验室。", "牵头负责领导：张某某。", "牵头责任单位：县科技局。",
     "协同责任单位：县财政局、县工信局等。", ["县科技局"], ["县财政局", "县工信局"], ["张某某"]),
    ("a leader label naming the level", "1.建设实验室。", "分管县领导：李某", "责任单位：县科技局",
     ["县科技局"], [], ["李某"]),
    ("a sentence with 部门分工", "1.建设实验室。", "部门分工：县科技局牵头，各镇、各部门配合。",
     ["县科技局"], ["各镇", "各部门"], []),
    ("a sentence without a label", "1.建设实验室。县科技局牵头，县财政局、县工信局等部门配合。",
     ["县科技局"], ["县财政局", "县工信局"], []),
    ("分别牵头", "1.建设实验室。", "责任单位：县科技局、县工信局分别牵头", ["县科技局", "县工信局"], [], []),
    ("分别牵头 in parentheses", "1.建设实验室。（县科技局、县工信局分别牵头，县财政局配合）",
     ["县科技局", "县工信局"], ["县财政局"], []),
    ("按职责分工分别负责", "1.建设实验室。（县科技局、县工信局按职责分工分别负责）",
     ["县科技局", "县工信局"], [], []),
    ("按职责分工负责 after a lead", "1.建设实验室。（市政府办公室、市审改办牵头，市级各有关部门及各县市区政府按职责分工负责）",
     ["市政府办公室", "市审改办"], ["市级各有关部门", "各县市区政府"], []),
    ("short labels", "1.建设实验室。（牵头：县科技局；配合：县财政局、县工信局；分管副县长：王某）",
     ["县科技局"], ["县财政局", "县工信局"], ["王某"]),
    ("a note that belongs to the unit", "1.建设实验室。（责任单位：各乡镇(含经济开发区、工业园区)）",
     ["各乡镇(含经济开发区、工业园区)"], [], []),
    ("a person with a title in a unit list", "1.建设实验室。（县科技局、王某副县长）", ["县科技局"], [], ["王某副县长"]),
    ("labels in 【】 without a colon", "1.建设实验室。【牵头单位】县科技局【配合单位】县财政局【责任领导】张三",
     ["县科技局"], ["县财政局"], ["张三"]),
    ("bracketed labels on their own lines", "1.建设实验室。", "【牵头单位】县科技局", "【责任单位】县财政局",
     ["县科技局"], ["县财政局"], []),
    ("a unit marked （牵头） inside the list", "1.建设实验室。（责任单位：县财政局、县科技局（牵头）、县工信局）",
     ["县科技局"], ["县财政局", "县工信局"], []),
    ("two units joined by 和", "1.建设实验室。（县科技局和县财政局负责）", ["县科技局", "县财政局"], [], []),
    ("和 inside one unit's name", "1.建设实验室。（县人力资源和社会保障局负责）", ["县人力资源和社会保障局"], [], []),
    ("a bracket between the label and its colon", "1.建设实验室。", "责任单位（部门）：县科技局、县财政局",
     ["县科技局", "县财政局"], [], []),
    ("a section inside a department is not a unit", "1.建设实验室。（牵头单位：县科技局；责任科室：规划科）",
     ["县科技局"], [], []),
    ("组织领导 in the text is no label", "1.建设实验室。加强组织领导：成立工作专班。（县科技局负责）",
     ["县科技局"], [], []),
    ("a person after a people label, spaced", "1.建设实验室。【责任单位：县科技局】【责任领导：王 红】",
     ["县科技局"], [], ["王红"]),
]


@pytest.mark.parametrize("lines, lead, support, leaders", [(row[1:-3], *row[-3:]) for row in ROLE_FORMS],
                         ids=[row[0] for row in ROLE_FORMS])
def test_role_forms(lines, lead, support, leaders):
    item = notice_item(*lines)
    assert (item.lead, item.support, item.leaders) == (lead, support, leaders)
    assert item.title == "建设实验室"


def test_prose_with_role_words_is_not_a_unit_sentence():
    item = notice_item("1.建设实验室。加强部门协同配合，形成工作合力。（县科技局负责）")
    assert item.text == "建设实验室。加强部门协同配合，形成工作合力。"
    assert (item.lead, item.support) == (["县科技局"], [])
    assert read_sentence("加强部门协同配合，形成工作合力") is None
    assert read_sentence("县科技局牵头，县财政局配合").lead == ["县科技局"]


def test_the_first_is_lead_rule_stated_inside_a_list_governs_that_list_and_the_next():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务", "一、科技创新",
        "1.建设实验室。", "责任单位：县科技局、县财政局",
        "2.引进人才。", "责任单位：县人社局、县教体局、县卫生健康委(除标注“分别牵头”外,列第一位为牵头单位,下同)",
        "3.改造产业。", "责任单位：县工信局、县发改局",
        "4.发展服务业。", "责任单位：县商务局、县文旅局分别牵头"]))
    assert [(i.lead, i.support) for i in plan.items] == [
        (["县科技局", "县财政局"], []),                       # before the rule: all lead
        (["县人社局"], ["县教体局", "县卫生健康委"]),           # the note is never glued on a unit
        (["县工信局"], ["县发改局"]),
        (["县商务局", "县文旅局"], [])]


def test_the_first_is_lead_rule_stated_before_the_items_governs_all():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务", "各单位排名中首位单位为牵头单位。", "一、科技创新",
        "1.建设实验室。（县科技局、县财政局）", "2.引进人才。（牵头单位：县人社局、县教体局）"]))
    assert [(i.lead, i.support) for i in plan.items] == [
        (["县科技局"], ["县财政局"]), (["县人社局", "县教体局"], [])]   # an explicit label stands


def test_people_are_never_units_and_are_reported():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务", "一、科技创新", "1.建设实验室。", "责任单位：县科技局、李某某、县财政局"]))
    item = plan.items[0]
    assert (item.lead, item.leaders) == (["县科技局", "县财政局"], ["李某某"])
    (note,) = [n for n in plan.notes if n.code == "maybe_person"]
    assert (note.line, note.item) == (4, "1") and "李某某" in note.snippet


@pytest.mark.parametrize("text, expected", [
    ("县卫生健康委(除标注“分别牵头”外,列第一位为牵头或汇总单位,下同)", "县卫生健康委"),
    ("县科技局、县财政局（排名不分先后）", "县科技局、县财政局"),
    ("各乡镇(含经济开发区)", "各乡镇(含经济开发区)"),
    ("县发改局(粮食局)", "县发改局(粮食局)"),
])
def test_notes_inside_a_unit_list(text, expected):
    assert strip_list_notes(text) == expected


def test_extra_unit_endings_from_the_office():
    assert read_annotation("示范县城投、示范县文旅投") is None
    who = read_annotation("示范县城投、示范县文旅投", vocabulary(["城投", "文旅投"]))
    assert who.resolve().lead == ["示范县城投", "示范县文旅投"]
    plan = parse_plan("示范县2024年重点工作任务\n一、项目\n1.建设园区。（示范县城投、示范县文旅投）",
                      unit_endings=["城投", "文旅投"])
    assert plan.items[0].lead == ["示范县城投", "示范县文旅投"]


def test_a_heading_names_the_lead_or_the_leader_of_its_items():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务", "一、县开发区管委会牵头事项（2项）", "1.建设标准厂房10万平方米。",
        "2.引进项目5个。（县商务局负责）", "二、李某副县长分管工作", "3.完成植树造林1万亩。（县林业局负责）"]))
    assert [(i.lead, i.leaders) for i in plan.items] == [
        (["县开发区管委会"], []), (["县商务局"], []), (["县林业局"], ["李某副县长"])]


def test_a_time_limit_inside_a_unit_annotation_is_the_deadline():
    item = notice_item("1.建设实验室。（县科技局负责，2024年6月底前完成）")
    assert (item.lead, item.support, item.deadline_text, str(item.deadline)) == (
        ["县科技局"], [], "2024年6月底前完成", "2024-06-30")


def test_a_time_limit_after_the_annotation():
    item = notice_item("1.建设实验室。（县科技局负责）2024年6月底前完成。")
    assert (item.text, item.lead, item.deadline_text) == (
        "建设实验室。2024年6月底前完成。", ["县科技局"], "2024年6月底前完成")


def test_details_after_a_label_line_are_not_units():
    item = notice_item("1.建设实验室。", "牵头单位：县科技局", "具体措施：引进团队2个，建设人才公寓。")
    assert (item.lead, item.support) == (["县科技局"], [])
    assert item.text == "建设实验室。具体措施：引进团队2个，建设人才公寓。"


def test_units_closing_the_first_line_of_a_longer_item():
    item = notice_item("1.建设实验室（县科技局负责）", "新建重点实验室2家。", "组织对接活动5场。")
    assert (item.title, item.text, item.lead) == (
        "建设实验室", "建设实验室。新建重点实验室2家。组织对接活动5场。", ["县科技局"])


def test_the_first_is_lead_rule_stated_in_a_heading():
    plan = parse_plan("\n".join(["示范县2024年重点工作任务", "一、科技创新（列第一位的为牵头单位）",
                                 "1.建设实验室。（县科技局、县财政局）", "2.引进人才。（县人社局、县教体局）"]))
    assert [(i.lead, i.support) for i in plan.items] == [
        (["县科技局"], ["县财政局"]), (["县人社局"], ["县教体局"])]


def test_units_inside_and_a_leader_at_the_end():
    item = notice_item("1.建设实验室（县科技局负责）", "新建重点实验室2家。【责任领导：张某】")
    assert (item.text, item.lead, item.leaders) == ("建设实验室。新建重点实验室2家。", ["县科技局"], ["张某"])


@pytest.mark.parametrize("written, text, deadline_text", [
    ("1.建设实验室（2024年6月底前）。（县科技局负责）", "建设实验室。", "2024年6月底前"),
    ("1.建设实验室。（县科技局负责）（年底前）", "建设实验室。", "年底前"),
    ("1.新建基站100个（含年内新建30个）。（县科技局负责）", "新建基站100个（含年内新建30个）。", ""),
])
def test_a_time_limit_in_its_own_brackets(written, text, deadline_text):
    item = notice_item(written)
    assert (item.text, item.lead, item.deadline_text) == (text, ["县科技局"], deadline_text)


def test_a_bracketed_annotation_then_labels_after_it():
    item = notice_item("1.建设实验室（牵头单位：县科技局；配合单位：县财政局、各镇（街道））。责任领导：张某完成时限：2024年6月底")
    assert (item.text, item.lead, item.support, item.leaders, item.deadline_text) == (
        "建设实验室。", ["县科技局"], ["县财政局", "各镇（街道）"], ["张某"], "2024年6月底")


@pytest.mark.parametrize("written", ["1.【牵头单位：县科技局；配合单位：县财政局】建设实验室。",
                                     "1.（县科技局牵头，县财政局配合）建设实验室。"])
def test_an_annotation_before_the_task(written):
    item = notice_item(written)
    assert (item.title, item.lead, item.support) == ("建设实验室", ["县科技局"], ["县财政局"])
