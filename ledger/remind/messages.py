"""What to send to whom: a period's reminders, one per unit, kind and channel, each with a dedupe key.

Kinds (``ledger.settings.MESSAGE_KINDS``): ``due_soon`` (a unit without an accepted submission, the
deadline within ``remind.due_soon_days``), ``due_today`` (the deadline is today), ``overdue`` (the
deadline has passed), ``rejected`` (the unit's latest file of the period was returned by the
machine; with its top findings), ``sent_back`` (the office sent the unit's ledger back on review,
``ledger.review``; with its comment) and ``escalation`` (a 督办单 of the period awaits the unit's
reply, ``ledger.supervise``). The dedupe key names the period, kind, unit and channel (and the
occasion: a returned file's receipt time, a 督办单's number), so each unit gets each reminder once
per channel, however often the run is repeated; a new rejection or a new 督办单 is a new message.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ledger.contacts import Contact
from ledger.period import label
from ledger.remind.wording import KIND_LABELS, Wording
from ledger.settings import ChannelSettings, Settings

TIMED = ("due_soon", "due_today", "overdue")
EVENTS = ("rejected", "sent_back", "escalation")     # sent when they happen, whatever the day
TOP_FINDINGS = 3


@dataclass(frozen=True)
class Waiting:
    """A unit owing its period's ledger, as ``messages`` needs it (from the period's status)."""

    unit_id: int | None
    unit: str
    lead: int
    support: int
    rejected_at: str = ""                 # ISO receipt time of the returned file, when rejected
    findings: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    link: str = ""
    notice: dict[str, str] | None = None  # escalation: 督办单号, 督办颜色, 反馈时限, 督办事项
    notice_id: int | None = None          # escalation: the 督办单's record (its occasion, in ASCII)


@dataclass
class Message:
    dedupe_key: str
    unit_id: int | None
    unit: str
    period: str
    kind: str
    channel: str                          # the channel's label (its name, else its kind)
    recipients: list[str]                 # e-mail addresses (smtp) or mobile numbers (the others)
    subject: str
    body: str
    link: str = ""
    deadline: str = ""
    state: str = ""                       # as recorded in the outbox ("" when not yet)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kinds_due(today: date, deadline: date, soon_days: int) -> list[str]:
    """The kinds today calls for on its own (a run that names no kind)."""
    days = (deadline - today).days
    timed = "due_today" if days == 0 else "overdue" if days < 0 else "due_soon" if days <= soon_days else None
    return [k for k in (timed, *EVENTS) if k]


def applies(kind: str, today: date, deadline: date) -> bool:
    """Whether a kind can be sent today at all, asked for or not (no 即将截止 after the deadline)."""
    days = (deadline - today).days
    return {"due_soon": days > 0, "due_today": days == 0, "overdue": days < 0}.get(kind, True)


def channel_takes(channel: ChannelSettings, kind: str, unit: str) -> bool:
    return (not channel.kinds or kind in channel.kinds) and (not channel.units or unit in channel.units)


def recipients(channel: ChannelSettings, contacts: tuple[Contact, ...]) -> list[str]:
    """E-mail addresses for smtp; mobile numbers (to mention, or to text) for the others."""
    found = [c.email if channel.kind == "smtp" else c.phone for c in contacts]
    return list(dict.fromkeys(v for v in found if v))


def dedupe_key(period: str, kind: str, who: Waiting, channel: str) -> str:
    """ASCII (it travels in a header): the channel by a digest of its name."""
    occasion = (f":{who.rejected_at}" if kind in ("rejected", "sent_back")
                else f":n{who.notice_id}" if kind == "escalation" else "")
    digest = hashlib.sha256(channel.encode("utf-8")).hexdigest()[:12]
    return f"{period}:{kind}:{who.unit_id}{occasion}:{digest}"[:255]


def build(period: str, kinds: list[str], waiting: list[Waiting], rejected: list[Waiting],
          settings: Settings, wordings: dict[str, Wording], deadline: date, today: date,
          sent_back: list[Waiting] = (), noticed: list[Waiting] = ()) -> tuple[list[Message], list[str]]:
    """The messages for the kinds asked, and notes for the office (a unit no channel reaches, …):
    ``waiting`` owe the ledger, ``rejected`` had it returned by the machine, ``sent_back`` by the
    office; ``noticed`` hold a 督办单 awaiting their reply (one entry per notice)."""
    messages: list[Message] = []
    notes: list[str] = []
    addressed = {"rejected": rejected, "sent_back": sent_back, "escalation": noticed}
    for kind in kinds:
        if kind not in wordings:
            notes.append(f"催报消息模板中没有“## {kind}”一节，未发送“{KIND_LABELS[kind]}”提醒")
        elif not applies(kind, today, deadline):
            notes.append(f"今天（{today:%Y-%m-%d}）不发“{KIND_LABELS[kind]}”提醒（截止日为 {deadline:%Y-%m-%d}）")
        else:
            for who in addressed.get(kind, waiting):
                found = _for_unit(period, kind, who, settings, wordings[kind], deadline, today)
                messages += found
                if not found:
                    notes.append(f"{who.unit}没有可用的发送渠道（{KIND_LABELS[kind]}）：请用 ledger units set 填写其邮箱"
                                 "或手机，或检查 [[channels]] 的 units、kinds")
    return messages, notes


def _for_unit(period: str, kind: str, who: Waiting, settings: Settings, wording: Wording, deadline: date,
              today: date) -> list[Message]:
    """One unit's message of one kind, through every channel that takes it and can reach the unit."""
    values = {"单位": who.unit, "月份": label(period), "截止日期": f"{deadline.year}年{deadline.month}月{deadline.day}日",
              "剩余天数": str(max((deadline - today).days, 0)), "链接": who.link or "（请向督查室索取报送链接）",
              "应报事项": _duty(who), "退回原因": "；".join(who.findings) or "详见退回意见",
              "发文单位": settings.office.name, "联系人": settings.office.contact, "联系电话": settings.office.phone,
              **(who.notice or {})}
    subject, body = wording.fill(values)
    out = []
    for channel in settings.channels:
        to = recipients(channel, who.contacts)
        if not channel_takes(channel, kind, who.unit) or (channel.kind == "smtp" and not to):
            continue                     # not this channel's, or no e-mail address to reach the unit by
        out.append(Message(dedupe_key(period, kind, who, channel.label), who.unit_id, who.unit, period, kind,
                           channel.label, to, subject, body, who.link, deadline.isoformat()))
    return out


def _duty(who: Waiting) -> str:
    parts = [f"牵头 {who.lead} 项" if who.lead else "", f"配合 {who.support} 项" if who.support else ""]
    return "、".join(p for p in parts if p) or "本单位事项"
