"""Submissions in the store: templates issued, files taken in, accepted rows and their history."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger import layout
from ledger.store import schema as s

INPUT_KEYS = [c.key for c in layout.INPUT_COLUMNS]
TARGET_INPUT_KEYS = [c.key for c in layout.TARGET_INPUT_COLUMNS]


@dataclass
class Carried:
    """The latest accepted values of a unit before a period: 台账 rows keyed by (part path numerals,
    item number, role), 指标 rows by (part path numerals, item number, indicator)."""

    period: str
    values: dict[tuple[str, str, str], dict[str, Any]]
    targets: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)


def carried_values(engine: Engine, unit_names: list[str], before: str) -> dict[str, Carried]:
    """For each unit, the rows of its current submission of the latest period before ``before``.

    Rows are keyed by (the numerals of the item's part path, item number, role), which survive a
    new plan version and tell apart items numbered again in each part (一（一）1, 二（一）1); the
    指标 rows of the same submission by (part path numerals, item number, indicator).
    """
    latest = _latest_before(before)
    ledger_rows = _carried_query(unit_names, latest, s.submission_rows, [*INPUT_KEYS, "extra"], s.submission_rows.c.role)
    target_rows = _carried_query(unit_names, latest, s.target_rows, TARGET_INPUT_KEYS, s.targets.c.indicator,
                                 via=s.targets)
    out: dict[str, Carried] = {}
    with engine.connect() as conn:
        paths = _path_numbers(conn)
        for r in conn.execute(ledger_rows):
            carried = out.setdefault(r.name, Carried(r.period, {}))
            # the office columns' values (by key) with the layout's
            carried.values[(paths.get(r.section_id, ""), r.number, r.tag)] = {**(r.extra or {}),
                                                                         **{k: getattr(r, k) for k in INPUT_KEYS}}
        for r in conn.execute(target_rows):
            carried = out.setdefault(r.name, Carried(r.period, {}))
            carried.targets[(paths.get(r.section_id, ""), r.number, r.tag)] = {k: getattr(r, k) for k in TARGET_INPUT_KEYS}
    return out


def _latest_before(before: str):
    """Each unit's latest period with a current submission before ``before``."""
    sub = s.submissions
    return (sa.select(sub.c.unit_id, sa.func.max(sub.c.period).label("period"))
            .where(sub.c.is_current, sub.c.period < before).group_by(sub.c.unit_id).subquery())


def _path_numbers(conn: Connection) -> dict[int, str]:
    """Every section's part path numerals (一（二）), by id: its own numeral after its parents'."""
    rows = {r.id: r for r in conn.execute(sa.select(s.sections.c.id, s.sections.c.number, s.sections.c.parent_id))}
    out: dict[int, str] = {}

    def numbers(sid: int, depth: int = 0) -> str:
        if sid not in out:
            row = rows[sid]
            above = numbers(row.parent_id, depth + 1) if row.parent_id in rows and depth < 10 else ""
            out[sid] = above + row.number
        return out[sid]

    for sid in rows:
        numbers(sid)
    return out


def _carried_query(unit_names: list[str], latest, rows: sa.Table, keys: list[str], tag: sa.Column,
                   via: sa.Table | None = None) -> sa.Select:
    """Rows of the units' latest current submissions with their item's section and number.

    ``rows`` names its item directly (台账) or ``via`` a target (指标); ``tag`` completes the key.
    """
    sub, units, items = s.submissions, s.units, s.items
    query = (sa.select(units.c.name, sub.c.period, items.c.section_id, items.c.number,
                       tag.label("tag"), *[rows.c[k] for k in keys])
             .join(latest, sa.and_(latest.c.unit_id == sub.c.unit_id, latest.c.period == sub.c.period))
             .join(units, units.c.id == sub.c.unit_id)
             .join(rows, rows.c.submission_id == sub.c.id))
    if via is not None:
        query = query.join(via, via.c.id == rows.c.target_id)
    return (query.join(items, items.c.id == (via if via is not None else rows).c.item_id)
            .where(sub.c.is_current, units.c.name.in_(unit_names))
            .order_by(rows.c.id))


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
    return conn.execute(s.intake.insert(), values).inserted_primary_key[0]


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
                    targets: list[dict[str, Any]] | None = None, latest_wins: bool = False) -> int:
    """Store an accepted submission as the current one of its unit and period.

    The earlier current submission, if any, is kept as history and marked superseded.
    ``rows`` are dictionaries with item_id, role, the layout's input keys and ``raw``;
    ``targets`` (the 指标 sheet) dictionaries with target_id and the 指标 input keys.
    With ``latest_wins`` (uploads, whose receipt time is exact) a submission received before the
    current one is stored as history, superseded by it: the last received stays current whichever
    run collected it last.
    """
    if latest_wins:
        later = conn.execute(_LATER, {"b_period": period, "b_unit": unit_id, "b_at": submitted_at}).scalar()
        if later is not None:
            return _store_rows(conn, rows, targets, conn.execute(s.submissions.insert(), {
                "intake_id": intake_id, "template_id": template_id, "plan_id": plan_id, "period": period,
                "unit_id": unit_id, "submitted_at": submitted_at, "is_current": False,
                "superseded_by": later}).inserted_primary_key[0])
    # The earlier one stops being current before the new one is inserted: the database allows one
    # current submission per unit and period (index uq_submissions_current), checked row by row.
    earlier = conn.execute(_CURRENT, {"b_period": period, "b_unit": unit_id}).scalars().all()
    if earlier:
        conn.execute(_RETIRE, [{"b_id": i} for i in earlier])
    new_id = conn.execute(s.submissions.insert(), {
        "intake_id": intake_id, "template_id": template_id, "plan_id": plan_id, "period": period,
        "unit_id": unit_id, "submitted_at": submitted_at, "is_current": True}).inserted_primary_key[0]
    if earlier:
        conn.execute(_SUPERSEDED_BY, [{"b_id": i, "b_new": new_id} for i in earlier])
    return _store_rows(conn, rows, targets, new_id)


def _store_rows(conn: Connection, rows: list[dict[str, Any]], targets: list[dict[str, Any]] | None,
                new_id: int) -> int:
    if rows:
        insert_many(conn, s.submission_rows, [{"submission_id": new_id, **r} for r in rows])
    if targets:
        insert_many(conn, s.target_rows, [{"submission_id": new_id, **t} for t in targets])
    return new_id


_PLACEHOLDERS = {"qmark": "?", "format": "%s", "numeric": ":{n}", "named": ":{name}", "pyformat": "%({name})s"}


def insert_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of simple values straight through the driver.

    A submission stores some forty rows; SQLAlchemy's per-row parameter processing was most of the
    cost of recording it. Values must already be what the column stores: JSON columns are encoded
    here, everything else is passed as it is. The statement follows the driver's parameter style,
    so any SQLAlchemy database works.
    """
    keys = list(rows[0])
    style = conn.dialect.paramstyle
    marks = ", ".join(_PLACEHOLDERS[style].format(n=n, name=k) for n, k in enumerate(keys, start=1))
    preparer = conn.dialect.identifier_preparer
    sql = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(k) for k in keys)}) "
           f"VALUES ({marks})")
    json_keys = {k for k in keys if isinstance(table.c[k].type, sa.JSON)}
    encode = lambda k, v: json.dumps(v, ensure_ascii=False) if k in json_keys and v is not None else v  # noqa: E731
    if style in ("named", "pyformat"):
        params = [{k: encode(k, r[k]) for k in keys} for r in rows]
    else:
        params = [tuple(encode(k, r[k]) for k in keys) for r in rows]
    conn.exec_driver_sql(sql, params)


def submission_history(engine: Engine, period: str, unit_name: str) -> list[dict[str, Any]]:
    """Every accepted submission of a unit for a period, oldest first."""
    query = (sa.select(s.submissions).join(s.units, s.units.c.id == s.submissions.c.unit_id)
             .where(s.submissions.c.period == period, s.units.c.name == unit_name)
             .order_by(s.submissions.c.id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
