"""Task tables flattened into text: rows of cells, one cell per line, headers in any order.

Every fixture here is written for this test; none is taken from a real notice.
"""

from __future__ import annotations

import pytest

from ledger.plan.layout import lines_of
from ledger.plan.parse import parse_plan

TITLE = "示范县2024年重点工作任务"


# --- flattened task tables -------------------------------------------------------------------

def test_a_table_with_pipes_columns_in_any_order_and_a_group_label_spanning_rows():
    plan = parse_plan("\n".join([
        TITLE,
        "类别 | 序号 | 完成时限 | 牵头单位 | 重点任务 | 责任单位 | 分管县领导",
        "科技创新 | 1 | 2024年6月底 | 县科技局 | 建设实验室2家 | 县财政局、各镇（街道） | 张三",
        "2 | 年底前 | 县人社局 | 引进博士10名 |  | 李四",
        "产业升级 | 1 | 持续推进 | 县工信局 | 改造传统产业 | 县发改局 | 王五",
    ]))
    assert [(i.section, i.number, i.title, i.lead, i.support, i.leaders, i.deadline_text)
            for i in plan.items] == [
        ("科技创新", "1", "建设实验室2家", ["县科技局"], ["县财政局", "各镇（街道）"], ["张三"], "2024年6月底"),
        ("科技创新", "2", "引进博士10名", ["县人社局"], [], ["李四"], "年底前"),
        ("产业升级", "1", "改造传统产业", ["县工信局"], ["县发改局"], ["王五"], "持续推进")]


def test_a_table_with_tabs_and_a_lone_responsibility_column():
    plan = parse_plan("\n".join([TITLE, "序号\t目标任务\t责任单位\t时间节点",
                                 "1\t建设实验室2家\t县科技局、县财政局\t三季度末",
                                 "2\t引进博士10名\t县人社局\t全年"]))
    assert [(i.number, i.lead, i.support, str(i.deadline)) for i in plan.items] == [
        ("1", ["县科技局", "县财政局"], [], "2024-09-30"), ("2", ["县人社局"], [], "None")]


def test_a_markdown_table():
    plan = parse_plan("\n".join([TITLE, "| 序号 | 工作内容 | 牵头部门 | 配合单位 |", "|---|---|---|---|",
                                 "| 1 | 建设实验室2家 | 县科技局 | 县财政局 |"]))
    assert [(i.number, i.lead, i.support) for i in plan.items] == [("1", ["县科技局"], ["县财政局"])]


ONE_CELL_PER_LINE = [
    TITLE, "序号", "", "重点工作", "", "牵头", "单位", "", "协同单位", "",
    "23", "", "建设实验室2家", "", "县科技局", "", "县财政局、县工信局",
    "24", "", "引进博士10名，", "其中青年博士5名", "", "县人社局", "", "县教体局",
    "25", "", "改造传统产业", "", "县工信局",
    "附件2", "示范县重点项目清单",
]


def test_a_table_flattened_to_one_cell_per_line():
    plan = parse_plan("\n".join(ONE_CELL_PER_LINE))
    assert [(i.number, i.title, i.lead, i.support) for i in plan.items] == [
        ("23", "建设实验室2家", ["县科技局"], ["县财政局", "县工信局"]),     # continues an earlier table
        ("24", "引进博士10名，其中青年博士5名", ["县人社局"], ["县教体局"]),  # a cell over two lines
        ("25", "改造传统产业", ["县工信局"], [])]                           # one cell fewer than the header


def test_table_rows_keep_their_line_numbers():
    lines = lines_of("\n".join(ONE_CELL_PER_LINE))
    row = next(line for line in lines if line.text.startswith("24."))
    assert row.no == ONE_CELL_PER_LINE.index("24") + 1 and row.table


def test_a_table_of_projects_with_measures():
    plan = parse_plan("\n".join([TITLE, "序号 | 项目名称 | 具体举措 | 责任单位 | 完成时限",
                                 "1 | 示范学校扩建 | 新增学位600个 | 县教体局 | 2024年8月底"]))
    item = plan.items[0]
    assert (item.title, item.text, item.lead, item.deadline_text) == (
        "示范学校扩建", "示范学校扩建。新增学位600个。", ["县教体局"], "2024年8月底")


def test_a_table_copied_from_a_pdf_with_wide_spaces():
    plan = parse_plan("\n".join([TITLE, "序号   重点任务   责任单位   完成时限",
                                 "1   建设实验室2家   县科技局、县财政局   6月底",
                                 "2   引进博士10名   县人社局   年底前"]))
    assert [(i.number, i.title, i.lead, i.deadline_text) for i in plan.items] == [
        ("1", "建设实验室2家", ["县科技局", "县财政局"], "6月底"), ("2", "引进博士10名", ["县人社局"], "年底前")]


def test_one_cell_per_line_with_group_labels_between_rows():
    plan = parse_plan("\n".join([
        TITLE, "序号", "工作任务", "责任单位", "一、稳增长", "1", "建设实验室2家", "县科技局",
        "2", "引进博士10名", "县人社局", "二、惠民生", "3", "新建学校1所", "县教体局"]))
    assert [(i.section, i.number, i.title, i.lead) for i in plan.items] == [
        ("稳增长", "1", "建设实验室2家", ["县科技局"]), ("稳增长", "2", "引进博士10名", ["县人社局"]),
        ("惠民生", "3", "新建学校1所", ["县教体局"])]


def test_one_cell_per_line_with_a_category_column_spanning_rows():
    plan = parse_plan("\n".join([
        TITLE, "类别", "序号", "重点任务", "牵头单位", "配合单位",
        "科技创新", "1", "建设实验室2家", "县科技局", "县财政局",
        "2", "引进博士10名", "县人社局", "县教体局",
        "民生保障", "3", "新建学校1所", "县教体局", "县住建局"]))
    assert [(i.section, i.number, i.lead, i.support) for i in plan.items] == [
        ("科技创新", "1", ["县科技局"], ["县财政局"]), ("科技创新", "2", ["县人社局"], ["县教体局"]),
        ("民生保障", "3", ["县教体局"], ["县住建局"])]


def test_an_excel_sheet_as_rows_with_title_rows_above_the_header():
    plan = parse_plan("\n".join([
        "示范县2024年重点工作任务分解表 |  |  | ", " |  |  | ",
        "完成时限 | 责任单位 | 重点任务 | 序号", "2024-06-30 | 县科技局 | 建设实验室2家 | 1",
        "2024-12-31 00:00:00 | 县人社局 | 引进博士10名 | 2"]))
    assert plan.title == "示范县2024年重点工作任务分解表"
    assert [(i.number, i.title, i.lead, str(i.deadline)) for i in plan.items] == [
        ("1", "建设实验室2家", ["县科技局"], "2024-06-30"), ("2", "引进博士10名", ["县人社局"], "2024-12-31")]


@pytest.mark.parametrize("separator", [" | ", "\n"])
def test_a_header_repeated_on_the_next_page_is_no_item(separator):
    header = separator.join(["序号", "重点任务", "牵头单位"])
    rows = [separator.join(["1", "建设实验室2家", "县科技局"]), header,
            separator.join(["2", "引进博士10名", "县人社局"])]
    plan = parse_plan("\n".join([TITLE, header, *rows]))
    assert [(i.number, i.lead) for i in plan.items] == [("1", ["县科技局"]), ("2", ["县人社局"])]


def test_a_table_row_whose_task_cell_wraps_onto_its_own_line():
    plan = parse_plan("\n".join([TITLE, "序号   重点任务   责任单位", "1   建设实验室2家，   县科技局",
                                 "其中重点实验室1家", "2   引进博士10名   县人社局", "以上任务年底前完成。"]))
    assert [(i.number, i.title, i.lead) for i in plan.items] == [
        ("1", "建设实验室2家，其中重点实验室1家", ["县科技局"]), ("2", "引进博士10名", ["县人社局"])]


def test_tab_separated_rows_keep_empty_cells_in_place():
    plan = parse_plan("\n".join([TITLE, "类别\t序号\t重点任务\t牵头单位\t配合单位",
                                 "科技创新\t1\t建设实验室2家\t县科技局\t县财政局",
                                 "\t2\t引进博士10名\t县人社局\t", "\t3\t新建学校1所\t\t县住建局"]))
    assert [(i.section, i.number, i.lead, i.support) for i in plan.items] == [
        ("科技创新", "1", ["县科技局"], ["县财政局"]), ("科技创新", "2", ["县人社局"], []),
        ("科技创新", "3", [], ["县住建局"])]


def test_pipe_rows_with_empty_first_cells_stay_aligned():
    plan = parse_plan("\n".join([TITLE, "序号 | 类别 | 重点任务 | 牵头单位", "1 | 科技创新 | 建设实验室2家 | 县科技局",
                                 " | 科技创新 | 引进博士10名 | 县人社局"]))
    assert [(i.section, i.title, i.lead) for i in plan.items] == [
        ("科技创新", "建设实验室2家", ["县科技局"]), ("科技创新", "引进博士10名", ["县人社局"])]


# --- group labels inside a flattened table ----------------------------------------------------

GROUPED_ROWS = [
    ("一、产业发展", None),
    ("1", "推进园区扩区，新建厂房5万平方米", "赵一", "县工信局", "县住建局、县自然资源局", "2024年10月底"),
    ("2", "新增规上企业8家", "赵一", "县工信局", "各乡镇", "年底前"),
    ("二、民生保障", None),
    ("3", "新建幼儿园2所", "钱二", "县教育局", "县财政局", "持续推进"),
]
GROUPED_EXPECTED = [
    ("产业发展", "一", "1", "推进园区扩区，新建厂房5万平方米", ["县工信局"], ["县住建局", "县自然资源局"],
     ["赵一"], "2024年10月底"),
    ("产业发展", "一", "2", "新增规上企业8家", ["县工信局"], ["各乡镇"], ["赵一"], "年底前"),
    ("民生保障", "二", "3", "新建幼儿园2所", ["县教育局"], ["县财政局"], ["钱二"], "持续推进"),
]


def _grouped(plan):
    return [(i.section, i.section_number, i.number, i.title, i.lead, i.support, i.leaders, i.deadline_text)
            for i in plan.items]


@pytest.mark.parametrize("sep", ["\t", " | "], ids=["tabs", "pipes"])
def test_group_label_rows_between_the_rows_of_a_flattened_table(sep):
    header = sep.join(["序号", "重点任务", "责任领导", "牵头单位", "配合单位", "完成时限"])
    rows = [row[0] if row[1] is None else sep.join(row) for row in GROUPED_ROWS]
    assert _grouped(parse_plan("\n".join([TITLE, "", header, *rows]))) == GROUPED_EXPECTED


@pytest.mark.parametrize("sep", ["\t", " | "], ids=["tabs", "pipes"])
def test_a_group_label_in_the_first_cell_of_the_first_row_of_its_group(sep):
    header = sep.join(["序号", "重点任务", "责任领导", "牵头单位", "配合单位", "完成时限"])
    rows, label = [], ""
    for row in GROUPED_ROWS:
        if row[1] is None:
            label = row[0]
            continue
        rows.append(sep.join(([label] if label else ([""] if sep == "\t" else [])) + list(row)))
        label = ""
    assert _grouped(parse_plan("\n".join([TITLE, header, *rows]))) == GROUPED_EXPECTED


def test_bracketed_group_labels_stay_headings_as_written():
    plan = parse_plan("\n".join([TITLE, "序号\t重点任务\t牵头单位\t完成时限", "（一）产业发展",
                                 "1\t推进园区扩区\t县工信局\t2024年10月底", "（二）民生保障",
                                 "2\t新建幼儿园2所\t县教育局\t年底前"]))
    assert [(i.section_number, i.section, i.number, i.lead) for i in plan.items] == [
        ("（一）", "产业发展", "1", ["县工信局"]), ("（二）", "民生保障", "2", ["县教育局"])]


@pytest.mark.parametrize("header", [
    "序号\t重点任务\t牵头单位\t配合单位\t完成时限",
    "序 号\t重 点 任 务\t牵 头 单 位\t配 合 单 位\t完 成 时 限",
])
def test_units_in_a_cell_separated_by_spaces_or_slashes(header):
    plan = parse_plan("\n".join([TITLE, header, "1\t建设智慧园区\t县工信局 县大数据中心\t县财政局 县住建局\t2024年9月底",
                                 "2\t新增规上企业8家\t县工信局/县商务局\t县统计局／各乡镇\t年底前"]))
    assert [(i.number, i.lead, i.support, i.deadline_text) for i in plan.items] == [
        ("1", ["县工信局", "县大数据中心"], ["县财政局", "县住建局"], "2024年9月底"),
        ("2", ["县工信局", "县商务局"], ["县统计局", "各乡镇"], "年底前")]


def test_spaced_header_words_one_cell_per_line():
    plan = parse_plan("\n".join([TITLE, "序号", "重点任务", "牵 头 单 位", "配 合 单 位", "完成时限",
                                 "1", "建设智慧园区", "县工信局", "县财政局 县住建局", "2024年9月底",
                                 "2", "新增规上企业8家", "县工信局", "各乡镇", "年底前"]))
    assert [(i.number, i.title, i.lead, i.support) for i in plan.items] == [
        ("1", "建设智慧园区", ["县工信局"], ["县财政局", "县住建局"]), ("2", "新增规上企业8家", ["县工信局"], ["各乡镇"])]


def test_a_section_column_and_a_responsible_person_are_not_units():
    plan = parse_plan("\n".join([TITLE, "序号\t重点任务\t牵头单位\t责任科室\t责任人\t完成时限",
                                 "1\t建设智慧园区\t县工信局\t信息化股\t赵一\t2024年9月底"]))
    assert [(i.lead, i.support, i.leaders, i.deadline_text) for i in plan.items] == [
        (["县工信局"], [], ["赵一"], "2024年9月底")]


def test_a_header_over_two_tab_rows_responsibility_over_lead_and_support():
    plan = parse_plan("\n".join([TITLE, "序号\t重点任务\t责任单位\t\t完成时限", "\t\t牵头单位\t配合单位\t",
                                 "1\t建设智慧园区\t县工信局\t县财政局\t2024年9月底",
                                 "2\t新增规上企业8家\t县工信局\t各乡镇\t年底前"]))
    assert [(i.number, i.lead, i.support, i.deadline_text) for i in plan.items] == [
        ("1", ["县工信局"], ["县财政局"], "2024年9月底"), ("2", ["县工信局"], ["各乡镇"], "年底前")]


def test_unnumbered_group_labels_with_a_count_between_pipe_rows():
    plan = parse_plan("\n".join([TITLE, "序号 | 重点任务 | 牵头单位 | 完成时限", "产业发展（2项）",
                                 "1 | 推进园区扩区 | 县工信局 | 2024年10月底", "2 | 新增规上企业8家 | 县工信局 | 年底前",
                                 "民生保障（1项）", "3 | 新建幼儿园2所 | 县教育局 | 持续推进"]))
    assert [(i.section, i.number, i.title) for i in plan.items] == [
        ("产业发展（2项）", "1", "推进园区扩区"), ("产业发展（2项）", "2", "新增规上企业8家"),
        ("民生保障（1项）", "3", "新建幼儿园2所")]


def test_serial_numbers_in_chinese_numerals_one_cell_per_line():
    plan = parse_plan("\n".join([TITLE, "序号", "重点任务", "牵头单位", "配合单位", "完成时限",
                                 "一", "建设智慧园区", "县工信局", "县财政局", "2024年9月底",
                                 "二", "新增规上企业8家", "县工信局", "各乡镇", "年底前",
                                 "十一", "新建幼儿园2所", "县教育局", "县财政局", "持续推进"]))
    assert [(i.number, i.title, i.lead, i.support, i.deadline_text) for i in plan.items] == [
        ("1", "建设智慧园区", ["县工信局"], ["县财政局"], "2024年9月底"),
        ("2", "新增规上企业8家", ["县工信局"], ["各乡镇"], "年底前"),
        ("11", "新建幼儿园2所", ["县教育局"], ["县财政局"], "持续推进")]


def test_one_column_for_lead_and_support_units_split_by_a_slash():
    plan = parse_plan("\n".join([TITLE, "序号\t重点任务\t主办单位/协办单位\t完成时限",
                                 "1\t建设智慧园区\t县工信局/县财政局、县住建局\t2024年9月底",
                                 "2\t新增规上企业8家\t县工信局\t年底前"]))
    assert [(i.number, i.lead, i.support) for i in plan.items] == [
        ("1", ["县工信局"], ["县财政局", "县住建局"]), ("2", ["县工信局"], [])]


def test_a_unit_column_with_its_responsible_person_in_brackets():
    plan = parse_plan("\n".join([TITLE, "序号\t重点任务\t牵头单位（责任人）\t配合单位\t完成时限",
                                 "1\t建设智慧园区\t县工信局（赵一）\t县财政局、各镇（街道）\t2024年9月底"]))
    assert [(i.lead, i.support, i.leaders) for i in plan.items] == [
        (["县工信局"], ["县财政局", "各镇（街道）"], ["赵一"])]


def test_a_unit_and_person_column_gives_the_unit_and_a_leader_noted_on_the_row():
    plan = parse_plan("\n".join([TITLE, "序号\t重点任务\t牵头单位及责任人\t配合单位\t完成时限",
                                 "1\t建设智慧园区\t县工信局 赵一\t县财政局\t2024年9月底",
                                 "2\t新增规上企业8家\t县商务局/钱二\t各乡镇\t年底前"]))
    assert [(i.lead, i.support, i.leaders) for i in plan.items] == [
        (["县工信局"], ["县财政局"], ["赵一"]), (["县商务局"], ["各乡镇"], ["钱二"])]
    notes = [(n.code, n.line, n.item) for n in plan.notes]
    assert notes == [("maybe_person", 3, "1"), ("maybe_person", 4, "2")]
    assert all(n.snippet.startswith(f"{n.item}.") for n in plan.notes)    # the row, not its 完成时限 line
