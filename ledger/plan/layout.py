"""The layout stage: a notice's text → clean lines → blocks (headings, numbered items, unit lines).

Text extraction leaves Markdown marks, page breaks inside sentences, web-page chrome, bodies run
into one long line, and task tables flattened to ``a | b | c`` rows or to one cell per line. This
module turns all of that into :class:`Line` s the scanner reads (tables, through
:mod:`ledger.plan.flattables`, become the canonical ``1. 任务。（牵头单位：…）`` lines), then cuts them into
:class:`Block` s: one per numbered item, each with its heading path and own-line annotations.
Who the units are is the roles stage's business (:mod:`ledger.plan.roles`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.plan.numbering import INLINE_START, ITEM_STYLES, Style
from ledger.plan.flattables import cell_tables, piped_tables
from ledger.plan.roles import looks_like_unit, spaced_units
from ledger.plan.textlines import Line, tidy
from ledger.plan.units import normalise_unit, split_list
from ledger.plan.vocabulary import (BRACKETED_LABEL, EITHER, LABEL, LABEL_WORDS, LEAD, LIST_NOTE, SENTENCE,
                                    SUPPORT, label_role)

# Markdown marks left by extraction: heading hashes at the start, bold markers anywhere.
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*")
MARKDOWN_BOLD = re.compile(r"\*\*")
# Heading hashes inside a line (a body run into one line): … ## 二、…
INLINE_HEADING_MARK = re.compile(r"(?<=\s)#{1,6}(?=\s)")
# A horizontal rule: ---, *** or ___ alone on a line; a Markdown table rule |---|:---|.
RULE = re.compile(r"^\s*(?:([-*_])\s*(?:\1\s*){2,}|\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*)$")
# A date closing the notice: 2024年6月28日 / 2024 年 6 月 28 日印发.
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:\s*印发)?$")
# Lines that end the body wherever they stand: 抄送, 附件, 此件公开发布, 印发 date, page chrome.
TRAILER_LINE = re.compile(
    r"^(?:抄送|抄报|分送|附件\s*[：:\d]|[（(]此件|【?(?:打印本页|关闭窗口)|扫一扫|上一篇|下一篇|分享到)"
    r"|日\s*印发$")
# An issuing body signing the notice (高青县人民政府办公室); counts only just before a date line.
SIGNATURE = re.compile(r"^[\u4e00-\u9fff]{2,30}(?:政府|办公室|委员会|办事处|管委会|指挥部|领导小组)$")

LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A number alone on its line, its text on the next: 1. / 12、 / （一） / (3) / ① / 第一条 / 一、
BARE_NUMBER = re.compile(r"^(?:\d{1,5}\s*[.．、﹒]|[（(]\s*(?:\d{1,4}|[一二三四五六七八九十百千零〇两]{1,8})\s*[）)]"
                         r"|[①-⑳㉑-㉟㊱-㊿]|第[一二三四五六七八九十百千零〇两\d]{1,8}条|[一二三四五六七八九十百]{1,4}[、．.])$")
# A page footer or header left by extraction: — 3 —, - 12 -, 第 3 页, 第3页 共10页.
PAGE_MARK = re.compile(r"^\s*(?:[-—–－]+\s*\d{1,4}\s*[-—–－]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$")

# A unit annotation on its own line after an item: 牵头单位：… / 【责任单位：…】 / 责任领导：…
LABEL_LINE = re.compile(r"^[【\[（(]?\s*(?:" + LABEL.pattern + ")")
# A label and the units after it, up to the end of its annotation: spaces may separate the units.
LABELLED_SEGMENT = re.compile(r"(?P<label>" + LABEL.pattern + r")(?P<units>(?:[（(][^（()）]*[）)]|(?!"
                              + LABEL.pattern + r")[^；;（(）)】\]。|\t])*)")
# A space before a label (known or not) in a line of labels run together: … 项目责任人:李某.
RUN_LABEL = re.compile(r"(?<=[^\s|；;，,、])[ \u3000]+(?=[\u4e00-\u9fff]{2,10}[：:])")
# The space before a line's first label, after the item's words: 1.建设数据中心 牵头领导:张某 ….
FIRST_RUN_LABEL = re.compile(r"(?<=[\u4e00-\u9fff）)])[ \u3000]+$")
# Two labels sharing one colon, their lists paired by a slash: 主办单位/协办单位：A/B、C.
PAIRED_LABEL = re.compile("(" + LABEL_WORDS + r")\s*[/／]\s*(" + LABEL_WORDS + r")\s*[：:]\s*")
# Lines longer than this with several inline numbers are a body that lost its line breaks.
LONG_LINE = 150
# Where the trailer starts inside a long line: the signature and its date, 抄送, 此件公开发布.
TRAILER_START = re.compile(r"(?<=\s)(?=\S{2,30}(?:政府|办公室|委员会)\s+\d{4}\s*年|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                           r"|抄送|[（(]此件)")
# A table header run into a long line with its cells: 序号 重点任务 牵头单位 … (cells split on spaces).
HEADER_RUN = re.compile(r"(?:^|\s)序号\s+\S{1,12}\s+\S{0,6}(?:单位|部门|领导)")


@dataclass
class Heading:
    number: str   # as written: 一 / （三）
    title: str


@dataclass
class Block:
    """The lines of one numbered item, up to the next heading or number."""

    number: str
    value: int
    path: list[Heading]
    line: int                                          # line number of the item's first line
    last_line: int = 0                                 # line number of its last line
    lines: list[str] = field(default_factory=list)
    notes: list[tuple[str, int]] = field(default_factory=list)   # own-line annotations, line no.
    fields: list = field(default_factory=list)         # a table row's other columns (ItemField)
    columns: list = field(default_factory=list)        # its table's columns as read (TableColumn)

    @property
    def heading(self) -> Heading | None:
        return self.path[-1] if self.path else None

    @property
    def part(self) -> Heading | None:
        return self.path[0] if self.path else None

    @property
    def text(self) -> str:
        return tidy(" ".join(self.lines))

    def continues_note(self, line: Line) -> bool:
        """True when ``line`` carries on the block's last annotation line (broken by a page)."""
        return bool(self.notes) and _continues(self.notes[-1][0], line.text)

    def add(self, line: Line) -> None:
        """A text line, an annotation line, or the continuation of an annotation line."""
        self.last_line = line.no
        if self.lines and not self.notes and _opens(self.lines[-1]) > _opens(self.lines[-1], CLOSING):
            self.lines.append(line.text)       # inside an annotation broken across lines: （牵头单位：A， / 参与单位：B）
        elif LABEL_LINE.match(line.text):
            self.notes.append((line.text, line.no))
        elif self.notes and _continues(self.notes[-1][0], line.text):
            text, no = self.notes[-1]
            self.notes[-1] = (tidy(text + " " + line.text), no)
        else:
            self.lines.append(line.text)


def _continues(note: str, line: str) -> bool:
    """A line continues an annotation line broken by a page break: the note ends mid-list, or the
    line is a list of names (not the item's next paragraph)."""
    if note.rstrip()[-1:] in "、，,；;（(【[：:" or _opens(note) > _opens(note, CLOSING):
        return True
    if line[:1] in "、，,；;" or len(line.strip("。；;，,.． ")) <= 2:     # 、市卫生健康委… / 合。
        return True
    if line[:1] in "（(【[" and LIST_NOTE.search(line):      # (列第一位为牵头单位,下同) on a line of its own
        return True
    label = LABEL.search(note)
    last = normalise_unit((split_list(note[label.end():]) or [""])[-1]) if label else ""
    if last and label_role(label.group(1)) in (LEAD, SUPPORT, EITHER, SENTENCE) and (
            len(last) <= 2 or not looks_like_unit(last)):
        return True                       # broken inside a name: 市自然资 / 源局
    names = [normalise_unit(t) for t in split_list(line)]
    return bool(names) and all(n and looks_like_unit(n) for n in names)


def _opens(text: str, brackets: str = "（(【[") -> int:
    return sum(text.count(c) for c in brackets)


CLOSING = "）)】]"


# --- lines -----------------------------------------------------------------------------------

def lines_of(text: str) -> list[Line]:
    """Clean, numbered lines: Markdown marks gone, tables rendered, long bodies split."""
    raw = [Line(_spaced_units(_fields_apart(_paired_labels(_unbracket_labels(MARKDOWN_BOLD.sub("", MARKDOWN_HEADING.sub("", t)))))),
                i + 1)
           for i, t in enumerate(LINE_BREAK.split(text or ""))]
    lines = [piece for line in piped_tables(raw) for piece in _split_long(line)]
    lines = [line.with_text(line.text.strip()) for line in lines
             if line.table or not (RULE.match(line.text) or PAGE_MARK.match(line.text))]
    lines = _numbers_joined(cell_tables([line for line in lines if line.text]))
    return [line.with_text(tidy(line.text)) for line in lines]   # (spaces in cells kept so far)


def _numbers_joined(lines: list[Line]) -> list[Line]:
    """A number alone on its line (``1.`` / ``（一）`` / ``①``) joined to the text on the next line."""
    out: list[Line] = []
    for line in lines:
        if out and not out[-1].table and BARE_NUMBER.match(out[-1].text) and not line.table:
            out[-1] = Line(out[-1].text + line.text, out[-1].no)
        else:
            out.append(line)
    return out


def _unbracket_labels(text: str) -> str:
    """【牵头单位】县科技局【配合单位】县财政局 → 牵头单位：县科技局；配合单位：县财政局."""
    def label(m: re.Match) -> str:
        return ("；" if m.start() and text[:m.start()].strip() else "") + m.group(1) + "："
    return BRACKETED_LABEL.sub(label, text)


def _fields_apart(text: str) -> str:
    """牵头领导:张某 责任单位:县某局 项目责任人:李某 → fields ended by ； where the next label begins,
    known or not (a space before a word and its colon, after the line's first known label)."""
    first = LABEL.search(text)
    if not first:
        return text
    def apart(m: re.Match) -> str:
        return m.group(0) if _broken_label(m.string[:m.start()], m.string[m.end():]) else "；"
    head, rest = text[:first.start()], RUN_LABEL.sub(apart, text[first.start():])
    word = head.rstrip()
    if _opens(word) > _opens(word, CLOSING) or _broken_label(word, rest):
        return head + rest                # inside a bracket, or a label broken by a space: 牵 头单位：
    return FIRST_RUN_LABEL.sub("；", head) + rest


def _broken_label(before: str, after: str) -> bool:
    """A space inside a label's word (牵 头单位：, 牵头 单位：): the words around it make a label."""
    return any(LABEL.match(before[-k:] + after) for k in range(1, min(4, len(before)) + 1))


def _spaced_units(text: str) -> str:
    """责任单位：县发改局 县财政局 → 责任单位：县发改局、县财政局, on a label line or inside an
    annotation (（配合单位：县财政局 县住建局）), before spaces between CJK vanish."""
    def joined(m: re.Match) -> str:
        units = spaced_units(m.group("units"))
        return m.group(0) if units is None else m.group("label") + units + m.group("units")[len(m.group("units").rstrip()):]
    return LABELLED_SEGMENT.sub(joined, text) if LABEL.search(text) else text


def _paired_labels(text: str) -> str:
    """主办单位/协办单位：县工信局/县统计局、各乡镇 → 主办单位：县工信局；协办单位：县统计局、各乡镇
    (two labels, then their two lists in the same order, split at the list's first slash)."""
    m = PAIRED_LABEL.search(text)
    if not m:
        return text
    rest = text[m.end():]
    at = next((i for i, ch in enumerate(rest) if ch in "/／"), -1)
    if at < 0:                      # one list for both: the first label's
        return text[:m.start()] + m.group(1) + "：" + rest
    close = re.compile(r"[；;。）)】]").search(rest, at)
    end = close.start() if close else len(rest)
    first, second = rest[:at], rest[at + 1:end]
    return text[:m.start()] + f"{m.group(1)}：{first}；{m.group(2)}：{second}" + rest[end:]


def _split_long(line: Line) -> list[Line]:
    """A body run into one line: cut before each inline number and the trailer (the scanner keeps
    only real items), and a task table run in with it split into one cell per word."""
    if len(line.text) < LONG_LINE or line.table:    # (before tidy: spaces still mark boundaries)
        return [line]
    text, table = INLINE_HEADING_MARK.sub(" ", line.text), ""
    if m := HEADER_RUN.search(text):
        text, table = text[:m.start()], text[m.start():]
    cuts = [m.start() for m in INLINE_START.finditer(text)]
    if len(cuts) >= 3:
        cuts = sorted(set(cuts) | {m.start() for m in TRAILER_START.finditer(text)})
    else:
        cuts = []
    bounds = [0] + cuts + [len(text)]
    pieces = [text[a:b].strip() for a, b in zip(bounds, bounds[1:])] + table.split()
    return [Line(p, line.no) for p in pieces if p]


# --- the body's end -------------------------------------------------------------------------

def ends_body(lines: list[Line], i: int) -> bool:
    """True at the first line of the trailer: date, 抄送, signature followed by a date."""
    line = lines[i].text
    if DATE_LINE.match(line) or TRAILER_LINE.search(line):
        return True
    following = lines[i + 1].text if i + 1 < len(lines) else ""
    return bool(SIGNATURE.match(line)) and bool(DATE_LINE.match(following))


# --- blocks ----------------------------------------------------------------------------------

def first_sentence(text: str) -> str:
    return re.split(r"[。！？!?]", text, maxsplit=1)[0].strip()


class Scanner:
    """Walks the lines in order, opening a block at each number that continues the sequence.

    ``style`` numbers the items; ``heads`` are the outer styles that head them. A heading numbered
    in sequence, or 1 (a new outline: the plan after a cover letter's own 一、二、), opens a new path; an item continues the item numbering,
    restarts at 1 after a heading, or skips at most two numbers (kept, and reported as a gap).
    """

    def __init__(self, style: Style, heads: tuple[Style, ...]):
        self.style, self.heads = style, heads
        self.blocks: list[Block] = []
        self.block: Block | None = None
        self.path: list[Heading | None] = [None] * len(heads)
        self.values = [0] * len(heads)     # per level, reset when a heading above opens
        self.last = [0] * len(heads)       # per level, never reset: numbering across parts
        self.item_value = 0
        self.restart = True
        self.body_start = -1                # index of the first heading or item
        self.gaps: list[tuple[int, int, int]] = []   # (line no, expected, found)

    def feed(self, line: Line, index: int) -> None:
        if self._heading(line) or self._item(line):
            if self.body_start < 0:
                self.body_start = index
        elif self.block is not None:
            self.block.add(line)

    def _heading(self, line: Line) -> bool:
        if line.table:
            return False
        for level, style in enumerate(self.heads):
            read = style.read(line.text)
            if not read:
                continue
            number, value, rest = read
            if value not in (1, self.values[level] + 1, self.last[level] + 1):
                continue                    # (1 restarts the outline: the plan after its cover letter)
            self.values[level] = self.last[level] = value
            self.path[level] = Heading(number, first_sentence(rest))
            for deeper in range(level + 1, len(self.heads)):
                self.values[deeper], self.path[deeper] = 0, None
            self.block, self.restart = None, True
            return True
        return False

    def _item(self, line: Line) -> bool:
        read = self.style.read(line.text)
        if not read:
            return False
        number, value, rest = read
        expected = self.item_value + 1
        if not (line.table or value == expected or (value == 1 and self.restart)):
            if not (self.blocks and expected < value <= expected + 2 and _item_like(rest)):
                return False
            self.gaps.append((line.no, expected, value))
        self.item_value, self.restart = value, False
        self.block = Block(number, value, [h for h in self.path if h], line.no, line.no, [rest],
                           fields=list(line.fields), columns=list(line.columns))
        self.blocks.append(self.block)
        return True


def _item_like(rest: str) -> bool:
    """The rest of a line after a number that skips one: a task sentence, not a figure or a date."""
    return len(rest) >= 6 and not re.match(r"^[\d%％‰年月日]", rest)


def scanners(lines: list[Line]) -> list[Scanner]:
    """For each item style, its blocks in runs separated by trailers (cover letter, plan, annex)."""
    out: list[Scanner] = []
    for style, heads in ITEM_STYLES:
        runs = [Scanner(style, heads)]
        for i, line in enumerate(lines):
            if runs[-1].blocks and ends_body(lines, i):
                runs.append(Scanner(style, heads))
            runs[-1].feed(line, i)
        out += runs
    return out


def merged(runs: list[Scanner]) -> Scanner:
    """One run of the blocks of several (a plan's annexes: 附件1 targets, 附件2 tasks), in order."""
    if len(runs) == 1:
        return runs[0]
    runs = sorted(runs, key=lambda r: r.blocks[0].line)
    out = Scanner(runs[0].style, runs[0].heads)
    out.blocks = [b for r in runs for b in r.blocks]
    out.gaps = [g for r in runs for g in r.gaps]
    out.body_start = runs[0].body_start
    return out
