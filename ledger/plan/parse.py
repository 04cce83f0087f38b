"""Plan notice parser: the text of a 工作要点 / 重点工作任务 notice into sections, items and units.

Two stages. The layout stage (:mod:`ledger.plan.layout`) turns the text into clean lines — tables
flattened in any form rendered as canonical item lines, one-line bodies cut at their numbers — and
scans them once per numbering style into blocks; this module keeps the run and level whose blocks
carry the most unit annotations (the item level), the levels above being the item's headings. The
roles stage (:mod:`ledger.plan.roles`) reads each block's annotations — in brackets, after a colon,
on own lines, in a sentence, in a heading — into lead, support, leaders and deadline, applying
the notice's own "first listed unit leads" rule from where it is stated. Anything the office should
check becomes a :class:`~ledger.plan.model.ParseNote` on the plan.

Narrative plans (国民经济和社会发展计划) number no items. When no numbered item is found, the
tasks are the ``一是/二是…`` clauses inside the ``（一）（二）…`` paragraphs of the part that lists
the year's tasks (a part titled …任务/措施…, never the review of last year).
"""

from __future__ import annotations

import re

from ledger.errors import PlanImportError
from ledger.plan.annotations import read_notes, split_annotation
from ledger.plan.deadlines import deadline_date, find_deadline
from ledger.plan.layout import (LABEL_LINE, Block, Heading, Line, first_sentence, lines_of, merged, scanners,
                                tidy)
from ledger.plan.model import NOTE_MESSAGES, ParseNote, Plan, PlanItem, Section, sections_of
from ledger.plan.numbering import PART, cn_number
from ledger.plan.roles import Responsibility, is_person, looks_like_unit
from ledger.plan.script import simplified
from ledger.plan.title import plan_title, plan_year
from ledger.plan.vocabulary import DEFAULT, FIRST_IS_LEAD, Vocabulary, vocabulary

# A narrative task clause: 一是 / 二是 … at the start of a sentence.
CLAUSE = re.compile(r"(?:^|(?<=[。；;！？：:]))\s*([一二三四五六七八九十]{1,3})是")
# Parts that list the year's tasks, and parts that review last year or set targets.
TASK_PART = re.compile(r"任务|措施|重点工作|工作重点|主要工作|工作安排")
REVIEW_PART = re.compile(r"执行情况|完成情况|回顾|总体要求|预期目标|主要目标|指导思想")

# A heading that names who answers for every item under it: 二、县开发区管委会牵头事项（6项）,
# 一、朱伟县长牵头重点工作, 三、李某副县长分管工作. A unit leads them; a person is their leader.
HEADING_OWNER = re.compile(r"^(?P<who>[^，,。；;：:]{2,30}?)(?P<verb>牵头|负责|主抓|分管|联系)(?:的)?"
                           r"(?:重点|主要|具体)?(?:事项|工作|任务|领域)")

# A bullet opening an unnumbered task: ● ■ ◆ ★ □ • ▪ ◇ ○ ➢ √.
BULLET = re.compile(r"^[●■◆★□•▪◇○➢√▶►]\s*")

# The fatal message when nothing reads as a task: what was looked for, what was found, what to do.
NO_ITEMS = ("未能从通知中识别出任何任务：查找了编号任务（“1.”“1、”“（一）”“（1）”“①”“第一条”等）、"
            "任务分解表（表头含“序号”“任务”“牵头单位/责任单位”）和“一是、二是”式的任务表述，{found}。"
            "可在 Excel 中填写计划分解表（序号、任务、牵头单位、配合单位、完成时限），再用 ledger plan load 导入")


def parse_plan(text: str, unit_endings: tuple[str, ...] | list[str] = ()) -> Plan:
    """Parse a notice's text; raise PlanImportError when no item is found.

    ``unit_endings`` adds organisational endings (``ledger.toml`` ``[units] unit_endings``) to
    the built-in vocabulary that tells a unit's name from a person's or from prose.
    """
    vocab = vocabulary(unit_endings) if unit_endings else DEFAULT
    text, traditional = simplified(text)
    lines = lines_of(text)
    runs = scanners(lines)
    scan = _item_runs(runs, vocab)
    body_start = max(scan.body_start, 0) if scan.blocks else len(lines)
    title = plan_title([line.text for line in lines], body_start)
    year = plan_year(title, text)
    items, notes = _numbered_items(scan, lines, year, vocab)
    if not items:
        items = _narrative_items(scan.blocks)
        notes = [_note("narrative", scan.blocks[0].line if scan.blocks else 1, title)] if items else []
    if not items:
        items, notes = _unnumbered_items(lines, year, vocab)
    if not items:
        raise PlanImportError(NO_ITEMS.format(found=_found(lines, runs)))
    if traditional:
        notes.insert(0, _note("traditional", 1, lines[0].text if lines else ""))
    return Plan(title=title, year=year, items=items, sections=sections_of(items), notes=notes,
                tables=_tables(scan.blocks))


def _tables(blocks: list[Block]) -> list[list]:
    """Each task table's columns as read, once per table, in order."""
    out: list[list] = []
    for block in blocks:
        if block.columns and block.columns not in out:
            out.append(list(block.columns))
    return out


def _found(lines: list[Line], runs) -> str:
    """What the text holds, for the no-items message."""
    if not lines:
        return "但通知没有文字"
    numbered = max((len(r.blocks) for r in runs), default=0)
    if numbered:
        return f"只找到 {len(lines)} 行文字，其中编号段落 {numbered} 个，都是说明文字而非任务"
    return f"只找到 {len(lines)} 行文字，没有任何编号段落"


# --- structure -------------------------------------------------------------------------------

def _score(scan, vocab: Vocabulary) -> tuple[int, bool, float, int]:
    """The run and numbering level that make the items: most blocks with units, then ratio, count.

    In 一、/（一）/1. outlines the 1. level carries the annotations and gives more blocks; where
    （一） items hold 1. sub-points, only the last 1. block of each item carries an annotation.
    Parts (一、) are items only when they carry more annotations than any deeper level.
    """
    blocks = scan.blocks
    with_units = sum(_has_units(b, vocab) for b in blocks)
    return with_units, scan.style is not PART, with_units / len(blocks) if blocks else 0.0, len(blocks)


def _item_runs(runs, vocab: Vocabulary):
    """The best run, joined by the other runs of its style that are lists of tasks with units too
    (a notice whose 附件1 and 附件2 each hold tasks)."""
    scores = {id(run): _score(run, vocab) for run in runs}
    best = max(runs, key=lambda run: scores[id(run)])
    if best.style is PART and (not scores[id(best)][0] or len(best.blocks) < 2):   # parts as items: 2 or more
        best = max((r for r in runs if r.style is not PART), key=lambda run: scores[id(run)])
    if not scores[id(best)][0]:
        return best
    others = [r for r in runs if r is not best and r.style is best.style and scores[id(r)][0] >= 2
              and scores[id(r)][2] >= 0.5]
    return merged([best] + others)


# --- numbered items --------------------------------------------------------------------------

def _numbered_items(scan, lines: list[Line], year: int | None,
                    vocab: Vocabulary) -> tuple[list[PlanItem], list[ParseNote]]:
    """Items from numbered blocks (none when every block is a 一是…二是… paragraph), with notes."""
    blocks = [b for b in scan.blocks if b.text]
    if not blocks or all(_is_narrative(b, vocab) for b in blocks):
        return [], []
    text_at = _texts_at(lines)
    rule = _rule_outside_items(lines, scan)
    items, notes = [], []
    for block in blocks:
        rule = rule or bool(FIRST_IS_LEAD.search(block.text))
        for item, who in _clause_items(block, vocab, year, rule) or [_block_item(block, vocab, year, rule)]:
            rule = rule or who.states_rule
            items.append(item)
            notes += _item_notes(block, item, who, text_at)
    notes += [_note("numbering_gap", no, text_at.get(no, ""), expected=expected, found=found)
              for no, expected, found in scan.gaps]
    notes.sort(key=lambda n: n.line)
    return items, notes


def _block_item(block: Block, vocab: Vocabulary, year: int | None, rule: bool) -> tuple[PlanItem, Responsibility]:
    text, who = _responsibility(block, vocab)
    who = who.resolve(first_is_lead=rule or who.states_rule)
    item = _item(block.number, text, who, block.path, year)
    item.fields = list(block.fields) + [f for f in who.fields if f not in block.fields]
    return item, who


def _clause_items(block: Block, vocab: Vocabulary, year: int | None,
                  rule: bool) -> list[tuple[PlanItem, Responsibility]] | None:
    """A numbered paragraph of 一是…（A负责）；二是…（B负责） clauses, each with its own units: one
    item per clause (numbered 一是, 二是 … under the paragraph); None for an ordinary item."""
    intro, clauses = _clauses(block.text)
    read = [split_annotation(clause, vocab) for _, clause in clauses]
    if sum(bool(who.lead or who.support or who.either) for _, who in read) < 2:
        return None
    section = Heading(block.number, first_sentence(intro) or block.number)
    out = []
    for (number, _), (text, who) in zip(clauses, read):
        who = who.resolve(first_is_lead=rule or who.states_rule)
        out.append((_item(number, text, who, [*block.path, section], year), who))
    return out


def _unnumbered_items(lines: list[Line], year: int | None,
                      vocab: Vocabulary) -> tuple[list[PlanItem], list[ParseNote]]:
    """Tasks without numbers: bulleted paragraphs (● ■ ◆ …), or paragraphs each followed by its own
    牵头单位：/责任单位： lines. Numbered 1, 2, 3 … in order, with a note for the office."""
    tasks: list[Block] = []
    path: list[Heading] = []
    latest, bulleted = None, False       # the latest paragraph; a task once an annotation follows
    for line in lines:
        if (part := PART.read(line.text)) and not BULLET.match(line.text):
            path, latest = [Heading(part[0], first_sentence(part[2]))], None
        elif LABEL_LINE.match(line.text) or (latest is not None and latest.continues_note(line)):
            if latest is not None:
                if not (tasks and tasks[-1] is latest):
                    tasks.append(latest)
                latest.add(line)
        elif BULLET.match(line.text) or not bulleted:
            bulleted = bool(BULLET.match(line.text))
            latest = Block("", 0, list(path), line.no, line.no, [BULLET.sub("", line.text)])
            tasks += [latest] if bulleted else []
        else:
            latest.add(line)                 # the rest of a bulleted paragraph
    if len(tasks) < 2:
        return [], []
    items, notes = [], []
    text_at = _texts_at(lines)
    for n, block in enumerate(tasks, 1):
        block.number, block.value = str(n), n
        item, who = _block_item(block, vocab, year, False)
        items.append(item)
        notes += _item_notes(block, item, who, text_at)
    return items, [_note("unnumbered", tasks[0].line, text_at.get(tasks[0].line, ""))] + notes


def _rule_outside_items(lines: list[Line], scan) -> bool:
    """True when the notice states "the first listed unit leads" outside its items (a preamble,
    a heading, a footnote): then the rule governs every list."""
    inside = {no for b in scan.blocks for no in range(b.line, b.last_line + 1)}
    return any(FIRST_IS_LEAD.search(line.text) for line in lines if line.no not in inside)


def _responsibility(block: Block, vocab: Vocabulary) -> tuple[str, Responsibility]:
    text, who = split_annotation(block.text, vocab)
    who.merge(read_notes(block.notes, vocab))
    if not (who.lead or who.support or who.either) and len(block.lines) > 1:
        text, who = _annotation_inside(block, vocab, text, who)
    for heading in block.path:                 # 二、县开发区管委会牵头事项 / 三、李某副县长分管工作
        if not (m := HEADING_OWNER.match(heading.title)):
            continue
        name = re.split(r"[、，,]", m.group("who"))[-1].removeprefix("由")   # 县委常委、副县长王明 → 副县长王明
        if looks_like_unit(name, vocab) and not is_person(name, vocab):
            if m.group("verb") != "分管" and len(name) >= 3 and not (who.lead or who.either):
                who.lead.append(name)
        elif (m.group("verb") == "分管" or is_person(name, vocab)) and name not in who.leaders:
            who.leaders.append(name)
    return text, who


def _annotation_inside(block: Block, vocab: Vocabulary, text: str,
                       who: Responsibility) -> tuple[str, Responsibility]:
    """Units closing an inner paragraph (``1.建设实验室（县科技局负责）`` then the item's details);
    else the text and units as read from the item's end."""
    lines = list(block.lines)
    for k, line in enumerate(lines[:-1]):
        rest, found = split_annotation(tidy(line), vocab)
        if found.lead or found.support or found.either:
            lines[k] = rest if rest[-1:] in "。！？：:；;" else rest + "。"
            found.merge(who)
            inner_text, _ = split_annotation(tidy(" ".join(lines)), vocab)   # leaders/deadline at the end
            return inner_text, found
    return text, who


def _item(number: str, text: str, who: Responsibility, path: list[Heading], year: int | None) -> PlanItem:
    """An item under its headings (top first): the nearest is its section, those above its parents."""
    heading = path[-1] if path else Heading("", "")
    deadline_text = who.deadline_text or find_deadline(text)
    return PlanItem(number=number, title=first_sentence(text), text=text,
                    section=heading.title, section_number=heading.number,
                    parents=[Section(h.number, h.title) for h in path[:-1]],
                    lead=who.lead, support=who.support, leaders=who.leaders,
                    deadline_text=deadline_text, deadline=deadline_date(deadline_text, year))


def _item_notes(block: Block, item: PlanItem, who: Responsibility,
                text_at: dict[int, str]) -> list[ParseNote]:
    notes = []
    for code, name in who.doubts:
        no = next((n for t, n in block.notes if name in t), block.line)
        notes.append(_note(code, no, _around(text_at.get(no, ""), name), item.number, name=name))
    if not item.lead:
        notes.append(_note("no_lead", block.line, text_at.get(block.line, ""), item.number,
                           label=_item_label(item.number)))
    return notes


def _texts_at(lines: list[Line]) -> dict[int, str]:
    """The text of each line number, for snippets: a table row rendered as several lines (the
    item, 责任领导：…, 完成时限：…) is shown by its first, the item itself."""
    out: dict[int, str] = {}
    for line in lines:
        out.setdefault(line.no, line.text)
    return out


def _note(code: str, line: int, snippet: str, item: str = "", **values) -> ParseNote:
    snippet = snippet if len(snippet) <= 40 else snippet[:39] + "…"
    return ParseNote(code=code, line=line, snippet=snippet, message=NOTE_MESSAGES[code].format(**values),
                     item=item)


def _item_label(number: str) -> str:
    """第 12 项 / 第一条 / （七十六）项, as the office would name the item."""
    if number.isdigit():
        return f"第 {number} 项"
    return number if number.startswith("第") else f"{number}项"


def _around(text: str, name: str) -> str:
    """The part of a long line around a name."""
    at = text.find(name)
    if at < 0 or len(text) <= 40:
        return text
    start = max(0, at - 10)
    return ("…" if start else "") + text[start:start + 38]


# --- narrative plans -------------------------------------------------------------------------

def _has_units(block: Block, vocab: Vocabulary = DEFAULT) -> bool:
    who = split_annotation(block.text, vocab)[1]
    return bool(block.notes or who.lead or who.support or who.leaders or who.either)


def _is_narrative(block: Block, vocab: Vocabulary = DEFAULT) -> bool:
    """A paragraph listing 一是…二是… clauses, with no unit annotation: a heading of tasks."""
    return len(_clauses(block.text)[1]) >= 2 and not _has_units(block, vocab)


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


def _narrative_items(blocks: list[Block]) -> list[PlanItem]:
    narrative = [b for b in blocks if _is_narrative(b)]
    parts = _task_parts([b.part for b in narrative])
    items = []
    for block in (b for b in narrative if b.part in parts):
        intro, clauses = _clauses(block.text)
        section = first_sentence(intro) or block.number
        items += [PlanItem(number=number, title=first_sentence(clause), text=clause,
                           section=section, section_number=block.number,
                           parents=[Section(h.number, h.title) for h in block.path])
                  for number, clause in clauses]
    return items


def _task_parts(parts: list[Heading | None]) -> list[Heading | None]:
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
