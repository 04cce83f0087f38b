"""Report tables declared as rows: each column is its header, its width, how its cells are written and
where its value comes from, in one place (as ``plan/review.ReviewColumn`` declares the review workbook).

A sheet writer declares its table once — ``(ReportColumn("编号", 6, "center", lambda r: r.item.number), …)``
— and asks it for the printed columns (``layout``), the cell kinds (``kinds``) and one row's values
(``values``), so a header can never drift from the value or the kind beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence


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
