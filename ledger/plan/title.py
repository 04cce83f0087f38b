"""The plan's title and year: the heading just above the body, else what the cover letter names.

Walking back from the first heading or item, past a preamble and web-page chrome, up to the cover
letter (its 关于印发…通知 title, its signed date, 此件公开发布, an 附件 label); failing that, the plan
named in 《…》 in the cover letter, or what the notice is about (关于…的通知).
"""

from __future__ import annotations

import re

from ledger.plan.annotations import GROUP_OPEN
from ledger.plan.layout import DATE_LINE, SIGNATURE, tidy

# The cover letter's own title, not the plan's: 关于印发…的通知.
NOTICE_TITLE = re.compile(r"关于印发|通知$")
# What a notice without a plan title is about: 六安市人民政府关于(2021年重点工作及责任分解)的通知.
NOTICE_SUBJECT = re.compile(r"关于(?:印发)?(.{4,60}?)的?通知$")
# An annex label standing above the plan's title: 附件1.
ANNEX = re.compile(r"^附件\s*\d*$")
# Web-page chrome around the body: breadcrumbs, 发布时间, 浏览次数, 字号, 打印.
CHROME = re.compile(r">>|>\s|当前位置|浏览次数|信息来源|来源\s*[:：]|发布(?:日期|时间)|^时间\s*[:：]|字号|字体|"
                    r"【打印】|简体版|繁體版")
# The plan's name quoted in the cover letter: 《…2024年工作要点》.
QUOTED_TITLE = re.compile(r"《([^《》]*?(?:19|20)\d{2}[^《》]*?)》")
# A document number: 高政办字〔2024〕12号.
DOC_NUMBER = re.compile(r"[〔\[［(（]((?:19|20)\d{2})[〕\]］)）]\s*\d+\s*号")
YEAR = re.compile(r"(?:19|20)\d{2}")
# Any Chinese character: a title has some.
CJK = re.compile(r"[\u4e00-\u9fff]")
# A line ending a preamble paragraph, skipped when looking back for the title.
PREAMBLE_END = re.compile(r"[。：:]$")


def plan_title(lines: list[str], body_start: int) -> str:
    """The heading just before the body, else the 《…》 named in the cover letter."""
    heading = _heading_before(lines, body_start)
    if heading and not NOTICE_TITLE.search(heading):
        return heading
    quoted = QUOTED_TITLE.search(tidy(" ".join(lines[:body_start])))
    if quoted:
        return tidy(quoted.group(1))
    named = next((m for line in lines[:body_start] if (m := NOTICE_SUBJECT.search(line))), None)
    return heading or (named.group(1) if named else "")


def _heading_before(lines: list[str], start: int) -> str:
    """Up to four title lines above ``start``, skipping at most three preamble paragraphs.

    The walk stops at the cover letter: its 关于印发…通知 title, its signed date, 此件公开发布.
    """
    found: list[str] = []
    skipped = 0
    for k in range(start - 1, -1, -1):
        line = lines[k]
        if NOTICE_TITLE.search(line) or ANNEX.match(line):
            break
        if CHROME.search(line) or (not found and DATE_LINE.match(line) and k and not SIGNATURE.match(lines[k - 1])):
            continue                  # (a date under the plan's title, not the cover letter's signed date)
        if _title_like(line) and len(found) < 4:
            found.insert(0, line)
        elif found or skipped >= 3 or not PREAMBLE_END.search(line):
            break
        else:
            skipped += 1
    return tidy(" ".join(found))


def _title_like(line: str) -> bool:
    """A short heading line: no closing punctuation, not a date, document number or 此件…."""
    return (len(line) <= 60 and line[-1] not in "。，,；;：:！？、" and line[0] not in GROUP_OPEN
            and not DATE_LINE.match(line) and not DOC_NUMBER.search(line)
            and bool(CJK.search(line)))


def plan_year(title: str, text: str) -> int | None:
    """The year in the title, else the year of the document number 〔2024〕."""
    if m := YEAR.search(title):
        return int(m.group(0))
    if m := DOC_NUMBER.search(text or ""):
        return int(m.group(1))
    return None


