"""Sheet helpers shared by the report workbooks: formats, status colours, tables and printing.

Department text always goes through ``write_string`` in a workbook opened with
``strings_to_formulas=False, strings_to_urls=False``: a typed ``=1+1`` stays text.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import xlsxwriter

import ledger.report.targets as targets
from ledger.report.merge import UNREPORTED
from ledger.statuses import AHEAD, DEFAULT_VOCABULARY, DONE, LAGGING, SEVERELY_LAGGING, Vocabulary
from ledger.localtime import date_text  # noqa: F401 - one format, shared with the web pages
from ledger.xlsx import (BODY_FONT, COLUMN_PADDING, HEAD_FONT, PRINT_WIDTH, fit_columns,  # noqa: F401 (re-exported)
                         formats, text_width)

GREEN, YELLOW, RED, GREY = "#C6EFCE", "#FFEB9C", "#FFC7CE", "#E0E0E0"
FILLS = (None, GREEN, YELLOW, RED, GREY)
MEANING_FILL = {DONE: GREEN, AHEAD: GREEN, LAGGING: YELLOW, SEVERELY_LAGGING: RED}
STANDING_FILL = {targets.MET: GREEN, targets.BEHIND: YELLOW, targets.UNREPORTED: GREY}
KINDS = ("wrap", "center", "int", "pct", "num")   # text, centred text, whole number, share, any number
LINE_HEIGHT = 14.5
MAX_ROW_HEIGHT = 409                            # points: the tallest row Excel allows
MAX_LINES = int((MAX_ROW_HEIGHT - 6) / LINE_HEIGHT)
CONTINUED = "（续）"
PAPER_A4 = 9

Column = tuple[str, float]                      # (Chinese header, width)


def new_workbook(path: Path, created: datetime, title: str, author: str) -> tuple[Any, dict]:
    """An xlsxwriter workbook that writes strings as strings, with deterministic properties."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    wb.set_properties({"title": title, "author": author, "company": author, "created": created,
                       "comments": "由 ledger 生成"})
    return wb, report_formats(wb)


def report_formats(wb) -> dict:
    """The shared ledger formats plus headings and one format per (fill, kind) for table cells."""
    fmt = formats(wb)
    fmt["h1"] = wb.add_format({"font_name": HEAD_FONT, "font_size": 14, "valign": "vcenter"})
    base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter",
            "text_wrap": True, "border": 1}
    extra = {"wrap": {}, "center": {"align": "center"}, "int": {"align": "center", "num_format": "0"},
             "pct": {"align": "center", "num_format": "0.0%"}, "num": {"align": "center", "num_format": "General"}}
    for fill in FILLS:
        for kind in KINDS:
            colour = {"bg_color": fill} if fill else {}
            fmt[(fill, kind)] = wb.add_format({**base, **extra[kind], **colour})
    return fmt


def status_fill(status: str | None, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> str | None:
    """Colour of a status, by its meaning: done and ahead green, lagging yellow, severely lagging red,
    not reported grey."""
    if status == UNREPORTED:
        return GREY
    return MEANING_FILL.get(vocabulary.meaning(status))


def target_fill(result: targets.TargetResult) -> str | None:
    """Colour of a target's row, like the statuses: met green, on pace plain, behind yellow (red when
    far behind or over a limit), not reported grey."""
    if result.standing == targets.BEHIND and result.serious:
        return RED
    return STANDING_FILL.get(result.standing)


def created_time(as_of: datetime | None, fallback: date) -> datetime:
    """A creation time taken from the data, never the clock: the data's latest time, else a date."""
    if as_of:
        return as_of.astimezone(timezone.utc)
    return datetime(fallback.year, fallback.month, fallback.day, tzinfo=timezone.utc)


def title_rows(sheet, fmt: dict, ncols: int, title: str, subtitle: str = "") -> int:
    """Title (and subtitle) merged across the table; return the next free row."""
    sheet.merge_range(0, 0, 0, ncols - 1, title, fmt["title"])
    sheet.set_row(0, 36)
    if not subtitle:
        return 1
    sheet.merge_range(1, 0, 1, ncols - 1, subtitle, fmt["subtitle"])
    sheet.set_row(1, 22)
    return 2


def header_row(sheet, fmt: dict, row: int, columns: Sequence[Column], first_col: int = 0) -> None:
    """Column widths and the header cells of a table."""
    for c, (text, width) in enumerate(columns, start=first_col):
        sheet.set_column(c, c, width)
        sheet.write_string(row, c, text, fmt["header"])
    sheet.set_row(row, max(30, row_height([t for t, _ in columns], [w for _, w in columns])))


def write_row(sheet, fmt: dict, row: int, values: Sequence[Any], kinds: Sequence[str],
              fill: str | None = None, widths: Sequence[float] | None = None, first_col: int = 0) -> int:
    """One table row: strings as strings, numbers as numbers, None blank; height fitted to text.

    A text too long for the tallest row Excel allows (409 pt) is never cut: it goes on in
    continuation rows below, ending with “…” where it breaks and starting “（续）…” where it goes on;
    the row's other cells are repeated, so a filter or a sort keeps the pieces together. Returns the
    number of rows written.
    """
    pieces = [[v] for v in values]
    if widths:
        pieces = [split_text(v, w) if isinstance(v, str) else [v] for v, w in zip(values, widths)]
    for n in range(max(len(p) for p in pieces)):
        line = [p[n] if n < len(p) else (p[0] if len(p) == 1 else "") for p in pieces]
        for c, (value, kind) in enumerate(zip(line, kinds), start=first_col):
            write_cell(sheet, row + n, c, value, fmt[(fill, kind)])
        if widths:
            sheet.set_row(row + n, row_height(line, widths))
    return max(len(p) for p in pieces)


def split_text(text: str, width: float, max_lines: int = MAX_LINES) -> list[str]:
    """A cell's text in pieces that each fit a row of at most ``max_lines`` wrapped lines."""
    room = max(width - 1.5, 1)
    if _lines(text, room) <= max_lines:
        return [text]
    pieces, start, lines, used = [], 0, 1, 0.0
    budget = max_lines - 1                        # a line kept for the markers
    for i, ch in enumerate(text):
        w = text_width(ch)
        if ch == "\n" or used + w > room:
            lines, used = lines + 1, 0.0
        if lines > budget:
            pieces.append(text[start:i])
            start, lines, used = i, 1, 0.0
        used += 0 if ch == "\n" else w
    pieces.append(text[start:])
    return [("" if n == 0 else CONTINUED + "…") + p + ("…" if n < len(pieces) - 1 else "")
            for n, p in enumerate(pieces)]


def _lines(text: str, room: float) -> int:
    return sum(math.ceil(max(text_width(part), 1) / room) for part in text.split("\n"))


def write_cell(sheet, row: int, col: int, value: Any, cell_format) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def row_height(values: Sequence[Any], widths: Sequence[float]) -> float:
    """A row height (points) that shows every wrapped line of the row's text."""
    lines = 1
    for value, width in zip(values, widths):
        if isinstance(value, str) and value:
            lines = max(lines, _lines(value, max(width - 1.5, 1)))
    return min(MAX_ROW_HEIGHT, max(22, LINE_HEIGHT * lines + 6))


def print_setup(sheet, last_row: int, last_col: int, repeat: int | None = None) -> None:
    """A4 landscape, fitted to the page width, header row repeated, page numbers — 1 —."""
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.center_horizontally()
    sheet.set_footer("&C— &P —")
    sheet.print_area(0, 0, max(last_row, 0), last_col)
    if repeat is not None:
        sheet.repeat_rows(repeat)


def table_sheet(sheet, fmt: dict, title: str, subtitle: str, columns: Sequence[Column]) -> int:
    """Title, subtitle and a frozen header row; return the first data row."""
    head = title_rows(sheet, fmt, len(columns), title, subtitle)
    header_row(sheet, fmt, head, columns)
    sheet.freeze_panes(head + 1, 0)
    return head + 1


def finish_table(sheet, first: int, last: int, ncols: int, autofilter: bool = False) -> None:
    """Print setup (header repeated) and, when asked, an autofilter over the table."""
    header = first - 1
    if autofilter:
        sheet.autofilter(header, 0, max(last, header), ncols - 1)
    print_setup(sheet, last, ncols - 1, repeat=header)


def section_label(number: str, title: str) -> str:
    """一、经济发展 / （二）民生保障 / the title alone when unnumbered."""
    if not number:
        return title or "其他"
    return f"{number}{title}" if number[0] in "（(" else f"{number}、{title}"


def time_text(t: datetime | None) -> str:
    return f"{date_text(t)} {t:%H:%M}" if t else ""


def percent_text(value: float) -> str:
    return f"{value * 100:.1f}%"
