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


def test_a_stored_finding_reads_back_and_tells_its_problem_without_its_place():
    f = Finding.of("status-unknown", ERROR, "K4“完成状态”：“进行中”不是有效的完成状态", "请从下拉列表选择", "，",
                   sheet="台账", cell="K4", column="完成状态", value="进行中")
    again = Finding.from_dict({**f.to_dict(), "added_later": 1})
    assert again == f
    assert again.problem == "K4“完成状态”：“进行中”不是有效的完成状态"          # the 问题清单 keeps the place
    assert again.problem_alone == "“进行中”不是有效的完成状态"
    other = Finding.of("target-decrease", WARNING, "“指标”工作表I4“本年累计完成值”：11.6 小于上期的 18", "请核对", "，",
                       sheet="指标", cell="I4")
    assert other.problem_alone == "11.6 小于上期的 18"
    assert Finding("file-corrupt", ERROR, "K4 文件已损坏").problem_alone == "K4 文件已损坏"   # no cell: no place
