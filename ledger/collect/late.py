"""Late corrections: a file replacing a month a unit already reported, after that month's deadline
and once the month's report was made.

Such a file is a decision, not an accident (``[collect] late_corrections``): ``refuse`` returns it
to the unit; ``review`` keeps it for the office (``ledger corrections accept|refuse``) while the
month stays as it was; ``accept`` replaces the month at once. Whichever, the unit's timeliness for
that month stays the one of its first accepted file, and the report of the month says 更正于 ….
A file with the same values as the month's accepted (or pending) one is a duplicate, whatever its
bytes (a file opened and saved again). A file for a locked month never gets here: collect
refuses it, at examination or, locked since, when recording it (``ledger.period_lock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ledger import codes
from ledger.findings import Finding
from ledger.period import deadline, label
from ledger.settings import Settings
from ledger.store import schema as s
from ledger.store.submissions import INPUT_KEYS, TARGET_INPUT_KEYS

NORMAL, SAME, REFUSE, REVIEW, ACCEPT = "normal", "same", "refuse", "review", "accept"


@dataclass
class Verdict:
    """What becomes of an accepted file: ``kind`` one of the constants above; ``corrects`` the
    submission it would replace; ``counted_at`` the time the month's timeliness keeps."""

    kind: str
    corrects: dict[str, Any] | None = None
    finding: Finding | None = None

    @property
    def counted_at(self) -> datetime | None:
        return self.corrects["counted_at"] or self.corrects["submitted_at"] if self.corrects else None


class Earlier:
    """The units that may already have a submission of a period, read once a run for each period.

    Most files of a monthly run are their unit's first of the month: judging one of a unit not
    listed asks the database nothing more. Whatever the run stores is added as it goes. Everything
    else that writes submissions (plan import with progress, corrections) holds the workspace lock
    a run holds; workspaces sharing a server database do not share it, so there every file asks.
    """

    def __init__(self, shared: bool) -> None:
        self.shared = shared
        self._units: dict[str, set[int]] = {}

    def may_have(self, conn: Connection, period: str, unit_id: int) -> bool:
        if self.shared:
            return True
        if period not in self._units:
            sub = s.submissions.c
            self._units[period] = set(conn.execute(sa.select(sub.unit_id).distinct().where(sub.period == period))
                                      .scalars())
        return unit_id in self._units[period]

    def add(self, period: str, unit_id: int) -> None:
        self._units.setdefault(period, set()).add(unit_id)


def judge(conn: Connection, settings: Settings, *, period: str, unit_id: int, arrived: datetime,
          rows: list[dict[str, Any]], targets: list[dict[str, Any]], name: str,
          known: Earlier | None = None) -> Verdict:
    """The verdict on a valid file of ``unit_id`` for ``period`` arriving at ``arrived`` (aware);
    ``known``: the run's units with a submission, so a unit's first file asks nothing more."""
    if known is not None and not known.may_have(conn, period, unit_id):
        return Verdict(NORMAL)
    current = _submission(conn, period, unit_id, current=True)
    pending = _submission(conn, period, unit_id, review="pending")
    for earlier in (current, pending):
        if earlier is not None and same_values(conn, earlier["id"], rows, targets):
            return Verdict(SAME, earlier, codes.FILE_SAME_VALUES.finding(
                received=_local(earlier["submitted_at"], settings), month=label(period), value=name))
    due = deadline(period, settings.office.deadline_day)
    if (current is None or arrived.astimezone(ZoneInfo(settings.office.timezone)).date() <= due
            or not reported(conn, period)):
        return Verdict(NORMAL)
    mode = settings.collect.late_corrections
    return Verdict(mode, current, _told(mode, period, due, name))


def reported(conn: Connection, period: str) -> bool:
    """Whether the month's report was made (a ``report`` event names it): a file changing it now
    changes what leaders were told."""
    e = s.events.c
    details = conn.execute(sa.select(e.detail).where(e.action == "report")).scalars()
    return any(isinstance(d, dict) and d.get("period") == period for d in details)


def correction_of(verdict: Verdict | None) -> dict[str, Any]:
    """What ``save_submission`` records of a verdict: nothing for a file in time, else the
    submission corrected, the time timeliness keeps, and a review held for the office."""
    if verdict is None or verdict.kind not in (REVIEW, ACCEPT):
        return {}
    return {"correction_of": verdict.corrects["id"], "counted_at": verdict.counted_at,
            "review": "pending" if verdict.kind == REVIEW else None}


def earlier_intake(conn: Connection, verdict: Verdict) -> dict[str, Any]:
    """The intake record of the submission a file repeats."""
    row = conn.execute(sa.select(s.intake).where(s.intake.c.id == verdict.corrects["intake_id"])).mappings().one()
    return dict(row)


def _told(mode: str, period: str, due, name: str) -> Finding:
    month, day = label(period), f"{due.month}月{due.day}日"
    declared = {REFUSE: codes.LATE_CORRECTION_REFUSED, REVIEW: codes.LATE_CORRECTION_HELD}.get(
        mode, codes.LATE_CORRECTION_ACCEPTED)
    return declared.finding(month=month, day=day, value=name)


def _local(at: datetime, settings: Settings) -> str:
    return at.astimezone(ZoneInfo(settings.office.timezone)).strftime("%Y-%m-%d %H:%M")


def _submission(conn: Connection, period: str, unit_id: int, *, current: bool = False,
                review: str | None = None) -> dict[str, Any] | None:
    sub = s.submissions.c
    where = [sub.period == period, sub.unit_id == unit_id]
    where.append(sub.is_current if current else sub.review == review)
    row = conn.execute(sa.select(s.submissions).where(*where).order_by(sub.id.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    for key in ("submitted_at", "counted_at"):
        if out[key] is not None and out[key].tzinfo is None:
            out[key] = out[key].replace(tzinfo=ZoneInfo("UTC"))
    return out


def same_values(conn: Connection, submission_id: int, rows: list[dict[str, Any]], targets: list[dict[str, Any]]) -> bool:
    """Whether a file's rows and 指标 values are those of a stored submission (values, not bytes)."""
    r, t = s.submission_rows, s.target_rows
    stored = conn.execute(sa.select(r.c.item_id, r.c.role, r.c.extra, *[r.c[k] for k in INPUT_KEYS])
                          .where(r.c.submission_id == submission_id)).mappings().all()
    stored_targets = conn.execute(sa.select(t.c.target_id, *[t.c[k] for k in TARGET_INPUT_KEYS])
                                  .where(t.c.submission_id == submission_id)).mappings().all()
    return (_row_set(stored, ("item_id", "role", "extra", *INPUT_KEYS)) == _row_set(rows, ("item_id", "role", "extra", *INPUT_KEYS))
            and _row_set(stored_targets, ("target_id", *TARGET_INPUT_KEYS))
            == _row_set(targets or [], ("target_id", *TARGET_INPUT_KEYS)))


def _row_set(rows, keys: tuple[str, ...]) -> list[str]:
    return sorted(repr(tuple(_plain(row.get(k)) for k in keys)) for row in rows)


def _plain(value: Any) -> Any:
    """Values compared as stored: a float that is whole equals its integer, a date its ISO text,
    an empty text nothing."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items() if v not in (None, "")))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return None if value == "" else value
