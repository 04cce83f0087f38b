"""Periods (月份) as ``YYYY-MM`` strings: parsing, neighbours, deadlines and 序时进度."""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ledger.errors import PeriodError

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(text: str) -> tuple[int, int]:
    """(year, month) of a period; raise PeriodError with a Chinese message otherwise."""
    match = PERIOD_RE.match(str(text).strip())
    if not match:
        raise PeriodError(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2024-07")
    return int(match.group(1)), int(match.group(2))


def check_period(text: str) -> str:
    year, month = parse_period(text)
    return f"{year:04d}-{month:02d}"


def current_period(tz: str = "Asia/Shanghai", now: datetime | None = None) -> str:
    now = now or datetime.now(ZoneInfo(tz))
    return f"{now.year:04d}-{now.month:02d}"


def shift(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous_period(period: str) -> str:
    return shift(period, -1)


def label(period: str) -> str:
    """The period as printed: 2024年7月."""
    year, month = parse_period(period)
    return f"{year}年{month}月"


def deadline(period: str, day: int) -> date:
    """The reporting deadline: the given day of the month after the period."""
    year, month = parse_period(shift(period, 1))
    return date(year, month, day)


@lru_cache(maxsize=64)     # asked once a row by validation
def schedule_share(period: str) -> float:
    """序时进度 at the end of the period: the elapsed share of the year, month / 12."""
    _, month = parse_period(period)
    return month / 12
