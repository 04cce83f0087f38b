"""Notices written in traditional characters (牽頭單位、責任單位、縣財政局…), read as simplified.

Every word list of the parser (:mod:`ledger.plan.vocabulary`) is in simplified characters, and so
is everything the office sees. A notice mostly in traditional characters is converted as a whole
(OpenCC's t2s tables) before it is parsed, so its items, units and role words come out in the
simplified forms a simplified notice would give; a simplified notice is left exactly as it is.
"""

from __future__ import annotations

from functools import lru_cache

# Characters common in any plan notice that exist only in traditional script: a quick test that
# spares a simplified notice the conversion.
TRADITIONAL_MARKS = frozenset("單責頭牽負縣區鄉鎮辦會發設財務業領導點時間門農衛體")
# Share of a notice's CJK characters, and least number, that must change for it to count as
# traditional: a few traditional forms inside a simplified notice (a quoted name) are left alone.
TRADITIONAL_SHARE = 0.02
TRADITIONAL_LEAST = 5


def simplified(text: str) -> tuple[str, bool]:
    """(the text in simplified characters, True when it was written in traditional ones)."""
    if not text or not any(ch in TRADITIONAL_MARKS for ch in text):
        return text, False
    converted = _converter().convert(text)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text) or 1
    changed = sum(a != b for a, b in zip(text, converted)) if len(converted) == len(text) else cjk
    if changed < TRADITIONAL_LEAST or changed / cjk < TRADITIONAL_SHARE:
        return text, False
    return converted, True


@lru_cache(maxsize=1)
def _converter():
    import opencc      # (imported on first use: most notices never need it)
    return opencc.OpenCC("t2s")
