"""Task tables (分解表) in Word notices are read as items with their units."""

from __future__ import annotations

import docx
import pytest

from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice
from ledger.plan.tables import header_roles, table_lines


def notice_with_table(path, header, rows, merged_headings=()):
    document = docx.Document()
    document.add_paragraph("示范县2024年重点工作任务分解表")
    table = document.add_table(rows=1, cols=len(header))
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        if row in merged_headings:
            merged = cells[0].merge(cells[-1])
            merged.text = row[0]
            continue
        for cell, text in zip(cells, row):
            cell.text = text
    document.add_paragraph("示范县人民政府办公室")
    document.add_paragraph("2024年3月15日")
    document.save(path)
    return path


def test_a_decomposition_table_with_merged_headings(tmp_path):
    heading1, heading2 = ("一、增强科技创新能力",), ("二、推动产业转型升级",)
    rows = [
        heading1,
        ("1", "培育创新平台", "新增市级以上创新平台 3 家", "县科技局、县发展改革局", "县财政局", "张三"),
        ("2", "壮大创新主体", "高新技术企业达到 45 家", "县科技局", "", ""),
        heading2,
        ("3", "改造提升传统产业", "实施重点技改项目 20 项", "县工业和信息化局", "县发展改革局、县财政局", ""),
    ]
    path = notice_with_table(tmp_path / "分解表.docx", ("序号", "重点任务", "具体措施", "牵头单位", "配合单位", "责任领导"),
                             rows, merged_headings=(heading1, heading2))
    plan = parse_plan(read_notice(path))
    assert [(i.section, i.number, i.title) for i in plan.items] == [
        ("增强科技创新能力", "1", "培育创新平台"), ("增强科技创新能力", "2", "壮大创新主体"),
        ("推动产业转型升级", "3", "改造提升传统产业")]
    first = plan.items[0]
    assert (first.lead, first.support, first.leaders) == (["县科技局", "县发展改革局"], ["县财政局"], ["张三"])
    assert first.text == "培育创新平台。新增市级以上创新平台3家。"
    assert (plan.items[2].lead, plan.items[2].support) == (["县工业和信息化局"], ["县发展改革局", "县财政局"])


def test_a_category_column_and_numbering_restarting_per_category(tmp_path):
    rows = [("科技创新", "1", "培育创新平台", "县科技局"), ("科技创新", "2", "壮大创新主体", "县科技局"),
            ("产业升级", "1", "发展数字经济", "县工业和信息化局")]
    path = notice_with_table(tmp_path / "t.docx", ("类别", "序号", "工作任务", "责任单位"), rows)
    plan = parse_plan(read_notice(path))
    assert [(i.section, i.number, i.lead) for i in plan.items] == [
        ("科技创新", "1", ["县科技局"]), ("科技创新", "2", ["县科技局"]), ("产业升级", "1", ["县工业和信息化局"])]


@pytest.mark.parametrize("header, is_task_table", [
    (["序号", "重点任务", "牵头单位", "配合单位"], True),
    (["序号", "工作内容", "责任单位", "完成时限"], True),
    (["序号", "项目名称", "总投资", "建设地点"], False),        # a project list, not a task table
    (["姓名", "职务", "联系电话"], False),
])
def test_only_task_tables_are_read_as_tasks(header, is_task_table):
    assert (header_roles(header) is not None) == is_task_table


def test_other_tables_keep_their_cells_as_text(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "项目名称", "总投资"
    document.save(tmp_path / "x.docx")
    assert read_notice(tmp_path / "x.docx").split("\n") == ["项目名称", "总投资"]
    assert table_lines([["项目名称", "总投资"]]) is None


@pytest.mark.parametrize("cell, names", [
    ("王红、李明", ["王红", "李明"]), ("王红 李明", ["王红", "李明"]), ("王 红", ["王红"]),
    ("王 红李 明", ["王红", "李明"]), ("张 小明李 大伟", ["张小明", "李大伟"]), ("张三", ["张三"]),
])
def test_names_in_a_leaders_cell(cell, names):
    from ledger.plan.tables import people
    assert people(cell) == names


def test_leaders_run_together_in_a_flattened_table():
    plan = parse_plan("\n".join(["示范县2024年重点工作任务", "序号", "重点任务", "牵头单位", "责任领导",
                                 "1", "建设实验室2家", "县科技局", "王 红李 明"]))
    assert plan.items[0].leaders == ["王红", "李明"]


@pytest.mark.parametrize("header, roles", [
    (["序号", "重点任务", "牵头（责任）单位", "配合单位"], {"number": 0, "title": 1, "lead": 2, "support": 3}),
    (["序号", "工作任务", "责任单位", "完成时限"], {"number": 0, "title": 1, "either": 2, "deadline": 3}),
    (["完成时限", "协同责任单位", "牵头责任单位", "目标任务"], {"deadline": 0, "support": 1, "lead": 2, "title": 3}),
    (["序号", "任务", "牵头县领导", "牵头单位"], {"number": 0, "title": 1, "leaders": 2, "lead": 3}),
    (["序号", "项目名称", "建设内容", "责任单位", "分管县领导"],
     {"number": 0, "title": 1, "text": 2, "either": 3, "leaders": 4}),
])
def test_header_roles_in_any_order_and_wording(header, roles):
    assert header_roles(header) == roles


def test_an_indicator_table_gives_indicator_and_target_as_the_title():
    plan = parse_plan("\n".join(["示范县2024年主要预期目标分解表", "序号 | 指标名称 | 预期目标 | 责任单位",
                                 "1 | 地区生产总值 | 增长6%左右 | 县发改局", "2 | 城镇新增就业 | 3000人 | 县人社局"]))
    assert [(i.title, i.lead) for i in plan.items] == [
        ("地区生产总值增长6%左右", ["县发改局"]), ("城镇新增就业3000人", ["县人社局"])]
