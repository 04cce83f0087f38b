"""Findings: the fix is a field declared where the finding is made, and the problem is the rest."""

from __future__ import annotations

from ledger import codes
from ledger.findings import ERROR, WARNING, Finding


def test_a_finding_made_from_problem_and_fix_keeps_both_and_the_whole_sentence():
    f = codes.STATUS_UNKNOWN.finding(typed="请示领导后推进", choices="已完成、滞后", cell="I5", value="请示领导后推进")
    assert f.message == "“请示领导后推进”不是有效的完成状态，请从下拉列表选择：已完成、滞后"
    assert f.problem == "“请示领导后推进”不是有效的完成状态"
    assert f.fix == "请从下拉列表选择：已完成、滞后"
    assert f.to_dict()["fix"] == f.fix and f.to_dict()["message"] == f.message


def test_a_finding_without_a_fix_is_all_problem():
    f = Finding("formula-like", WARNING, "内容以“=”等符号开头，看起来像公式，将按文字保存")
    assert f.fix == "" and f.problem == f.message and f.to_dict()["fix"] == ""


def test_a_code_joins_problem_and_fix_with_its_declared_separator():
    assert codes.FILE_ENCRYPTED.finding().message == "文件已加密，请取消密码后重新报送（在 Excel/WPS 中取消打开密码后保存）。"
    assert codes.DATE_INVALID.told(typed="下周").message == "“下周”不是有效的日期：请填写如 2024-07-31 的日期"


def test_a_stored_finding_reads_back_and_tells_its_problem_without_its_place():
    f = codes.STATUS_UNKNOWN.told(typed="进行中", choices="已完成").at("K4“完成状态”：", sheet="台账", cell="K4",
                                                                   column="完成状态", value="进行中")
    again = Finding.from_dict({**f.to_dict(), "added_later": 1})
    assert again == f
    assert again.problem == "K4“完成状态”：“进行中”不是有效的完成状态"          # the 问题清单 keeps the place
    assert again.fix == "请从下拉列表选择：已完成"
    assert again.problem_alone == "“进行中”不是有效的完成状态"
    other = codes.TARGET_DECREASED.told(achieved="11.6", when="2024年6月", before="18").at(
        "“指标”工作表I4“本年累计完成值”：", sheet="指标", cell="I4")
    assert other.problem_alone == "本年累计完成值 11.6 小于上期（2024年6月）已报送的 18，累计值一般不会减少"
    assert Finding("file-corrupt", ERROR, "K4 文件已损坏").problem_alone == "K4 文件已损坏"   # no cell: no place
