"""Submissions in the store: templates issued, files taken in, accepted rows and their history."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger import layout
from ledger.store import schema as s
from ledger.store.direct import insert_many, insert_one

INPUT_KEYS = [c.key for c in layout.INPUT_COLUMNS]
TARGET_INPUT_KEYS = [c.key for c in layout.TARGET_INPUT_COLUMNS]


@dataclass
class Carried:
    """The latest accepted values of a unit before a period: 台账 rows keyed by (item identity, role),
    指标 rows by (item identity, indicator)."""

    period: str
    values: dict[tuple[int, str], dict[str, Any]]
    targets: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)


def carried_values(engine: Engine, unit_names: list[str], before: str) -> dict[str, Carried]:
    """For each unit, the rows of its current submission of the latest period before ``before``.

    Rows are keyed by the item's identity (``items.lineage``), which a renumbered, retitled or
    re-led item keeps, and the role; the 指标 rows of the same submission by identity and indicator.
    A unit renamed or merged into a named one carries its history to it (``units.successor_id``):
    the latest period of any of them, with the rows of each that reported in it.
    """
    from ledger.store.plans import unit_successors

    with engine.connect() as conn:
        heirs = unit_successors(conn)
        ids = dict(conn.execute(sa.select(s.units.c.name, s.units.c.id).where(s.units.c.name.in_(unit_names))).all())
        owner = _owners(ids, heirs)
        if not owner:
            return {}
        latest = _latest_before(before, sorted(owner))
        ledger_rows = _carried_query(latest, s.submission_rows, [*INPUT_KEYS, "extra"], s.submission_rows.c.role)
        target_rows = _carried_query(latest, s.target_rows, TARGET_INPUT_KEYS, s.targets.c.indicator, via=s.targets)
        newest: dict[str, str] = {}
        for uid, period in conn.execute(sa.select(latest.c.unit_id, latest.c.period)):
            newest[owner[uid]] = max(newest.get(owner[uid], ""), period)
        out: dict[str, Carried] = {}
        # Every row of every unit's last month, unpacked as a tuple (unit, period, identity, tag, values).
        for unit_id, period, lineage, tag, *values, extra in conn.execute(ledger_rows):
            if period == newest[owner[unit_id]]:
                carried = out.get(owner[unit_id]) or out.setdefault(owner[unit_id], Carried(period, {}))
                # the office columns' values (by key) with the layout's
                carried.values[(lineage, tag)] = {**(extra or {}), **dict(zip(INPUT_KEYS, values))}
        for unit_id, period, lineage, tag, *values in conn.execute(target_rows):
            if period == newest[owner[unit_id]]:
                carried = out.get(owner[unit_id]) or out.setdefault(owner[unit_id], Carried(period, {}))
                carried.targets[(lineage, tag)] = dict(zip(TARGET_INPUT_KEYS, values))
    return out


def _owners(ids: dict[str, int], heirs: dict[int, int]) -> dict[int, str]:
    """Unit id -> the name (of ``ids``) whose history it is: its own, or that of the unit now
    carrying it (``unit_successors``); where both are named, the one later in ``ids``."""
    order = {nid: (n, name) for n, (name, nid) in enumerate(ids.items())}
    owner = {}
    for uid, heir in heirs.items():
        named = [order[k] for k in (uid, heir) if k in order]
        if named:
            owner[uid] = max(named)[1]
    return owner


def carried_leads(engine: Engine, before: str) -> Carried | None:
    """The lead rows of the latest month before ``before``, whoever reported them, by (item identity,
    "lead"): what a unit that became an item's lead since carries from its former lead."""
    sub, rows, items = s.submissions, s.submission_rows, s.items
    with engine.connect() as conn:
        period = conn.execute(sa.select(sa.func.max(sub.c.period)).where(sub.c.is_current, sub.c.period < before)).scalar()
        if period is None:
            return None
        query = (sa.select(sa.func.coalesce(items.c.lineage, items.c.id).label("lineage"), rows.c.extra,
                           *[rows.c[k] for k in INPUT_KEYS])
                 .join(sub, sub.c.id == rows.c.submission_id).join(items, items.c.id == rows.c.item_id)
                 .where(sub.c.is_current, sub.c.period == period, rows.c.role == "lead").order_by(rows.c.id))
        carried = Carried(period, {})
        for r in conn.execute(query):
            carried.values.setdefault((r.lineage, "lead"), {**(r.extra or {}), **{k: getattr(r, k) for k in INPUT_KEYS}})
    return carried


def _latest_before(before: str, unit_ids: list[int]):
    """Each unit's latest period with a current submission before ``before``."""
    sub = s.submissions
    return (sa.select(sub.c.unit_id, sa.func.max(sub.c.period).label("period"))
            .where(sub.c.is_current, sub.c.period < before, sub.c.unit_id.in_(unit_ids))
            .group_by(sub.c.unit_id).subquery())


def _carried_query(latest, rows: sa.Table, keys: list[str], tag: sa.Column, via: sa.Table | None = None) -> sa.Select:
    """Rows of the units' latest current submissions with their item's identity.

    ``rows`` names its item directly (台账) or ``via`` a target (指标); ``tag`` completes the key.
    """
    sub, items = s.submissions, s.items
    query = (sa.select(sub.c.unit_id, sub.c.period, sa.func.coalesce(items.c.lineage, items.c.id).label("lineage"),
                       tag.label("tag"), *[rows.c[k] for k in keys])
             .join(latest, sa.and_(latest.c.unit_id == sub.c.unit_id, latest.c.period == sub.c.period))
             .join(rows, rows.c.submission_id == sub.c.id))
    if via is not None:
        query = query.join(via, via.c.id == rows.c.target_id)
    return (query.join(items, items.c.id == (via if via is not None else rows).c.item_id)
            .where(sub.c.is_current).order_by(rows.c.id))


def record_templates(conn: Connection, records: list[dict[str, Any]]) -> None:
    if records:
        conn.execute(s.templates.insert(), records)


def _templates_query() -> sa.Select:
    return (sa.select(s.templates, s.units.c.name.label("unit"), s.plans.c.version.label("plan_version"))
            .join(s.units, s.units.c.id == s.templates.c.unit_id)
            .join(s.plans, s.plans.c.id == s.templates.c.plan_id))


def template_record(engine: Engine | Connection, template_id: str) -> dict[str, Any] | None:
    """An issued template with its unit's name and plan version, or None."""
    return first_row(engine, _templates_query().where(s.templates.c.id == template_id))


def template_records(engine: Engine, period: str) -> dict[str, dict[str, Any]]:
    """Every template issued for a period, by template id (one query for a whole collect run)."""
    with engine.connect() as conn:
        rows = conn.execute(_templates_query().where(s.templates.c.period == period)).mappings()
        return {r["id"]: dict(r) for r in rows}


def first_row(bind: Engine | Connection, query) -> dict[str, Any] | None:
    """The first row of a query as a dictionary, inside the caller's connection when given one."""
    if isinstance(bind, Connection):
        row = bind.execute(query).mappings().first()
    else:
        with bind.connect() as conn:
            row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def all_rows(bind: Engine | Connection, query) -> list[dict[str, Any]]:
    """A query's rows as dictionaries, inside the caller's connection when given one."""
    if isinstance(bind, Connection):
        return [dict(r) for r in bind.execute(query).mappings()]
    with bind.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def record_intake(conn: Connection, **values: Any) -> int:
    """Record the one outcome of a file that entered the inbox; return its id."""
    values.setdefault("received_at", s._now())
    return insert_one(conn, s.intake, values)


def known_sha256(engine: Engine) -> set[str]:
    """The sha256 of every file ever taken in (a set of short strings, one per file)."""
    with engine.connect() as conn:
        return set(conn.execute(sa.select(s.intake.c.sha256).distinct()).scalars())


def recorded_instance(conn: Connection, sha256: str, original_name: str, mtime_ns: int) -> dict[str, Any] | None:
    """The outcome already recorded for this very file (same bytes, name and modification time), if any.

    Such a file was recorded by a run that crashed (or could not delete it) before it left the
    inbox; whatever its outcome, accepted, rejected or duplicate, only its removal is left to do.
    """
    i = s.intake.c
    return first_row(conn, sa.select(s.intake).where(i.sha256 == sha256, i.original_name == original_name,
                                                  i.inbox_mtime_ns == mtime_ns).order_by(i.id).limit(1))


@contextmanager
def durable_commits(conn: Connection) -> Iterator[Connection]:
    """Commits on ``conn`` reach the disk before they return, even in SQLite's WAL mode.

    The workspace runs SQLite with ``synchronous=NORMAL``: fast, and safe against a crash, but a
    power cut may lose the last commits. Collect removes files from the inbox once their outcome is
    committed, so those commits must be durable: ``synchronous=FULL`` syncs the log at each commit.
    """
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql("PRAGMA synchronous=FULL")
        conn.commit()
    try:
        yield conn
    finally:
        if sqlite and not conn.closed:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.commit()


def seen_sha256(engine: Engine | Connection, sha256: str) -> dict[str, Any] | None:
    """The first recorded accepted or rejected intake of these exact bytes, if any."""
    return first_row(engine, sa.select(s.intake).where(s.intake.c.sha256 == sha256, s.intake.c.outcome != "duplicate")
                  .order_by(s.intake.c.id).limit(1))


# Statements built once: parameters are passed at execution, so SQLAlchemy compiles them once.
_CURRENT = sa.select(s.submissions.c.id).where(s.submissions.c.period == sa.bindparam("b_period"),
                                               s.submissions.c.unit_id == sa.bindparam("b_unit"),
                                               s.submissions.c.is_current)
_LATER = sa.select(s.submissions.c.id).where(s.submissions.c.period == sa.bindparam("b_period"),
                                             s.submissions.c.unit_id == sa.bindparam("b_unit"),
                                             s.submissions.c.is_current,
                                             s.submissions.c.submitted_at > sa.bindparam("b_at"))
_RETIRE = (s.submissions.update().where(s.submissions.c.id == sa.bindparam("b_id")).values(is_current=False))
_SUPERSEDED_BY = (s.submissions.update().where(s.submissions.c.id == sa.bindparam("b_id"))
                  .values(superseded_by=sa.bindparam("b_new")))


def save_submission(conn: Connection, *, intake_id: int, template_id: str, plan_id: int, period: str,
                    unit_id: int, submitted_at, rows: list[dict[str, Any]],
                    targets: list[dict[str, Any]] | None = None, correction_of: int | None = None,
                    counted_at=None, review: str | None = None, source: str | None = None,
                    latest_wins: bool = False, first: bool = False) -> int:
    """Store an accepted submission as the current one of its unit and period.

    The earlier current submission, if any, is kept as history and marked superseded.
    ``rows`` are dictionaries with item_id, role, the layout's input keys and ``raw``;
    ``targets`` (the 指标 sheet) dictionaries with target_id and the 指标 input keys.
    A late correction names the submission it corrects and the time its month's timeliness keeps
    (``counted_at``); one held for the office (``review="pending"``) is stored beside the current
    one, which stays current until ``decide_correction``.
    ``source`` is None for a returned workbook, ``IMPORTED`` for progress kept from the office's own table.
    With ``latest_wins`` (uploads, whose receipt time is exact) a submission received before the
    current one is stored as history, superseded by it: the last received stays current whichever
    run collected it last. ``first`` says the caller knows the unit has no submission of the period
    yet (``collect.late.Earlier``): nothing is looked up to retire or to come after.
    """
    held = review == "pending"
    values = {"intake_id": intake_id, "template_id": template_id, "plan_id": plan_id, "period": period,
              "unit_id": unit_id, "submitted_at": submitted_at, "correction_of": correction_of,
              "counted_at": counted_at, "review": review, "source": source}
    if latest_wins and not held and not first:
        later = conn.execute(_LATER, {"b_period": period, "b_unit": unit_id, "b_at": submitted_at}).scalar()
        if later is not None:
            return _store_rows(conn, rows, targets, insert_one(conn, s.submissions, {
                **values, "is_current": False, "superseded_by": later}))
    # The earlier one stops being current before the new one is inserted: the database allows one
    # current submission per unit and period (index uq_submissions_current), checked row by row.
    earlier = [] if held or first else conn.execute(_CURRENT, {"b_period": period, "b_unit": unit_id}).scalars().all()
    if earlier:
        conn.execute(_RETIRE, [{"b_id": i} for i in earlier])
    new_id = insert_one(conn, s.submissions, {**values, "is_current": not held})
    if earlier:
        conn.execute(_SUPERSEDED_BY, [{"b_id": i, "b_new": new_id} for i in earlier])
    return _store_rows(conn, rows, targets, new_id)


def _store_rows(conn: Connection, rows: list[dict[str, Any]], targets: list[dict[str, Any]] | None,
                new_id: int) -> int:
    if rows:
        insert_many(conn, s.submission_rows, rows, submission_id=new_id)
    if targets:
        insert_many(conn, s.target_rows, targets, submission_id=new_id)
    return new_id


IMPORTED = "imported"      # submissions.source (and intake.outcome) of progress kept at plan import


def returned_units(engine: Engine, period: str) -> set[str]:
    """The units with a current submission of ``period`` from a workbook they returned (not imported)."""
    sub = s.submissions
    query = (sa.select(s.units.c.name).join(sub, sub.c.unit_id == s.units.c.id)
             .where(sub.c.period == period, sub.c.is_current, sub.c.source.is_(None)))
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def save_imported(conn: Connection, *, plan_id: int, period: str, unit_id: int, submitted_at,
                  sha256: str, size: int, source_name: str, rows: list[dict[str, Any]]) -> int:
    """Store a unit's progress read from the office's own progress table as its current submission
    of ``period``, marked imported; return its id.

    The table's file is recorded as the intake the submission comes from (outcome "imported", one
    record per unit: a submission has its own intake), so the history says where the values came from.
    """
    intake_id = record_intake(conn, sha256=sha256, size=size, original_name=source_name, outcome=IMPORTED,
                              period=period, unit_id=unit_id, received_at=submitted_at)
    return save_submission(conn, intake_id=intake_id, template_id=IMPORTED, plan_id=plan_id, period=period,
                           unit_id=unit_id, submitted_at=submitted_at, rows=rows, source=IMPORTED)


def submission_history(engine: Engine, period: str, unit_name: str) -> list[dict[str, Any]]:
    """Every accepted submission of a unit for a period, oldest first."""
    query = (sa.select(s.submissions).join(s.units, s.units.c.id == s.submissions.c.unit_id)
             .where(s.submissions.c.period == period, s.units.c.name == unit_name)
             .order_by(s.submissions.c.id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
