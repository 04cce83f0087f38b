"""The roles stage: role words around unit lists → lead, support, leaders, deadline."""

from __future__ import annotations

import pytest

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
