"""Plan versions in the store: saving a parsed plan and reading the current one back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import PlanNotFoundError
from ledger.plan.model import LEAD, SUPPORT, Plan, PlanItem, Section, Target
from ledger.store import schema as s


@dataclass
class StoredItem(PlanItem):
    """A plan item as stored, with its database id and order."""

    id: int = 0
    ord: int = 0
    target_ids: list[int] = field(default_factory=list)


@dataclass
class StoredPlan:
    id: int
    version: int
    title: str
    year: int | None
    origin: str
    source_name: str | None
    created_at: datetime
    items: list[StoredItem]
    sections: list[Section]

    def units(self) -> list[str]:
        """Every responsible unit, in order of first appearance."""
        return list(self.unit_set)

    @cached_property
    def unit_set(self) -> dict[str, None]:
        """Responsible units as an ordered set (a plan version never changes once stored)."""
        seen: dict[str, None] = {}
        for item in self.items:
            for name in item.units:
                seen.setdefault(name, None)
        return seen

    def item(self, item_id: int) -> StoredItem:
        return next(i for i in self.items if i.id == item_id)


def save_plan(engine: Engine, plan: Plan, *, origin: str, source_name: str | None = None,
              source_sha256: str | None = None, collective: set[str] | None = None,
              successors: dict[str, str] | None = None,
              along: Callable[[Connection, int, list[int]], None] | None = None) -> int:
    """Store a plan as the next version; return the version number.

    Rows go in one executemany per table (items, units, assignments, targets): a 3,000-item
    plan is a handful of statements, not tens of thousands. Each item keeps the identity it
    carries (``PlanItem.identity``, from the review workbook's hidden column); when no item carries
    one (a notice imported again) items are matched to the previous version (``match_identities``).
    ``successors`` (old unit name -> new one, from ``[units.aliases]``) hands a renamed or merged
    unit's history to the unit that carries it on. ``along(conn, plan_id, item_ids)`` stores what
    comes with the plan (the progress a 推进情况表 carries) in the same transaction: both are
    stored, or neither.
    """
    collective = collective or set()
    with engine.begin() as conn:
        lineages = _lineages(conn, plan.items)
        version = (conn.execute(sa.select(sa.func.max(s.plans.c.version))).scalar() or 0) + 1
        plan_id = conn.execute(s.plans.insert().values(
            version=version, title=plan.title, year=plan.year, origin=origin,
            source_name=source_name, source_sha256=source_sha256, created_at=s._now(),
        )).inserted_primary_key[0]
        section_ids = _save_sections(conn, plan_id, plan)
        item_ids = _save_items(conn, plan_id, plan.items, section_ids)
        conn.execute(s.items.update().where(s.items.c.id == sa.bindparam("item_id"))
                     .values(lineage=sa.bindparam("line")),
                     [{"item_id": i, "line": line or i} for i, line in zip(item_ids, lineages)])
        roles = [_roles(item) for item in plan.items]
        names = list(dict.fromkeys(name for pairs in roles for name, _ in pairs))
        units = unit_ids(conn, names, collective=collective)
        _insert(conn, s.assignments, [
            {"item_id": item_id, "unit_id": units[name], "role": role, "ord": n}
            for item_id, pairs in zip(item_ids, roles) for n, (name, role) in enumerate(pairs)])
        _insert(conn, s.targets, [
            {"item_id": item_id, "ord": n, "indicator": t.indicator, "value": t.value, "unit": t.unit,
             "comparator": t.comparator, "kind": t.kind, "source": t.source}
            for item_id, item in zip(item_ids, plan.items) for n, t in enumerate(item.targets)])
        _hand_on(conn, successors or {})
        if along is not None:
            along(conn, plan_id, item_ids)
    return version


def _lineages(conn: Connection, items: list[PlanItem]) -> list[int | None]:
    """The stored lineage of each item, None for a new item. An identity the store does not know,
    or one a row above already took (a copied row), is a new item."""
    if not any(i.identity for i in items):
        previous = _previous_items(conn)
        return match_identities(previous, items) if previous else [None] * len(items)
    known = set(conn.execute(sa.select(s.items.c.lineage).distinct()).scalars())
    out, taken = [], set()
    for item in items:
        line = item.identity if item.identity in known and item.identity not in taken else None
        taken.add(line)
        out.append(line)
    return out


def _previous_items(conn: Connection) -> list["StoredItem"]:
    row = conn.execute(sa.select(s.plans).order_by(s.plans.c.version.desc()).limit(1)).mappings().first()
    return _read_plan(conn, row).items if row is not None else []


def match_identities(previous: list[PlanItem], items: list[PlanItem]) -> list[int | None]:
    """For a plan without identities (a notice imported again): each item's identity in the previous
    version, by the same title, else the same part path numerals and number; None when new."""
    by_title: dict[str, list[int]] = {}
    for p in previous:
        by_title.setdefault(p.title, []).append(p.identity)
    by_number = {(p.path_numbers, p.number): p.identity for p in previous}
    out, taken = [], set()
    for item in items:
        titled = [line for line in by_title.get(item.title, []) if line not in taken]
        line = titled[0] if len(titled) == 1 else by_number.get((item.path_numbers, item.number))
        line = None if line in taken else line
        taken.add(line)
        out.append(line)
    return out


def _hand_on(conn: Connection, successors: dict[str, str]) -> None:
    """Mark each renamed or merged unit with the unit that carries its history on."""
    pairs = {old: new for old, new in successors.items() if old != new}
    if not pairs:
        return
    ids = dict(conn.execute(sa.select(s.units.c.name, s.units.c.id)
                            .where(s.units.c.name.in_(sorted({*pairs, *pairs.values()})))).all())
    for old, new in pairs.items():
        if old in ids and new in ids:
            conn.execute(s.units.update().where(s.units.c.id == ids[old]).values(successor_id=ids[new]))


def unit_successors(conn: Connection) -> dict[int, int]:
    """Each unit id -> the unit now carrying its history (itself when never renamed or merged)."""
    step = dict(conn.execute(sa.select(s.units.c.id, s.units.c.successor_id)).all())
    out = {}
    for uid in step:
        current, seen = uid, set()
        while step.get(current) and current not in seen:
            seen.add(current)
            current = step[current]
        out[uid] = current
    return out


def _save_sections(conn: Connection, plan_id: int, plan: Plan) -> dict[tuple, int]:
    """One row per heading of the items' part paths, each under its parent: the ids by path key.
    Sections the plan lists that no item names stand at the top."""
    paths = [item.path_key for item in plan.items]
    named = {key[-1] for key in paths if key}
    paths += [((sec.number, sec.title),) for sec in plan.sections if (sec.number, sec.title) not in named]
    ids: dict[tuple, int] = {}
    for path in paths:
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key in ids:
                continue
            number, title = key[-1]
            ids[key] = conn.execute(s.sections.insert().values(
                plan_id=plan_id, ord=len(ids), number=number, title=title,
                parent_id=ids[key[:-1]] if depth > 1 else None)).inserted_primary_key[0]
    return ids


def _save_items(conn: Connection, plan_id: int, items: list[PlanItem], section_ids: dict[tuple, int]) -> list[int]:
    """Insert the items in one statement; their ids, in the plan's order (read back by ``ord``)."""
    _insert(conn, s.items, [
        {"plan_id": plan_id, "section_id": section_ids.get(item.path_key), "ord": ord_, "number": item.number,
         "title": item.title, "text": item.text, "leaders": list(item.leaders),
         "deadline_text": item.deadline_text or "", "deadline": item.deadline}
        for ord_, item in enumerate(items)])
    ids = dict(conn.execute(sa.select(s.items.c.ord, s.items.c.id).where(s.items.c.plan_id == plan_id)).all())
    return [ids[ord_] for ord_ in range(len(items))]


def _roles(item: PlanItem) -> list[tuple[str, str]]:
    """(unit, role) of an item in stored order: the lead units, then the support units not leading."""
    return [(u, LEAD) for u in item.lead] + [(u, SUPPORT) for u in item.support if u not in item.lead]


def _insert(conn: Connection, table: sa.Table, rows: list[dict]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


def unit_id_for(conn: Connection, name: str, collective: bool = False) -> int:
    """The id of a unit by name, created on first use."""
    return unit_ids(conn, [name], collective={name} if collective else set())[name]


def unit_ids(conn: Connection, names: list[str], collective: set[str] | None = None) -> dict[str, int]:
    """Ids of many units by name; units not seen before are created (``collective`` ones marked so)."""
    names = list(dict.fromkeys(names))
    found: dict[str, int] = {}
    for chunk in _chunks(names):
        found.update(conn.execute(sa.select(s.units.c.name, s.units.c.id).where(s.units.c.name.in_(chunk))).all())
    missing = [name for name in names if name not in found]
    if missing:
        _insert(conn, s.units, [{"name": name, "collective": name in (collective or ())} for name in missing])
        for chunk in _chunks(missing):
            found.update(conn.execute(sa.select(s.units.c.name, s.units.c.id)
                                      .where(s.units.c.name.in_(chunk))).all())
    return found


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    """Lists short enough for an IN clause on every database (SQLite caps bound parameters)."""
    return [values[i:i + size] for i in range(0, len(values), size)]


def plan_versions(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.plans).order_by(s.plans.c.version)).mappings().all()
    return [dict(r) for r in rows]


def load_plan(engine: Engine, version: int | None = None) -> StoredPlan:
    """The plan of the given version, or the current (latest) one."""
    with engine.connect() as conn:
        query = sa.select(s.plans)
        query = query.where(s.plans.c.version == version) if version else query.order_by(s.plans.c.version.desc())
        row = conn.execute(query.limit(1)).mappings().first()
        if row is None:
            if version:
                raise PlanNotFoundError(f"没有第 {version} 版计划")
            raise PlanNotFoundError("工作区中还没有计划：请先运行 ledger plan import <通知文件>")
        return _read_plan(conn, row)


def plan_by_id(conn: Connection, plan_id: int) -> StoredPlan:
    """A stored plan by its id, read inside the caller's connection (one snapshot with the rest)."""
    row = conn.execute(sa.select(s.plans).where(s.plans.c.id == plan_id)).mappings().one()
    return _read_plan(conn, row)


def _read_plan(conn: Connection, row) -> StoredPlan:
    secs = conn.execute(sa.select(s.sections).where(s.sections.c.plan_id == row["id"])
                        .order_by(s.sections.c.ord)).mappings().all()
    sec_by_id = {r["id"]: r for r in secs}
    items, used = [], set()
    for r in conn.execute(sa.select(s.items).where(s.items.c.plan_id == row["id"])
                          .order_by(s.items.c.ord)).mappings():
        sec = sec_by_id.get(r["section_id"])
        used.add(r["section_id"])
        items.append(StoredItem(
            number=r["number"], title=r["title"], text=r["text"], leaders=list(r["leaders"] or []),
            deadline_text=r["deadline_text"] or "", deadline=r["deadline"],
            section=sec["title"] if sec else "", section_number=sec["number"] if sec else "",
            parents=_parents(sec, sec_by_id), id=r["id"], ord=r["ord"], identity=r["lineage"] or r["id"]))
    _attach_units(conn, items)
    _attach_targets(conn, items)
    parents = {r["parent_id"] for r in secs} - used      # headings only above others: not sections
    return StoredPlan(
        id=row["id"], version=row["version"], title=row["title"], year=row["year"], origin=row["origin"],
        source_name=row["source_name"], created_at=row["created_at"], items=items,
        sections=[Section(r["number"], r["title"]) for r in secs
                  if r["id"] not in parents])


def _parents(sec, sec_by_id: dict) -> list[Section]:
    """The headings above a section, top first (none for rows stored before sections nested)."""
    out: list[Section] = []
    seen = set()
    while sec is not None and sec.get("parent_id") and sec["parent_id"] not in seen:
        seen.add(sec["parent_id"])
        sec = sec_by_id.get(sec["parent_id"])
        if sec is not None:
            out.insert(0, Section(sec["number"], sec["title"]))
    return out


def _attach_units(conn: Connection, items: list[StoredItem]) -> None:
    by_id = {i.id: i for i in items}
    query = (sa.select(s.assignments.c.item_id, s.assignments.c.role, s.units.c.name)
             .join(s.units, s.units.c.id == s.assignments.c.unit_id)
             .where(s.assignments.c.item_id.in_(list(by_id)))
             .order_by(s.assignments.c.item_id, s.assignments.c.ord))
    for item_id, role, name in conn.execute(query):
        (by_id[item_id].lead if role == LEAD else by_id[item_id].support).append(name)


def _attach_targets(conn: Connection, items: list[StoredItem]) -> None:
    by_id = {i.id: i for i in items}
    query = (sa.select(s.targets).where(s.targets.c.item_id.in_(list(by_id)))
             .order_by(s.targets.c.item_id, s.targets.c.ord))
    for r in conn.execute(query).mappings():
        item = by_id[r["item_id"]]
        item.targets.append(Target(r["indicator"], r["value"], r["unit"], r["comparator"], r["kind"], r["source"]))
        item.target_ids.append(r["id"])


def collective_units(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(s.units.c.name).where(s.units.c.collective)).scalars())
