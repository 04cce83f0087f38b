"""Locking a month (锁定): once the office locks a period it takes nothing more, and its report is
the final one (终版). Each lock and unlock is a row of ``period_locks`` with who, when and (to
unlock) why; the latest row of a period says whether it is locked. A file for a locked month is
rejected by collect with the finding ``period-locked``: at examination, and again in the transaction
that records the file (a month locked while collect runs; ``ledger.collect.intake``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import LedgerError
from ledger import codes
from ledger.findings import Finding
from ledger.period import check_period, label
from ledger.store import events
from ledger.store import schema as s

LOCK, UNLOCK = "lock", "unlock"
MAX_REASON = 2000


class PeriodLockError(LedgerError):
    """A lock or unlock that cannot be done (locked already, not locked, no reason)."""


@dataclass(frozen=True)
class LockState:
    period: str
    by: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "locked_by": self.by, "locked_at": self.at.isoformat()}

    def local(self, zone) -> "LockState":
        """The same lock with its time in the office's zone."""
        return LockState(self.period, self.by, self.at.astimezone(zone))


def _latest(conn: Connection, period: str):
    pl = s.period_locks
    return conn.execute(sa.select(pl.c.action, pl.c.by_name, pl.c.at).where(pl.c.period == period)
                        .order_by(pl.c.id.desc()).limit(1)).first()


def locked(target: Engine | Connection, period: str) -> LockState | None:
    """Who locked the period and when, if it is locked now."""
    if isinstance(target, Engine):
        with target.connect() as conn:
            return locked(conn, period)
    row = _latest(target, period)
    if row is None or row.action != LOCK:
        return None
    from ledger.report.data import as_utc

    return LockState(period, row.by_name, as_utc(row.at))


def lock_period(engine: Engine, period: str, by: str) -> LockState:
    period = check_period(period)
    with engine.begin() as conn:
        _serialise(conn)
        if locked(conn, period):
            raise PeriodLockError(f"{label(period)}已锁定")
        now = s._now()
        conn.execute(s.period_locks.insert().values(period=period, action=LOCK, by_name=by, at=now, reason=""))
        events.record(conn, "lock", "period-lock", f"{by}锁定{label(period)}（终版，不再接收报送）",
                      {"period": period, "by": by})
    return LockState(period, by, now)


def unlock_period(engine: Engine, period: str, reason: str, by: str) -> None:
    period = check_period(period)
    reason = (reason or "").strip()
    if not reason:
        raise PeriodLockError("请写明解锁理由")
    if len(reason) > MAX_REASON:
        raise PeriodLockError(f"理由太长：{len(reason)} 个字，最多 {MAX_REASON} 个字")
    with engine.begin() as conn:
        _serialise(conn)
        if not locked(conn, period):
            raise PeriodLockError(f"{label(period)}没有锁定")
        conn.execute(s.period_locks.insert().values(period=period, action=UNLOCK, by_name=by, at=s._now(), reason=reason))
        events.record(conn, "lock", "period-unlock", f"{by}解锁{label(period)}：{reason}",
                      {"period": period, "by": by, "reason": reason})


def _serialise(conn: Connection) -> None:
    """Two offices locking at once: the second waits and then sees the first's row."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE period_locks IN SHARE ROW EXCLUSIVE MODE")
    else:      # SQLite: take the write lock now, not at the insert
        conn.execute(s.period_locks.update().where(sa.false()).values(reason=""))


def locked_finding(state: LockState, settings) -> Finding:
    """The finding of a file for a locked month: it is final; whom to ask."""
    from zoneinfo import ZoneInfo

    office = settings.office
    who = office.name + "".join(f"（{p}）" for p in (office.contact, office.phone) if p)
    day = state.at.astimezone(ZoneInfo(office.timezone)).date()
    return codes.PERIOD_LOCKED.finding(month=label(state.period), day=f"{day.month}月{day.day}日", who=who,
                                       value=state.period)
