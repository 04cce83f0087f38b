"""How wide text is on a terminal, by East Asian width: CJK and full-width characters take two columns.

Only the standard library, so the root command (help) may use it without loading the rest.
"""

from __future__ import annotations

import unicodedata


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal."""
    return sum(char_width(ch) for ch in text)


def cut(text: str, width: int) -> str:
    """``text`` within ``width`` columns, ending in … when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def fit(widths: list[int], limit: int, floors: list[int], gap: int = 2) -> list[int]:
    """Column widths narrowed, widest first and never below their floors, to fit ``limit`` columns."""
    widths = list(widths)
    excess = sum(widths) + gap * (len(widths) - 1) - limit
    while excess > 0:
        room = [w - f for w, f in zip(widths, floors)]
        i = max(range(len(widths)), key=lambda k: (room[k] > 0, widths[k]))
        if room[i] <= 0:
            break
        widths[i] -= 1
        excess -= 1
    return widths
