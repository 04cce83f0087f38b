"""Issue 24, round three: progress tables, tables flattened one cell per line, labels run together,
unit lists with categories and rules.

Every notice here is written for this test, one per form seen on county sites; none is a real text.
Each row: the notice's lines, then per item (number, title, lead, support, leaders, deadline_text).
"""

from __future__ import annotations

import pytest

from ledger.plan.model import ItemField
from ledger.plan.parse import parse_plan

TITLE = "示范县2024年重点工作推进情况表"


def read(lines: list[str]) -> list[tuple]:
    plan = parse_plan("\n".join([TITLE, *lines]))
    return [(i.number, i.title, i.lead, i.support, i.leaders, i.deadline_text) for i in plan.items]


# --- 1. progress tables: every header has a role, unknown columns are never units -----------------

PROGRESS_TABLES = {
    "pipes, progress columns after the plan's": (
        ["序号 | 主要任务 | 全年目标 | 分管领导 | 牵头单位 | 责任主体与协同单位 | 1-9月推进情况 | 形象进度(%) | 是否达序 | 说明",
         "1 | 建设城东污水处理厂 | 日处理5万吨 | 王某 | 县住建局 | 县水利局、县城管局 | 已进场施工 | 30 | 是 | 无",
         "2 | 改造老旧小区12个 | 完成12个 | 李某 | 县住建局 | 各镇（街道） | 完成30% | 45 | 否 | 资金未到位"],
        [("1", "建设城东污水处理厂", ["县住建局"], ["县水利局", "县城管局"], ["王某"], ""),
         ("2", "改造老旧小区12个", ["县住建局"], ["各镇（街道）"], ["李某"], "")]),
    "tabs, an unknown column and three people columns": (
        ["序号\t工作任务安排\t攻坚目标\t牵头市领导\t责任单位\t项目责任人\t第二季度完成情况\t资金来源",
         "1\t建设数据中心\t建成机房2个\t张某\t县大数据局\t赵某\t设备调试中\t县财政",
         "2\t建设物流园\t完成征地\t王某\t县商务局\t钱某\t已完成征地\t社会资本"],
        [("1", "建设数据中心", ["县大数据局"], [], ["张某", "赵某"], ""),
         ("2", "建设物流园", ["县商务局"], [], ["王某", "钱某"], "")]),
    "headers split over two lines, one cell per line": (
        ["序号", "重点任务", "牵头", "单位", "配合单位", "责任", "领导", "完成时限", "进展情况",
         "1", "建设城东污水处理厂", "县住建局", "县水利局、县城管局", "张某", "12月底前", "已进场施工",
         "2", "改造老旧小区12个", "县住建局", "各镇（街道）", "李某", "10月底前", "完成30%"],
        [("1", "建设城东污水处理厂", ["县住建局"], ["县水利局", "县城管局"], ["张某"], "12月底前"),
         ("2", "改造老旧小区12个", ["县住建局"], ["各镇（街道）"], ["李某"], "10月底前")]),
    "a target column before the task column, two people columns, an empty last cell": (
        ["序号 | 攻坚目标 | 工作任务安排 | 牵头市领导 | 分管 领导 | 责任单位 | 1-10月推进情况 | 是否达序 | 说明",
         "1 | 新增规上企业20家 | 实施企业培育计划 | 张某 | 李某 | 县工信局、县统计局 | 已新增15家 | 是 | ",
         "2 | 完成棚改500户 | 推进征收安置 | 王某 | 赵某 | 县住建局 | 完成征收300户 | 否 | 安置房建设滞后"],
        [("1", "实施企业培育计划", ["县工信局", "县统计局"], [], ["张某", "李某"], ""),
         ("2", "推进征收安置", ["县住建局"], [], ["王某", "赵某"], "")]),
    "padded header words": (
        ["序号 | 重点任务 | 牵头 单位 | 分管 领导 | 形象进度 (%) | 备 注",
         "1 | 新建幼儿园2所 | 县教体局 | 孙某 | 60 | 已封顶"],
        [("1", "新建幼儿园2所", ["县教体局"], [], ["孙某"], "")]),
}


@pytest.mark.parametrize("lines, expected", PROGRESS_TABLES.values(), ids=PROGRESS_TABLES.keys())
def test_a_progress_table_reads_its_plan_columns_and_never_its_progress_as_units(lines, expected):
    assert read(lines) == expected


def test_progress_columns_are_kept_beside_the_item_as_fields():
    plan = parse_plan("\n".join([TITLE, *PROGRESS_TABLES["pipes, progress columns after the plan's"][0]]))
    assert plan.items[1].fields == [
        ItemField("全年目标", "target", "完成12个"), ItemField("1-9月推进情况", "progress", "完成30%"),
        ItemField("形象进度(%)", "percent", "45"), ItemField("是否达序", "on_pace", "否"),
        ItemField("说明", "remark", "资金未到位")]


def test_the_plan_says_which_column_was_read_as_what():
    plan = parse_plan("\n".join([TITLE, *PROGRESS_TABLES["tabs, an unknown column and three people columns"][0]]))
    assert [(c.header, c.role) for c in plan.tables[0]] == [
        ("序号", "number"), ("工作任务安排", "title"), ("攻坚目标", "target"), ("牵头市领导", "leaders"),
        ("责任单位", "either"), ("项目责任人", "leaders"), ("第二季度完成情况", "progress"), ("资金来源", "other")]


# --- 2. tables flattened one cell per line or one row a line --------------------------------------

FLATTENED = {
    "units one a line in one cell; the deadline cell is no heading": (
        ["序号", "工作任务", "责任单位", "完成时限",
         "3", "建设城东污水处理厂", "县住建局", "县水利局", "县生态环境分局", "12月底前",
         "4", "新建城市公园1个", "县城管局", "9月底前"],
        [("3", "建设城东污水处理厂", ["县住建局", "县水利局", "县生态环境分局"], [], [], "12月底前"),
         ("4", "新建城市公园1个", ["县城管局"], [], [], "9月底前")]),
    "lead and support each over lines": (
        ["序号", "重点任务", "牵头单位", "配合单位", "完成时限",
         "1", "推进污水管网改造", "县住建局", "县财政局", "县水利局", "各乡镇", "年底前"],
        [("1", "推进污水管网改造", ["县住建局"], ["县财政局", "县水利局", "各乡镇"], [], "年底前")]),
    "a group column before 序号, filled on its group's first row": (
        ["工作任务 | 序号 | 具体要求 | 责任科室 | 时限要求",
         "强化信息公开 | 1 | 及时公开政策文件 | 办公室 | 年底前",
         " | 2 | 做好政策解读工作 | 办公室、法规股 | 持续推进",
         "优化政务服务 | 3 | 推进一网通办 | 审批股 | 6月底前"],
        [("1", "及时公开政策文件", ["办公室"], [], [], "年底前"),
         ("2", "做好政策解读工作", ["办公室", "法规股"], [], [], "持续推进"),
         ("3", "推进一网通办", ["审批股"], [], [], "6月底前")]),
    "one cell per line, a group column before 序号, sections as units": (
        ["工作任务", "序号", "具体要求", "责任科室", "时限要求",
         "强化信息公开", "1", "及时公开政策文件", "办公室", "年底前",
         "2", "做好政策解读工作", "办公室", "法规股", "持续推进",
         "优化政务服务", "3", "推进一网通办", "审批股", "6月底前"],
        [("1", "及时公开政策文件", ["办公室"], [], [], "年底前"),
         ("2", "做好政策解读工作", ["办公室", "法规股"], [], [], "持续推进"),
         ("3", "推进一网通办", ["审批股"], [], [], "6月底前")]),
    "a table continued from an earlier page, with no header of its own": (
        ["序号 | 重点任务 | 牵头单位 | 完成时限",
         "22 | 新建幼儿园2所 | 县教体局 | 8月底前",
         "23 | 建设城市公园 | 县城管局 | 年底前",
         "— 5 —",
         "示范县人民政府办公室关于印发重点工作的通知",
         "24 | 改造老旧小区12个 | 县住建局 | 10月底前",
         "25 | 完善养老服务网络 | 县民政局 | 持续推进"],
        [("22", "新建幼儿园2所", ["县教体局"], [], [], "8月底前"),
         ("23", "建设城市公园", ["县城管局"], [], [], "年底前"),
         ("24", "改造老旧小区12个", ["县住建局"], [], [], "10月底前"),
         ("25", "完善养老服务网络", ["县民政局"], [], [], "持续推进")]),
    "one cell per line, a figure the next number would be is a percent cell": (
        ["序号", "项目名称", "责任单位", "形象进度(%)", "是否达序",
         "1", "建设城东污水处理厂", "县住建局", "县水利局", "30", "是",
         "2", "改造老旧小区12个", "县住建局", "3", "否",
         "3", "新建幼儿园2所", "县教体局", "80", "是"],
        [("1", "建设城东污水处理厂", ["县住建局", "县水利局"], [], [], ""),
         ("2", "改造老旧小区12个", ["县住建局"], [], [], ""),
         ("3", "新建幼儿园2所", ["县教体局"], [], [], "")]),
    "one cell per line, a column no role names, whose cells look like units": (
        ["序号", "重点任务", "责任单位", "资金来源", "完成时限",
         "1", "建设城东污水处理厂", "县住建局", "县财政局", "12月底前",
         "2", "改造老旧小区12个", "县住建局", "专项债", "10月底前"],
        [("1", "建设城东污水处理厂", ["县住建局"], [], [], "12月底前"),
         ("2", "改造老旧小区12个", ["县住建局"], [], [], "10月底前")]),
    "a cell broken over two lines of a piped table stays one row": (
        ["序号 | 重点任务 | 具体措施 | 牵头单位 | 完成时限",
         "1 | 推进园区扩区 | 6月底前完成规划调整；",
         "12月底前完成土地报批 | 县工信局 | 年底前",
         "2 | 新增规上企业8家 | 培育入规企业 | 县工信局 | 年底前"],
        [("1", "推进园区扩区", ["县工信局"], [], [], "年底前"),
         ("2", "新增规上企业8家", ["县工信局"], [], [], "年底前")]),
}


@pytest.mark.parametrize("lines, expected", FLATTENED.values(), ids=FLATTENED.keys())
def test_a_flattened_table_takes_its_cells_from_the_header(lines, expected):
    assert read(lines) == expected


def test_a_target_column_is_part_of_the_task_text_and_kept_as_a_field():
    plan = parse_plan("\n".join([TITLE, *PROGRESS_TABLES[
        "a target column before the task column, two people columns, an empty last cell"][0]]))
    assert plan.items[0].text == "实施企业培育计划。新增规上企业20家。"
    assert [(f.role, f.value) for f in plan.items[0].fields] == [
        ("target", "新增规上企业20家"), ("progress", "已新增15家"), ("on_pace", "是")]


def test_the_group_column_before_the_number_heads_its_rows():
    plan = parse_plan("\n".join([TITLE, *FLATTENED["one cell per line, a group column before 序号, sections as units"][0]]))
    assert [i.section for i in plan.items] == ["强化信息公开", "强化信息公开", "优化政务服务"]


def test_a_column_no_role_names_is_other_and_kept_beside_the_item():
    plan = parse_plan("\n".join([TITLE, *FLATTENED[
        "one cell per line, a column no role names, whose cells look like units"][0]]))
    assert [(c.header, c.role) for c in plan.tables[0]] == [
        ("序号", "number"), ("重点任务", "title"), ("责任单位", "either"), ("资金来源", "other"), ("完成时限", "deadline")]
    assert [[(f.role, f.value) for f in i.fields] for i in plan.items] == [[("other", "县财政局")], [("other", "专项债")]]


def test_figures_one_a_line_are_the_percent_and_on_pace_cells_of_their_row():
    plan = parse_plan("\n".join([TITLE, *FLATTENED[
        "one cell per line, a figure the next number would be is a percent cell"][0]]))
    assert [[(f.role, f.value) for f in i.fields] for i in plan.items] == [
        [("percent", "30"), ("on_pace", "是")], [("percent", "3"), ("on_pace", "否")],
        [("percent", "80"), ("on_pace", "是")]]


def test_a_second_measure_with_its_own_date_stays_inside_its_item():
    plan = parse_plan("\n".join([TITLE, *FLATTENED["a cell broken over two lines of a piped table stays one row"][0]]))
    assert plan.items[0].text == "推进园区扩区。6月底前完成规划调整；12月底前完成土地报批。"
    assert str(plan.items[0].deadline) == "2024-12-31"


def test_a_deadline_cell_gives_an_iso_date_and_none_is_invented():
    plan = parse_plan("\n".join([TITLE, *FLATTENED["units one a line in one cell; the deadline cell is no heading"][0]]))
    assert [str(i.deadline) for i in plan.items] == ["2024-12-31", "2024-09-30"]
    plan = parse_plan("\n".join([TITLE, *PROGRESS_TABLES["pipes, progress columns after the plan's"][0]]))
    assert [i.deadline for i in plan.items] == [None, None]


# --- 3. labels run together on one line -----------------------------------------------------------

RUN_TOGETHER = {
    "known and unknown labels after the item": (
        ["一、重点项目",
         "1.建设数据中心。牵头领导:张某 责任单位:县大数据局 项目责任人:李某 配合单位:县财政局 实际完成情况:设备调试中",
         "2.建设物流园。牵头领导:王某 责任单位:县商务局 项目责任人:赵某 配合单位:县交通局、县自然资源局 实际完成情况:已完成征地"],
        [("1", "建设数据中心", ["县大数据局"], ["县财政局"], ["张某", "李某"], ""),
         ("2", "建设物流园", ["县商务局"], ["县交通局", "县自然资源局"], ["王某", "赵某"], "")]),
    "no full stop before the labels, two spaces between them": (
        ["一、重点项目",
         "1.建设数据中心 牵头领导:张某  责任单位:县大数据局  项目责任人:李某  实际完成情况:设备调试中，预计10月投用",
         "2.建设物流园 责任单位：县商务局"],
        [("1", "建设数据中心", ["县大数据局"], [], ["张某", "李某"], ""),
         ("2", "建设物流园", ["县商务局"], [], [], "")]),
    "full-width colons and a deadline among them": (
        ["一、民生实事",
         "1.新建幼儿园2所。责任单位：县教体局 联系人：孙某 完成时限：2024年8月底 备注：已开工"],
        [("1", "新建幼儿园2所", ["县教体局"], [], [], "2024年8月底")]),
    "a time label no vocabulary holds is the deadline": (
        ["一、重点任务", "1.建设实验室2家。（责任单位：县科技局，时间：2024年6月底）",
         "2.建设物流园。责任单位：县商务局 截止时间：10月底 备注：已开工"],
        [("1", "建设实验室2家", ["县科技局"], [], [], "2024年6月底"),
         ("2", "建设物流园", ["县商务局"], [], [], "10月底")]),
}


@pytest.mark.parametrize("lines, expected", RUN_TOGETHER.values(), ids=RUN_TOGETHER.keys())
def test_labels_run_together_end_where_the_next_label_begins(lines, expected):
    assert read(lines) == expected


def test_unknown_labels_run_together_are_kept_as_fields():
    plan = parse_plan("\n".join([TITLE, *RUN_TOGETHER["known and unknown labels after the item"][0]]))
    assert plan.items[0].fields == [ItemField("实际完成情况", "progress", "设备调试中")]


# --- 4. unit lists --------------------------------------------------------------------------------

UNIT_LISTS = {
    "a category after 等": (
        ["一、重点任务", "1.建设实验室2家。（牵头单位：县科技局；配合单位：县财政局等县直有关部门）"],
        [("1", "建设实验室2家", ["县科技局"], ["县财政局"], [], "")]),
    "等部门、单位: 单位 alone is no unit": (
        ["一、重点任务", "1.推进城乡融合。（责任单位：县发改局、县农业农村局等部门、单位）"],
        [("1", "推进城乡融合", ["县发改局", "县农业农村局"], [], [], "")]),
    "a parenthesis inside a name": (
        ["一、重点任务", "1.统筹片区开发。（责任单位：各区县政府(含甲新区、乙管委会)、县发改局）"],
        [("1", "统筹片区开发", ["各区县政府(含甲新区、乙管委会)", "县发改局"], [], [], "")]),
    "a bare parenthesised list closing the item": (
        ["一、重点任务", "1.完成年度投资目标，争取专项债券额度。（县发改局、县财政局）"],
        [("1", "完成年度投资目标，争取专项债券额度", ["县发改局", "县财政局"], [], [], "")]),
    "a department's own plan: its sections are the units": (
        ["一、依法行政", "1.完善合法性审查机制。（责任科室：办公室、法规股）",
         "2.开展执法案卷评查。（责任科室：法规股）"],
        [("1", "完善合法性审查机制", ["办公室", "法规股"], [], [], ""),
         ("2", "开展执法案卷评查", ["法规股"], [], [], "")]),
    "first listed leads, stated once with 下同": (
        ["一、重点任务", "1.建设实验室2家。（县科技局、县财政局，列第一位的为牵头单位，下同）",
         "2.引进博士10名。（县人社局、县教体局）", "3.改造传统产业。（县工信局、县发改局、县财政局）"],
        [("1", "建设实验室2家", ["县科技局"], ["县财政局"], [], ""),
         ("2", "引进博士10名", ["县人社局"], ["县教体局"], [], ""),
         ("3", "改造传统产业", ["县工信局"], ["县发改局", "县财政局"], [], "")]),
    "the rule in a bracket of its own after the first list": (
        ["一、重点任务", "1.建设实验室2家。（县科技局、县财政局）（列第一位的为牵头单位，下同）",
         "2.引进博士10名。（县人社局、县教体局、各镇）"],
        [("1", "建设实验室2家", ["县科技局"], ["县财政局"], [], ""),
         ("2", "引进博士10名", ["县人社局"], ["县教体局", "各镇"], [], "")]),
}


@pytest.mark.parametrize("lines, expected", UNIT_LISTS.values(), ids=UNIT_LISTS.keys())
def test_unit_lists(lines, expected):
    assert read(lines) == expected


def test_a_section_beside_a_county_unit_is_no_unit_of_the_plan():
    assert read(["一、重点任务", "1.建设智慧园区。（责任单位：县工信局；责任科室：信息化股）"]) == [
        ("1", "建设智慧园区", ["县工信局"], [], [], "")]
