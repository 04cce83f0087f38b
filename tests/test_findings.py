"""Findings: the fix is a field declared where the finding is made, and the problem is the rest."""

from __future__ import annotations

from ledger.findings import ERROR, WARNING, Finding, told


def test_a_finding_made_from_problem_and_fix_keeps_both_and_the_whole_sentence():
    f = Finding.of("status-unknown", ERROR, "“请示领导后推进”不是有效的完成状态", "请从下拉列表选择：已完成、滞后", "，",
                   cell="I5", value="请示领导后推进")
    assert f.message == "“请示领导后推进”不是有效的完成状态，请从下拉列表选择：已完成、滞后"
    assert f.problem == "“请示领导后推进”不是有效的完成状态"
    assert f.fix == "请从下拉列表选择：已完成、滞后"
    assert f.to_dict()["fix"] == f.fix and f.to_dict()["message"] == f.message


def test_a_finding_without_a_fix_is_all_problem():
    f = Finding("formula-like", WARNING, "内容以“=”等符号开头，看起来像公式，将按文字保存")
    assert f.fix == "" and f.problem == f.message and f.to_dict()["fix"] == ""


def test_told_joins_with_the_separator_asked_for():
    assert told("文件已加密", "请取消密码后重新报送", "，") == ("文件已加密，请取消密码后重新报送", "请取消密码后重新报送")
    assert told("不是数字", "请只填写数字") == ("不是数字：请只填写数字", "请只填写数字")
