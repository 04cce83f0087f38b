"""``ledger escalate``: read the period, decide the 督办单 (``rules``), issue each once, raise overdue ones.

Each notice is written and recorded in one step: the .docx goes to a temporary file, the record is
inserted, the file is renamed into ``outbox/督办单/<period>/`` and only then is the record committed.
A run killed before the commit leaves no record, and the rerun writes the same file (same 编号, the
next free one) again; a committed notice is never issued again, because its items are no longer new
(``issued_keys``) and its dedupe key is unique in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ledger.durable import sweep_temporaries
from ledger.period import label, schedule_share
from ledger.report import data
from ledger.report.build import consolidate
from ledger.report.deadlines import period_end
from ledger.statuses import DONE
from ledger.store import escalations as store
from ledger.store import events
from ledger.store.guard import lock_escalations
from ledger.store import schema as s
from ledger.supervise import notice
from ledger.supervise.rules import COLOUR_LABELS, Draft, Task, UnitFacts, decide, raise_overdue
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output, safe_name

FOLDER = "督办单"


@dataclass
class Issued:
    """A notice this run issued (or, in a dry run, would issue)."""

    draft: Draft
    id: int | None = None
    number: str = ""
    file: str = ""
    reply_due: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "unit": self.draft.unit, "colour": self.draft.colour,
                "items": [r.to_dict() for r in self.draft.items], "file": self.file or None,
                "reply_due": self.reply_due.isoformat() if self.reply_due else None,
                "escalated_from": self.draft.raised_from}


@dataclass
class EscalationRun:
    period: str
    dry_run: bool
    issued: list[Issued] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "dry_run": self.dry_run, "notices": [i.to_dict() for i in self.issued]}


def folder(ws: Workspace, period: str) -> Path:
    return ws.outbox_dir / FOLDER / period


# Test hook: called with a step name between the steps of issuing one notice (crash injection).
_step_hook = lambda step: None  # noqa: E731


def escalate(ws: Workspace, period: str | None = None, dry_run: bool = False, now: datetime | None = None,
             command: str = "escalate") -> EscalationRun:
    """Issue the period's 督办单 (by default last month's) and raise open ones past their 反馈时限."""
    zone = ZoneInfo(ws.settings.office.timezone)
    now = now or datetime.now(timezone.utc)
    period = data.resolve_period(period, ws.settings.office.timezone)
    with ws.lock():
        drafts = period_drafts(ws, period) + overdue_drafts(ws, now.astimezone(zone).date())
        run = EscalationRun(period, dry_run)
        if not dry_run:
            sweep_temporaries(ws.outbox_dir / FOLDER)
        for draft in drafts:
            issued = _issue(ws, period, draft, now, zone, dry_run, command)
            if issued is not None:
                run.issued.append(issued)
    return run


def period_drafts(ws: Workspace, period: str) -> list[Draft]:
    """The notices the period's facts call for (``rules.decide``)."""
    report = consolidate(ws, period)
    vocabulary = report.vocabulary
    tasks = []
    for item_id, m in report.merged.items():
        item = m.item
        key = f"{item.path_numbers or item.section_number}{item.number}"
        common = dict(key=key, number=item.number, title=item.title, deadline=item.deadline,
                      deadline_text=item.deadline_text or "")
        for e in m.leads:
            lagging = vocabulary.lagging(e.status)
            tasks.append(Task(e.unit, done=vocabulary.is_(e.status, DONE), percent=e.percent, lagging=lagging,
                              streak=report.streaks.get(item_id, 0) if lagging else 0, **common))
        tasks += [Task(u, done=False, percent=None, lagging=False, **common) for u in m.missing_leads]
    with data.snapshot(ws.engine) as conn:
        units = [UnitFacts(u.unit.name, missing_run(conn, u.unit.id, period) if not u.reported else 0,
                           content_flags(conn, u.unit.id, period)) for u in report.status.units]
    pace = round(schedule_share(period) * 100)
    return decide(tasks, units, period_end(period), pace, ws.settings.escalation)


def overdue_drafts(ws: Workspace, today: date) -> list[Draft]:
    """Open notices past their 反馈时限, each raised one colour."""
    found = [raise_overdue(n, today) for n in store.notices(ws.engine, open_only=True)]
    return [d for d in found if d is not None]


def missing_run(conn, unit_id: int, period: str) -> int:
    """Periods running, ending with ``period``, for which the unit was sent a template and has no
    accepted ledger."""
    t, sub = s.templates.c, s.submissions.c
    issued = set(conn.execute(sa.select(t.period).where(t.unit_id == unit_id, t.period <= period).distinct()).scalars())
    reported = set(conn.execute(sa.select(sub.period).where(sub.unit_id == unit_id, sub.is_current,
                                                            sub.period <= period).distinct()).scalars())
    run = 0
    for p in sorted(issued, reverse=True):
        if p in reported:
            break
        run += 1
    return run


def content_flags(conn, unit_id: int, period: str) -> int:
    """Content findings (``ledger.collect.quality``) of the unit's current ledger of the period."""
    from ledger.collect.quality import CHECKS

    sub, i = s.submissions.c, s.intake.c
    found = conn.execute(sa.select(i.findings).join(s.submissions, sub.intake_id == i.id)
                         .where(sub.unit_id == unit_id, sub.period == period, sub.is_current)).scalar()
    return sum(1 for f in found or [] if f.get("code") in CHECKS)


def _issue(ws: Workspace, period: str, draft: Draft, now: datetime, zone: ZoneInfo, dry_run: bool,
           command: str) -> Issued | None:
    today = now.astimezone(zone).date()
    due = today + timedelta(days=ws.settings.escalation.reply_days)
    with ws.engine.begin() as conn:
        lock_escalations(conn)      # another workspace of a shared database waits: its check sees ours
        unit_id = conn.execute(sa.select(s.units.c.id).where(s.units.c.name == draft.unit)).scalar_one()
        known = store.issued_keys(conn, period, unit_id, draft.colour)
        items = [r for r in draft.items if r.key not in known]
        if not items:
            return None
        draft = Draft(draft.unit, draft.colour, items, draft.raised_from)
        seq = store.next_seq(conn, today.year)
        number = store.number_text(today.year, seq)
        path = folder(ws, period) / f"{safe_name(number, '督办单')}_{safe_name(draft.unit, '单位')}_{COLOUR_LABELS[draft.colour]}督办单.docx"
        if dry_run:     # nothing is numbered until it is issued
            return Issued(draft, None, "", "", due)
        with atomic_output(path) as tmp:
            notice.write(tmp, ws.settings.office.name, unit=draft.unit, colour=draft.colour, number=number,
                         period=period, items=items, issued=today, reply_due=due)
            new_id = store.record(conn, period=period, unit_id=unit_id, colour=draft.colour, year=today.year, seq=seq,
                                  items=[r.to_dict() for r in items], issued_at=now, reply_due=due, state=store.OPEN,
                                  dedupe_key=store.dedupe_key(period, draft.unit, draft.colour, [r.key for r in items]),
                                  file=ws.relative(path), escalated_from=draft.raised_from)
            if draft.raised_from:
                store.mark_raised(conn, draft.raised_from, new_id)
            events.record(conn, command, "escalate",
                          f"{label(period)}{COLOUR_LABELS[draft.colour]}督办单 {number}：{draft.unit}（{len(items)} 项）",
                          {"period": period, "id": new_id, "unit": draft.unit, "colour": draft.colour})
            _step_hook("recorded")
        _step_hook("renamed")
    return Issued(draft, new_id, number, ws.relative(path), due)
