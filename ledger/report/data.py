"""Queries of one period: its expected units, current submissions and rows, and intake outcomes.

Every query filters by period (submissions are indexed on period, unit, is_current), so the cost
of a report follows the rows of its period, not the history held in the store.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import PeriodError, PlanNotFoundError
from ledger.period import check_period, current_period, label, previous_period
from ledger.plan.model import LEAD
from ledger.report.merge import Entry
from ledger.report.targets import Achievement
from ledger.store import schema as s
from ledger.store.plans import StoredPlan
from ledger.store.submissions import IMPORTED

MAX_MESSAGES = 3    # error messages shown for a rejected file


class UnknownPeriodError(PeriodError):
    """A period for which no template was issued and no file was received."""


@dataclass(frozen=True)
class PlanHeader:
    id: int
    version: int
    title: str


@dataclass
class Unit:
    """An expected unit of the period with its item counts in the current plan."""

    id: int
    name: str
    lead: int
    support: int


@dataclass
class Submission:
    """A unit's current accepted submission of the period."""

    unit_id: int
    plan_id: int
    submitted_at: datetime       # aware, UTC: the time the month's timeliness counts (a correction keeps the first's)
    corrected_at: datetime | None = None     # a late correction's arrival, when the current one is one
    imported: bool = False                   # kept from the office's own 推进情况表 at plan import (not reported)


@dataclass
class Rejection:
    """A unit's latest file of the period, when it was rejected."""

    unit_id: int
    received_at: datetime        # aware, UTC
    file_name: str
    messages: list[str] = field(default_factory=list)
    by_office: bool = False      # sent back by the office on review (ledger.review), not by the machine


def resolve_period(period: str | None, tz: str) -> str:
    """The period asked for, or by default last month: the one whose reports fall due this month."""
    return check_period(period) if period else previous_period(current_period(tz))


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction, so every query of a status or report sees the same data."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")      # pysqlite opens no transaction for reads itself
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        finally:
            conn.rollback()


def plan_header(conn: Connection) -> PlanHeader:
    """Id, version and title of the current plan."""
    row = conn.execute(sa.select(s.plans.c.id, s.plans.c.version, s.plans.c.title)
                       .order_by(s.plans.c.version.desc()).limit(1)).first()
    if row is None:
        raise PlanNotFoundError("工作区中还没有计划：请先运行 ledger plan import <通知文件>")
    return PlanHeader(*row)


def expected_units(conn: Connection, plan_id: int) -> list[Unit]:
    """Units with an assignment in the plan, collective names excepted, in order of first mention."""
    a, i, u = s.assignments, s.items, s.units
    lead = sa.func.sum(sa.case((a.c.role == LEAD, 1), else_=0))
    first = sa.func.min(i.c.ord * 10000 + a.c.ord)
    query = (sa.select(u.c.id, u.c.name, lead, sa.func.count())
             .join(a, a.c.unit_id == u.c.id).join(i, i.c.id == a.c.item_id)
             .where(i.c.plan_id == plan_id, sa.not_(u.c.collective))
             .group_by(u.c.id, u.c.name).order_by(first, u.c.id))
    return [Unit(uid, name, int(n_lead), int(n) - int(n_lead)) for uid, name, n_lead, n in conn.execute(query)]


def has_dated_items(conn: Connection, plan_id: int) -> bool:
    """Whether any item of the plan has a 完成时限 that gives a date."""
    i = s.items
    return conn.execute(sa.select(sa.literal(1)).where(i.c.plan_id == plan_id, i.c.deadline.is_not(None))
                        .limit(1)).first() is not None


def known(conn: Connection, period: str) -> bool:
    """Whether templates were issued or files received for the period."""
    return any(conn.execute(sa.select(sa.literal(1)).where(table.c.period == period).limit(1)).first()
               for table in (s.templates, s.submissions, s.intake))


def check_known(conn: Connection, period: str) -> None:
    """Raise UnknownPeriodError unless templates were issued or files received for the period."""
    if known(conn, period):
        return
    raise UnknownPeriodError(
        f"{label(period)}（{period}）没有任何记录：既未生成模板，也未收到报送。"
        f"请检查月份，或先运行 ledger templates --period {period}")


def has_submissions(conn: Connection, period: str) -> bool:
    sub = s.submissions
    return conn.execute(sa.select(sa.literal(1)).where(sub.c.period == period, sub.c.is_current).limit(1)).first() is not None


def first_period(conn: Connection) -> str | None:
    """The earliest period with a submission."""
    return conn.execute(sa.select(sa.func.min(s.submissions.c.period))).scalar()


def counted(sub: sa.Table = s.submissions):
    """A submission counts unless the office sent it back (``ledger.review``): then its unit owes a
    new one, as after a rejection, and its rows are in no report."""
    r = s.reviews
    return sa.not_(sa.exists().where(r.c.submission_id == sub.c.id, r.c.decision == "sent_back"))


def current_submissions(conn: Connection, period: str) -> dict[int, Submission]:
    """Each unit's current accepted submission of the period that counts (not sent back), by unit id."""
    sub = s.submissions
    query = (sa.select(sub.c.unit_id, sub.c.plan_id, sub.c.submitted_at, sub.c.counted_at, sub.c.correction_of,
                       sub.c.source)
             .where(sub.c.period == period, sub.c.is_current, counted()))
    return {uid: Submission(uid, pid, as_utc(counted or at), as_utc(at) if corrects else None, source == IMPORTED)
            for uid, pid, at, counted, corrects, source in conn.execute(query)}


def pending_corrections(conn: Connection, period: str) -> set[int]:
    """Units with a late correction of the period held for the office's review."""
    sub = s.submissions
    return set(conn.execute(sa.select(sub.c.unit_id).where(sub.c.period == period, sub.c.review == "pending")).scalars())


def rejections(conn: Connection, period: str, before: datetime | None = None) -> dict[int, Rejection]:
    """Units whose latest file of the period (duplicates aside) was rejected, by unit id; ``before``:
    files taken in before then only (a locked month's files that came later change nothing)."""
    it = s.intake
    when = [it.c.received_at <= before] if before is not None else []
    latest = (sa.select(sa.func.max(it.c.id).label("id"))
              .where(it.c.period == period, it.c.unit_id.is_not(None), it.c.outcome != "duplicate", *when)
              .group_by(it.c.unit_id).subquery())
    query = (sa.select(it.c.unit_id, it.c.received_at, it.c.inbox_mtime_ns, it.c.original_name, it.c.findings)
             .join(latest, latest.c.id == it.c.id).where(it.c.outcome == "rejected"))
    return {uid: Rejection(uid, arrival_time(as_utc(at), mtime_ns), name, error_messages(findings))
            for uid, at, mtime_ns, name, findings in conn.execute(query)}


def send_backs(conn: Connection, period: str) -> dict[int, Rejection]:
    """Units whose current submission of the period the office sent back, by unit id: the file's
    arrival and name, and the office's comment as the reason."""
    sub, r, it = s.submissions, s.reviews, s.intake
    query = (sa.select(sub.c.unit_id, it.c.received_at, it.c.inbox_mtime_ns, it.c.original_name, r.c.by_name,
                       r.c.comment, r.c["items"])
             .join(r, r.c.submission_id == sub.c.id).join(it, it.c.id == sub.c.intake_id)
             .where(sub.c.period == period, sub.c.is_current, r.c.decision == "sent_back"))
    out = {}
    for uid, at, mtime_ns, name, by, comment, items in conn.execute(query):
        where = "".join(f"第 {i.get('number')} 项" for i in (items or []) if isinstance(i, dict))
        out[uid] = Rejection(uid, arrival_time(as_utc(at), mtime_ns), name,
                             [f"督查室审核退回（{by}）{where}：{comment}"], by_office=True)
    return out


def arrival_time(received_at: datetime, mtime_ns: int | None) -> datetime:
    """When a file arrived in the inbox: its modification time, never later than the collect run
    that took it in (the rule submissions' ``submitted_at`` follows), else the run's time."""
    if mtime_ns is None:
        return received_at
    return min(datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc), received_at)


def error_messages(findings: Any, limit: int = MAX_MESSAGES) -> list[str]:
    """The first error messages of a rejected file's findings, each with its cell."""
    out = []
    for f in findings if isinstance(findings, list) else []:
        if not isinstance(f, dict) or not f.get("message") or f.get("severity", "error") != "error":
            continue
        message, cell = str(f["message"]), f.get("cell")
        # most messages already begin with their cell (J6“完成进度(%)”：…): name it once
        out.append(f"{cell}：{message}" if cell and cell not in message else message)
    return out[:limit]


def as_utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def unit_names(conn: Connection) -> dict[int, str]:
    return dict(conn.execute(sa.select(s.units.c.id, s.units.c.name)).all())


def period_entries(conn: Connection, period: str, plan: StoredPlan, names: dict[int, str],
                   unit_ids: set[int] | None = None, lead_only: bool = False) -> list[Entry]:
    """The rows of the period's current submissions, mapped to ``plan``'s items (the period's own plan).

    Rows of another plan version are mapped by the item's identity (``items.lineage``), never by
    number; rows of items not in ``plan`` are dropped. A row of a unit renamed or merged since is
    the row of the unit that carries its history in ``plan``. ``unit_ids`` limits the query to
    some units (as they reported); ``lead_only`` to rows reported as lead.
    """
    sub, r = s.submissions, s.submission_rows
    where = [sub.c.period == period, sub.c.is_current, counted()]
    if unit_ids is not None:
        where.append(sub.c.unit_id.in_(sorted(unit_ids)))
    plan_ids = set(conn.execute(sa.select(sub.c.plan_id).where(*where).distinct()).scalars())
    mapping = item_mapping(conn, plan, plan_ids)
    unit_of = unit_resolver(conn, plan)
    if lead_only:
        where.append(r.c.role == LEAD)
    query = (sa.select(sub.c.unit_id, r.c.item_id, r.c.status, r.c.percent, r.c.progress,
                       r.c.problems, r.c.next_steps, r.c.extra)
             .join(r, r.c.submission_id == sub.c.id).where(*where))
    return [Entry(item, names[unit_of(uid)], status, percent, progress, prob, steps, extra)
            for uid, old, status, percent, progress, prob, steps, extra in conn.execute(query)
            if (item := mapping.get(old)) is not None]


def period_plan(conn: Connection, period: str) -> PlanHeader:
    """The plan in force for a period: the version its templates were issued under (the newest,
    should a revision have issued them again), else its submissions', else the current plan.

    A past month is read through its own plan, so revising the plan later changes nothing of it.
    """
    p = s.plans
    for table in (s.templates, s.submissions):
        row = conn.execute(sa.select(p.c.id, p.c.version, p.c.title).join(table, table.c.plan_id == p.c.id)
                           .where(table.c.period == period).order_by(p.c.version.desc()).limit(1)).first()
        if row is not None:
            return PlanHeader(*row)
    return plan_header(conn)


def unit_resolver(conn: Connection, plan: StoredPlan | PlanHeader):
    """A function: a unit id as it reported -> the unit standing for it in ``plan`` (itself, or
    the unit a rename or merge handed its history to, when that one is in the plan)."""
    in_plan = plan_unit_ids(conn, plan.id)
    step = dict(conn.execute(sa.select(s.units.c.id, s.units.c.successor_id)
                             .where(s.units.c.successor_id.is_not(None))).all())

    def resolve(uid: int) -> int:
        current, seen = uid, set()
        while current not in in_plan and current in step and current not in seen:
            seen.add(current)
            current = step[current]
        return current if current in in_plan else uid
    return resolve


def units_named(conn: Connection, plan: StoredPlan, names: dict[int, str], wanted: set[str]) -> set[int]:
    """Ids of the units standing for the named units of ``plan``, with those renamed or merged into them."""
    resolve = unit_resolver(conn, plan)
    return {uid for uid in names if names[resolve(uid)] in wanted}


def plan_unit_ids(conn: Connection, plan_id: int) -> set[int]:
    a, i = s.assignments, s.items
    return set(conn.execute(sa.select(a.c.unit_id).join(i, i.c.id == a.c.item_id)
                            .where(i.c.plan_id == plan_id).distinct()).scalars())


def item_mapping(conn: Connection, plan: StoredPlan, plan_ids: set[int]) -> dict[int, int]:
    """Item ids of the given plan versions -> the id of the same item in ``plan``: the item with the
    same identity (lineage). A renumbered, retitled or re-led item is the same item; an item
    renumbered into a deleted one's number is not."""
    mapping = {i.id: i.id for i in plan.items}
    others = sorted(plan_ids - {plan.id})
    if not others:
        return mapping
    by_lineage = {i.identity: i.id for i in plan.items}
    i = s.items
    query = sa.select(i.c.id, sa.func.coalesce(i.c.lineage, i.c.id)).where(i.c.plan_id.in_(others))
    for old_id, lineage in conn.execute(query):
        if (new_id := by_lineage.get(lineage)) is not None:
            mapping[old_id] = new_id
    return mapping


def period_achievements(conn: Connection, period: str, plan: StoredPlan, names: dict[int, str]) -> list[Achievement]:
    """The 指标 rows of the period's current submissions, mapped to ``plan``'s targets."""
    sub, r = s.submissions, s.target_rows
    where = [sub.c.period == period, sub.c.is_current, counted()]
    plan_ids = set(conn.execute(sa.select(sub.c.plan_id).where(*where).distinct()).scalars())
    mapping = target_mapping(conn, plan, plan_ids)
    unit_of = unit_resolver(conn, plan)
    query = (sa.select(sub.c.unit_id, r.c.target_id, r.c.achieved, r.c.note)
             .join(r, r.c.submission_id == sub.c.id).where(*where).order_by(r.c.id))
    return [Achievement(target, names[unit_of(uid)], achieved, note) for uid, old, achieved, note in conn.execute(query)
            if (target := mapping.get(old)) is not None]


def target_mapping(conn: Connection, plan: StoredPlan, plan_ids: set[int]) -> dict[int, int]:
    """Target ids of the given plan versions -> the id of the same target in ``plan``:
    the same item (see ``item_mapping``) and the same indicator."""
    current: dict[tuple[int, str], int] = {}
    for item in plan.items:
        for target, target_id in zip(item.targets, item.target_ids):
            current.setdefault((item.id, target.indicator), target_id)
    mapping = {tid: tid for item in plan.items for tid in item.target_ids}
    others = plan_ids - {plan.id}
    if not others:
        return mapping
    items = item_mapping(conn, plan, others)
    t = s.targets
    query = (sa.select(t.c.id, t.c.item_id, t.c.indicator).join(s.items, s.items.c.id == t.c.item_id)
             .where(s.items.c.plan_id.in_(sorted(others))))
    for old_id, old_item, indicator in conn.execute(query):
        new_id = current.get((items.get(old_item), indicator))
        if new_id is not None:
            mapping[old_id] = new_id
    return mapping


def unit_items(conn: Connection, plan_id: int, unit_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """(role, item number, item title) of each unit's items in the plan, lead items first."""
    a, i = s.assignments, s.items
    query = (sa.select(a.c.unit_id, a.c.role, i.c.number, i.c.title)
             .join(i, i.c.id == a.c.item_id)
             .where(i.c.plan_id == plan_id, a.c.unit_id.in_(unit_ids))
             .order_by(a.c.unit_id, a.c.role != LEAD, i.c.ord))
    out: dict[int, list[tuple[str, str, str]]] = {uid: [] for uid in unit_ids}
    for uid, role, number, title in conn.execute(query):
        out[uid].append((role, number, title))
    return out
