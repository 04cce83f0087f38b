"""The event log: what happened, when, and by which command."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.store import schema as s


# Who acted, as people read it in the work log (``ledger log`` and the office's web page).
SOURCE_LABELS = {"plan import": "导入计划", "plan load": "导回分解表", "templates": "生成模板", "collect": "收取",
                 "status": "报送情况", "report": "汇总表", "schedule": "定时任务", "demo": "演示",
                 "serve": "网页", "links": "报送链接", "users": "账号",
                 "review": "审核", "lock": "锁定", "signoff": "销号",
                 "units": "单位联系人", "remind": "催报"}
WEB_ACCESS = "web-access"     # an access to a web page: many, so the log shows them apart


def record(target: Engine | Connection, command: str, action: str, summary: str = "",
           detail: dict[str, Any] | None = None, at: datetime | None = None) -> int:
    """Append one event and return its id; inside the caller's transaction when given a connection."""
    values = {"command": command, "action": action, "summary": summary, "detail": detail or {}, "at": at or s._now()}
    if isinstance(target, Connection):
        return target.execute(s.events.insert(), values).inserted_primary_key[0]
    with target.begin() as conn:
        return conn.execute(s.events.insert(), values).inserted_primary_key[0]


def update(conn: Connection, event_id: int, summary: str, detail: dict[str, Any]) -> None:
    """Rewrite an event's summary and detail, in the caller's transaction (a run that records in steps)."""
    conn.execute(s.events.update().where(s.events.c.id == event_id).values(summary=summary, detail=detail))


def recent(engine: Engine, limit: int = 50, exclude: tuple[str, ...] = (),
           only: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The latest events, newest first; ``exclude`` or ``only`` name actions (web page accesses are many)."""
    query = sa.select(s.events).order_by(s.events.c.id.desc()).limit(limit)
    if exclude:
        query = query.where(s.events.c.action.not_in(exclude))
    if only:
        query = query.where(s.events.c.action.in_(only))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
