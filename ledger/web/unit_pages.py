"""A unit's pages, opened by its link: its templates, its uploads and their verdicts, its feedback.

Every lookup is by id and checked against the link's unit, never by a path from the request.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ledger.collect.intake import OUTCOME_LABELS
from ledger.collect.names import UPLOAD_PREFIX, person_name, visible
from ledger.errors import LedgerError, PeriodError
from ledger.collect.feedback import typed_text
from ledger.findings import Finding
from ledger.links import LinkHolder, resolve
from ledger.localtime import date_text
from ledger.period import check_period, current_period, deadline as deadline_of, label
from ledger.store import links as store
from ledger.web.limits import too_large_page
from ledger.web.pages import Pages, download, inside, redacted, text
from ledger.web.receive import UploadTooLarge, describe_os_error, land
from ledger.web.security import CSRF_COOKIE, form_ok, upload_name
from ledger.workspace import Workspace

WAIT_FOR_VERDICT = 20.0         # seconds an upload waits for its outcome before showing "正在校验"
WAIT_FOR_OFFICE = 120.0         # seconds "正在校验" refreshes itself before saying the file waits for the office


class UnitPages(Pages):
    """The pages a unit's link opens (``/u/<token>``)."""

    async def holder(self, request: Request) -> LinkHolder | None:
        holder = await run_in_threadpool(resolve, self.web.ws, request.path_params["token"])
        if holder is None:
            self.web.log(request, "（无效链接）", f"无效或已收回的报送链接：{request.method} {redacted(request)}",
                         "web-denied", path=redacted(request))
        return holder

    def invalid_link(self, request: Request) -> HTMLResponse:
        return self.message(request, "链接无效", "这个报送链接无效或已被更换。", 404,
                            "请向督查室索取本单位最新的报送链接。")

    async def unit(self, request: Request, error: str = "", status: int = 200) -> HTMLResponse:
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        context = await run_in_threadpool(self._unit_context, holder, request.query_params.get("period"))
        if context is None:
            return self.message(request, "月份有误", "网址中的月份有误。", 400, "请使用督查室发来的链接。")
        self.web.log(request, holder.unit, f"{holder.unit}打开报送页（{context['period_label']}）",
                     period=context["period"])
        return self.render(request, "unit.html", status, error=error, base=_unit_base(request), **context)

    def _unit_context(self, holder: LinkHolder, asked: str | None) -> dict[str, Any] | None:
        web = self.web
        issued = store.unit_templates(web.ws.engine, holder.unit_id)
        periods = list(dict.fromkeys(t["period"] for t in issued))
        try:
            period = check_period(asked) if asked else (periods[0] if periods else current_period(web.zone.key))
        except PeriodError:
            return None
        template = next((t for t in issued if t["period"] == period), None)
        rows = store.unit_intake(web.ws.engine, holder.unit_id, period)
        uploads = store.uploads_of(web.ws.engine, [r["id"] for r in rows])
        shown = [{"id": r["id"], "at": web.local(r["received_at"]),
                  "name": visible(uploads[r["id"]]["original_name"]) if r["id"] in uploads else person_name(r["original_name"]),
                  "outcome": r["outcome"], "label": OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
                  "current": bool(r["is_current"]), "errors": r["errors"], "warnings": r["warnings"],
                  "feedback": bool(r["feedback_path"]), "upload_id": uploads[r["id"]]["id"] if r["id"] in uploads else None} for r in rows]
        current = next((r for r in rows if r["is_current"]), None)
        state, key = (("本月已报送", "accepted") if current else
                      ("已退回，请修改后重新上传", "rejected") if rows and rows[0]["outcome"] == "rejected" else
                      ("尚未报送", "missing"))
        sent_back, told = _office_word(web.ws, holder.unit_id, period, current is not None)
        state, key = told or (state, key)
        return {"sent_back": sent_back, "signoff": _signoff_items(web.ws, holder.unit), "zone": web.zone,
                "evidence_mb": f"{web.settings.review.max_evidence_mb:g}", "unit": holder.unit, "period": period, "period_label": label(period),
                "deadline": date_text(deadline_of(period, web.settings.office.deadline_day)),
                "template": template and {**template, "created": web.local(template["created_at"])},
                "rows": shown, "state": state, "state_key": key, "contact": _contact(web.settings.office),
                "other_periods": [(p, label(p)) for p in periods if p != period][:12],
                "notices": _notices(web, holder.unit)}

    async def upload(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        base = _unit_base(request)
        quota = f"link:{holder.link_id}"       # a reissued link starts a fresh quota
        if web.uploads.full(quota):
            wait = web.uploads.retry_after(quota)
            web.log(request, holder.unit, f"{holder.unit}上传过于频繁，已拒绝", "web-upload-limited")
            response = self.message(request, "上传过于频繁", f"本单位一小时内上传已达 {web.settings.serve.uploads_per_hour} 次。",
                                    429, f"请约 {max(1, wait // 60)} 分钟后再上传；如确有需要，请联系督查室。", base)
            response.headers["Retry-After"] = str(wait)
            return response
        form = await request.form(max_files=1, max_fields=4)
        try:
            if not form_ok(web.key, request.cookies.get(CSRF_COOKIE), text(form.get("form_key"))):
                web.log(request, holder.unit, f"{holder.unit}的上传未带有效的表单凭据，已拒绝", "web-denied")
                return self.forged(request, base)
            file = form.get("file")
            if not isinstance(file, UploadFile) or not file.filename:
                return await self.unit(request, "请先选择要上传的台账文件。", 400)
            name = upload_name(file.filename)
            try:
                landed = await run_in_threadpool(land, web.ws, holder, name, file.file, web.max_bytes)
            except UploadTooLarge:
                return too_large_page(web.settings.collect.max_file_mb, request=request)
            except OSError as exc:
                web.log(request, holder.unit, f"{holder.unit}上传的文件无法保存：{exc}", "web-upload-fault")
                return self.message(request, "暂时无法接收", describe_os_error(exc), 503,
                                    "这是服务器的问题，不是贵单位的问题；请稍后再试，或联系督查室。", base)
            except LedgerError as exc:
                return self.message(request, "暂时无法接收", str(exc), 503, "请稍后再试，或联系督查室。", base)
        finally:
            await form.close()
        web.uploads.allow(quota)                # only an upload taken counts toward the quota
        web.log(request, holder.unit, f"{holder.unit}上传“{name}”（{landed.size} 字节）", "web-upload",
                upload=landed.upload_id, file=landed.inbox_name, size=landed.size)
        if web.collector is not None:
            web.collector.kick()
            await self._verdict(landed.upload_id, landed.inbox_name)
        return RedirectResponse(f"{base}/uploads/{landed.upload_id}", status_code=303)

    async def _verdict(self, upload_id: int, inbox_name: str) -> None:
        """Wait (a few seconds at most) until the upload has its outcome, or is held."""
        loop = asyncio.get_running_loop()
        end, started = loop.time() + WAIT_FOR_VERDICT, datetime.now(timezone.utc)
        while loop.time() < end:
            row = await run_in_threadpool(store.upload, self.web.ws.engine, upload_id)
            if row is None or row["intake_id"] is not None or inbox_name in self.web.collector.held \
                    or self._failed_since(started):
                return
            await asyncio.sleep(0.2)

    async def result(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        row, arrived = await run_in_threadpool(_upload_state, web.ws, request.path_params["upload_id"])
        if row is None or row["unit_id"] != holder.unit_id:
            return self.message(request, "没有这次上传", "本单位没有这次上传的记录。", 404, back=_unit_base(request))
        outcome = row["outcome"] or ("held" if web.collector and row["inbox_name"] in web.collector.held else
                                     "lost" if not arrived else "waiting" if self._stalled(row) else None)
        findings = [_finding_row(f) for f in (row["findings"] or [])]
        about_file = bool(findings) and all(not f["sheet"] and not f["cell"] for f in findings)   # not a cell to mend
        late = outcome == "accepted" and row["period"] and _late(row, web.settings.office.deadline_day, web.zone)
        web.log(request, holder.unit, f"{holder.unit}查看上传结果（{OUTCOME_LABELS.get(outcome, '校验中')}）",
                upload=row["id"])
        period = row["period"] or request.query_params.get("period") or ""
        return self.render(request, "result.html", unit=holder.unit, name=visible(row["original_name"]),
                           received=web.local(row["received_at"], seconds=True), outcome=outcome,
                           errors=row["errors"], warnings=row["warnings"], findings=findings, about_file=about_file,
                           late=late, deadline=date_text(deadline_of(row["period"], web.settings.office.deadline_day))
                           if row["period"] else "",
                           feedback=bool(row["feedback_path"]), intake_id=row["intake_id"],
                           base=_unit_base(request), period=period, period_label=label(period) if period else "",
                           refresh=2 if outcome is None else None)

    def _stalled(self, row: dict[str, Any]) -> bool:
        """An upload still without its outcome when the server's collect runs fail, or long after it
        arrived: the unit is told it is received and waits for the office, not kept watching."""
        waited = (datetime.now(timezone.utc) - row["received_at"]).total_seconds()
        return waited > WAIT_FOR_OFFICE or self._failed_since(row["received_at"])

    def _failed_since(self, moment: datetime) -> bool:
        fault = self.web.collector and self.web.collector.fault
        return bool(fault) and fault[0] >= moment

    async def template(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        template_id = request.path_params["template_id"]
        record = re.fullmatch(r"[0-9a-f]{1,32}", template_id) and await run_in_threadpool(
            store.unit_template, web.ws.engine, template_id, holder.unit_id)
        path = record and web.ws.templates_dir / record["period"] / record["file_name"]
        if not _on_disk(path, web.ws.templates_dir):
            return self._no_file(request, "模板不可下载", "本单位没有这个模板，或模板文件已不在服务器上。", "请联系督查室重新下发。")
        return self._send(request, holder, path, f"{holder.unit}下载模板 {record['file_name']}", template=record["id"])

    async def feedback(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        row = await run_in_threadpool(store.intake_row, web.ws.engine, request.path_params["intake_id"])
        path = row and row["unit_id"] == holder.unit_id and row["feedback_path"] and web.ws.root / row["feedback_path"]
        if not _on_disk(path, web.ws.outbox_dir):
            return self._no_file(request, "退回意见不可下载", "本单位没有这份退回意见。")
        return self._send(request, holder, path, f"{holder.unit}下载退回意见", intake=row["id"])

    async def notice_file(self, request: Request) -> Response:
        """The unit's own 督办单 as issued (.docx)."""
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        from ledger.store.escalations import notice

        found = await run_in_threadpool(notice, web.ws.engine, request.path_params["notice_id"])
        path = found and found["unit"] == holder.unit and web.ws.root / found["file"]
        if not _on_disk(path, web.ws.outbox_dir):
            return self._no_file(request, "督办单不可下载", "本单位没有这份督办单。")
        return self._send(request, holder, path, f"{holder.unit}下载督办单 {found['number']}", notice=found["id"])

    def _no_file(self, request: Request, title: str, text: str, hint: str = "") -> Response:
        """The page saying the unit has no such file (or it is no longer on the server)."""
        return self.message(request, title, text, 404, hint, _unit_base(request))

    def _send(self, request: Request, holder, path: Path, said: str, **logged: Any) -> Response:
        """A file of the unit's own, logged as downloaded."""
        self.web.log(request, holder.unit, said, "web-download", **logged)
        return download(path, path.name)

    async def reply(self, request: Request) -> Response:
        """The unit's written reply to one of its 督办单: text and an optional file (POST with the form key)."""
        from ledger.supervise.replies import reply_notice

        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        base = _unit_base(request)
        form = await request.form(max_files=1, max_fields=4)
        try:
            if not form_ok(web.key, request.cookies.get(CSRF_COOKIE), text(form.get("form_key"))):
                web.log(request, holder.unit, f"{holder.unit}的督办反馈未带有效的表单凭据，已拒绝", "web-denied")
                return self.forged(request, base)
            file = form.get("file")
            name, content = None, None
            if isinstance(file, UploadFile) and file.filename:
                name = upload_name(file.filename)
                content = await file.read(web.max_bytes + 1)
                if len(content) > web.max_bytes:
                    return too_large_page(web.settings.collect.max_file_mb, request=request)
            try:
                done = await run_in_threadpool(reply_notice, web.ws, holder.unit, request.path_params["notice_id"],
                                               text(form.get("reply")), name, content)
            except LedgerError as exc:
                return await self.unit(request, str(exc), 400)
        finally:
            await form.close()
        web.log(request, holder.unit, f"{holder.unit}反馈督办单 {done['number']}", "web-reply", notice=done["id"])
        return RedirectResponse(f"{base}#notice-{done['id']}", status_code=303)


def _office_word(ws: Workspace, unit_id: int, period: str, reported: bool) -> tuple[dict[str, Any] | None, tuple | None]:
    """What the office said of the month (``ledger.review``, ``ledger.period_lock``): a send-back of the
    unit's current submission, and the state to show instead of the upload's (None: as it is)."""
    from ledger.period_lock import locked
    from ledger.review import APPROVED, PENDING, SENT_BACK, unit_review

    found = unit_review(ws.engine, unit_id, period) if reported else None
    if found and found.state == SENT_BACK:
        return found.to_dict(), ("已被督查室退回修改，请按意见修改后重新上传", "rejected")
    if locked(ws.engine, period):
        return None, (("本月已报送（已锁定，终版）", "accepted") if reported else
                      ("本月已锁定（终版），不再接收报送；如需补报，请联系督查室", "rejected"))
    if found and ws.settings.review.required:
        return None, {PENDING: ("本月已报送，待督查室审核", "accepted"),
                      APPROVED: ("本月已报送，督查室审核通过", "accepted")}.get(found.state)
    return None, None


def _signoff_items(ws: Workspace, unit: str) -> list[Any]:
    """The unit's lead items on their way to 已销号 (``ledger.signoff``): evidence to attach or attached."""
    from ledger.signoff import signoff_list

    return [i for i in signoff_list(ws.engine, ws.settings.vocabulary) if unit in i.lead]


def _notices(web, unit: str) -> list[dict[str, Any]]:
    """The unit's 督办单, newest first, as its page shows them."""
    from ledger.store.escalations import notices
    from ledger.supervise.rules import COLOUR_LABELS

    states = {"open": "待反馈", "replied": "已反馈，待督查室审核", "closed": "已办结"}
    return [{"id": n["id"], "number": n["number"], "colour": n["colour"], "colour_label": COLOUR_LABELS[n["colour"]],
             "items": n["items"], "reply_due": n["reply_due"].strftime("%Y年%m月%d日"), "state": n["state"],
             "state_label": states[n["state"]], "reply": n["reply"] or "", "comment": n["comment"] or "",
             "replied_at": web.local(n["replied_at"]) if n["replied_at"] else ""}
            for n in reversed(notices(web.ws.engine, unit=unit))]


def _unit_base(request: Request) -> str:
    return f"/u/{request.path_params['token']}"


def _contact(office) -> str:
    return " ".join(p for p in (office.name, office.contact, office.phone) if p)


def _late(row: dict[str, Any], deadline_day: int, zone) -> bool:
    """Received after the period's deadline, by the office's calendar (as the board counts 逾期报送)."""
    return row["received_at"].astimezone(zone).date() > deadline_of(row["period"], deadline_day)


def _finding_row(stored: dict[str, Any]) -> dict[str, Any]:
    """A finding as a row of the table: where (sheet, cell, column), what was typed, the problem
    (without the place, which has its own columns) and how to fix it. A file's name is shown as
    the unit sent it, never under its inbox name."""
    f = Finding.from_dict(stored)
    value = typed_text(f.value)[:200]
    value = person_name(value) if value.startswith(UPLOAD_PREFIX) else value
    return {"sheet": f.sheet or "", "cell": f.cell or "", "column": f.column or "", "value": value,
            "problem": f.problem_alone, "fix": f.fix, "error": f.is_error}


def _upload_state(ws: Workspace, upload_id: int) -> tuple[dict[str, Any] | None, bool]:
    """An upload with its outcome, and whether its file is (or was) in the inbox. A file gone from
    the inbox without an outcome never arrived; read again, as collect removes a file only after
    recording it."""
    row = store.upload(ws.engine, upload_id)
    if row is None or row["intake_id"] is not None or (ws.inbox_dir / row["inbox_name"]).is_file():
        return row, True
    row = store.upload(ws.engine, upload_id)
    return row, row is not None and row["intake_id"] is not None


def _on_disk(path: Path | None, folder: Path) -> bool:
    """Whether ``path`` (None or False: the unit has no such file) is a file inside ``folder``."""
    return bool(path) and inside(path, folder) and path.is_file()
