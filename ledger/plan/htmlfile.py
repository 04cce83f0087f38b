"""Web pages (.html, .htm) saved from a government site: the text, one block a line, and its tables.

Notices are published as web pages; an office may save one rather than copy its text. Block
elements (p, div, li, headings, br) end a line; script, style and the page's head are dropped. A
table holding no other table is a data table: a task table is rendered as `` | `` rows like an
Excel one; any other table (one that holds tables lays out the page) gives the lines of its
cells, in order.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from ledger.errors import PlanImportError
from ledger.plan.formats import NoticeFormat
from ledger.plan.tables import pipe_lines
from ledger.plan.textfile import decode, read_bytes

BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "table", "section",
          "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt"}
SKIPPED = {"head", "script", "style", "noscript", "template", "svg"}
MAX_CELLS = 200_000


def read_html(path: Path) -> str:
    reader = _Page()
    try:
        reader.feed(decode(path, read_bytes(path)))
        reader.close()
    except AssertionError:     # html.parser gives up on some malformed markup
        raise PlanImportError(f"无法读取网页文件“{path.name}”：文件已损坏") from None
    return "\n".join(line for line in (" ".join(l.split()) for l in reader.finish()))


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.nested = False
        self.lines: list[str] = []      # text of layout cells, in order, when it holds tables


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.tables: list[_Table] = []
        self.cell: list[str] | None = None
        self.skip = 0
        self.cells = 0

    # --- text ---------------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        else:
            self.lines[-1] += data

    def _break(self) -> None:
        if self.cell is not None:
            self.cell.append("\n")
        elif self.lines[-1].strip():
            self.lines.append("")

    # --- tags ---------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED:
            self.skip += 1
            return
        if tag == "table":
            self._flush_cell()
            if self.tables:
                self.tables[-1].nested = True
            self.tables.append(_Table())
            self._break()
        elif tag == "tr" and self.tables:
            self._flush_cell()
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables:
            self._flush_cell()
            if not self.tables[-1].rows:
                self.tables[-1].rows.append([])
            self.cell = []
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise PlanImportError("网页中的表格过大，不像一份工作要点通知，未导入")
        elif tag in BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in ("br", "hr"):
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip = max(self.skip - 1, 0)
            return
        if tag in ("td", "th"):
            self._flush_cell()
        elif tag == "table" and self.tables:
            self._flush_cell()
            self._emit(self.tables.pop())
        elif tag in BLOCKS:
            self._break()

    def _flush_cell(self) -> None:
        if self.cell is None or not self.tables:
            self.cell = None
            return
        text = "".join(self.cell)
        table = self.tables[-1]
        if not table.rows:
            table.rows.append([])
        table.rows[-1].append(text)
        table.lines.extend(text.split("\n"))
        self.cell = None

    def _emit(self, table: _Table) -> None:
        """A task table as `` | `` rows; any other table (layout, or data of another kind) as the
        lines of its cells, in order."""
        tasks = None if table.nested else pipe_lines([[" ".join(c.split()) for c in row] for row in table.rows])
        out = tasks if tasks is not None else table.lines
        if self.tables:                      # inside an outer (layout) table: its cell text goes on
            self.tables[-1].lines.extend(out)
            self.cell = []                   # the rest of the outer cell, after this table
            return
        self.lines.extend(out)
        self.lines.append("")

    def finish(self) -> list[str]:
        self._flush_cell()
        while self.tables:
            self._emit(self.tables.pop())
        return [line for line in self.lines if line.strip()]


FORMAT = NoticeFormat("网页文件", (".html", ".htm"), read_html, shown=(".html",))
