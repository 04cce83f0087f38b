"""The status of a period: every expected unit's outcome against the deadline, and the 催报名单.

A unit reported on time when its current accepted submission arrived (in ``office.timezone``) on
or before the deadline date, late when after; without one it is 退回待重报 when its latest file of
the period was rejected, otherwise 未报送.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from ledger.period import deadline as deadline_of, label
from ledger.plan.model import ROLE_LABELS
import ledger.report.data as data
from ledger.report.columns import ReportColumn, write_table
from ledger.report.data import PlanHeader, Rejection, Submission, Unit
from ledger.report.deadlines import DeadlineWatch, period_end, watch
from ledger.report.merge import MergedItem, merge_items, share
from ledger.period_lock import locked
from ledger.signoff import signed_off_in
from ledger.report.sheets import created_time, date_text, new_workbook, percent_text, time_text
from ledger.settings import Settings
from ledger.statuses import DEFAULT_VOCABULARY, Vocabulary
from ledger.store import events
from ledger.store.plans import load_plan
from ledger.workspace import Workspace
from ledger.durable import sweep_temporaries
from ledger.xlsx import atomic_output

ON_TIME, LATE, REJECTED, MISSING = "on_time", "late", "rejected", "missing"
OUTCOMES = (ON_TIME, LATE, REJECTED, MISSING)
OUTCOME_LABELS = {ON_TIME: "按时报送", LATE: "逾期报送", REJECTED: "退回待重报", MISSING: "未报送"}
IMPORTED_LABEL = "已导入（督查室原有台账）"   # counted as reported on time: the office's own record of the month
REMINDERS_NAME = "催报名单.xlsx"


@dataclass
class UnitStatus:
    """One expected unit's outcome for the period."""

    unit: Unit
    outcome: str
    submitted_at: datetime | None = None     # local time of the current accepted submission
    rejection: Rejection | None = None
    rejected_at: datetime | None = None      # local time the rejected file was received
    corrected_at: datetime | None = None     # local time of the late correction now current (更正)
    correction_pending: bool = False         # a late correction waits for the office's review
    review: str | None = None                # with [review] required: pending, approved (ledger.review)
    imported: bool = False                   # the month's values came with the plan (plan import --progress-period)

    @property
    def label(self) -> str:
        return IMPORTED_LABEL if self.imported else OUTCOME_LABELS[self.outcome]

    @property
    def review_label(self) -> str:
        return {"pending": "待审核", "approved": "审核通过"}.get(self.review or "", "")

    @property
    def reported(self) -> bool:
        return self.outcome in (ON_TIME, LATE)

    def reason(self) -> str:
        """Why a rejected file went back, in one line."""
        if not self.rejection:
            return ""
        why = "；".join(self.rejection.messages) or "详见退回意见"
        return f"{time_text(self.rejected_at)} 收到的“{self.rejection.file_name}”被退回：{why}"

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.name, "lead": self.unit.lead, "support": self.unit.support,
                "outcome": self.outcome, "outcome_label": self.label,
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
                "rejected_at": self.rejected_at.isoformat() if self.rejected_at else None,
                "messages": self.rejection.messages if self.rejection else [],
                "corrected_at": self.corrected_at.isoformat() if self.corrected_at else None,
                "correction_pending": self.correction_pending,
                "review": self.review, "imported": self.imported}

    def correction_text(self) -> str:
        """更正于 …, 更正待审核, or nothing."""
        if self.corrected_at:
            return f"更正于 {time_text(self.corrected_at)}"
        return "更正待审核" if self.correction_pending else ""


@dataclass
class Totals:
    expected: int
    on_time: int
    late: int
    rejected: int
    missing: int

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def reporting_rate(self) -> float:
        return share(self.reported, self.expected)

    @property
    def on_time_rate(self) -> float:
        """Units that reported on time, over all expected units."""
        return share(self.on_time, self.expected)

    def to_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "reported": self.reported, "on_time": self.on_time,
                "late": self.late, "rejected": self.rejected, "missing": self.missing,
                "reporting_rate": round(self.reporting_rate, 4), "on_time_rate": round(self.on_time_rate, 4)}

    def sentence(self) -> str:
        return (f"应报送单位 {self.expected} 个，已报送 {self.reported} 个，报送率 {percent_text(self.reporting_rate)}；"
                f"其中按时报送 {self.on_time} 个，按时率 {percent_text(self.on_time_rate)}；"
                f"逾期报送 {self.late} 个，退回待重报 {self.rejected} 个，未报送 {self.missing} 个。")


@dataclass
class StatusReport:
    """The period's units and their outcomes."""

    period: str
    plan: PlanHeader
    deadline: date
    units: list[UnitStatus]
    as_of: datetime | None = None          # latest submission or rejection, local time
    office: str = ""
    deadlines: DeadlineWatch | None = None  # items overdue or due soon (filled by period_status)
    locked: Any = None                      # ledger.period_lock.LockState: the month is final (终版)
    signed_off: list = field(default_factory=list)   # ledger.signoff.SignedOff: items 已销号 by the report's month

    @property
    def signed_off_this_month(self) -> list:
        return [s for s in self.signed_off if s.this_month]

    @property
    def final_mark(self) -> str:
        """What a locked month's report title carries."""
        return "（终版）" if self.locked else ""

    @property
    def totals(self) -> Totals:
        n = {o: sum(1 for u in self.units if u.outcome == o) for o in OUTCOMES}
        return Totals(len(self.units), n[ON_TIME], n[LATE], n[REJECTED], n[MISSING])

    def waiting(self) -> list[UnitStatus]:
        """Units still owing an accepted submission: rejected first, then missing."""
        return [u for o in (REJECTED, MISSING) for u in self.units if u.outcome == o]

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "label": label(self.period), "plan_version": self.plan.version,
                "plan_title": self.plan.title, "deadline": self.deadline.isoformat(),
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "units": [u.to_dict() for u in self.units], "totals": self.totals.to_dict(),
                "deadlines": self.deadlines.to_dict() if self.deadlines else None,
                "locked": self.locked.to_dict() if self.locked else None,
                "signed_off": [s.to_dict() for s in self.signed_off]}


def outcome(sub: Submission | None, rej: Rejection | None, due: date, tz: ZoneInfo) -> str:
    if sub is not None:
        return ON_TIME if sub.imported or sub.submitted_at.astimezone(tz).date() <= due else LATE
    return REJECTED if rej is not None else MISSING


def unit_statuses(units: list[Unit], subs: dict[int, Submission], rejs: dict[int, Rejection],
                  due: date, tz: ZoneInfo, pending: set[int] = frozenset()) -> list[UnitStatus]:
    out = []
    for unit in units:
        sub, rej = subs.get(unit.id), rejs.get(unit.id)
        result = outcome(sub, rej, due, tz)
        rej = rej if result == REJECTED else None
        corrected = sub.corrected_at.astimezone(tz) if sub and sub.corrected_at else None
        out.append(UnitStatus(unit, result, sub.submitted_at.astimezone(tz) if sub else None,
                              rej, rej.received_at.astimezone(tz) if rej else None, corrected, unit.id in pending,
                              imported=bool(sub and sub.imported)))
    return out


def latest_time(statuses: list[UnitStatus]) -> datetime | None:
    times = [t for u in statuses for t in (u.submitted_at, u.rejected_at) if t]
    return max(times) if times else None


def read_status(conn: Connection, period: str, settings: Settings) -> StatusReport:
    """The status of a period as stored (inside the caller's snapshot)."""
    data.plan_header(conn)                        # no plan at all: say so first
    data.check_known(conn, period)
    plan = data.period_plan(conn, period)         # the plan in force then, never today's
    tz = ZoneInfo(settings.office.timezone)
    due = deadline_of(period, settings.office.deadline_day)
    lock = locked(conn, period)         # a locked month reads what was recorded before its lock only
    unit_of = data.unit_resolver(conn, plan)
    subs = {unit_of(uid): sub for uid, sub in data.current_submissions(conn, period).items()}
    rejected = {**data.send_backs(conn, period),          # a later file's rejection first, none after a lock
                **data.rejections(conn, period, before=lock.at if lock else None)}
    rejs = {unit_of(uid): rej for uid, rej in rejected.items()}
    pending = {unit_of(uid) for uid in data.pending_corrections(conn, period)}
    units = unit_statuses(data.expected_units(conn, plan.id), subs, rejs, due, tz, pending)
    if settings.review.required:
        _mark_reviews(conn, period, units, unit_of)
    closed = signed_off_in(conn, plan.id, period, tz, until=lock.at if lock else None)
    return StatusReport(period, plan, due, units, latest_time(units), settings.office.name,
                        locked=lock and lock.local(tz), signed_off=closed)


def _mark_reviews(conn: Connection, period: str, units: list[UnitStatus], unit_of) -> None:
    """Reported units: whether the office approved their submission yet (待审核 until it does); a
    review is the unit's as its submission is (``unit_of``: a renamed unit's under its name then)."""
    from ledger.review import current_reviews

    reviews = {unit_of(uid): found for uid, found in current_reviews(conn, period).items()}
    for status in units:
        if status.reported and status.unit.id in reviews:
            status.review = reviews[status.unit.id].state


def period_status(ws: Workspace, period: str | None = None) -> StatusReport:
    """The status of a period (by default last month) in a workspace, with its items against their
    完成时限 (read only when some item of the plan has a dated one: status stays cheap otherwise)."""
    period = data.resolve_period(period, ws.settings.office.timezone)
    with data.snapshot(ws.engine) as conn:
        report = read_status(conn, period, ws.settings)
        dated = data.has_dated_items(conn, report.plan.id)
    if not dated:
        report.deadlines = DeadlineWatch(period_end(period))
        return report
    plan = load_plan(ws.engine, report.plan.version)
    items = [i for i in plan.items if i.deadline]
    with data.snapshot(ws.engine) as conn:
        names = data.unit_names(conn)
        leads = {u for i in items for u in i.lead}
        entries = data.period_entries(conn, period, plan, names, lead_only=True,
                                      unit_ids=data.units_named(conn, plan, names, leads))
    vocabulary = ws.settings.vocabulary
    report.deadlines = deadline_watch(items, merge_items(items, entries, vocabulary), period, vocabulary)
    return report


def deadline_watch(items, merged: dict[int, MergedItem], period: str,
                   vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> DeadlineWatch:
    """The items against their deadlines, by their merged status for the period."""
    return watch(items, {i: m.status for i, m in merged.items()}, period_end(period), vocabulary)


def reminders_path(ws: Workspace, period: str) -> Path:
    return ws.outbox_dir / "reminders" / period / REMINDERS_NAME


def write_reminders(ws: Workspace, report: StatusReport, command: str = "status") -> Path:
    """催报名单.xlsx: units owing an accepted submission, their items and what is wrong."""
    waiting = report.waiting()
    with data.snapshot(ws.engine) as conn:
        items = data.unit_items(conn, report.plan.id, [u.unit.id for u in waiting])
    path = reminders_path(ws, report.period)
    with ws.lock():
        sweep_temporaries(ws.outbox_dir / "reminders")     # what a killed run left half-written
        with ws.engine.begin() as conn, atomic_output(path) as tmp:    # the event commits after the rename
            _reminders_workbook(tmp, report, waiting, items)
            events.record(conn, command, "reminders", f"{label(report.period)}催报名单 {len(waiting)} 个单位",
                          {"period": report.period, "units": [u.unit.name for u in waiting]})
    return path


def reminders_bytes(ws: Workspace, report: StatusReport) -> bytes:
    """The same 催报名单 as ``write_reminders``, made in a private temporary folder and returned:
    reading it (as the web's GET does) changes nothing in the workspace."""
    waiting = report.waiting()
    with data.snapshot(ws.engine) as conn:
        items = data.unit_items(conn, report.plan.id, [u.unit.id for u in waiting])
    with tempfile.TemporaryDirectory(prefix="ledger-reminders-") as folder:
        path = Path(folder) / REMINDERS_NAME
        _reminders_workbook(path, report, waiting, items)
        return path.read_bytes()


REMINDER_COLUMNS = (   # a row: (n, the unit's status, what it owes, the items it carries)
    ReportColumn("序号", 6, "int", lambda r: r[0]),
    ReportColumn("单位", 24, "wrap", lambda r: r[1].unit.name),
    ReportColumn("牵头任务", 9, "int", lambda r: r[1].unit.lead),
    ReportColumn("配合任务", 9, "int", lambda r: r[1].unit.support),
    ReportColumn("情况", 11, "center", lambda r: r[1].label),
    ReportColumn("说明", 46, "wrap", lambda r: r[2]),
    ReportColumn("承担任务", 50, "wrap", lambda r: _items_text(r[3])),
)


def _reminders_workbook(path: Path, report: StatusReport, waiting: list[UnitStatus],
                        items: dict[int, list[tuple[str, str, str]]]) -> None:
    title = f"{report.plan.title}工作台账催报名单（{label(report.period)}）"
    wb, fmt = new_workbook(path, created_time(report.as_of, report.deadline), title, report.office)
    sheet = wb.add_worksheet("催报名单")
    subtitle = (f"报送截止：{date_text(report.deadline)}　　数据截至：{time_text(report.as_of) or '尚无报送'}"
                f"　　{report.totals.sentence()}")
    rows = [(n, status, _what(status, report), items.get(status.unit.id, []))
            for n, status in enumerate(waiting, start=1)]
    first = write_table(sheet, fmt, title, subtitle, REMINDER_COLUMNS, rows, empty="本期全部单位均已报送。")
    sheet.set_row(first - 2, 36)
    wb.close()


def _what(status: UnitStatus, report: StatusReport) -> str:
    if status.outcome == REJECTED:
        return status.reason() + "。请按退回意见修改后重新报送。"
    return f"尚未报送{label(report.period)}工作台账（截止 {date_text(report.deadline)}）。"


def _items_text(items: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"【{ROLE_LABELS[role]}】{number} {title}" for role, number, title in items)
