"""Numbering styles: a line's leading number read as written, with its value."""

from __future__ import annotations

import pytest

from ledger.plan.numbering import (ARABIC, ARTICLE, BRACKET, CHAPTER, CIRCLE, CLAUSE, INLINE_START, PAREN, PART,
                                   cn_number)


@pytest.mark.parametrize("style, line, expected", [
    (ARABIC, "1. 培育平台", ("1", 1, "培育平台")),
    (ARABIC, "12、培育平台", ("12", 12, "培育平台")),
    (ARABIC, "3．培育平台", ("3", 3, "培育平台")),
    (ARABIC, "4﹒培育平台", ("4", 4, "培育平台")),
    (ARABIC, "1203.培育平台", ("1203", 1203, "培育平台")),
    (ARABIC, "7）培育平台", ("7", 7, "培育平台")),
    (ARABIC, "2.34亿元", None),                       # a decimal, not a number
    (ARABIC, "2024年完成", None),                     # a year
    (BRACKET, "（七十八）培育平台", ("（七十八）", 78, "培育平台")),
    (BRACKET, "(一百零五)培育平台", ("(一百零五)", 105, "培育平台")),
    (PAREN, "（12）培育平台", ("（12）", 12, "培育平台")),
    (PAREN, "(3) 培育平台", ("(3)", 3, "培育平台")),
    (CIRCLE, "⑬培育平台", ("⑬", 13, "培育平台")),
    (ARTICLE, "第二十一条 培育平台", ("第二十一条", 21, "培育平台")),
    (PART, "十二、培育平台", ("十二", 12, "培育平台")),
    (PART, "一是培育平台", None),
    (CLAUSE, "三是培育平台", ("三是", 3, "培育平台")),
    (CLAUSE, "一是否达标", None),
])
def test_numbering_styles_read_a_line(style, line, expected):
    assert style.read(line) == expected


@pytest.mark.parametrize("numeral, value", [
    ("七", 7), ("十", 10), ("十二", 12), ("七十八", 78), ("一百零五", 105), ("一千二百三十四", 1234),
])
def test_chinese_numerals(numeral, value):
    assert cn_number(numeral) == value


@pytest.mark.parametrize("line, expected", [
    ("第一部分 发展目标", ("第一部分", 1, "发展目标")),
    ("第三章 保障措施", ("第三章", 3, "保障措施")),
])
def test_chapters(line, expected):
    assert CHAPTER.read(line) == expected


def test_inline_numbers_where_a_run_in_body_is_cut():
    text = "一、招商 1.引进项目20个，增长6.5%。责任单位：县商务局 2.举办活动。（二）项目"
    cuts = [text[m.end():m.end() + 2] for m in INLINE_START.finditer(text)]
    assert cuts == ["1.", "2.", "（二"]           # (the start of the line needs no cut)
