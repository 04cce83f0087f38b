"""Unit names as the office reads them: normalised, split, collective, and read from annotations."""

from __future__ import annotations

import pytest

from ledger.plan.units import is_collective, normalise_unit, split_units


@pytest.mark.parametrize("raw, expected", [
    ("县科技局", "县科技局"),
    ("  县 科技局 ", "县科技局"),                        # half-width spaces anywhere
    ("\u3000县\u3000科技局\u3000", "县科技局"),          # full-width spaces anywhere
    ("县\xa0科技局", "县科技局"),                         # non-breaking space from web pages
    ("“县科技局”，", "县科技局"),                        # quotes and trailing comma
    ("（县科技局）", "县科技局"),                        # wrapping brackets
    ("县科技局）", "县科技局"),                          # closing bracket left by an annotation
    ("(县科技局", "县科技局"),                           # opening bracket left by an annotation
    ("各镇（街道）", "各镇（街道）"),                    # balanced brackets belong to the name
    ("县发展改革局等部门", "县发展改革局"),
    ("县发展改革局等有关单位", "县发展改革局"),
    ("县发展改革局等单位", "县发展改革局"),
    ("县发展改革局等", "县发展改革局"),
    ("县发展改革局等5个部门", "县发展改革局"),
    ("县发展改革局等三个单位", "县发展改革局"),
    ("县科技局负责", "县科技局"),
    ("县委组织部牵头", "县委组织部"),
    ("经济开发区牵头负责", "经济开发区"),
    ("县工业和信息化局等部门配合", "县工业和信息化局"),
    ("县有关产业专班牵头部门", "县有关产业专班牵头部门"),  # 牵头 inside the name stays
    ("县有关产业专班牵头部门等配合", "县有关产业专班牵头部门"),
    ("县人力资源和社会保障局", "县人力资源和社会保障局"),
    ("牵头", ""),
    ("", ""),
])
def test_normalise_unit(raw, expected):
    assert normalise_unit(raw) == expected


@pytest.mark.parametrize("text, expected", [
    ("县发展改革局、县科技局", ["县发展改革局", "县科技局"]),
    ("县发展改革局，县科技局", ["县发展改革局", "县科技局"]),
    ("县发展改革局,县科技局", ["县发展改革局", "县科技局"]),
    ("县发展改革局；县科技局", ["县发展改革局", "县科技局"]),
    ("县发展改革局;县科技局", ["县发展改革局", "县科技局"]),
    ("县人力资源和社会保障局、县文化和旅游局", ["县人力资源和社会保障局", "县文化和旅游局"]),
    ("县科技局、、 县科技局 ，县财政局", ["县科技局", "县财政局"]),   # empties and repeats dropped
    ("县财政局、县科技局、县财政局", ["县财政局", "县科技局"]),        # order of first mention
    ("各镇（街道、园区）、县财政局", ["各镇（街道、园区）", "县财政局"]),
    ("县科技局、县财政局等部门", ["县科技局", "县财政局"]),
    ("", []),
])
def test_split_units(text, expected):
    assert split_units(text) == expected


@pytest.mark.parametrize("name", [
    "各镇", "各镇（街道）", "街道", "各街道", "各乡镇（街道）", "各有关部门", "县直各部门",
    "各镇街区", "各区县", "县政府各部门", "县有关部门", "有关镇街", "镇（街道）",
    "市推进黄河流域生态保护和高质量发展领导小组成员单位", "县有关产业专班牵头部门",
])
def test_collective_names(name):
    assert is_collective(name)


@pytest.mark.parametrize("name", [
    "县科技局", "经济开发区", "团县委", "县委社会工作部", "县人力资源和社会保障局",
    "市生态环境局高青分局", "街道办事处综合科", "青城镇人民政府",
])
def test_single_units_are_not_collective(name):
    assert not is_collective(name)
