"""Column widths and row heights of a template's data sheets, as written."""

from __future__ import annotations

from ledger import layout
from ledger.template.writer import _lines, print_widths
from ledger.xlsx import COLUMN_PADDING, PRINT_WIDTH


def _printed(columns) -> float:
    return sum(w + COLUMN_PADDING for c, w in zip(columns, print_widths(columns)) if not c.hidden)


def test_the_data_sheets_fit_the_print_width_and_keep_their_columns():
    for columns in (layout.COLUMNS, layout.TARGET_COLUMNS):
        widths = print_widths(columns)
        assert len(widths) == len(columns)               # positions unchanged: one width a column
        # PRINT_WIDTH prints at 85 % or more; the two-character floor may overshoot it a little, up
        # to the width that still prints 11 pt text at 9 pt (126 × 0.85 / (9 / 11) ≈ 130.9)
        assert _printed(columns) <= PRINT_WIDTH * 0.85 * 11 / 9
        assert all(w == c.width for c, w in zip(columns, widths) if c.hidden)
        assert min(w for c, w in zip(columns, widths) if not c.hidden) >= 5
    assert sum(c.width + COLUMN_PADDING for c in layout.COLUMNS if not c.hidden) > 2 * PRINT_WIDTH * 0.9


def test_a_wrapped_line_holds_whole_chinese_characters():
    assert _lines("一二三四", 5) == 2          # width 5: two characters a line
    assert _lines("一二三四五", 6.5) == 3
    assert _lines("ab\n一", 9) == 2
