"""督办单 in the store: record one (numbered, deduplicated), list them, record a reply, close one."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.store import schema as s
from ledger.store.submissions import all_rows, first_row

OPEN, REPLIED, CLOSED = "open", "replied", "closed"
STATES = (OPEN, REPLIED, CLOSED)


def dedupe_key(period: str, unit: str, colour: str, item_keys: list[str]) -> str:
    """The same items of the same colour to the same unit in one period: one notice, ever."""
    text = json.dumps([period, unit, colour, sorted(item_keys)], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def issued_keys(conn: Connection, period: str, unit_id: int, colour: str) -> set[str]:
    """Item keys already issued to the unit in this colour for the period."""
    e = s.escalations.c
    rows = conn.execute(sa.select(e["items"]).where(e.period == period, e.unit_id == unit_id, e.colour == colour))
    return {item["key"] for (items,) in rows for item in items}


def next_seq(conn: Connection, year: int) -> int:
    e = s.escalations.c
    return (conn.execute(sa.select(sa.func.max(e.seq)).where(e.year == year)).scalar() or 0) + 1


def record(conn: Connection, **values: Any) -> int:
    return conn.execute(s.escalations.insert(), values).inserted_primary_key[0]


def mark_raised(conn: Connection, old_id: int, new_id: int) -> None:
    e = s.escalations.c
    conn.execute(s.escalations.update().where(e.id == old_id, e.escalated_to.is_(None)).values(escalated_to=new_id))


def _query() -> sa.Select:
    e = s.escalations
    return (sa.select(e, s.units.c.name.label("unit")).join(s.units, s.units.c.id == e.c.unit_id)
            .order_by(e.c.id))


def notices(bind: Engine | Connection, period: str | None = None, open_only: bool = False,
            unit: str | None = None, up_to: str | None = None) -> list[dict[str, Any]]:
    """Notices, oldest first; ``open_only``: not yet closed (open or replied); ``up_to``: periods until then."""
    q = _query()
    e = s.escalations.c
    if period:
        q = q.where(e.period == period)
    if up_to:
        q = q.where(e.period <= up_to)
    if open_only:
        q = q.where(e.state != CLOSED)
    if unit:
        q = q.where(s.units.c.name == unit)
    return [_with_number(r) for r in all_rows(bind, q)]


def notice(bind: Engine | Connection, notice_id: int) -> dict[str, Any] | None:
    found = first_row(bind, _query().where(s.escalations.c.id == notice_id))
    return _with_number(found) if found else None


def _with_number(row: dict[str, Any]) -> dict[str, Any]:
    row["number"] = number_text(row["year"], row["seq"])
    return row


def number_text(year: int, seq: int) -> str:
    """编号 as printed: 督办〔2026〕3号."""
    return f"督办〔{year}〕{seq}号"


def reply(conn: Connection, notice_id: int, text: str, file: str | None, at: datetime) -> None:
    """The unit's written reply (a later one replaces it while the notice is not closed)."""
    e = s.escalations.c
    conn.execute(s.escalations.update().where(e.id == notice_id, e.state != CLOSED)
                 .values(reply=text, reply_file=file, replied_at=at, state=REPLIED))


def reply_from_ledger(conn: Connection, unit_id: int, texts: dict[str, str], at: datetime) -> list[int]:
    """What a unit wrote in its ledger's 督办反馈 column (item number -> text), as its reply to its
    notices awaiting one: each notice gets the texts on its own items (第 N 项：…), or all of them when
    none is on its items (a notice about missing reports, or items numbered anew since). Returns the
    notices answered."""
    e = s.escalations.c
    waiting = conn.execute(sa.select(e.id, e["items"]).where(e.unit_id == unit_id, e.state == OPEN)
                           .order_by(e.id)).all()
    lines = {number: f"第 {number} 项：{text}" for number, text in texts.items()}
    answered = []
    for notice_id, items in waiting:
        about = {str(i.get("number")) for i in (items or []) if isinstance(i, dict)}
        mine = [line for number, line in lines.items() if number in about] or list(lines.values())
        if mine:
            reply(conn, notice_id, "\n".join(mine), None, at)
            answered.append(notice_id)
    return answered


def close(conn: Connection, notice_id: int, comment: str | None, at: datetime, by: str) -> None:
    e = s.escalations.c
    conn.execute(s.escalations.update().where(e.id == notice_id)
                 .values(state=CLOSED, closed_at=at, comment=comment, closed_by=by))


def keep_open(conn: Connection, notice_id: int, comment: str, reply_due: date, by: str) -> None:
    """The office read the reply and keeps the matter open, saying why, with a new 反馈时限."""
    e = s.escalations.c
    conn.execute(s.escalations.update().where(e.id == notice_id)
                 .values(state=OPEN, comment=comment, reply_due=reply_due, closed_by=by))


def to_dict(row: dict[str, Any], local) -> dict[str, Any]:
    """A notice as ``ledger escalations list --json`` shows it (``local``: a time in the office's zone)."""
    return {"id": row["id"], "number": row["number"], "period": row["period"], "unit": row["unit"],
            "colour": row["colour"], "items": row["items"], "issued_at": local(row["issued_at"]),
            "reply_due": row["reply_due"].isoformat() if isinstance(row["reply_due"], date) else row["reply_due"],
            "state": row["state"], "reply": row["reply"],
            "replied_at": local(row["replied_at"]) if row["replied_at"] else None,
            "comment": row["comment"], "closed_by": row["closed_by"], "file": row["file"], "reply_file": row["reply_file"],
            "escalated_from": row["escalated_from"], "escalated_to": row["escalated_to"]}
