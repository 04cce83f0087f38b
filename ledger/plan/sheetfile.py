"""An office's own Excel task table (.xlsx, .xls) read as a notice: each task sheet as `` | `` text.

A web page's table saved with an .xls name (what many systems export) is read as HTML.

The header row may stand in any of the first rows (after a title or a note) and name its columns
in any order; the parser maps the header names to columns. Sheets without a task-table header are
left out; cell values read through python-calamine.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ledger.errors import PlanImportError
from ledger.plan.formats import NoticeFormat
from ledger.plan.review import ITEM_COLUMNS, SHEET
from ledger.plan.tables import HEADER_SEARCH_ROWS, pipe_lines
from ledger.plan.textfile import decode, read_bytes
from ledger.plan.wordfile import check_unpacked_size

MAX_ROWS = 20_000
MAX_COLUMNS = 60


def read_sheet(path: Path) -> str:
    from python_calamine import CalamineWorkbook

    if _is_html(path):                          # an "Excel" export that is a web page's table
        return read_html_tables(path)

    try:
        if zipfile.is_zipfile(path):            # .xlsx/.xlsm; an .xls is bounded by its file size
            check_unpacked_size(path, "Excel 文件")
        wb = CalamineWorkbook.from_path(str(path))
    except PlanImportError:
        raise
    except PermissionError:
        raise PlanImportError(f"无法读取文件“{path.name}”：没有读取权限") from None
    except Exception:   # calamine raises its own error types on damaged, encrypted or foreign files
        raise PlanImportError(f"无法读取 Excel 文件“{path.name}”：文件已损坏、已加密或不是有效的 Excel 工作簿") from None
    try:
        lines, looked = [], []
        for name in wb.sheet_names:
            try:
                rows = wb.get_sheet_by_name(name).to_python(nrows=MAX_ROWS + 1)
            except Exception:
                raise PlanImportError(f"无法读取 Excel 文件“{path.name}”的“{name}”工作表：文件已损坏") from None
            if len(rows) > MAX_ROWS:
                raise PlanImportError(f"Excel 文件“{path.name}”的“{name}”工作表超过 {MAX_ROWS} 行，不像一份任务表，未导入")
            looked.append(name)
            if _review_sheet(name, rows):
                raise PlanImportError(f"“{path.name}”是计划分解表（ledger plan export 导出的审核表），不是通知："
                                      f"请用 ledger plan load {path.name} 导入")
            table = pipe_lines([[cell_text(v) for v in row[:MAX_COLUMNS]] for row in rows])
            if table:
                lines.extend(table)
    finally:
        wb.close()
    if not lines:
        raise PlanImportError(
            f"Excel 文件“{path.name}”中没有找到任务表（查看了工作表：{'、'.join(looked) or '无'}）："
            f"任务表的前 {HEADER_SEARCH_ROWS} 行中应有一行表头，含“任务”或“工作内容”等列和“牵头单位”或“责任单位”列")
    return "\n".join(lines)


def _is_html(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    except OSError:
        return False
    return head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta"))


class _HtmlTables(HTMLParser):
    """Rows of cell texts of every <table>; a cell spanning columns is followed by empty ones."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            span = dict(attrs).get("colspan") or "1"
            self.cell, self.span = [], min(int(span), MAX_COLUMNS) if span.isdigit() and int(span) > 0 else 1
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].extend([" ".join("".join(self.cell).split())] + [""] * (self.span - 1))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_html_tables(path: Path) -> str:
    """The task tables of a web page saved with an .xls name (an export many systems make)."""
    parser = _HtmlTables()
    parser.feed(decode(path, read_bytes(path)))
    lines = [line for rows in parser.tables for line in pipe_lines(rows[:MAX_ROWS]) or []]
    if not lines:
        raise PlanImportError(f"文件“{path.name}”是网页表格（以 Excel 文件名保存），其中没有找到任务表："
                              f"任务表的前 {HEADER_SEARCH_ROWS} 行中应有一行表头，含“任务”或“工作内容”等列和“牵头单位”或“责任单位”列")
    return "\n".join(lines)


def _review_sheet(name: str, rows: list[list[Any]]) -> bool:
    """The 计划分解 sheet of a review workbook, told by its header."""
    header = {cell_text(v).strip() for v in rows[0]} if rows else set()
    return name == SHEET and {c.header for c in ITEM_COLUMNS if not c.since} <= header


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as 2024年6月30日."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, (time, timedelta)):
        return ""
    return str(value)


FORMAT = NoticeFormat("Excel 文件", (".xlsx", ".xlsm", ".xls"), read_sheet, may_be_encrypted=True,
                      shown=(".xlsx", ".xls"))
