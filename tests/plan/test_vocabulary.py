"""The vocabulary: organisational endings (with the office's additions) and role labels."""

from __future__ import annotations

import pytest

from ledger.plan.vocabulary import (DEADLINE, DEFAULT, EITHER, FIRST_IS_LEAD, LABEL, LEAD, PEOPLE, SENTENCE, SUPPORT,
                                    label_role, vocabulary)
from ledger.settings import load_settings


@pytest.mark.parametrize("name", ["县科技局", "市发改委", "县政府办", "省财政厅", "县政务服务中心",
                                  "六安供电公司", "县城投集团", "县人民政府", "城关街道", "青城镇", "花沟乡",
                                  "县开发区管委会", "市生态环境局示范分局", "人行示范市中心支行",
                                  "县招商专班", "县交警大队", "县科协", "示范海关", "县直机关工委",
                                  "县直机关", "示范城投控股"])
def test_built_in_endings(name):
    assert DEFAULT.is_unit_like(name)


@pytest.mark.parametrize("name", ["张三", "持续推进", "增长6%", "高质量发展"])
def test_not_units(name):
    assert not DEFAULT.is_unit_like(name)


def test_the_office_adds_endings():
    assert not DEFAULT.is_unit_like("示范县城投")
    extended = vocabulary(["城投", " 文旅投 ", ""])
    assert extended.is_unit_like("示范县城投") and extended.is_unit_like("示范县文旅投")
    assert extended.is_unit_like("县科技局")                 # the built-in ones stay


def test_the_setting_reads_from_ledger_toml(tmp_path):
    path = tmp_path / "ledger.toml"
    path.write_text('[units]\nunit_endings = ["城投", "文旅投"]\n', encoding="utf-8")
    assert load_settings(path).units.unit_endings == ["城投", "文旅投"]


@pytest.mark.parametrize("text, label, role", [
    ("牵头单位：", "牵头单位", LEAD), ("牵头责任单位:", "牵头责任单位", LEAD), ("主办单位：", "主办单位", LEAD),
    ("协同责任单位：", "协同责任单位", SUPPORT), ("配合单位：", "配合单位", SUPPORT),
    ("责任单位：", "责任单位", EITHER), ("部门分工：", "部门分工", SENTENCE),
    ("完成时限：", "完成时限", DEADLINE), ("时间节点：", "时间节点", DEADLINE),
    ("责任领导：", "责任领导", PEOPLE), ("分管省领导:", "分管省领导", PEOPLE),
    ("牵头负责领导：", "牵头负责领导", PEOPLE), ("分管县领导：", "分管县领导", PEOPLE), ("责任人：", "责任人", PEOPLE),
])
def test_labels_and_their_roles(text, label, role):
    m = LABEL.search(text)
    assert m and m.group(1) == label and label_role(label) == role


@pytest.mark.parametrize("text, states", [
    ("（列第一位的为牵头单位，下同）", True),
    ("首位单位为牵头单位", True),
    ("除标注“分别牵头”外,列第一位为牵头或汇总单位,下同", True),
    ("责任分解中，列第一位的责任单位为牵头单位或汇总单位。", True),
    ("在责任单位中，排名第一的责任单位为牵头单位，其他列入单位为参与单位。", True),
    ("排在首位的为主办单位", True),
    ("各牵头单位要发挥牵头作用", False),
    ("无牵头单位的，责任单位即为牵头单位", False),
])
def test_the_first_is_lead_rule_in_its_wordings(text, states):
    assert bool(FIRST_IS_LEAD.search(text)) == states
