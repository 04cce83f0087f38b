"""An item's part path as the office reads it: one heading per line, numeral and title together.

``一、产业发展`` / ``（一）重点项目`` / ``第二部分重点任务`` / ``3、项目建设`` — the numeral as the
notice writes it, then ``、`` where a bare numeral needs one, then the title. Written into the review
workbook and read back exactly (:func:`read_path` undoes :func:`path_text`).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, TypeVar

from ledger.plan.model import PlanItem, Section
from ledger.plan.numbering import CIRCLED, CN_NUMERAL

# A numeral that stands by itself (（一） / 第二部分 / ①), and one that needs a 、 (一 / 3).
CLOSED_NUMBER = rf"[（(][^（()）]{{1,8}}[）)]|第[{CN_NUMERAL}\d]{{1,8}}(?:部分|章|篇|条)|[{CIRCLED}]"
BARE_NUMBER = rf"[{CN_NUMERAL}]{{1,8}}|\d{{1,5}}"
LABEL = re.compile(rf"^(?:(?P<closed>{CLOSED_NUMBER})|(?P<bare>{BARE_NUMBER})、)(?P<title>.*)$")
LINES = re.compile(r"\r\n|\r|\n")
T = TypeVar("T")


def label(section: Section) -> str:
    """一、产业发展 / （一）重点项目 / the title alone when the heading has no numeral."""
    if not section.number:
        return section.title
    closed = re.fullmatch(CLOSED_NUMBER, section.number)
    return f"{section.number}{'' if closed else '、'}{section.title}"


def read_label(text: str) -> Section:
    """The heading a label names; an unnumbered label is all title."""
    text = text.strip()
    m = LABEL.match(text)
    if not m:
        return Section("", text)
    return Section(m.group("closed") or m.group("bare"), m.group("title").strip())


def path_text(sections: list[Section]) -> str:
    """Headings one per line, top first."""
    return "\n".join(label(sec) for sec in sections)


def read_path(text: str) -> list[Section]:
    return [read_label(line) for line in LINES.split(text or "") if line.strip()]


def part_label(item: PlanItem, width: int = 16) -> str:
    """The item's place in one short cell: the numerals of its part path and its section's title
    (一（一）重点项目, 二（一）重点项目), cut to ``width`` characters."""
    text = item.path_numbers + item.section
    return text if len(text) <= width else text[:width - 1] + "…"


def part_groups(members: Iterable[T], item_of: Callable[[T], PlanItem] = lambda m: m) -> list[tuple[Section, list[T]]]:
    """Members grouped by their item's top part (一、/二、), in order of first appearance.

    When every item stands under the same top part (a narrative plan's 三、主要任务), the groups are
    the first level below it at which the items divide; a group is a heading under its own parents,
    so two （一）重点项目 under different parts are two groups. Items under no heading form one group
    with an empty heading.
    """
    members = list(members)
    paths = [item_of(m).path_key for m in members]
    depth = 1
    while depth < max((len(p) for p in paths), default=0) and len({p[:depth] for p in paths}) == 1:
        depth += 1
    groups: dict[tuple, tuple[Section, list[T]]] = {}
    for member, path in zip(members, paths):
        key = path[:depth]
        heading = Section(*key[-1]) if key else Section("", "")
        groups.setdefault(key, (heading, []))[1].append(member)
    return list(groups.values())
