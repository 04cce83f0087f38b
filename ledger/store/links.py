"""Units' upload links and the uploads made through them, in the store.

A link is kept as the sha256 of its token only: whoever reads the database cannot upload as a unit.
An upload is recorded, bound to the unit whose link carried it, before its file enters the inbox;
collect reads the binding (whichever run takes the file in) and writes the outcome back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.store import schema as s
from ledger.store.submissions import all_rows, first_row


def active_links(engine: Engine) -> dict[int, dict[str, Any]]:
    """Every unit's link in force, by unit id."""
    query = sa.select(s.unit_links).where(s.unit_links.c.revoked_at.is_(None))
    return {r["unit_id"]: r for r in all_rows(engine, query)}


def active_link(conn: Connection, unit_id: int) -> dict[str, Any] | None:
    """One unit's link in force, read in the caller's transaction."""
    return first_row(conn, sa.select(s.unit_links).where(s.unit_links.c.unit_id == unit_id,
                                                         s.unit_links.c.revoked_at.is_(None)))


def last_generation(conn: Connection, unit_id: int) -> int:
    query = sa.select(sa.func.max(s.unit_links.c.generation)).where(s.unit_links.c.unit_id == unit_id)
    return conn.execute(query).scalar() or 0


def issue(conn: Connection, unit_id: int, generation: int, token_sha256: str, now: datetime) -> int:
    """Put a new link of a unit in force, revoking the one before it; return its id."""
    revoke(conn, unit_id, now)
    return conn.execute(s.unit_links.insert(), {"unit_id": unit_id, "generation": generation,
                                                "token_sha256": token_sha256, "created_at": now}).inserted_primary_key[0]


def revoke(conn: Connection, unit_id: int, now: datetime) -> int:
    """Revoke a unit's link in force; return how many were revoked (0 or 1)."""
    result = conn.execute(s.unit_links.update()
                          .where(s.unit_links.c.unit_id == unit_id, s.unit_links.c.revoked_at.is_(None))
                          .values(revoked_at=now))
    return result.rowcount


def link_by_hash(engine: Engine, token_sha256: str) -> dict[str, Any] | None:
    """The link with this token hash, in force or not, with its unit's name."""
    query = (sa.select(s.unit_links, s.units.c.name.label("unit"))
             .join(s.units, s.units.c.id == s.unit_links.c.unit_id)
             .where(s.unit_links.c.token_sha256 == token_sha256))
    return first_row(engine, query)


def record_upload(engine: Engine, **values: Any) -> int:
    with engine.begin() as conn:
        return conn.execute(s.uploads.insert(), values).inserted_primary_key[0]


def forget_upload(engine: Engine, upload_id: int) -> None:
    """An upload whose file never reached the inbox."""
    with engine.begin() as conn:
        conn.execute(s.uploads.delete().where(s.uploads.c.id == upload_id, s.uploads.c.intake_id.is_(None)))


def waiting_uploads(conn: Connection | Engine) -> dict[str, dict[str, Any]]:
    """Uploads not yet collected, by inbox name, with their unit's name."""
    query = (sa.select(s.uploads, s.units.c.name.label("unit"))
             .join(s.units, s.units.c.id == s.uploads.c.unit_id)
             .where(s.uploads.c.intake_id.is_(None)))
    return {r["inbox_name"]: r for r in all_rows(conn, query)}


def attach_outcome(conn: Connection, upload_id: int, intake_id: int) -> None:
    conn.execute(s.uploads.update().where(s.uploads.c.id == upload_id).values(intake_id=intake_id))


def upload(engine: Engine, upload_id: int) -> dict[str, Any] | None:
    """An upload with its recorded outcome (the intake's outcome, period, findings, feedback and unit
    as ``intake_unit_id``; None while it waits to be collected)."""
    i = s.intake.c
    query = (sa.select(s.uploads, i.outcome, i.period, i.errors, i.warnings, i.findings, i.feedback_path,
                       i.unit_id.label("intake_unit_id"))
             .outerjoin(s.intake, i.id == s.uploads.c.intake_id)
             .where(s.uploads.c.id == upload_id))
    return first_row(engine, query)


def unit_intake(engine: Engine, unit_id: int, period: str, limit: int = 100) -> list[dict[str, Any]]:
    """The files of a unit taken in for a period (and its uploads no period could be read from), newest first."""
    i = s.intake.c
    query = (sa.select(s.intake, s.submissions.c.is_current)
             .outerjoin(s.submissions, s.submissions.c.intake_id == i.id)
             .where(i.unit_id == unit_id, sa.or_(i.period == period, i.period.is_(None)))
             .order_by(i.id.desc()).limit(limit))
    return all_rows(engine, query)


def uploads_of(engine: Engine, intake_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The uploads behind recorded files, by intake id (files that came another way have none)."""
    if not intake_ids:
        return {}
    query = sa.select(s.uploads).where(s.uploads.c.intake_id.in_(intake_ids))
    return {r["intake_id"]: r for r in all_rows(engine, query)}


def unit_template(engine: Engine, template_id: str, unit_id: int) -> dict[str, Any] | None:
    """A template issued to this unit (None for another unit's)."""
    return first_row(engine, sa.select(s.templates).where(s.templates.c.id == template_id,
                                                          s.templates.c.unit_id == unit_id))


def intake_row(engine: Engine, intake_id: int) -> dict[str, Any] | None:
    return first_row(engine, sa.select(s.intake).where(s.intake.c.id == intake_id))


def unit_templates(engine: Engine, unit_id: int) -> list[dict[str, Any]]:
    """The templates issued to a unit, newest period first (the latest of each period first)."""
    t = s.templates.c
    return all_rows(engine, sa.select(s.templates).where(t.unit_id == unit_id)
                    .order_by(t.period.desc(), t.created_at.desc()))


def periods_issued(engine: Engine) -> list[str]:
    """Periods with templates issued, newest first."""
    with engine.connect() as conn:
        return list(conn.execute(sa.select(s.templates.c.period).distinct()
                                 .order_by(s.templates.c.period.desc())).scalars())


def units_issued(engine: Engine, period: str) -> dict[str, int]:
    """Units with a template for the period: name -> id."""
    query = (sa.select(s.units.c.name, s.units.c.id).join(s.templates, s.templates.c.unit_id == s.units.c.id)
             .where(s.templates.c.period == period).distinct())
    with engine.connect() as conn:
        return {r.name: r.id for r in conn.execute(query)}


def unit_named(conn: Connection, name: str) -> int | None:
    """The id of the unit of that (stored) name; None when there is none."""
    return conn.execute(sa.select(s.units.c.id).where(s.units.c.name == name)).scalar()


def board_version(engine: Engine) -> str:
    """Changes whenever an outcome is recorded or the work log has news other than the web's own
    (a link issued, a report made): the office's board reloads itself when it does."""
    with engine.connect() as conn:
        intake = conn.execute(sa.select(sa.func.max(s.intake.c.id))).scalar() or 0
        work = conn.execute(sa.select(sa.func.max(s.events.c.id))
                            .where(sa.not_(s.events.c.action.startswith("web-")))).scalar() or 0
    return f"{intake}-{work}"
