"""Times as the office reads them: every stored time is aware (UTC) and shown in the office's zone
(``office.timezone``), by the CLI and the web pages alike."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_text(t: datetime | None, zone: ZoneInfo, seconds: bool = False) -> str:
    """A stored (aware) time as the office reads it: ``2024-08-05 09:30``."""
    if t is None:
        return ""
    return t.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def local_iso(t: datetime | None, zone: ZoneInfo) -> str | None:
    """A stored (aware) time for JSON: ISO 8601 with the office's offset."""
    return t.astimezone(zone).isoformat() if t is not None else None


def date_text(d: date) -> str:
    """A date as every page, workbook and message writes it: ``2024年8月5日`` (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"
