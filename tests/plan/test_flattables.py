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
