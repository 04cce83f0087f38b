"""Item and heading numbers as notices write them, outermost level first.

``一、`` part → ``（一）`` group → ``1.`` item → ``（1）`` → ``①``; and ``第一条`` articles. Each
style reads a line's leading number into (number as written, value, rest of the line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
CN_NUMERAL = "一二三四五六七八九十百千零〇两"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"
WS = re.compile(r"[\s\u3000\xa0]+")


def cn_number(numeral: str) -> int:
    """The value of a Chinese numeral: 七 → 7, 十二 → 12, 七十八 → 78, 一百零五 → 105, 一千二百 → 1200."""
    total, digit = 0, 0
    for ch in numeral:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in "十百千":
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
    return total + digit


@dataclass(frozen=True)
class Style:
    """One way of numbering: its pattern (groups: numeral, rest), value and written form."""

    name: str
    pattern: re.Pattern
    value: Callable[[str], int]
    written: Callable[[re.Match], str]

    def read(self, line: str) -> tuple[str, int, str] | None:
        """(number as written, value, rest of the line) when the line starts with this number."""
        m = self.pattern.match(line)
        if not m:
            return None
        return self.written(m), self.value(m.group("n")), m.group("rest")


PART = Style("part", re.compile(rf"^(?P<n>[{CN_NUMERAL}]{{1,8}})\s*[、.．﹒]\s*(?P<rest>\S.*)$"),
             cn_number, lambda m: m.group("n"))
BRACKET = Style("bracket", re.compile(rf"^(?P<w>[（(]\s*(?P<n>[{CN_NUMERAL}]{{1,8}})\s*[）)])\s*(?P<rest>\S.*)$"),
                cn_number, lambda m: WS.sub("", m.group("w")))
# 1. / 1、 / 1． / 1﹒ / 1） / 1.提升 — never a decimal (2.34) nor a year (2024年).
ARABIC = Style("arabic", re.compile(r"^(?P<n>\d{1,5})\s*(?:[.．、﹒](?!\d)|[）)](?!\s*[）)]))\s*(?P<rest>\S.*)$"),
               int, lambda m: m.group("n"))
PAREN = Style("paren", re.compile(r"^(?P<w>[（(]\s*(?P<n>\d{1,4})\s*[）)])\s*(?P<rest>\S.*)$"),
              int, lambda m: WS.sub("", m.group("w")))
CIRCLE = Style("circled", re.compile(rf"^(?P<n>[{CIRCLED}])\s*(?P<rest>\S.*)$"),
               lambda n: CIRCLED.index(n) + 1, lambda m: m.group("n"))
ARTICLE = Style("article", re.compile(rf"^(?P<w>第\s*(?P<n>[{CN_NUMERAL}\d]{{1,8}})\s*条)\s*(?P<rest>\S.*)$"),
                lambda n: int(n) if n.isdigit() else cn_number(n), lambda m: WS.sub("", m.group("w")))

# 一是 / 二是 at the start of a line: clauses written one per line.
CLAUSE = Style("clause", re.compile(r"^(?P<w>(?P<n>[一二三四五六七八九十]{1,3})是)(?![否的为])\s*(?P<rest>\S.*)$"),
               cn_number, lambda m: m.group("w"))
# 第一部分 / 第二章 / 第三篇: above the parts.
CHAPTER = Style("chapter", re.compile(rf"^(?P<w>第\s*(?P<n>[{CN_NUMERAL}\d]{{1,4}})\s*(?:部分|章|篇))\s*(?P<rest>\S.*)$"),
                lambda n: int(n) if n.isdigit() else cn_number(n), lambda m: WS.sub("", m.group("w")))

# Outer to inner: the levels above an item style are its headings, the levels below its text.
HIERARCHY: tuple[Style, ...] = (CHAPTER, PART, BRACKET, ARABIC, PAREN, CIRCLE)
# The styles items may be numbered in, each with the styles that can head it.
ITEM_STYLES: tuple[tuple[Style, tuple[Style, ...]], ...] = (
    (ARABIC, (CHAPTER, PART, BRACKET)),
    (BRACKET, (CHAPTER, PART)),
    (PAREN, (CHAPTER, PART, BRACKET, ARABIC)),
    (CIRCLE, (CHAPTER, PART, BRACKET, ARABIC)),
    (ARTICLE, (CHAPTER, PART)),
    (PART, (CHAPTER,)),
    (CLAUSE, (CHAPTER, PART, BRACKET, ARABIC)),
)

# A number inside a long line where an item may start (after a sentence end, bracket or space).
INLINE_START = re.compile(
    rf"(?<=[。；;！？!?）)】\]\s])\s*(?=\d{{1,5}}[.．、﹒](?!\d)|[（(][{CN_NUMERAL}]{{1,4}}[）)]"
    rf"|[一二三四五六七八九十]{{1,3}}、|[（(]\d{{1,3}}[）)]|[{CIRCLED}]|第[{CN_NUMERAL}]{{1,5}}条)")
