"""Submissions in the store: templates issued, files taken in, accepted rows and their history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger import layout
from ledger.store import schema as s

INPUT_KEYS = [c.key for c in layout.INPUT_COLUMNS]


@dataclass
class Carried:
    """The latest accepted values of a unit before a period, keyed by (item number, role)."""

    period: str
    values: dict[tuple[str, str], dict[str, Any]]


def carried_values(engine: Engine, unit_names: list[str], before: str) -> dict[str, Carried]:
    """For each unit, its current submission of the latest period before ``before``."""
    sub, units = s.submissions, s.units
    latest = (sa.select(sub.c.unit_id, sa.func.max(sub.c.period).label("period"))
              .where(sub.c.is_current, sub.c.period < before).group_by(sub.c.unit_id).subquery())
    query = (sa.select(units.c.name, sub.c.id, sub.c.period)
             .join(latest, sa.and_(latest.c.unit_id == sub.c.unit_id, latest.c.period == sub.c.period))
             .join(units, units.c.id == sub.c.unit_id)
             .where(sub.c.is_current, units.c.name.in_(unit_names)))
    out: dict[str, Carried] = {}
    with engine.connect() as conn:
        for name, sub_id, period in conn.execute(query).all():
            out[name] = Carried(period, _row_values(conn, sub_id))
    return out


def _row_values(conn: Connection, submission_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows, items = s.submission_rows, s.items
    query = (sa.select(items.c.number, rows.c.role, *[rows.c[k] for k in INPUT_KEYS])
             .join(items, items.c.id == rows.c.item_id).where(rows.c.submission_id == submission_id))
    return {(r.number, r.role): {k: getattr(r, k) for k in INPUT_KEYS} for r in conn.execute(query)}


def record_templates(conn: Connection, records: list[dict[str, Any]]) -> None:
    if records:
        conn.execute(s.templates.insert(), records)


def template_record(engine: Engine | Connection, template_id: str) -> dict[str, Any] | None:
    query = (sa.select(s.templates, s.units.c.name.label("unit"), s.plans.c.version.label("plan_version"))
             .join(s.units, s.units.c.id == s.templates.c.unit_id)
             .join(s.plans, s.plans.c.id == s.templates.c.plan_id)
             .where(s.templates.c.id == template_id))
    if isinstance(engine, Connection):
        row = engine.execute(query).mappings().first()
    else:
        with engine.connect() as conn:
            row = conn.execute(query).mappings().first()
    return dict(row) if row else None
