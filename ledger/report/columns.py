"""Report tables declared as rows: each column is its header, its width, how its cells are written and
where its value comes from, in one place (as ``plan/review.ReviewColumn`` declares the review workbook).

A sheet writer declares its table once — ``(ReportColumn("编号", 6, "center", lambda r: r.item.number), …)``
— and asks it for the printed columns (``layout``), the cell kinds (``kinds``) and one row's values
(``values``), so a header can never drift from the value or the kind beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ledger.report.sheets import finish_table, fit_columns, table_sheet, write_row


@dataclass(frozen=True)
class ReportColumn:
    header: str
    width: float                                # Excel character widths, before ``fit_columns`` narrows
    kind: str = "wrap"                          # a cell kind of ``report.sheets`` (wrap, center, int, pct, num)
    value: Callable[[Any], Any] = lambda row: None    # the cell's value, from the table's row


def layout(columns: Sequence[ReportColumn]) -> tuple[tuple[str, float], ...]:
    """``(header, width)`` of each column, as ``fit_columns`` and ``table_sheet`` take them."""
    return tuple((c.header, c.width) for c in columns)


def kinds(columns: Sequence[ReportColumn]) -> tuple[str, ...]:
    return tuple(c.kind for c in columns)


def values(columns: Sequence[ReportColumn], row: Any) -> tuple:
    """One table row's cells."""
    return tuple(c.value(row) for c in columns)


def write_table(sheet, fmt: dict, title: str, subtitle: str, table: Sequence[ReportColumn], rows: Iterable[Any], *,
                fill: Callable[[Any], str | None] = lambda row: None, empty: str = "", autofilter: bool = False,
                after: Callable[[int, Any, int], None] | None = None) -> int:
    """A declared table under its title, narrowed to print at 9 pt or more: a row each (continued on
    further rows where a text is longer than one row holds), ``empty`` in one merged row when there are
    none; ``after(row, item, written)`` may add to a row once written. Returns the first data row."""
    columns = fit_columns(layout(table))
    first = table_sheet(sheet, fmt, title, subtitle, columns)
    widths = [w for _, w in columns]
    row, count = first, 0
    for item in rows:
        written = write_row(sheet, fmt, row, values(table, item), kinds(table), fill(item), widths)
        if after is not None:
            after(row, item, written)
        row, count = row + written, count + 1
    if not count and empty:
        sheet.merge_range(first, 0, first, len(widths) - 1, empty, fmt[(None, "wrap")])
    finish_table(sheet, first, max(row, first + 1) - 1, len(widths), autofilter=autofilter and count > 0)
    return first
