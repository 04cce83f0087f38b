"""Migration 0007_identities, frozen as released: items and units gain identities that outlive plan versions.

``items.lineage`` names an item across versions (the id of the row that first stood for it);
``units.successor_id`` names the unit a renamed or merged unit's history went to. Existing
history gains lineages the way reports matched items before (by part path numerals and number,
then section numeral and number, then a number used once), version after version, so every past
month reads as it did; nothing is deleted or rewritten but the new columns.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# The tables as of this step, written out (never today's metadata).
_plans = sa.table("plans", sa.column("id"), sa.column("version"))
_sections = sa.table("sections", sa.column("id"), sa.column("plan_id"), sa.column("number"),
                     sa.column("parent_id"))
_items = sa.table("items", sa.column("id"), sa.column("plan_id"), sa.column("section_id"),
                  sa.column("number"), sa.column("lineage"))

DDL = ("ALTER TABLE items ADD COLUMN lineage INTEGER",
       "ALTER TABLE units ADD COLUMN successor_id INTEGER")


def apply(conn: Connection) -> None:
    for statement in DDL:
        conn.exec_driver_sql(statement)
    numbers = _section_numbers(conn)
    previous: list[tuple] = []
    for (plan_id,) in conn.execute(sa.select(_plans.c.id).order_by(_plans.c.version)).all():
        rows = conn.execute(sa.select(_items.c.id, _items.c.section_id, _items.c.number)
                            .where(_items.c.plan_id == plan_id).order_by(_items.c.id)).all()
        keyed = [(item_id, numbers.get(sid, ("", "")), number) for item_id, sid, number in rows]
        lineages = _match(previous, keyed)
        if lineages:
            conn.execute(_items.update().where(_items.c.id == sa.bindparam("item_id"))
                         .values(lineage=sa.bindparam("line")),
                         [{"item_id": i, "line": line} for i, line in lineages.items()])
        previous = [(lineages[i], path, number) for i, path, number in keyed]


def _section_numbers(conn: Connection) -> dict[int, tuple[str, str]]:
    """Each section's (part path numerals, own numeral)."""
    rows = {r.id: r for r in conn.execute(sa.select(_sections.c.id, _sections.c.number, _sections.c.parent_id))}
    out: dict[int, tuple[str, str]] = {}
    for sid, row in rows.items():
        path, seen, current = [], set(), row
        while current is not None and current.id not in seen:
            seen.add(current.id)
            path.insert(0, current.number or "")
            current = rows.get(current.parent_id)
        out[sid] = ("".join(path), row.number or "")
    return out


def _match(previous: list[tuple], items: list[tuple]) -> dict[int, int]:
    """Lineage of each item of a version: the earlier version's item with the same path and number,
    else the same section numeral and number, else the same number used once; else its own id."""
    by_path = {(path, number): line for line, (path, _), number in previous}
    by_section = {(section, number): line for line, (_, section), number in previous}
    repeats = Counter(number for _, _, number in previous)
    unique = {number: line for line, _, number in previous if repeats[number] == 1}
    out, taken = {}, set()
    for item_id, (path, section), number in items:
        line = by_path.get((path, number)) or by_section.get((section, number)) or unique.get(number)
        if line is None or line in taken:
            line = item_id
        taken.add(line)
        out[item_id] = line
    return out
