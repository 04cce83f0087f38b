"""Where an item's unit annotations stand in its text, and what is left of the text without them.

An item closes with one or more annotations — ``（牵头单位：A；配合单位：B）``, ``【责任单位：A】【责任领导：张三】``,
``。责任单位：A``, a sentence ``A牵头，B配合。``, a time limit after them — or, more rarely, opens with
one. :func:`split_annotation` takes them off the text and reads them with the roles stage
(:mod:`ledger.plan.roles`); :func:`read_notes` reads the annotation lines under an item.
"""

from __future__ import annotations

import re

from ledger.plan.roles import Responsibility, is_deadline, read_annotation, read_sentence
from ledger.plan.vocabulary import DEFAULT, LABEL, Vocabulary

# Where an unbracketed annotation starts after the item's last sentence: 。责任单位：…
LABEL_TAIL = re.compile(r"(?<=[。；;！？])\s*(?=" + LABEL.pattern + ")")
# A time limit written after the unit annotation: …（县科技局负责）2024年6月底前完成。
DEADLINE_AFTER = re.compile(r"^(.*[）)】\]])\s*[，,；;]?\s*([^（(【\[）)】\]。]{2,20}?)\s*[。；;.]?$")
# The longest unbracketed annotation looked for at the end of an item (a long unit list fits).
ANNOTATION_MAX = 400
# Bracket families that can enclose an annotation; full- and half-width mix (（…) occurs).
GROUP_OPEN, GROUP_CLOSE = "（(【[", "）)】]"
# Punctuation that may follow an annotation or end an item.
TERMINATORS = "。；;．.，,"


def split_annotation(text: str, vocab: Vocabulary = DEFAULT) -> tuple[str, Responsibility]:
    """Remove the trailing unit annotation(s) from an item's text; return the text and the units.

    A closing time limit after the annotation (``（县科技局负责）2024年6月底前完成。``) stays in the
    text and becomes the deadline.
    """
    if (m := DEADLINE_AFTER.match(text)) and is_deadline(m.group(2)):
        before, who = split_annotation(m.group(1), vocab)
        if who.lead or who.support or who.either:
            who.deadline_text = who.deadline_text or m.group(2)
            return before + m.group(2) + "。", who
    who, found, closing = Responsibility(), [], ""
    while True:          # bracketed groups and labelled tails, in any order: （牵头单位：A）。责任领导：张三
        while (group := trailing_group(text)) and (read := read_annotation(group[1], vocab)):
            text, closing = group[0], closing or group[2]
            found.insert(0, read)
        tail = _label_tail(text)
        if not (tail and (read := read_annotation(text[tail.end():].rstrip(TERMINATORS), vocab))):
            break
        text = text[:tail.start()]
        found.insert(0, read)
    if not found and (sentence := last_sentence(text)) and (read := read_sentence(sentence[1], vocab)):
        text = sentence[0]
        found.insert(0, read)
    if not found and (lead := _leading_group(text)) and (read := read_annotation(lead[0], vocab)):
        text = lead[1]                 # 【牵头单位：县科技局】建设实验室…: the annotation comes first
        found.insert(0, read)
    for read in found:
        who.merge(read)
    text = text.rstrip(" ，,、；;")
    return (text + closing if text and text[-1] not in "。！？" else text), who


def _leading_group(text: str) -> tuple[str, str] | None:
    """(inside, the rest) when the text opens with a bracketed group."""
    if not text or text[0] not in GROUP_OPEN:
        return None
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in GROUP_OPEN) - (ch in GROUP_CLOSE)
        if depth == 0:
            return text[1:i], text[i + 1:].lstrip(TERMINATORS + " ")
    return None


def _label_tail(text: str) -> re.Match | None:
    """Where an unbracketed annotation starts after the item's last sentence (never inside brackets)."""
    for m in LABEL_TAIL.finditer(text, max(0, len(text) - ANNOTATION_MAX)):
        before = text[:m.start()]
        if sum(before.count(c) for c in GROUP_OPEN) <= sum(before.count(c) for c in GROUP_CLOSE):
            return m
    return None


def last_sentence(text: str) -> tuple[str, str] | None:
    """(text before, the last sentence) when the item has more than one sentence."""
    core = text.rstrip(TERMINATORS + " ")
    cut = max(core.rfind("。"), core.rfind("；"), core.rfind(";"))
    if cut <= 0:
        return None
    return text[:cut + 1], core[cut + 1:]


def trailing_group(text: str) -> tuple[str, str, str] | None:
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


def read_notes(notes: list[tuple[str, int]], vocab: Vocabulary) -> Responsibility:
    """Units from annotation lines: 牵头单位：A / 【责任单位：A】【责任领导：张三】."""
    who = Responsibility()
    for note, _ in notes:
        unbracketed, bracketed = split_annotation(note, vocab)
        who.merge(read_annotation(unbracketed.rstrip(TERMINATORS), vocab) or Responsibility())
        who.merge(bracketed)
    return who
