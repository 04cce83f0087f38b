"""``ledger remind``: plan a period's reminders, record them in the outbox, send what is due.

Each run records the messages it plans before sending any (a message already recorded is not
recorded again), then sends every recorded message of the period that is due, its own or left by
an earlier run: pending ones, failed ones whose retry time has come, and ones a dead sender left
half-done. A channel that fails as a whole (server down, refused login) is not tried again in the
same pass; the other channels go on. Failures are retried with a doubling wait up to
``remind.max_attempts``, then given up and shown on the board and in ``ledger log``.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ledger.errors import LedgerError, UnitNotFoundError
from ledger.period import label
from ledger.remind import outbox
from ledger.remind.channels import ChannelError, channel_for
from ledger.remind.messages import Message, Waiting, build, kinds_due
from ledger.remind.wording import KIND_LABELS, read_wordings
from ledger.settings import MESSAGE_KINDS
from ledger.store import events
from ledger.workspace import Workspace

MAX_PASSES = 1000
DIGEST = "digest"                   # the office's own summary of a run (smtp channels with ``to``)
MAX_ATTACHMENT = 10 * 1024 * 1024   # a report or 通报 larger than this is named, not attached


class NoChannelError(LedgerError):
    """No ``[[channels]]`` in ledger.toml: nothing can be sent."""


NO_CHANNEL = ("未设置发送渠道，没有发送任何提醒：请在 ledger.toml 中添加 [[channels]]"
              "（邮件 smtp、企业微信 wecom、钉钉 dingtalk、飞书 feishu 或网关 webhook，写法见 ledger.toml 中的说明）")


@dataclass
class RemindResult:
    period: str
    today: date
    deadline: date
    kinds: list[str]
    dry_run: bool
    messages: list[Message] = field(default_factory=list)   # planned this run (with recorded states)
    recorded: int = 0                                       # new in the outbox
    sent: list[dict[str, Any]] = field(default_factory=list)
    retrying: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)   # given up
    cancelled: list[dict[str, Any]] = field(default_factory=list)  # recorded earlier, no longer due
    digests: list[dict[str, Any]] = field(default_factory=list)    # the office's digest e-mails (smtp ``to``)
    channel_errors: dict[str, str] = field(default_factory=dict)  # channel -> its one line
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One Chinese line for the log and the schedule's history."""
        if self.dry_run:
            return f"{label(self.period)}催报预览：将发送 {sum(1 for m in self.messages if m.state != outbox.SENT)} 条"
        text = f"{label(self.period)}催报：发送 {len(self.sent)} 条"
        if self.retrying:
            text += f"，{len(self.retrying)} 条待重试"
        if self.failed:
            text += f"，{len(self.failed)} 条发送失败"
        if self.cancelled:
            text += f"，{len(self.cancelled)} 条已无需发送"
        if self.channel_errors:
            text += "；" + "；".join(self.channel_errors.values())
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "today": self.today.isoformat(), "deadline": self.deadline.isoformat(),
                "kinds": self.kinds, "dry_run": self.dry_run, "messages": [m.to_dict() for m in self.messages],
                "recorded": self.recorded, "sent": self.sent, "retrying": self.retrying, "failed": self.failed,
                "cancelled": self.cancelled, "digests": self.digests,
                "channel_errors": self.channel_errors, "notes": self.notes, "summary": self.summary()}


def plan_reminders(ws: Workspace, period: str | None = None, kinds: Iterable[str] = (), unit: str | None = None,
                   today: date | None = None, issue_links: bool = False) -> RemindResult:
    """The messages a run would send now, each with the state the outbox has for it (no state changes
    unless ``issue_links``: then units without a link get one, as ``ledger links`` would)."""
    from ledger.report import period_status
    from ledger.report.data import resolve_period
    from ledger.store.links import units_issued

    settings = ws.settings
    if not settings.channels:
        raise NoChannelError(NO_CHANNEL)
    period = resolve_period(period, settings.office.timezone)
    status = period_status(ws, period)
    today = today or datetime.now(ZoneInfo(settings.office.timezone)).date()
    asked = _kinds(kinds) or kinds_due(today, status.deadline, settings.remind.due_soon_days)
    result = RemindResult(period, today, status.deadline, asked, not issue_links)
    issued = units_issued(ws.engine, period)
    links = _links(ws, period, issue_links, result.notes) if issued else {}     # read (or issued) once a run
    missing, rejected, sent_back = _owing(ws, status, unit, issued, links)
    noticed = _noticed(ws, period, unit, links) if "escalation" in asked else []
    result.messages, notes = build(period, asked, missing, rejected, settings,
                                   read_wordings(ws.templates_dir, write=issue_links), status.deadline, today,
                                   sent_back, noticed)
    result.notes += notes
    recorded = outbox.states(ws.engine, [m.dedupe_key for m in result.messages])
    for m in result.messages:
        m.state = recorded.get(m.dedupe_key, "")
    return result


def _owing(ws: Workspace, status, unit: str | None, issued: dict[str, int],
           links: dict[str, str]) -> tuple[list[Waiting], list[Waiting], list[Waiting]]:
    """The units still owing the period's ledger (of those ``issued`` a template): missing, rejected
    by the machine and sent back by the office, with their contacts and links; ``unit`` alone when named."""
    from ledger.report.status import MISSING, REJECTED
    from ledger.store.contacts import contacts_by_id

    period = status.period
    units = [u for u in status.units if u.outcome in (MISSING, REJECTED)]
    if unit is not None:
        if unit not in {u.unit.name for u in status.units}:
            raise UnitNotFoundError(f"“{unit}”不是{label(period)}应报送的单位：请用 ledger status --period {period} 查看")
        units = [u for u in units if u.unit.name == unit]
    if issued:
        units = [u for u in units if u.unit.name in issued]
    contacts = contacts_by_id(ws.engine, [u.unit.id for u in units])

    def waiting(u) -> Waiting:
        return Waiting(u.unit.id, u.unit.name, u.unit.lead, u.unit.support,
                       u.rejected_at.isoformat() if u.rejected_at else "",
                       tuple(u.rejection.messages[:3]) if u.rejection else (), tuple(contacts[u.unit.id]),
                       links.get(u.unit.name, ""))
    returned = [u for u in units if u.outcome == REJECTED]
    return ([waiting(u) for u in units if u.outcome == MISSING],
            [waiting(u) for u in returned if not (u.rejection and u.rejection.by_office)],
            [waiting(u) for u in returned if u.rejection and u.rejection.by_office])


def _noticed(ws: Workspace, period: str, unit: str | None, links: dict[str, str]) -> list[Waiting]:
    """One entry per 督办单 of the period still awaiting its unit's reply (``ledger.supervise``)."""
    from ledger.store.contacts import contacts_by_id
    from ledger.store.escalations import OPEN, notices
    from ledger.supervise.rules import COLOUR_LABELS

    found = [n for n in notices(ws.engine, period=period, unit=unit) if n["state"] == OPEN]
    if not found:
        return []
    contacts = contacts_by_id(ws.engine, list({n["unit_id"] for n in found}))
    out = []
    for n in found:
        due = n["reply_due"]
        out.append(Waiting(n["unit_id"], n["unit"], 0, 0, contacts=tuple(contacts[n["unit_id"]]),
                           link=links.get(n["unit"], ""), notice_id=n["id"],
                           notice={"督办单号": n["number"], "督办颜色": COLOUR_LABELS.get(n["colour"], n["colour"]),
                                   "反馈时限": f"{due.year}年{due.month}月{due.day}日",
                                   "督办事项": _notice_items(n)}))
    return out


def _notice_items(notice: dict[str, Any]) -> str:
    """What the 督办单 is about, in a line: its items' numbers (or the missing reports)."""
    items = notice.get("items") or []
    numbers = [str(i.get("number")) for i in items if isinstance(i, dict) and i.get("number")]
    return f"第 {'、'.join(numbers)} 项" if numbers else "未按时报送工作台账"


def remind(ws: Workspace, period: str | None = None, kinds: Iterable[str] = (), unit: str | None = None,
           dry_run: bool = False, today: date | None = None, command: str = "remind",
           retry_within: float | None = None) -> RemindResult:
    """Plan, record and send the period's reminders (``dry_run``: plan only, nothing recorded or sent).
    ``retry_within`` overrides ``remind.retry_within_seconds`` (the web page waits for no retry)."""
    result = plan_reminders(ws, period, kinds, unit, today, issue_links=not dry_run)
    if dry_run:
        return result
    result.recorded = outbox.record(ws.engine, result.messages)
    deliver(ws, result, unit, retry_within)
    _send_digests(ws, result, retry_within)
    _log(ws, result, command)
    return result


def _send_digests(ws: Workspace, result: RemindResult, retry_within: float | None) -> None:
    """One e-mail per smtp channel with ``to``: what this run sent and what did not go, with the
    period's report and 通报 attached when made. Recorded and sent like any message."""
    digests = digest_messages(ws, result)
    if not digests:
        return
    outbox.record(ws.engine, digests)
    run = RemindResult(result.period, result.today, result.deadline, [DIGEST], False, messages=digests)
    deliver(ws, run, None, retry_within)
    result.digests = run.sent + run.failed + run.retrying
    result.channel_errors.update(run.channel_errors)


def digest_messages(ws: Workspace, result: RemindResult) -> list[Message]:
    from ledger.report.build import period_outputs

    offices = [c for c in ws.settings.channels if c.kind == "smtp" and c.to]
    if not offices or not (result.sent or result.failed or result.retrying or result.cancelled):
        return []
    try:
        files = [p for p in period_outputs(ws, result.period) if p.is_file()]
    except LedgerError:
        files = []
    kept = [p for p in files if p.stat().st_size <= MAX_ATTACHMENT]
    lines = [result.summary() + "。"]
    lines += [f"已发送：{m['unit']} {m['kind_label']}（{m['channel']}：{'、'.join(m['recipients']) or '群消息'}）" for m in result.sent]
    lines += [f"未发出：{m['unit']} {m['kind_label']}（{m['channel']}）：{m['error']}" for m in result.failed + result.retrying]
    lines += [f"附件：{p.name}" for p in kept] + [f"未附（超过 {MAX_ATTACHMENT >> 20} MB）：{p.name}" for p in files if p not in kept]
    run = secrets.token_hex(6)
    return [Message(f"{result.period}:{DIGEST}:{run}:{hashlib.sha256(c.label.encode()).hexdigest()[:12]}", None,
                    ws.settings.office.name, result.period, DIGEST, c.label, list(c.to),
                    f"【催报汇总】{label(result.period)}：发送 {len(result.sent)} 条，未发出 {len(result.failed) + len(result.retrying)} 条",
                    "\n".join(lines), extra={"attachments": [ws.relative(p) for p in kept]}) for c in offices]


def deliver(ws: Workspace, result: RemindResult, unit: str | None = None, retry_within: float | None = None) -> None:
    """Send the period's due messages (of the kinds asked) until none is due within ``retry_within_seconds``."""
    settings = ws.settings.remind
    sender = _Sender(ws, result, unit)
    stop_at = time.monotonic() + (settings.retry_within_seconds if retry_within is None else retry_within)
    for _ in range(MAX_PASSES):
        sender.one_pass()
        wait = _next_wait(ws, result, unit, stop_at)
        if wait is None:
            break
        time.sleep(wait)
    result.failed = list(sender.given_up.values())
    result.retrying = [{**_shown(r), "error": r["last_error"]}
                       for r in outbox.waiting_retry(ws.engine, result.period, result.kinds, unit)]


class _Sender:
    """One process sending: it claims rows one at a time, sends each through its channel and records
    the outcome; a channel found down in a pass waits with its other messages."""

    def __init__(self, ws: Workspace, result: RemindResult, unit: str | None) -> None:
        self.ws, self.result, self.unit = ws, result, unit
        self.settings = ws.settings.remind
        self.channels = {c.label: channel_for(c) for c in ws.settings.channels}
        self.owner = outbox.new_owner()
        self.due = {m.dedupe_key for m in result.messages}     # what the period's status calls for now
        self.given_up: dict[int, dict[str, Any]] = {}

    def one_pass(self) -> None:
        down: dict[str, tuple[datetime, str]] = {}      # channel -> when to try it again, why
        waiting_on: dict[str, list[int]] = {}           # channel -> its rows not tried this pass
        result = self.result
        for row in outbox.candidates(self.ws.engine, result.period, result.kinds, self.unit, self.settings.stale_seconds):
            if row["channel"] not in self.channels:
                result.notes.append(f"渠道“{row['channel']}”已不在 ledger.toml 中，发给{row['unit_name']}的消息未发送")
            elif row["channel"] in down:
                waiting_on.setdefault(row["channel"], []).append(row["id"])
            elif row["dedupe_key"] not in self.due:
                if outbox.cancel(self.ws.engine, row, "已无需发送：单位已报送，或已过该提醒的时间"):
                    result.cancelled.append(_shown(row))
            elif outbox.claim(self.ws.engine, row, self.owner):
                failure = self.send(row)
                if failure:
                    down[row["channel"]] = failure
        for name, ids in waiting_on.items():
            outbox.postpone(self.ws.engine, ids, *down[name])

    def send(self, row: dict[str, Any]) -> tuple[datetime, str] | None:
        """Send a claimed row; when its channel is down, (when to try the channel again, why)."""
        settings, engine = self.settings, self.ws.engine
        try:
            self.channels[row["channel"]].send(_message(self.ws, row))
        except ChannelError as exc:
            state, again = outbox.mark_failed(engine, row["id"], self.owner, exc.text, row["attempts"] + 1,
                                              settings.max_attempts, settings.backoff_seconds)
            if state == outbox.FAILED:
                self.given_up[row["id"]] = {**_shown(row), "error": exc.text}
            if not exc.down:
                return None
            self.result.channel_errors[row["channel"]] = exc.text
            return again, exc.text
        except Exception as exc:     # our bug: recorded on the message, then raised (never a silent loss)
            outbox.mark_failed(engine, row["id"], self.owner, f"内部错误：{type(exc).__name__}: {exc}",
                               row["attempts"] + 1, settings.max_attempts, settings.backoff_seconds)
            raise
        outbox.mark_sent(engine, row["id"], self.owner)
        self.result.sent.append(_shown(row))
        return None


def _next_wait(ws: Workspace, result: RemindResult, unit: str | None, stop_at: float) -> float | None:
    """Seconds until the next retry, when it falls before ``stop_at``; None: this run is done."""
    nxt = outbox.next_retry(ws.engine, result.period, result.kinds, unit)
    if nxt is None:
        return None
    wait = max((nxt - outbox.now()).total_seconds(), 0.0)
    return wait if time.monotonic() + wait <= stop_at else None


def _message(ws: Workspace, row: dict[str, Any]) -> Message:
    return Message(row["dedupe_key"], row["unit_id"], row["unit_name"], row["period"], row["kind"], row["channel"],
                   list(row["recipients"] or []), row["subject"], row["body"], row["link"],
                   row["deadline"].isoformat() if row["deadline"] else "",
                   extra={"files": [str(ws.root / a) for a in row["attachments"] or []]})


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"unit": row["unit_name"], "kind": row["kind"], "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
            "channel": row["channel"], "recipients": list(row["recipients"] or [])}


def _kinds(kinds: Iterable[str]) -> list[str]:
    asked = list(dict.fromkeys(kinds))
    wrong = [k for k in asked if k not in MESSAGE_KINDS]
    if wrong:
        raise LedgerError(f"消息种类“{wrong[0]}”无效，应为以下之一：{'、'.join(MESSAGE_KINDS)}")
    return asked


def _links(ws: Workspace, period: str, issue: bool, notes: list[str]) -> dict[str, str]:
    """Each issued unit's link for the period (a revoked one has none). Read-only unless ``issue``."""
    from ledger.links import current_links, unit_links

    if issue:
        for attempt in range(3):
            try:
                return {link.unit: link.url for link in unit_links(ws, period, write_manifest=False, command="remind").links}
            except LedgerError as exc:
                notes.append(f"未附报送链接：{exc}")
                return {}
            except sa.exc.IntegrityError:      # another sender issued the same (derived) link a moment ago
                if attempt == 2:
                    raise
    return {unit: url for unit, url in (current_links(ws, period) or {}).items() if url}


def _log(ws: Workspace, result: RemindResult, command: str) -> None:
    with ws.engine.begin() as conn:
        events.record(conn, command, "remind", result.summary(),
                      {"period": result.period, "kinds": result.kinds, "sent": result.sent,
                       "retrying": result.retrying, "failed": result.failed})
        for channel, error in result.channel_errors.items():
            events.record(conn, command, "remind-failed", error, {"period": result.period, "channel": channel})
        for failed in result.failed:
            events.record(conn, command, "remind-failed",
                          f"发给{failed['unit']}的{failed['kind_label']}提醒已放弃（多次发送失败）：{failed['error']}",
                          {"period": result.period, **failed})
