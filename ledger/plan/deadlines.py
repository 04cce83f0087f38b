"""Item deadlines: 完成时限 text as written, and the date it gives when it gives one.

``2024年6月底`` → 2024-06-30, ``年底前`` → 12-31 of the plan year, ``三季度末`` → 09-30,
``6月底前完成方案，12月底前全面完成`` → the last date (the steps before it are milestones);
``持续推进``, ``全年``, ``长期坚持`` → no date. Month-only dates mean the month's last day.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

CN = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}


def _cn_int(text: str) -> int:
    """12, 十二, 一二 (as in 二〇二四) → int."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN.get(tens, 1) if tens else 1) * 10 + (CN.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + CN.get(ch, 0)
    return value


NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
YEAR = r"(?:(\d{4}|[二〇一二三四五六七八九零]{4})\s*年)"

# One date expression; the named groups say which kind. Order matters: longest forms first.
DATE = re.compile(
    r"(?P<iso>(?P<iy>\d{4})\s*[-/.．]\s*(?P<im>\d{1,2})(?:\s*[-/.．]\s*(?P<id>\d{1,2}))?(?![\d%]))"
    rf"|(?P<ymd>{YEAR}?\s*(?P<m1>{NUM})\s*月\s*(?P<d1>{NUM})\s*[日号])"
    rf"|(?P<ym>{YEAR}?\s*(?P<m2>{NUM})\s*月(?P<part>上旬|中旬|下旬|底|末|份|初|中)?)"
    rf"|(?P<q>{YEAR}?\s*(?:第)?(?P<qn>[一二三四1234])\s*季度(?:末|底)?)"
    rf"|(?P<half>{YEAR}?\s*(?P<hn>上半年|年中|下半年))"
    rf"|(?P<ye>{YEAR}?\s*(?:年底|年末|年内))"
    rf"|(?P<y>{YEAR})"
)
# Deadline clauses inside an item's text, as tables (used when no labelled 完成时限 exists).
# A period and 前 (6月底前, 年底前, 三季度前) then a verb of completion is a deadline whatever follows:
# 年底前全面完成, 6月底前出台实施方案.
BY_PERIODS = (
    rf"(?:\d{{4}}年)?{NUM}月(?:\d{{1,2}}[日号])?(?:底|末|中旬|上旬|下旬)?",
    r"(?:\d{4}年)?(?:年底|年末)",
    r"(?:第)?[一二三四1-4]季度(?:末|底)?",
    r"上半年",
    r"\d{4}年",
)
BEFORE = ("前", "以前", "之前")
# A period without 前 (年内完成, 上半年完成, 一季度开工, 6月底建成) is a deadline only when what is
# completed carries no figure: 年内完成投资5亿元 is a target, and 年内新增企业10家 has no verb of completion.
WITHIN_PERIODS = (
    r"年内",
    r"(?:\d{4}年)?(?:年底|年末)",
    r"上半年内?",
    r"年中",
    r"(?:第)?[一二三四1-4]季度(?:末|底|内)?",
    rf"(?<![\d\-－—~～至到]){NUM}月(?:底|末|份)?",
)
ADVERBS = ("全面", "基本", "全部", "如期", "顺利")
VERBS = ("完成", "建成", "实现", "投用", "投运", "竣工", "落地", "出台", "印发", "启动", "开工", "到位", "办结")
# A figure in what a within-period clause completes: 5亿元, 10家, 三个, 20%.
FIGURE = r"\d|[０-９%％]|[一二三四五六七八九十百千万两]+(?:个|家|项|所|座|条|处|批|亿|万|户|人|台|套|公里|千米|平方米)"


def _any(words) -> str:
    return "(?:" + "|".join(words) + ")"


CLAUSE = re.compile(
    rf"{_any(BY_PERIODS)}{_any(BEFORE)}{_any(ADVERBS)}?{_any(VERBS)}"
    rf"|{_any(WITHIN_PERIODS)}{_any(ADVERBS)}?{_any(VERBS)}(?![^。；;，,！!？?]*(?:{FIGURE}))")


def deadline_date(text: str, year: int | None) -> date | None:
    """The date a deadline text gives (the last one when it names several), else None."""
    text = unicodedata.normalize("NFKC", text or "")
    found: date | None = None
    for m in DATE.finditer(text):
        found = _date(m, year) or found
    return found


def find_deadline(text: str) -> str:
    """The last deadline clause written inside an item's text, or ""."""
    found = ""
    for m in CLAUSE.finditer(text or ""):
        found = m.group(0)
    return found


def _date(m: re.Match, plan_year: int | None) -> date | None:
    if m.group("iso"):                      # 2024-06-30 / 2024.6 (cells of an Excel table)
        year, month = int(m.group("iy")), int(m.group("im"))
        if not 1 <= month <= 12:
            return None
        return _safe(year, month, int(m.group("id")) if m.group("id") else calendar.monthrange(year, month)[1])
    year_text = next((m.group(i) for i in _YEAR_GROUPS if m.group(i)), None)
    year = _cn_int(year_text) if year_text else plan_year
    if year is None or not 1900 < year < 2200:
        return None
    if m.group("ymd"):
        month, day = _cn_int(m.group("m1")), _cn_int(m.group("d1"))
        return _safe(year, month, day)
    if m.group("ym"):
        month = _cn_int(m.group("m2"))
        if not 1 <= month <= 12:
            return None
        part = m.group("part") or ""
        day = {"上旬": 10, "初": 10, "中旬": 20, "中": 15}.get(part) or calendar.monthrange(year, month)[1]
        return _safe(year, month, day)
    if m.group("q"):
        quarter = "一二三四".find(m.group("qn")) + 1 or int(m.group("qn"))
        month = quarter * 3
        return _safe(year, month, calendar.monthrange(year, month)[1])
    if m.group("half"):
        return date(year, 6, 30) if m.group("hn") in ("上半年", "年中") else date(year, 12, 31)
    if m.group("ye"):
        return date(year, 12, 31)
    if m.group("y"):
        return date(year, 12, 31) if year_text else None
    return None


# The unnamed groups: the year of whichever alternative matched (each has its own).
_YEAR_GROUPS = [i for i in range(1, DATE.groups + 1) if i not in DATE.groupindex.values()]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
