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


def test_a_mobile_number_prints_whole_and_a_status_word_on_one_line(planned):
    """Filled through a spreadsheet client, an 11-digit mobile stays text (General would show
    1E+10) in a column wide enough for it, and 序时推进 fits its column unwrapped (issue 25)."""
    import openpyxl

    from ledger.template.generate import generate_templates
    from ledger.xlsx import text_width

    made = generate_templates(planned, "2024-07")
    sheet = openpyxl.load_workbook(made.files[0].path)[layout.LEDGER_SHEET]
    phone, status = layout.column_index("phone") + 1, layout.column_index("status") + 1
    letter = openpyxl.utils.get_column_letter
    assert sheet.column_dimensions[letter(phone)].width >= text_width("13800138000") + 1
    assert sheet.column_dimensions[letter(status)].width >= text_width("序时推进") + 2
    assert sheet.cell(layout.FIRST_DATA_ROW, phone).number_format == "@"
