"""A line of a notice's text as the parser reads it: cleaned, with its line number in the notice."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.plan.units import WHITESPACE


@dataclass
class Line:
    text: str
    no: int               # 1-based line number in the text the parser received
    table: bool = False   # an item row of a task table: its number stands as written
    fields: tuple = ()    # the row's other columns (ItemField): 推进情况, 形象进度, 说明 …
    columns: tuple = ()   # the table's columns as read (TableColumn), on each of its item rows

    def with_text(self, text: str) -> "Line":
        """The same line (number, table row, fields) with another text."""
        return Line(text, self.no, self.table, self.fields, self.columns)


def tidy(text: str) -> str:
    """Remove white space between CJK characters; keep one space between Latin words (Smart City)
    and between a word and a number (Windows 11), never inside a number broken by a page (1 6% → 16%)."""
    def keep(m: re.Match) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        both = _latin(before) and _latin(after)
        return " " if both and not (before.isdigit() and after.isdigit()) else ""
    return WHITESPACE.sub(keep, text)


def _latin(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()
