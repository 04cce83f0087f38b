"""The consolidated workbook as leadership prints it: rendered to PDF through LibreOffice and read
back as a reader would see it (skipped when LibreOffice is absent)."""

from __future__ import annotations

import random
import re
import shutil
import subprocess

import pytest
from report_scenario import at, row, submit

from ledger.report import make_report
from ledger.report.pdf import to_pdf
from ledger.report.sheets import CONTINUED, fit_columns, split_text
from tests.conftest import soffice

pdfplumber = pytest.importorskip("pdfplumber")

# 3,000 characters of text that never repeats itself: a piece missing anywhere is matched nowhere
_WORDS = random.Random(13)
LONG = "".join(chr(0x4E00 + _WORDS.randrange(3000)) + ("。" if n % 23 == 22 else "") for n in range(2900))[:3000]
GAP = 400
FOOTER = re.compile(r"—\s*(\d+)\s*—")


def test_long_text_is_split_into_marked_pieces_that_rebuild_it():
    pieces = split_text(LONG, 36)
    assert len(pieces) > 1
    assert pieces[0].endswith("…") and all(p.startswith(CONTINUED + "…") for p in pieces[1:])
    assert not pieces[-1].endswith("…")
    rebuilt = "".join(p.removeprefix(CONTINUED + "…").removesuffix("…") for p in pieces)
    assert rebuilt == LONG
    assert split_text("短文本", 36) == ["短文本"]


def test_wide_tables_are_narrowed_to_print_at_a_readable_size():
    wide = (("编号", 6), ("进展", 60), ("问题", 60), ("状态", 9))
    fitted = fit_columns(wide)
    assert [w for _, w in fitted][0::3] == [6, 9]                 # narrow columns kept
    assert sum(w + 0.7 for _, w in fitted) <= 126
    assert fit_columns((("a", 10), ("b", 20))) == (("a", 10), ("b", 20))


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from report_scenario import build_scenario

    ws = build_scenario(tmp_path_factory.mktemp("print") / "ws")
    submit(ws, "2024-07", "民政局", at("2024-08-02 17:00"),
           {"6": row("超序时", 70, LONG, problems=LONG[::-1], next_steps="按计划推进")})
    result = make_report(ws, "2024-07")
    pdf = to_pdf(result.path, result.path.parent / "printed.pdf")
    assert pdf is not None
    return read_pdf(pdf)


def read_pdf(pdf) -> list[tuple[str, list[dict]]]:
    """Each page's text as ``pdftotext -layout`` lays it out (lines in reading order) and its
    printed characters with their sizes, from pdfplumber."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout.split("\f")
    with pdfplumber.open(pdf) as doc:
        return [(text, [c for c in p.chars if c["text"].strip()]) for text, p in zip(layout, doc.pages)]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _appears_in_order(entry: str, text: str) -> bool:
    start = text.find(entry[:6])
    return start >= 0 and _follows(entry, text, start)


def _follows(entry: str, text: str, start: int) -> bool:
    """Whether ``entry`` is laid out in ``text`` as consecutive pieces (its wrapped lines, with other
    cells' text between them), in order."""
    at, rest = start, entry
    while rest:
        # the next piece starts near: what lies between two lines of a cell is other cells' text,
        # at a page break the footer and the repeated header
        found = next((p for k in (6, 5, 4, 3, 2, 1) if 0 <= (p := text.find(rest[:k], at)) <= at + GAP), -1)
        if found < 0:
            return False
        n = 0
        while n < len(rest) and found + n < len(text) and text[found + n] == rest[n]:
            n += 1
        at, rest = found + n, rest[n:]
    return True


def _text(pages) -> str:
    return _flat("".join(t for t, _ in pages)).replace(CONTINUED, "").replace("…", "")


@pytest.mark.slow
def test_the_longest_entries_print_whole(printed):
    text = _text(printed)
    assert _appears_in_order(LONG, text)
    assert _appears_in_order(LONG[::-1], text)
    # the check can fail: without one of the continuation pages, the entry is not whole
    middle = [n for n, (t, _) in enumerate(printed) if CONTINUED in t][0]
    assert not _appears_in_order(LONG, _text(printed[:middle] + printed[middle + 1:]))


@pytest.mark.slow
def test_page_numbers_run_on_across_the_whole_report(printed):
    numbers = [int(m.group(1)) for t, _ in printed for m in [FOOTER.search(t)] if m]
    assert len(printed) > 6                       # the long entry takes continuation pages
    assert numbers == list(range(1, len(printed) + 1))


@pytest.mark.slow
def test_no_text_prints_under_9_pt(printed):
    sizes = [round(c["size"], 1) for _, chars in printed for c in chars]
    assert min(sizes) >= 9


def test_every_page_of_a_table_repeats_its_header(printed):
    ledger = [t for t, _ in printed if CONTINUED in t]
    assert len(ledger) >= 2
    for text in ledger:
        assert "编号" in text and "牵头单位" in _flat(text)


def test_the_parts_table_starts_a_page_under_its_header(printed):
    pages = [t for t, _ in printed]
    at = next(n for n, t in enumerate(pages) if "二、分部分情况" in t)
    assert at > 0                                 # never split across the foot of the first page
    table = pages[at][pages[at].index("二、分部分情况"):]
    assert "序号" in table and "任务数" in table
    assert "经济发展" in table and "民生保障" in table


def test_reminders_and_feedback_lists_fit_the_print_width():
    from ledger.collect.feedback import PROBLEM_WIDTHS
    from ledger.report.sheets import COLUMN_PADDING, PRINT_WIDTH
    from ledger.report.columns import layout
    from ledger.report.status import REMINDER_COLUMNS

    assert sum(w + COLUMN_PADDING for _, w in fit_columns(layout(REMINDER_COLUMNS))) <= PRINT_WIDTH
    assert sum(w + COLUMN_PADDING for w in PROBLEM_WIDTHS) <= PRINT_WIDTH
