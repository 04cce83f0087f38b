"""A unit's written reply to a 督办单 (text, an optional file) and the office's 办结 or keeping it open."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Any

from ledger.errors import LedgerError
from ledger.store import escalations as store
from ledger.store import events
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output, safe_name

MAX_REPLY_CHARS = 5000
REPLIES = "反馈材料"


class NoticeNotFoundError(LedgerError):
    """No 督办单 has that id (or it is not the unit's)."""


class NoticeStateError(LedgerError):
    """The 督办单 cannot take that step in its state (a closed one takes no reply)."""


OFFICE = "督查室"


def close_notice(ws: Workspace, notice_id: int, comment: str | None, keep_open: bool = False,
                 now: datetime | None = None, by: str = OFFICE) -> dict[str, Any]:
    """办结 a notice, or keep it open with a comment the unit sees on its page.

    ``by`` names who did it: the office as a whole until office users have accounts of their own
    (a hook for them: pass the signed-in user's name)."""
    now = now or datetime.now(timezone.utc)
    found = store.notice(ws.engine, notice_id)
    if found is None:
        raise NoticeNotFoundError(f"没有编号（ID）为 {notice_id} 的督办单，可用 ledger escalations list 查看")
    if keep_open and not (comment or "").strip():
        raise NoticeStateError("不办结时请用 --comment 写明原因，单位会在报送页面看到")
    with ws.engine.begin() as conn:
        if keep_open:
            today = now.astimezone(ZoneInfo(ws.settings.office.timezone)).date()
            store.keep_open(conn, notice_id, comment.strip(), today + timedelta(days=ws.settings.escalation.reply_days), by)
            what = "退回继续办理"
        else:
            store.close(conn, notice_id, (comment or "").strip() or None, now, by)
            what = "办结"
        events.record(conn, "escalations", "escalation-close" if not keep_open else "escalation-keep",
                      f"{by}：督办单 {found['number']}（{found['unit']}）{what}", {"id": notice_id, "comment": comment, "by": by})
    return store.notice(ws.engine, notice_id)


def reply_notice(ws: Workspace, unit: str, notice_id: int, text: str, file_name: str | None = None,
                 content: bytes | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Record the unit's reply; an attached file is kept under outbox/督办单/反馈材料/ (size bounded)."""
    now = now or datetime.now(timezone.utc)
    found = store.notice(ws.engine, notice_id)
    if found is None or found["unit"] != unit:
        raise NoticeNotFoundError("没有这份督办单")
    if found["state"] == store.CLOSED:
        raise NoticeStateError("这份督办单已办结，无需再反馈")
    text = (text or "").strip()
    if not text:
        raise NoticeStateError("请填写办理情况")
    if len(text) > MAX_REPLY_CHARS:
        raise NoticeStateError(f"办理情况请不超过 {MAX_REPLY_CHARS} 字，详细材料可作为附件上传")
    kept = None
    if content:
        limit = int(ws.settings.collect.max_file_mb * 1024 * 1024)
        if len(content) > limit:
            raise NoticeStateError(f"附件超过 {ws.settings.collect.max_file_mb:g} MB，请压缩后上传")
        path = ws.outbox_dir / "督办单" / REPLIES / f"{notice_id}_{safe_name(Path(file_name or '附件').name, '附件')}"
        with atomic_output(path) as tmp:
            tmp.write_bytes(content)
        kept = ws.relative(path)
    with ws.engine.begin() as conn:
        store.reply(conn, notice_id, text, kept, now)
        events.record(conn, "serve", "escalation-reply", f"{unit}反馈督办单 {found['number']}",
                      {"id": notice_id, "file": kept})
    return store.notice(ws.engine, notice_id)
