"""Notices in traditional characters are read as simplified; simplified notices are left alone."""

from __future__ import annotations

from ledger.plan.parse import parse_plan
from ledger.plan.script import simplified

TRADITIONAL = "\n".join([
    "示範縣2024年重點工作要點",
    "一、產業發展",
    "1.建設智慧園區平臺。（牽頭單位：縣工信局；配合單位：縣財政局、各鄉鎮）",
    "2.新增規上企業8家。",
    "責任單位：縣工信局、縣統計局",
    "完成時限：2024年12月底",
    "二、民生保障",
    "3.新建幼兒園2所。（縣教育局負責，縣財政局配合）",
])


def test_a_traditional_notice_reads_like_its_simplified_twin():
    plan = parse_plan(TRADITIONAL)
    assert plan.title == "示范县2024年重点工作要点"
    assert [(i.section, i.title, i.lead, i.support, i.deadline_text) for i in plan.items] == [
        ("产业发展", "建设智慧园区平台", ["县工信局"], ["县财政局", "各乡镇"], ""),
        ("产业发展", "新增规上企业8家", ["县工信局", "县统计局"], [], "2024年12月底"),
        ("民生保障", "新建幼儿园2所", ["县教育局"], ["县财政局"], "")]
    assert [(n.code, n.line) for n in plan.notes] == [("traditional", 1)]


def test_a_simplified_notice_is_left_exactly_as_written():
    text = "示范县2024年重点工作要点\n1.引进“新竹縣”“臺灣”客商3家。（县商务局负责）\n2.建设园区。（县工信局负责）"
    assert simplified(text) == (text, False)
    plan = parse_plan(text)
    assert plan.items[0].title == "引进“新竹縣”“臺灣”客商3家" and not plan.notes
