"""考评: each unit's score for a period (or the year to date), from what was recorded, each point explained.

A unit starts from ``scoring.base`` and each recorded event of the period moves it by the rubric's
points (``[scoring]``): a ledger reported late or not at all (the period's status), each file the
machine returned (intake), each ledger the office sent back (``sent_back``: a hook for the office's
review, none by default), each content finding of its current ledger (``ledger.collect.quality``),
each yellow or red 督办单 issued on the period and each answered after its 反馈时限 (escalations);
bonuses for each task reported 超序时 and each task closed before its 完成时限 (``closed_early``: a
hook for sign-off, none by default). Nothing reads the clock, so a past month recomputed gives the
same numbers as long as nothing new is recorded for it. The year to date starts once from the base
and takes every deduction of the year's periods up to the one asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ledger.collect.quality import CHECKS
from ledger.period import label
from ledger.report.status import LATE, StatusReport
from ledger.settings import Settings
from ledger.statuses import AHEAD
from ledger.store import schema as s

# events another part of the office's work records: (conn, period) -> [(unit, item, reason)], one per
# event — ledgers the office sent back on review (ledger.review), tasks closed before their 完成时限
# (a hook; sign-off does not yet say when a task was due against when it closed)
EventHook = Callable[[Connection, str], list[tuple[str, str, str]]]
NO_EVENTS: EventHook = lambda conn, period: []  # noqa: E731


def _sent_back(conn: Connection, period: str) -> list[tuple[str, str, str]]:
    from ledger.review import sent_back_events

    return sent_back_events(conn, period)


@dataclass
class Deduction:
    reason: str
    points: float            # the change to the score: negative for a deduction, positive for a bonus
    period: str
    item: str = ""           # the task, file, cell or notice it is about

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "points": self.points, "period": self.period, "item": self.item}


@dataclass
class UnitScore:
    unit: str
    base: float
    deductions: list[Deduction] = field(default_factory=list)
    rank: int = 0

    @property
    def score(self) -> float:
        return round(self.base + sum(d.points for d in self.deductions), 4)

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "score": self.score, "rank": self.rank,
                "deductions": [d.to_dict() for d in self.deductions]}


def period_scores(conn: Connection, status: StatusReport, settings: Settings, sent_back: EventHook = _sent_back,
                  closed_early: EventHook = NO_EVENTS) -> list[UnitScore]:
    """Every expected unit's score for the status's period, ranked (inside the caller's snapshot)."""
    scores = {u.unit.name: UnitScore(u.unit.name, settings.scoring.base) for u in status.units}
    for unit, deduction in period_events(conn, status, settings, sent_back, closed_early):
        if unit in scores and deduction.points:
            scores[unit].deductions.append(deduction)
    return ranked(list(scores.values()))


def ranked(scores: list[UnitScore]) -> list[UnitScore]:
    """Highest first; equal scores share a rank (1, 1, 3), then the units' own order."""
    order = sorted(range(len(scores)), key=lambda n: (-scores[n].score, n))
    out = [scores[n] for n in order]
    for n, sc in enumerate(out):
        sc.rank = out[n - 1].rank if n and out[n - 1].score == sc.score else n + 1
    return out


def period_events(conn: Connection, status: StatusReport, settings: Settings, sent_back: EventHook,
                  closed_early: EventHook):
    """(unit, deduction) for each recorded event of the period the rubric counts."""
    rubric, period, zone = settings.scoring, status.period, ZoneInfo(settings.office.timezone)
    for u in status.units:
        if u.outcome == LATE:
            yield u.unit.name, Deduction(f"逾期报送（{u.submitted_at:%m月%d日}报送，截止{status.deadline:%m月%d日}）",
                                         -rubric.late, period)
        elif not u.reported:
            yield u.unit.name, Deduction(f"{label(period)}台账未报送", -rubric.missing, period)
    yield from _rejections(conn, period, rubric.rejected, zone)
    for unit, item, reason in sent_back(conn, period):
        yield unit, Deduction(reason or "台账被督查室审核退回", -rubric.sent_back, period, item)
    yield from _content_flags(conn, period, rubric.content_flag)
    yield from _notices(conn, period, rubric, zone)
    yield from _ahead(conn, period, rubric.ahead_bonus, settings)
    for unit, item, reason in closed_early(conn, period):
        yield unit, Deduction(reason or "任务提前销号", rubric.early_close_bonus, period, item)


def _rejections(conn: Connection, period: str, points: float, zone: ZoneInfo):
    i = s.intake.c
    query = (sa.select(s.units.c.name, i.original_name, i.received_at).join(s.units, s.units.c.id == i.unit_id)
             .where(i.period == period, i.outcome == "rejected").order_by(i.id))
    for unit, name, at in conn.execute(query):
        yield unit, Deduction(f"报送文件被系统退回（{_local(at, zone)}收到）", -points, period, name.rsplit("/", 1)[-1])


def _content_flags(conn: Connection, period: str, points: float):
    sub, i = s.submissions.c, s.intake.c
    query = (sa.select(s.units.c.name, i.findings).join(s.submissions, sub.intake_id == i.id)
             .join(s.units, s.units.c.id == sub.unit_id).where(sub.period == period, sub.is_current).order_by(sub.id))
    for unit, findings in conn.execute(query):
        for f in findings or []:
            if isinstance(f, dict) and f.get("code") in CHECKS:
                yield unit, Deduction(f"内容审核提示：{_problem(f)}", -points, period, f.get("cell") or "")


def _notices(conn: Connection, period: str, rubric, zone: ZoneInfo):
    e = s.escalations.c
    query = (sa.select(s.units.c.name, e.colour, e.year, e.seq, e.reply_due, e.replied_at)
             .join(s.units, s.units.c.id == e.unit_id).where(e.period == period).order_by(e.id))
    for unit, colour, year, seq, due, replied_at in conn.execute(query):
        number = f"督办〔{year}〕{seq}号"
        if colour in ("yellow", "red"):
            yield unit, Deduction(f"收到{'黄色' if colour == 'yellow' else '红色'}督办单",
                                  -(rubric.yellow if colour == "yellow" else rubric.red), period, number)
        if replied_at is not None and _at(replied_at).astimezone(zone).date() > due:
            yield unit, Deduction(f"督办单逾期反馈（反馈时限 {due:%m月%d日}）", -rubric.reply_late, period, number)


def _ahead(conn: Connection, period: str, points: float, settings: Settings):
    if not points:
        return
    sub, r = s.submissions.c, s.submission_rows.c
    query = (sa.select(s.units.c.name, s.items.c.number, s.items.c.title, r.status)
             .join(s.submissions, sub.id == r.submission_id).join(s.units, s.units.c.id == sub.unit_id)
             .join(s.items, s.items.c.id == r.item_id)
             .where(sub.period == period, sub.is_current, r.role == "lead").order_by(r.id))
    for unit, number, title, status in conn.execute(query):
        if settings.vocabulary.meaning(status) == AHEAD:
            yield unit, Deduction(f"任务{status}", points, period, f"{number} {title}")


def _problem(f: dict[str, Any]) -> str:
    from ledger.findings import Finding

    return Finding.from_dict(f).problem_alone


def _at(t):
    from datetime import timezone

    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t


def _local(t, zone: ZoneInfo) -> str:
    return _at(t).astimezone(zone).strftime("%m月%d日 %H:%M")


def year_scores(per_period: list[list[UnitScore]], base: float) -> list[UnitScore]:
    """The year to date: one base, every deduction of the periods given (units in first-seen order)."""
    total: dict[str, UnitScore] = {}
    for scores in per_period:
        for sc in scores:
            total.setdefault(sc.unit, UnitScore(sc.unit, base)).deductions.extend(sc.deductions)
    return ranked(list(total.values()))


@dataclass
class Scores:
    period: str
    year: bool
    units: list[UnitScore]
    periods: list[str] = field(default_factory=list)    # the periods counted

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "year": self.year, "periods": self.periods,
                "units": [u.to_dict() for u in self.units]}


def score_units(ws, period: str | None = None, year: bool = False, sent_back: EventHook = _sent_back,
                closed_early: EventHook = NO_EVENTS, status=None) -> Scores:
    """The units' scores for a period (by default last month), or for its year up to it; ``status``:
    the period's status when the caller has just read it (the board), so it is not read twice."""
    from ledger.report import data
    from ledger.report.status import read_status

    period = data.resolve_period(period, ws.settings.office.timezone)
    with data.snapshot(ws.engine) as conn:
        data.check_known(conn, period)
        periods = _year_periods(conn, period) if year else [period]
        each = [period_scores(conn, status if status is not None and status.period == p else read_status(conn, p, ws.settings),
                              ws.settings, sent_back, closed_early)
                for p in periods]
    units = year_scores(each, ws.settings.scoring.base) if year else each[0]
    return Scores(period, year, units, periods)


def _year_periods(conn: Connection, period: str) -> list[str]:
    """Periods of the year up to ``period`` with templates issued or files received."""
    t, i = s.templates.c, s.intake.c
    start = f"{period[:4]}-01"
    found = set(conn.execute(sa.select(t.period).where(t.period >= start, t.period <= period).distinct()).scalars())
    found |= set(conn.execute(sa.select(i.period).where(i.period >= start, i.period <= period).distinct()).scalars())
    return sorted(p for p in found if p)
