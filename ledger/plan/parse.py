"""Plan notice parser: the text of a 工作要点 / 重点工作任务 notice into sections, items and units.

A notice reads: a cover letter (通知), the plan's title, a preamble, parts headed ``一、…``,
numbered items (``1.`` / ``9、`` / ``（一）``) each closed by a unit annotation, then a trailer
(signature, date, 抄送). Text extraction leaves page breaks inside sentences, Markdown marks and
web-page chrome; all of it is cleaned here.

Narrative plans (国民经济和社会发展计划) number no items. When no numbered item is found, the
tasks are the ``一是/二是…`` clauses inside the ``（一）（二）…`` paragraphs of the part that lists
the year's tasks (a part titled …任务/措施…, never the review of last year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.errors import PlanImportError
from ledger.plan.model import Plan, PlanItem, sections_of
from ledger.plan.units import LABEL, WHITESPACE, Responsibility, read_annotation

ARABIC, BRACKET = "arabic", "bracket"

# Markdown marks left by extraction: heading hashes at the start, bold markers anywhere.
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*")
MARKDOWN_BOLD = re.compile(r"\*\*")
# A horizontal rule: ---, *** or ___ alone on a line.
RULE = re.compile(r"^\s*([-*_])\s*(?:\1\s*){2,}$")

# A part heading: 一、深入实施… (Chinese numeral, then 、 or a dot).
PART_HEADING = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.*)$")
# An item numbered in Arabic digits: 1. / 9、 / 4.提升 (but not a decimal such as 2.34).
ARABIC_ITEM = re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*(\S.*)$")
# An item (or sub-heading) numbered in brackets: （一） / (七十八).
BRACKET_ITEM = re.compile(r"^([（(]\s*([一二三四五六七八九十百零〇]{1,5})\s*[）)])\s*(\S.*)$")

# A date closing the notice: 2024年6月28日 / 2024 年 6 月 28 日印发.
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*印发)?$")
# Lines that end the body wherever they stand: 抄送, 附件, 此件公开发布, 印发 date, page chrome.
TRAILER_LINE = re.compile(
    r"^(?:抄送|抄报|分送|附件\s*[：:\d]|[（(]此件|【?(?:打印本页|关闭窗口)|扫一扫|上一篇|下一篇|分享到)"
    r"|日\s*印发$")
# An issuing body signing the notice (高青县人民政府办公室); counts only just before a date line.
SIGNATURE = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:政府|办公室|委员会|办事处|管委会|指挥部|领导小组)$")
# A unit annotation on its own line after an item: 牵头单位：… / 【责任单位：…】 / 责任领导：…
LABEL_LINE = re.compile(r"^[【\[（(]?\s*" + LABEL.pattern)
# Where an unbracketed annotation starts after the item's last sentence: 。责任单位：…
LABEL_TAIL = re.compile(r"(?<=[。；;！？])\s*(?=" + LABEL.pattern + ")")

# Bracket families that can enclose an annotation; full- and half-width mix (（…) occurs).
GROUP_OPEN, GROUP_CLOSE = "（(【[", "）)】]"
# Punctuation that may follow an annotation or end an item.
TERMINATORS = "。；;．.，,"
# The end of a sentence, for item titles.
SENTENCE_END = re.compile(r"[。！？!?]")

# A narrative task clause: 一是 / 二是 … at the start of a sentence.
CLAUSE = re.compile(r"(?:^|(?<=[。；;！？：:]))\s*([一二三四五六七八九十]{1,3})是")
# Parts that list the year's tasks, and parts that review last year or set targets.
TASK_PART = re.compile(r"任务|措施|重点工作|工作重点|主要工作|工作安排")
REVIEW_PART = re.compile(r"执行情况|完成情况|回顾|总体要求|预期目标|主要目标|指导思想")

# The cover letter's own title, not the plan's: 关于印发…的通知.
NOTICE_TITLE = re.compile(r"关于印发|通知$")
# The plan's name quoted in the cover letter: 《…2024年工作要点》.
QUOTED_TITLE = re.compile(r"《([^《》]*?(?:19|20)\d{2}[^《》]*?)》")
# A document number: 高政办字〔2024〕12号.
DOC_NUMBER = re.compile(r"[〔\[［(（]((?:19|20)\d{2})[〕\]］)）]\s*\d+\s*号")
YEAR = re.compile(r"(?:19|20)\d{2}")
# Any Chinese character: a title has some.
CJK = re.compile(r"[\u4e00-\u9fff]")
# A line ending a preamble paragraph, skipped when looking back for the title.
PREAMBLE_END = re.compile(r"[。：:]$")

CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
NO_ITEMS = "未能从通知中识别出任何任务：没有找到“1.”或“（一）”式编号的任务，也没有找到“一是、二是”式的任务表述"


@dataclass
class _Heading:
    number: str   # as written: 一 / （三）
    title: str


@dataclass
class _Block:
    """The lines of one numbered paragraph, up to the next heading or number."""

    number: str
    part: _Heading | None
    heading: _Heading | None
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # own-line annotations

    @property
    def text(self) -> str:
        return tidy(" ".join(self.lines))

    def add(self, line: str) -> None:
        """A text line, an annotation line, or the continuation of an annotation line."""
        if LABEL_LINE.match(line):
            self.notes.append(line)
        elif self.notes:
            self.notes[-1] = tidy(self.notes[-1] + " " + line)
        else:
            self.lines.append(line)


def parse_plan(text: str) -> Plan:
    """Parse a notice's text; raise PlanImportError when no item is found."""
    lines = [line for line in map(_clean_line, (text or "").splitlines()) if line]
    scan = max((seg for style in (ARABIC, BRACKET) for seg in _segments(lines, style)), key=_score)
    items = _numbered_items(scan.blocks) or _narrative_items(scan.blocks)
    if not items:
        raise PlanImportError(NO_ITEMS)
    title = _plan_title(lines, scan.body_start)
    return Plan(title=title, year=_year(title, text), items=items, sections=sections_of(items))


def tidy(text: str) -> str:
    """Remove white space between CJK characters; keep one space between Latin words or numbers."""
    def keep(m: re.Match) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return " " if _latin(before) and _latin(after) else ""
    return WHITESPACE.sub(keep, text)


def _latin(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


def _clean_line(line: str) -> str:
    if RULE.match(line):
        return ""
    return tidy(MARKDOWN_BOLD.sub("", MARKDOWN_HEADING.sub("", line)))


def cn_number(numeral: str) -> int:
    """The value of a Chinese numeral up to 999: 七 → 7, 十二 → 12, 七十八 → 78, 一百零五 → 105."""
    total, digit = 0, 0
    for ch in numeral:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in "十百":
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
    return total + digit


# --- structure -------------------------------------------------------------------------------

def _segments(lines: list[str], style: str) -> list[_Scanner]:
    """Blocks numbered in ``style`` (1. or （一）), in runs separated by trailers.

    A signature and date close the cover letter as well as the plan, so a numbered list in the
    cover letter, the plan, and anything after the plan each land in a run of their own.
    """
    segments = [_Scanner(style)]
    for i, line in enumerate(lines):
        if segments[-1].blocks and _ends_body(lines, i):
            segments.append(_Scanner(style))
        segments[-1].feed(line, i)
    return segments


def _score(scan: _Scanner) -> tuple[int, float, int]:
    """The run and numbering level that make the items: most blocks with units, then ratio, count.

    In 一、/（一）/1. outlines the 1. level carries the annotations and gives more blocks; where
    （一） items hold 1. sub-points, only the last 1. block of each item carries an annotation.
    """
    blocks = scan.blocks
    with_units = sum(map(_has_units, blocks))
    return with_units, with_units / len(blocks) if blocks else 0.0, len(blocks)


class _Scanner:
    """Walks the lines in order, opening a block at each number that continues the sequence."""

    def __init__(self, style: str):
        self.style = style
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.part: _Heading | None = None
        self.heading: _Heading | None = None
        self.part_value = self.sub_value = self.item_value = 0
        self.restart = True        # an item numbered 1 may follow any heading
        self.body_start = 0        # index of the first heading or item

    def feed(self, line: str, index: int) -> None:
        if self._part(line) or self._sub_heading(line) or self._item(line):
            self.body_start = self.body_start or index
        elif self.block is not None:
            self.block.add(line)

    def _part(self, line: str) -> bool:
        m = PART_HEADING.match(line)
        if not m or cn_number(m.group(1)) != self.part_value + 1:
            return False
        self.part_value, self.sub_value = self.part_value + 1, 0
        self.part = self.heading = _Heading(m.group(1), _first_sentence(m.group(2)))
        self.block, self.restart = None, True
        return True

    def _sub_heading(self, line: str) -> bool:
        m = BRACKET_ITEM.match(line) if self.style == ARABIC else None
        if not m or cn_number(m.group(2)) != self.sub_value + 1:
            return False
        self.sub_value += 1
        self.heading = _Heading(WHITESPACE.sub("", m.group(1)), _first_sentence(m.group(3)))
        self.block, self.restart = None, True
        return True

    def _item(self, line: str) -> bool:
        number, value, rest = _item_number(line, self.style)
        if not number or (value != self.item_value + 1 and not (value == 1 and self.restart)):
            return False
        self.item_value, self.restart = value, False
        self.block = _Block(number, self.part, self.heading, [rest])
        self.blocks.append(self.block)
        return True


def _item_number(line: str, style: str) -> tuple[str, int, str]:
    """(number as written, its value, the rest of the line), or ("", 0, "") when not numbered."""
    if style == ARABIC:
        m = ARABIC_ITEM.match(line)
        return (m.group(1), int(m.group(1)), m.group(2)) if m else ("", 0, "")
    m = BRACKET_ITEM.match(line)
    return (WHITESPACE.sub("", m.group(1)), cn_number(m.group(2)), m.group(3)) if m else ("", 0, "")


def _ends_body(lines: list[str], i: int) -> bool:
    """True at the first line of the trailer: date, 抄送, signature followed by a date."""
    line = lines[i]
    if DATE_LINE.match(line) or TRAILER_LINE.search(line):
        return True
    following = lines[i + 1] if i + 1 < len(lines) else ""
    return bool(SIGNATURE.match(line)) and (not following or bool(DATE_LINE.match(following)))


# --- numbered items --------------------------------------------------------------------------

def _numbered_items(blocks: list[_Block]) -> list[PlanItem]:
    """Items from numbered blocks, unless every block is a narrative paragraph (一是…二是…)."""
    blocks = [b for b in blocks if b.text]
    if all(_is_narrative(b) for b in blocks):
        return []
    return [_numbered_item(b) for b in blocks]


def _numbered_item(block: _Block) -> PlanItem:
    text, who = _split_annotation(block.text)
    who.merge(_read_notes(block.notes))
    heading = block.heading or _Heading("", "")
    return PlanItem(number=block.number, title=_first_sentence(text), text=text,
                    section=heading.title, section_number=heading.number,
                    lead=who.lead, support=who.support, leaders=who.leaders)


def _split_annotation(text: str) -> tuple[str, Responsibility]:
    """Remove the trailing unit annotation(s) from an item's text; return the text and the units."""
    who, found, closing = Responsibility(), [], ""
    while (group := _trailing_group(text)) and (read := read_annotation(group[1])):
        text, closing = group[0], closing or group[2]
        found.insert(0, read)
    tail = LABEL_TAIL.search(text)
    if tail and (read := read_annotation(text[tail.end():].rstrip(TERMINATORS))):
        text = text[:tail.start()]
        found.insert(0, read)
    for read in found:
        who.merge(read)
    text = text.rstrip(" ，,、；;")
    return (text + closing if text and text[-1] not in "。！？" else text), who


def _trailing_group(text: str) -> tuple[str, str, str] | None:
    """Split text ending in a bracketed group into (before, inside, punctuation after the group)."""
    core = text.rstrip(TERMINATORS + " ")
    after = text[len(core):].strip()[:1]
    if not core or core[-1] not in GROUP_CLOSE:
        return None
    depth = 0
    for i in range(len(core) - 1, -1, -1):
        depth += (core[i] in GROUP_CLOSE) - (core[i] in GROUP_OPEN)
        if depth == 0:
            return core[:i], core[i + 1:-1], "。" if after in ("。", ".", "．") else ""
    return None


def _read_notes(notes: list[str]) -> Responsibility:
    """Units from annotation lines: 牵头单位：A / 【责任单位：A】【责任领导：张三】."""
    who = Responsibility()
    for note in notes:
        unbracketed, bracketed = _split_annotation(note)
        who.merge(read_annotation(unbracketed.rstrip(TERMINATORS)) or Responsibility())
        who.merge(bracketed)
    return who


def _first_sentence(text: str) -> str:
    return SENTENCE_END.split(text, 1)[0].strip()


# --- narrative plans -------------------------------------------------------------------------

def _has_units(block: _Block) -> bool:
    who = _split_annotation(block.text)[1]
    return bool(block.notes or who.lead or who.support or who.leaders)


def _is_narrative(block: _Block) -> bool:
    """A paragraph listing 一是…二是… clauses, with no unit annotation: a heading of tasks."""
    return len(_clauses(block.text)[1]) >= 2 and not _has_units(block)


def _clauses(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(text before the first clause, [(一是, clause text), …]) for clauses numbered in sequence."""
    starts: list[re.Match] = []
    for m in CLAUSE.finditer(text):
        if cn_number(m.group(1)) == len(starts) + 1:
            starts.append(m)
    if not starts:
        return text, []
    ends = [m.start() for m in starts[1:]] + [len(text)]
    clauses = [(m.group(1) + "是", text[m.end():end].strip()) for m, end in zip(starts, ends)]
    return text[:starts[0].start()], clauses


def _narrative_items(blocks: list[_Block]) -> list[PlanItem]:
    narrative = [b for b in blocks if _is_narrative(b)]
    parts = _task_parts([b.part for b in narrative])
    items = []
    for block in (b for b in narrative if b.part in parts):
        intro, clauses = _clauses(block.text)
        section = _first_sentence(intro) or block.number
        items += [PlanItem(number=number, title=_first_sentence(clause), text=clause,
                           section=section, section_number=block.number)
                  for number, clause in clauses]
    return items


def _task_parts(parts: list[_Heading | None]) -> list[_Heading | None]:
    """The parts that list tasks: titled …任务/措施…, else all but review and target parts."""
    unique = _unique(parts)
    tasks = [p for p in unique if p and TASK_PART.search(p.title)]
    return tasks or [p for p in unique if not (p and REVIEW_PART.search(p.title))]


def _unique(values: list) -> list:
    out = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


# --- title, year, sections -------------------------------------------------------------------

def _plan_title(lines: list[str], body_start: int) -> str:
    """The heading just before the body, else the 《…》 named in the cover letter."""
    heading = _heading_before(lines, body_start)
    if heading and not NOTICE_TITLE.search(heading):
        return heading
    quoted = QUOTED_TITLE.search(tidy(" ".join(lines[:body_start])))
    return tidy(quoted.group(1)) if quoted else heading


def _heading_before(lines: list[str], start: int) -> str:
    """Up to four title lines above ``start``, skipping at most three preamble paragraphs.

    The walk stops at the cover letter: its 关于印发…通知 title, a date, 此件公开发布.
    """
    found: list[str] = []
    skipped = 0
    for line in reversed(lines[:start]):
        if NOTICE_TITLE.search(line):
            break
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


def _year(title: str, text: str) -> int | None:
    """The year in the title, else the year of the document number 〔2024〕."""
    if m := YEAR.search(title):
        return int(m.group(0))
    if m := DOC_NUMBER.search(text or ""):
        return int(m.group(1))
    return None


