"""Late corrections held for the office (``[collect] late_corrections = "review"``): list, accept, refuse.

A held correction is a submission stored beside the month's current one (``review = 'pending'``).
Accepting makes it current (the earlier one superseded, timeliness unchanged: ``counted_at``);
refusing leaves the month as it was. Either is recorded in the work log, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ledger.errors import LedgerError
from ledger.localtime import local_iso
from ledger.period import label
from ledger.store import events, schema as s
from ledger.workspace import Workspace

PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"
REVIEW_LABELS = {PENDING: "待审核", ACCEPTED: "已采纳", REFUSED: "未采纳"}


class CorrectionNotFoundError(LedgerError):
    """No late correction of that number waits for the office."""


@dataclass
class Correction:
    id: int
    period: str
    unit: str
    received_at: datetime          # aware: when the correction arrived
    corrects_at: datetime | None   # aware: when the file it corrects arrived
    review: str | None
    file: str

    def to_dict(self, zone: ZoneInfo = ZoneInfo("UTC")) -> dict[str, Any]:
        return {"id": self.id, "period": self.period, "unit": self.unit, "received_at": local_iso(self.received_at, zone),
                "corrects_received_at": local_iso(self.corrects_at, zone),
                "review": self.review, "review_label": REVIEW_LABELS.get(self.review, "已替换"), "file": self.file}


def as_aware(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def list_corrections(ws: Workspace, period: str | None = None, pending_only: bool = True) -> list[Correction]:
    """Late corrections (by default those waiting for the office), oldest first."""
    sub, old = s.submissions, s.submissions.alias("corrected")
    query = (sa.select(sub.c.id, sub.c.period, s.units.c.name, sub.c.submitted_at, old.c.submitted_at.label("before"),
                       sub.c.review, s.intake.c.stored_path)
             .join(s.units, s.units.c.id == sub.c.unit_id).join(s.intake, s.intake.c.id == sub.c.intake_id)
             .outerjoin(old, old.c.id == sub.c.correction_of)
             .where(sub.c.correction_of.is_not(None)).order_by(sub.c.id))
    if pending_only:
        query = query.where(sub.c.review == PENDING)
    if period:
        query = query.where(sub.c.period == period)
    with ws.engine.connect() as conn:
        return [Correction(i, p, unit, as_aware(at), as_aware(before) if before else None, review, path or "")
                for i, p, unit, at, before, review, path in conn.execute(query)]


def decide_correction(ws: Workspace, correction_id: int, accept: bool, command: str = "corrections") -> Correction:
    """Accept (make current) or refuse a held late correction; record the decision."""
    with ws.lock(), ws.engine.begin() as conn:
        row = conn.execute(sa.select(s.submissions).where(s.submissions.c.id == correction_id,
                                                          s.submissions.c.review == PENDING)).mappings().first()
        if row is None:
            raise CorrectionNotFoundError(f"没有编号为 {correction_id} 的待审核更正：可用 ledger corrections list 查看")
        now = s._now()
        if accept:
            _make_current(conn, row)
        conn.execute(s.submissions.update().where(s.submissions.c.id == correction_id)
                     .values(review=ACCEPTED if accept else REFUSED, decided_at=now))
        unit = conn.execute(sa.select(s.units.c.name).where(s.units.c.id == row["unit_id"])).scalar()
        verb = "采纳" if accept else "不予采纳"
        events.record(conn, command, "correction-accepted" if accept else "correction-refused",
                      f"{verb}{unit}{label(row['period'])}的更正",
                      {"submission": correction_id, "period": row["period"], "unit": unit})
    return next(c for c in list_corrections(ws, row["period"], pending_only=False) if c.id == correction_id)


def _make_current(conn, row) -> None:
    sub = s.submissions
    current = conn.execute(sa.select(sub.c.id).where(sub.c.period == row["period"], sub.c.unit_id == row["unit_id"],
                                                     sub.c.is_current)).scalars().all()
    if current:       # one current submission per unit and month: retire first (uq_submissions_current)
        conn.execute(sub.update().where(sub.c.id.in_(current)).values(is_current=False, superseded_by=row["id"]))
    conn.execute(sub.update().where(sub.c.id == row["id"]).values(is_current=True))
