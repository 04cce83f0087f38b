"""The office's review (审核) of accepted submissions: approve (通过) or send back (退回修改).

With ``[review] required = true`` a unit's current accepted submission waits (待审核) until an office
user decides on it. A decision is one row of ``reviews`` per submission (the database refuses a
second, so two reviewers racing end with the first decision and a clear message for the other);
it names the submission it was made on, so a new upload that arrives meanwhile is a new
submission, pending again. A sent-back submission no longer counts: its unit is 退回待重报 in the
status, board, reminders, report and 通报 (``ledger.report.data``) until it uploads again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import LedgerError
from ledger.period import check_period, label
from ledger.store import events
from ledger.store import schema as s

PENDING, APPROVED, SENT_BACK = "pending", "approved", "sent_back"
STATES = (PENDING, APPROVED, SENT_BACK)
STATE_LABELS = {PENDING: "待审核", APPROVED: "审核通过", SENT_BACK: "退回修改"}
MAX_COMMENT = 2000


class ReviewError(LedgerError):
    """A review that cannot be made (no submission, a bad comment, an unknown item, decided already)."""


@dataclass
class ItemComment:
    number: str
    comment: str

    def to_dict(self) -> dict[str, str]:
        return {"number": self.number, "comment": self.comment}


@dataclass
class SubmissionReview:
    """A unit's current submission of a period and the office's decision on it."""

    unit: str
    unit_id: int
    submission_id: int
    intake_id: int
    submitted_at: datetime
    state: str = PENDING
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    comment: str = ""
    items: list[ItemComment] = field(default_factory=list)
    period: str = ""
    current: bool = True

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "state": self.state, "submission_id": self.submission_id,
                "submitted_at": self.submitted_at.isoformat(), "reviewed_by": self.reviewed_by,
                "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
                "comment": self.comment, "items": [i.to_dict() for i in self.items]}


def _utc(t: datetime | None) -> datetime | None:
    from ledger.report.data import as_utc

    return as_utc(t) if t is not None else None


def _query(period: str):
    sub, r, u = s.submissions, s.reviews, s.units
    return (sa.select(u.c.name, sub.c.unit_id, sub.c.id, sub.c.intake_id, sub.c.submitted_at, sub.c.period,
                      sub.c.is_current, r.c.decision, r.c.by_name, r.c.at, r.c.comment, r.c["items"])
            .join(u, u.c.id == sub.c.unit_id).outerjoin(r, r.c.submission_id == sub.c.id)
            .where(sub.c.period == period))


def _review(row) -> SubmissionReview:
    items = [ItemComment(str(i.get("number", "")), str(i.get("comment", ""))) for i in (row.items or [])
             if isinstance(i, dict)]
    return SubmissionReview(row.name, row.unit_id, row.id, row.intake_id, _utc(row.submitted_at),
                            row.decision or PENDING, row.by_name, _utc(row.at), row.comment or "", items,
                            row.period, bool(row.is_current))


def current_reviews(conn: Connection, period: str) -> dict[int, SubmissionReview]:
    """Each unit's current submission of the period with its review, by unit id."""
    rows = conn.execute(_query(period).where(s.submissions.c.is_current)).all()
    return {row.unit_id: _review(row) for row in rows}


def review_list(engine: Engine, period: str, state: str | None = None) -> list[SubmissionReview]:
    """The period's current submissions and their review, in unit order of the plan's mention."""
    check_period(period)
    with engine.connect() as conn:
        found = sorted(current_reviews(conn, period).values(), key=lambda r: r.unit_id)
    return [r for r in found if state is None or r.state == state]


def submission_review(engine: Engine, submission_id: int) -> SubmissionReview | None:
    with engine.connect() as conn:
        row = conn.execute(_query_any().where(s.submissions.c.id == submission_id)).first()
    return _review(row) if row is not None else None


def _query_any():
    sub, r, u = s.submissions, s.reviews, s.units
    return (sa.select(u.c.name, sub.c.unit_id, sub.c.id, sub.c.intake_id, sub.c.submitted_at, sub.c.period,
                      sub.c.is_current, r.c.decision, r.c.by_name, r.c.at, r.c.comment, r.c["items"])
            .join(u, u.c.id == sub.c.unit_id).outerjoin(r, r.c.submission_id == sub.c.id))


def unit_review(engine: Engine, unit_id: int, period: str) -> SubmissionReview | None:
    """The unit's current submission of the period and its review (its page shows a send-back)."""
    with engine.connect() as conn:
        row = conn.execute(_query(period).where(s.submissions.c.is_current, s.submissions.c.unit_id == unit_id)).first()
    return _review(row) if row is not None else None


# --- Decisions ----------------------------------------------------------------------------------
def check_comment(comment: str, required: bool = True) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise ReviewError("请写明退回意见")
    if len(comment) > MAX_COMMENT:
        raise ReviewError(f"意见太长：{len(comment)} 个字，最多 {MAX_COMMENT} 个字")
    return comment


def _target(conn: Connection, period: str, unit: str, submission_id: int | None) -> SubmissionReview:
    unit_id = conn.execute(sa.select(s.units.c.id).where(s.units.c.name == unit.strip())).scalar()
    if unit_id is None:
        raise ReviewError(f"没有名为“{unit}”的单位")
    query = _query(period).where(s.submissions.c.unit_id == unit_id)
    query = query.where(s.submissions.c.id == submission_id) if submission_id else query.where(s.submissions.c.is_current)
    row = conn.execute(query).first()
    if row is None:
        raise ReviewError(f"{unit}没有{label(period)}可审核的报送")
    found = _review(row)
    if found.state != PENDING:
        raise ReviewError(f"{unit}{label(period)}的这次报送已由{found.reviewed_by}{found.label}，不能再次审核")
    return found


def _unit_item(conn: Connection, submission_id: int, unit_id: int, number: str) -> str:
    """The item number as the plan writes it, when it is one of the unit's items in the submission's plan."""
    i, a = s.items, s.assignments
    plan_id = conn.execute(sa.select(s.submissions.c.plan_id).where(s.submissions.c.id == submission_id)).scalar()
    numbers = conn.execute(sa.select(i.c.number).join(a, a.c.item_id == i.c.id)
                           .where(i.c.plan_id == plan_id, a.c.unit_id == unit_id, i.c.number == number.strip())).scalars().all()
    if not numbers:
        raise ReviewError(f"编号“{number}”不是该单位承担的任务：请按台账中的序号填写")
    return numbers[0]


def _decide(engine: Engine, period: str, unit: str, decision: str, by: str, comment: str = "",
            item: str | None = None, submission_id: int | None = None, require: bool = True) -> SubmissionReview:
    from ledger.period_lock import locked

    period = check_period(period)
    with engine.begin() as conn:
        if locked(conn, period):
            raise ReviewError(f"{label(period)}已锁定（终版），不能再审核：如确需修改，请先解锁（ledger unlock）")
        found = _target(conn, period, unit, submission_id)
        items = [ItemComment(_unit_item(conn, found.submission_id, found.unit_id, item), comment)] if item else []
        now = s._now()
        try:
            with conn.begin_nested():
                conn.execute(s.reviews.insert().values(
                    submission_id=found.submission_id, period=period, unit_id=found.unit_id, decision=decision,
                    by_name=by, at=now, comment=comment, items=[i.to_dict() for i in items]))
        except sa.exc.IntegrityError:
            raise ReviewError(f"{found.unit}{label(period)}的这次报送刚由别人审核过，请刷新后查看") from None
        what = "审核通过" if decision == APPROVED else "退回修改"
        where = f"（第 {item} 项）" if item else ""
        events.record(conn, "review", f"review-{decision.replace('_', '-')}",
                      f"{by}{what}{found.unit}{label(period)}台账{where}" + (f"：{comment}" if comment else ""),
                      {"period": period, "unit": found.unit, "submission": found.submission_id, "by": by,
                       "comment": comment, "items": [i.to_dict() for i in items]})
    found.state, found.reviewed_by, found.reviewed_at, found.comment, found.items = decision, by, now, comment, items
    return found


def approve(engine: Engine, period: str, unit: str, by: str, comment: str = "",
            submission_id: int | None = None) -> SubmissionReview:
    """Approve the unit's current submission (or the one named) of the period."""
    return _decide(engine, period, unit, APPROVED, by, check_comment(comment, required=False), None, submission_id)


def approve_all(engine: Engine, period: str, by: str) -> list[SubmissionReview]:
    """Approve every pending current submission of the period."""
    pending = review_list(engine, period, PENDING)
    done = []
    for r in pending:
        try:
            done.append(approve(engine, period, r.unit, by, submission_id=r.submission_id))
        except ReviewError:        # decided meanwhile by someone else
            continue
    return done


def send_back(engine: Engine, period: str, unit: str, comment: str, by: str, item: str | None = None,
              submission_id: int | None = None) -> SubmissionReview:
    """Send the unit's current submission (or the one named) back with a comment, for the whole
    ledger or for one of its items (``item``: its number)."""
    return _decide(engine, period, unit, SENT_BACK, by, check_comment(comment), item or None, submission_id)


def require_review(settings) -> None:
    if not settings.review.required:
        raise ReviewError("本工作区未开启审核：在 ledger.toml 的 [review] 中设 required = true 后再审核")


# --- What the reviewer sees ----------------------------------------------------------------------
COMPARED = (("status", "完成状态"), ("percent", "完成进度(%)"), ("progress", "本月进展情况"),
            ("problems", "存在问题"), ("next_steps", "下步计划"))


@dataclass
class ComparedRow:
    """One row of a submission beside the same unit's row of the item last month."""

    number: str
    title: str
    role: str
    now: dict[str, Any]
    before: dict[str, Any] | None
    changed: set[str]
    flags: list[str] = field(default_factory=list)     # the content checks' 提示 on the row (collect.quality)

    @property
    def same_as_before(self) -> bool:
        """The month's progress copied from last month: a weak entry."""
        return self.before is not None and bool(self.now.get("progress")) and "progress" not in self.changed


def _rows(conn: Connection, submission_id: int) -> list:
    r, i = s.submission_rows, s.items
    lineage = sa.func.coalesce(i.c.lineage, i.c.id).label("lineage")
    return conn.execute(sa.select(i.c.number, i.c.title, i.c.ord, lineage, r.c.item_id, r.c.role,
                                  *(r.c[k] for k, _ in COMPARED))
                        .join(i, i.c.id == r.c.item_id).where(r.c.submission_id == submission_id)
                        .order_by(i.c.ord, r.c.id)).all()


def compare_rows(engine: Engine, submission_id: int, settings=None) -> list[ComparedRow]:
    """The submission's rows, each beside the unit's current row of the same task (its lineage, which
    a renumbered item keeps, and role) the month before, with the columns that changed; with
    ``settings``, each row's content flags as collect's checks (``collect.quality``) find them
    against that row."""
    from ledger.period import previous_period

    sub = s.submissions
    with engine.connect() as conn:
        this = conn.execute(sa.select(sub.c.period, sub.c.unit_id).where(sub.c.id == submission_id)).first()
        if this is None:
            return []
        last = previous_period(this.period)
        before_id = conn.execute(sa.select(sub.c.id).where(sub.c.period == last, sub.c.unit_id == this.unit_id,
                                                           sub.c.is_current)).scalar()
        now_rows = _rows(conn, submission_id)
        before_rows = {(b.lineage, b.role): b for b in _rows(conn, before_id)} if before_id else {}
        unit = conn.execute(sa.select(s.units.c.name).where(s.units.c.id == this.unit_id)).scalar()
    out = []
    for row in now_rows:
        now = {k: getattr(row, k) for k, _ in COMPARED}
        old = before_rows.get((row.lineage, row.role))
        before = {k: getattr(old, k) for k, _ in COMPARED} if old is not None else None
        changed = {k for k in now if before is None or (now[k] or None) != (before[k] or None)}
        out.append(ComparedRow(row.number, row.title, row.role, now, before, changed))
    if settings is not None:
        _flag(engine, out, now_rows, settings, this.period, last if before_id else None, unit)
    return out


def _flag(engine: Engine, compared: list[ComparedRow], rows: list, settings, period: str, last: str | None,
          unit: str | None) -> None:
    """Put the content checks' messages on the rows they are about."""
    from ledger.collect.quality import Row, check_rows
    from ledger.signoff import evidenced_items

    evidenced = evidenced_items(engine, unit) if unit else frozenset()
    lineage = {row.item_id: row.lineage for row in rows}
    checked = [Row(n, {"item_id": row.item_id, "role": row.role, **c.now}, c.before)
               for n, (row, c) in enumerate(zip(rows, compared))]
    for finding in check_rows(checked, settings, last, lambda number, key: "",
                              lambda item_id: lineage.get(item_id) in evidenced, period):
        compared[finding.row].flags.append(finding.message)


def sent_back_events(conn: Connection, period: str) -> list[tuple[str, str, str]]:
    """Each ledger of the period the office sent back, as 考评 counts it (``report.scores``): the
    unit, the items named (编号, or "" for the whole ledger) and the office's comment."""
    r = s.reviews.c
    rows = conn.execute(sa.select(s.units.c.name, r["items"], r.comment, r.by_name)
                        .join(s.units, s.units.c.id == r.unit_id)
                        .where(r.period == period, r.decision == "sent_back").order_by(r.id)).all()
    return [(unit, "、".join(str(i.get("number", "")) for i in (items or [])),
             f"台账被督查室审核退回（{by}：{comment}）" if comment else f"台账被督查室审核退回（{by}）")
            for unit, items, comment, by in rows]
