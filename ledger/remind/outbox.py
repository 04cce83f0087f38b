"""The outbox: every reminder recorded before it is sent, and handed to one sender at a time.

States: ``pending`` (recorded, never tried), ``sending`` (claimed by ``owner``), ``retry`` (failed,
tried again from ``next_try_at``), ``sent``, ``failed`` (given up after ``remind.max_attempts``) and
``cancelled`` (not sent, no longer due: the unit reported meanwhile, or the deadline moved past a
即将截止).
A message is recorded once: its ``dedupe_key`` is unique, so a rerun or a second process inserting
the same message inserts nothing. A sender claims a row with one conditional UPDATE (state and
owner in its WHERE clause) and sends only when that UPDATE changed the row: whichever process,
on SQLite or PostgreSQL, only one wins. A row left ``sending`` by a process that died is taken over
at once when that process ran on this machine and is gone, otherwise after ``remind.stale_seconds``.
A crash after the server accepted a message and before ``sent`` was recorded repeats that one
message: at most one per crashed sender, since a sender holds one claim at a time.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.remind.messages import Message
from ledger.store import schema as s

PENDING, SENDING, RETRY, SENT, FAILED, CANCELLED = "pending", "sending", "retry", "sent", "failed", "cancelled"
STATE_LABELS = {PENDING: "待发送", SENDING: "发送中", RETRY: "待重试", SENT: "已发送", FAILED: "发送失败",
                CANCELLED: "已取消（无需再发）"}
HOST = socket.gethostname()
o = s.outbox.c


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_owner() -> str:
    """Who is sending: this machine, this process and a token of the run."""
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def record(engine: Engine, messages: Iterable[Message]) -> int:
    """Record the messages not recorded yet (by dedupe key); return how many were new."""
    rows = [{"dedupe_key": m.dedupe_key, "unit_id": m.unit_id, "unit_name": m.unit, "period": m.period,
             "kind": m.kind, "channel": m.channel, "recipients": m.recipients, "subject": m.subject, "body": m.body,
             "link": m.link, "attachments": list(m.extra.get("attachments", [])), "deadline": date.fromisoformat(m.deadline) if m.deadline else None,             "state": PENDING, "attempts": 0, "last_error": "", "owner": "", "created_at": now(),
             "next_try_at": now()} for m in messages]
    if not rows:
        return 0
    with engine.begin() as conn:
        dialect = conn.dialect.name
        if dialect in ("sqlite", "postgresql"):
            insert = __import__(f"sqlalchemy.dialects.{dialect}", fromlist=["insert"]).insert
            result = conn.execute(insert(s.outbox).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows)
            return max(result.rowcount, 0)
        known = set(conn.execute(sa.select(o.dedupe_key).where(o.dedupe_key.in_([r["dedupe_key"] for r in rows]))).scalars())
        fresh = [r for r in rows if r["dedupe_key"] not in known]
        if fresh:
            conn.execute(s.outbox.insert(), fresh)
        return len(fresh)


def states(engine: Engine, keys: list[str]) -> dict[str, str]:
    """The recorded state of each of these dedupe keys."""
    if not keys:
        return {}
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(o.dedupe_key, o.state).where(o.dedupe_key.in_(keys))).all())


def candidates(engine: Engine, period: str, kinds: list[str] | None = None, unit: str | None = None,
               stale_seconds: float = 300) -> list[dict[str, Any]]:
    """Rows of the period a sender may try to claim now: pending, retry that is due, or sending whose
    claim is stale or whose owner is a dead process of this machine. Oldest first."""
    at = now()
    query = _of(sa.select(s.outbox), period, kinds, unit).where(o.state.in_((PENDING, RETRY, SENDING))).order_by(o.id)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    return [r for r in rows if _claimable(r, at, stale_seconds)]


def _claimable(row: dict[str, Any], at: datetime, stale_seconds: float) -> bool:
    if row["state"] == PENDING:
        return True
    if row["state"] == RETRY:
        return row["next_try_at"] <= at
    return owner_gone(row["owner"]) or (row["claimed_at"] is not None
                                        and row["claimed_at"] <= at - timedelta(seconds=stale_seconds))


def owner_gone(owner: str) -> bool:
    """Whether a claim's owner was a process of this machine that no longer runs."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def claim(engine: Engine, row: dict[str, Any], owner: str) -> bool:
    """Take the row for this sender, if it is still as ``row`` saw it; True when this sender won."""
    seen = (o.state == row["state"]) & (o.owner == row["owner"]) & (o.attempts == row["attempts"])
    with engine.begin() as conn:
        result = conn.execute(s.outbox.update().where(o.id == row["id"], seen)
                              .values(state=SENDING, owner=owner, claimed_at=now(), attempts=o.attempts + 1))
    return result.rowcount == 1


def mark_sent(engine: Engine, row_id: int, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(s.outbox.update().where(o.id == row_id, o.owner == owner)
                     .values(state=SENT, sent_at=now(), last_error=""))


def mark_failed(engine: Engine, row_id: int, owner: str, error: str, attempts: int, max_attempts: int,
                backoff_seconds: float) -> tuple[str, datetime]:
    """Record a failed attempt: ``retry`` after a doubling wait, or ``failed`` at the limit. Returns
    the state and when the message (or, the channel being down, the next one) may be tried."""
    state = FAILED if attempts >= max_attempts else RETRY
    wait = timedelta(seconds=backoff_seconds * 2 ** max(attempts - 1, 0))
    with engine.begin() as conn:
        conn.execute(s.outbox.update().where(o.id == row_id, o.owner == owner)
                     .values(state=state, last_error=error[:1000], next_try_at=now() + wait))
    return state, now() + wait


def cancel(engine: Engine, row: dict[str, Any], why: str) -> bool:
    """A message no longer due is not sent (if it is still as ``row`` saw it); True when cancelled."""
    with engine.begin() as conn:
        result = conn.execute(s.outbox.update().where(o.id == row["id"], o.state == row["state"],
                                                       o.owner == row["owner"], o.attempts == row["attempts"])
                              .values(state=CANCELLED, last_error=why))
    return result.rowcount == 1


def postpone(engine: Engine, row_ids: list[int], until: datetime, error: str) -> None:
    """Messages of a channel found down, not tried: wait with it (no attempt is counted)."""
    if not row_ids:
        return
    with engine.begin() as conn:
        conn.execute(s.outbox.update().where(o.id.in_(row_ids), o.state.in_((PENDING, RETRY)))
                     .values(state=RETRY, next_try_at=until, last_error=error[:1000]))


def _of(query, period: str, kinds: list[str] | None, unit: str | None):
    query = query.where(o.period == period)
    if kinds:
        query = query.where(o.kind.in_(kinds))
    return query.where(o.unit_name == unit) if unit else query


def next_retry(engine: Engine, period: str, kinds: list[str] | None = None, unit: str | None = None) -> datetime | None:
    with engine.connect() as conn:
        return conn.execute(_of(sa.select(sa.func.min(o.next_try_at)), period, kinds, unit)
                            .where(o.state == RETRY)).scalar()


def waiting_retry(engine: Engine, period: str, kinds: list[str] | None = None,
                  unit: str | None = None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(_of(sa.select(s.outbox), period, kinds, unit)
                                              .where(o.state == RETRY).order_by(o.id)).mappings()]


def rows(target: Engine | Connection, period: str | None = None, states_: tuple[str, ...] = (),
         limit: int = 1000) -> list[dict[str, Any]]:
    """Recorded messages, newest first (a period's, or in some states)."""
    query = sa.select(s.outbox).order_by(o.id.desc()).limit(limit)
    if period:
        query = query.where(o.period == period)
    if states_:
        query = query.where(o.state.in_(states_))
    if isinstance(target, Connection):
        return [dict(r) for r in target.execute(query).mappings()]
    with target.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
