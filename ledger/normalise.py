"""Normalise typed values without loss where the meaning is certain (全角数字, 30%, 数字文本, 3,200).

Each function returns the normalised value and, where a reading was assumed, a note for a warning.
The column kinds (``ledger.kinds``) apply them, cell by cell.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")   # 3,200 or 1,234,567.5
PERCENT_SIGNS = "%％"


def number_text(value: object) -> str:
    """A number as text, as the template wrote it: 3.0 -> "3", 27.34 -> "27.34", whatever client wrote it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value).strip()
    return f"{value:.12g}"


def clean_text(value: Any) -> str:
    """Text as a department meant it: numbers without .0, dates as YYYY-MM-DD, spaces trimmed."""
    if type(value) is str:        # the common case first: this runs for every cell read
        return value.replace("\u3000", " ").strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def normalise_percent(value: Any) -> tuple[Any, str | None]:
    """A whole number 0-100 where certain; otherwise the value unchanged for the validator to reject."""
    if isinstance(value, bool):
        return value, None
    if isinstance(value, (int, float)):
        return _number(value)
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if not text:
        return "", None
    if text[-1] in PERCENT_SIGNS:
        text = text[:-1]
    if NUMBER_RE.match(text):
        number, _ = _number(float(text))
        return number, None
    return clean_text(value), None


def _number(value: float) -> tuple[Any, str | None]:
    if 0 < value < 1:  # a cell formatted as percent: 30% is stored as 0.3
        scaled = round(value * 100, 6)
        if float(scaled).is_integer():
            return int(scaled), f"按百分比理解为 {int(scaled)}"
    if float(value).is_integer():
        return int(value), None
    return value, None


def normalise_status(value: Any, synonyms: dict[str, str]) -> tuple[str, str | None]:
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if text in synonyms:
        return synonyms[text], f"“{text}”按“{synonyms[text]}”处理"
    return text, None


def normalise_number(value: Any, unit: str = "") -> Any:
    """A number where certain (１２, " 12 ", 3,200, and 12% when the unit itself is %); else the text.

    Unlike 完成进度, 0.3 stays 0.3: a cumulative value has no percent reading. Negative numbers
    stay numbers, for the validator to reject with their own message.
    """
    if isinstance(value, bool):
        return clean_text(value)
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if text and text[-1] in PERCENT_SIGNS and unit.strip() in ("%", "％"):
        text = text[:-1]
    if GROUPED_RE.match(text):
        text = text.replace(",", "")
    if NUMBER_RE.match(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    return clean_text(value)
