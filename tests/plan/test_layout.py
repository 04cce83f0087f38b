"""The layout stage: numbering forms, outlines, long lines, decoys and flattened task tables.

Every fixture here is written for this test; none is taken from a real notice.
"""

from __future__ import annotations

import pytest

from ledger.plan.parse import parse_plan

TITLE = "示范县2024年重点工作任务"


def items_of(*lines: str):
    plan = parse_plan("\n".join([TITLE, *lines]))
    return [(i.number, i.title, i.lead) for i in plan.items]


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("numbers", [
    ["1.", "2.", "3."], ["1、", "2、", "3、"], ["1．", "2．", "3．"], ["1﹒", "2﹒", "3﹒"], ["1）", "2）", "3）"],
    ["（1）", "（2）", "（3）"], ["(1)", "(2)", "(3)"], ["①", "②", "③"],
    ["第一条", "第二条", "第三条"], ["（一）", "（二）", "（三）"],
])
def test_each_numbering_form_gives_items(numbers):
    lines = [f"{n}完成第{k}项任务。（县科技局负责）" for k, n in enumerate(numbers, 1)]
    assert [number for number, *_ in items_of("一、科技创新", *lines)] == \
        [n.rstrip(".、．﹒") if n[0] in "（(" else n.rstrip(".、．﹒）") for n in numbers]


def test_items_beyond_999_stay_apart():
    lines = ["一、全部任务"] + [f"{n}. 第{n}项任务。（县科技局负责）" for n in range(1, 1201)]
    items = items_of(*lines)
    assert len(items) == 1200
    assert items[999] == ("1000", "第1000项任务", ["县科技局"])
    assert items[-1][0] == "1200"


def test_numbering_restarting_in_each_part():
    items = items_of("一、科技创新", "1.建设平台。（县科技局负责）", "2.引进人才。（县人社局负责）",
                     "二、产业升级", "1.改造产业。（县工信局负责）", "2.发展服务业。（县商务局负责）")
    assert [n for n, *_ in items] == ["1", "2", "1", "2"]


def test_three_levels_item_level_is_the_one_with_units():
    plan = parse_plan("\n".join([
        TITLE, "一、科技创新", "（一）平台建设", "1.建设实验室", "（1）新建实验室2家。（县科技局负责）",
        "（2）新建中心1家。（县工信局负责）", "2.引进人才", "（1）引进博士10名。（县人社局负责）"]))
    assert [(i.number, i.section_number, i.section, i.lead) for i in plan.items] == [
        ("（1）", "1", "建设实验室", ["县科技局"]), ("（2）", "1", "建设实验室", ["县工信局"]),
        ("（1）", "2", "引进人才", ["县人社局"])]


def test_three_levels_units_on_the_middle_level_keep_steps_inside():
    plan = parse_plan("\n".join([
        TITLE, "一、科技创新", "（一）建设平台。分以下步骤：", "1.制定方案；", "2.组织实施。（县科技局负责）",
        "（二）引进人才。（县人社局负责）"]))
    assert [(i.number, i.lead) for i in plan.items] == [("（一）", ["县科技局"]), ("（二）", ["县人社局"])]


def test_deepest_level_when_no_level_has_units():
    plan = parse_plan("\n".join([TITLE, "一、科技创新", "（一）平台", "1.建设实验室。", "2.建设中心。",
                                 "（二）人才", "3.引进博士。"]))
    assert [i.number for i in plan.items] == ["1", "2", "3"]


def test_a_small_gap_in_numbering_is_kept_and_reported():
    plan = parse_plan("\n".join([TITLE, "一、科技创新", "1.建设实验室一批。（县科技局负责）",
                                 "2.建设研发中心一批。（县科技局负责）", "4.引进高层次人才。（县人社局负责）"]))
    assert [i.number for i in plan.items] == ["1", "2", "4"]
    (gap,) = [n for n in plan.notes if n.code == "numbering_gap"]
    assert gap.line == 5 and gap.snippet.startswith("4.引进高层次人才") and "第 3 项" in gap.message


# --- one long line ---------------------------------------------------------------------------

def test_a_body_on_one_long_line():
    body = (f"{TITLE} 一、招商引资 1.引进亿元以上项目20个，增长6.5%。责任单位：县商务局 "
            "2.举办招商推介活动10场。责任单位：县商务局、县投促中心 二、项目建设 "
            "3.实施重点项目100个，2024年10月前完成。牵头单位：县发改局；配合单位：县财政局 "
            "4.新开工项目50个。（县住建局负责）")
    plan = parse_plan(body)
    assert [(i.number, i.title, i.lead, i.support, i.section) for i in plan.items] == [
        ("1", "引进亿元以上项目20个，增长6.5%", ["县商务局"], [], "招商引资"),
        ("2", "举办招商推介活动10场", ["县商务局", "县投促中心"], [], "招商引资"),
        ("3", "实施重点项目100个，2024年10月前完成", ["县发改局"], ["县财政局"], "项目建设"),
        ("4", "新开工项目50个", ["县住建局"], [], "项目建设")]
    assert plan.items[2].deadline_text == "2024年10月前完成"
    assert {n.line for n in plan.notes} <= {1}


# --- decoys ----------------------------------------------------------------------------------

def test_decoys_are_not_items():
    plan = parse_plan("\n".join([
        "示范县人民政府办公室关于印发示范县2024年重点工作任务的通知", "示政办发〔2024〕3号",
        "各镇人民政府，县政府各部门：", "现将有关事项通知如下：", "一、要抓紧部署实施。", "二、要及时报送进展。",
        "附件：1．示范县2024年重点工作任务", "2．示范县2024年重点项目清单", "示范县人民政府办公室",
        "2024年2月1日", "附件1", TITLE, "一、科技创新", "1.建设实验室2家。（县科技局负责）",
        "— 3 —", "2.引进博士10名。（县人社局负责）"]))
    assert [(i.number, i.title) for i in plan.items] == [("1", "建设实验室2家"), ("2", "引进博士10名")]
    assert (plan.title, plan.year) == (TITLE, 2024)


def test_parts_are_items_when_they_carry_the_units():
    plan = parse_plan("\n".join([TITLE, "一、建设实验室2家。（县科技局负责）", "二、引进博士10名。（县人社局负责）"]))
    assert [(i.number, i.title, i.lead) for i in plan.items] == [
        ("一", "建设实验室2家", ["县科技局"]), ("二", "引进博士10名", ["县人社局"])]


def test_chapters_above_parts():
    plan = parse_plan("\n".join([TITLE, "第一部分 发展目标", "一、科技创新", "1.建设实验室2家。（县科技局负责）",
                                 "第二部分 重点任务", "一、民生保障", "1.新建学校1所。（县教体局负责）"]))
    assert [(i.number, i.section_number, i.section) for i in plan.items] == [
        ("1", "一", "科技创新"), ("1", "一", "民生保障")]


def test_units_separated_by_spaces_on_a_label_line():
    plan = parse_plan("\n".join([TITLE, "一、科技创新", "1.建设实验室2家。", "责任单位：县科技局 县财政局  县工信局"]))
    assert plan.items[0].lead == ["县科技局", "县财政局", "县工信局"]


def test_a_cover_letter_with_its_own_parts_and_no_signature_before_the_plan():
    plan = parse_plan("\n".join([
        "示范市人民政府办公室关于印发示范市2024年民生实事项目的通知", "各县（市、区）人民政府：",
        "现将示范市2024年民生实事项目印发给你们。", "一、各责任单位要细化实施方案。", "二、每月5日前报送进展情况。",
        "示范市2024年民生实事项目", "一、教育", "1.新建幼儿园10所。（责任单位：市教育局；完成时限：2024年12月）",
        "二、医疗", "1.建设医共体5个。（责任单位：市卫生健康委；完成时限：年底前）"]))
    assert [(i.section, i.number, i.lead, i.deadline_text) for i in plan.items] == [
        ("教育", "1", ["市教育局"], "2024年12月"), ("医疗", "1", ["市卫生健康委"], "年底前")]
    assert plan.title == "示范市2024年民生实事项目"


def test_tasks_in_two_annexes_are_all_items():
    plan = parse_plan("\n".join([
        "示范县人民政府办公室关于印发2024年政府工作报告目标任务分解的通知", "各镇人民政府：",
        "现将目标任务分解印发给你们。", "附件：1．预期目标分解表", "2．重点任务分解表", "示范县人民政府办公室",
        "2024年2月1日", "附件1", "预期目标分解表", "序号 | 预期目标 | 责任单位",
        "1 | 地区生产总值增长6% | 县发改局", "2 | 一般公共预算收入增长5% | 县财政局",
        "附件2", "重点任务分解表", "序号 | 重点任务 | 牵头单位 | 配合单位",
        "1 | 建设实验室2家 | 县科技局 | 县财政局", "2 | 引进博士10名 | 县人社局 | 县教体局",
        "3 | 新建学校1所 | 县教体局 | 县住建局"]))
    assert [(i.number, i.lead, i.support) for i in plan.items] == [
        ("1", ["县发改局"], []), ("2", ["县财政局"], []),
        ("1", ["县科技局"], ["县财政局"]), ("2", ["县人社局"], ["县教体局"]), ("3", ["县教体局"], ["县住建局"])]


def test_chinese_numbered_items_beyond_a_thousand():
    def cn_of(n: int) -> str:
        digits, out = "零一二三四五六七八九", ""
        for unit, size in (("千", 1000), ("百", 100), ("十", 10)):
            q, n = divmod(n, size)
            out += digits[q] + unit if q else ("零" if out and not out.endswith("零") and n else "")
        return (out + (digits[n] if n else "")).rstrip("零")
    lines = ["一、全部任务"] + [f"（{cn_of(n)}）第{n}项任务。（县科技局负责）" for n in range(1, 1101)]
    items = items_of(*lines)
    assert len(items) == 1100 and items[1099][:2] == ("（一千一百）", "第1100项任务")
    assert items[1010][:2] == ("（一千零一十一）", "第1011项任务")


def test_a_one_line_body_keeps_its_last_item_before_the_signature():
    body = (f"{TITLE} 一、科技创新 1.建设实验室2家，完成投资1.5亿元，新增研发平台3个。（县科技局负责） "
            "2.引进博士10名，新建人才公寓200套，举办招聘活动5场。（县人社局负责） ## 二、组织实施 "
            "3.强化督导落实。对工作推进不力的予以通报批评。 示范县人民政府办公室 2024年6月28日印发")
    plan = parse_plan(body)
    assert [i.number for i in plan.items] == ["1", "2", "3"]
    assert plan.items[2].text == "强化督导落实。对工作推进不力的予以通报批评。"


def test_a_table_run_into_one_line():
    body = " ".join([TITLE, "附件1", "序号", "预期目标", "责任单位", "1", "地区生产总值增长6%左右", "县发改局",
                     "2", "一般公共预算收入增长5%", "县财政局", "3", "城镇新增就业3000人", "县人社局"] + ["说明"] * 40)
    plan = parse_plan(body)
    assert [(i.number, i.title, i.lead) for i in plan.items][:2] == [
        ("1", "地区生产总值增长6%左右", ["县发改局"]), ("2", "一般公共预算收入增长5%", ["县财政局"])]


def test_clauses_each_with_their_units_become_items():
    plan = parse_plan("\n".join([
        TITLE, "一、产业发展", "（一）壮大实体经济。一是改造传统产业，实施技改项目20个（县工信局负责）；"
        "二是培育新兴产业，新增规上企业10家（县发改局牵头，县科技局配合）。",
        "（二）扩大有效投资。实施重点项目100个。（县发改局负责）"]))
    assert [(i.number, i.section_number, i.section, i.title, i.lead, i.support) for i in plan.items] == [
        ("一是", "（一）", "壮大实体经济", "改造传统产业，实施技改项目20个", ["县工信局"], []),
        ("二是", "（一）", "壮大实体经济", "培育新兴产业，新增规上企业10家", ["县发改局"], ["县科技局"]),
        ("（二）", "一", "产业发展", "扩大有效投资", ["县发改局"], [])]


def test_a_number_alone_on_its_line():
    plan = parse_plan("\n".join([TITLE, "一、", "科技创新", "1.", "建设实验室2家。（县科技局负责）", "（2）",
                                 "无关的编号", "2.", "引进博士10名。（县人社局负责）"]))
    assert [(i.number, i.title, i.section) for i in plan.items] == [
        ("1", "建设实验室2家", "科技创新"), ("2", "引进博士10名", "科技创新")]


@pytest.mark.parametrize("body", [
    ["一、科技创新", "建设实验室2家。", "牵头单位：县科技局", "配合单位：县财政局", "引进博士10名。", "责任单位：县人社局"],
    ["一、科技创新", "● 建设实验室2家。（牵头单位：县科技局；配合单位：县财政局）", "● 引进博士10名。",
     "责任单位：县人社局"],
])
def test_unnumbered_tasks(body):
    plan = parse_plan("\n".join([TITLE, "为推动发展，制定本计划。", *body]))
    assert [(i.number, i.title, i.lead, i.support, i.section) for i in plan.items] == [
        ("1", "建设实验室2家", ["县科技局"], ["县财政局"], "科技创新"), ("2", "引进博士10名", ["县人社局"], [], "科技创新")]
    assert plan.notes[0].code == "unnumbered"


def test_clauses_written_one_per_line_with_their_units():
    plan = parse_plan("\n".join([TITLE, "一、科技创新", "一是建设实验室2家。（县科技局负责）",
                                 "二是引进博士10名。（县人社局负责）", "二、民生保障", "一是新建学校1所。（县教体局负责）"]))
    assert [(i.number, i.title, i.lead, i.section) for i in plan.items] == [
        ("一是", "建设实验室2家", ["县科技局"], "科技创新"), ("二是", "引进博士10名", ["县人社局"], "科技创新"),
        ("一是", "新建学校1所", ["县教体局"], "民生保障")]
