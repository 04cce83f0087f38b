"""The office's pages, behind the password of ledger.toml: the period's board (refreshed as files
arrive), the 催报名单, the report and the 通报, the work log, and the units' links."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ledger.errors import LedgerError, LockedError, PeriodError
from ledger.links import latest_period, revoke_link, unit_links
from ledger.localtime import date_text
from ledger.period import check_period, label
from ledger.store import events as event_log
from ledger.store import links as store
from ledger.web.access import ACCESS
from ledger.web.pages import MEDIA, Pages, client_ip, download, guarded, https, text
from ledger.web.security import (CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, form_ok, new_session, password_ok,
                                 session_ok)

LOGIN_ATTEMPTS = (10, 900)      # per address: attempts, seconds


class OfficePages(Pages):
    """The office's pages (``/office``): every one passes ``office_gate`` first."""

    def office_closed(self) -> bool:
        return not self.web.settings.serve.office_password

    def signed_in(self, request: Request) -> bool:
        return session_ok(self.web.key, self.web.settings.serve.office_password, request.cookies.get(SESSION_COOKIE))

    def _version(self) -> str:
        """Changes whenever the board would: an outcome recorded, a link issued, a file held."""
        fault = self.web.collector and self.web.collector.fault
        return f"{store.board_version(self.web.ws.engine)}-{len(self._held())}-{int(fault[0].timestamp()) if fault else 0}"

    def _held(self) -> list[dict[str, str]]:
        """Uploads this server had to leave in the inbox for the office (its own fault, not the unit's)."""
        collector = self.web.collector
        if collector is None:
            return []
        return [{"file": name, "reason": why} for name, why in sorted(collector.held.items())
                if (self.web.ws.inbox_dir / name).exists()]     # gone: taken in since (ledger collect)

    def _fault(self) -> dict[str, str] | None:
        """The server's last collect run, when it failed as a whole (the database or the disk)."""
        fault = self.web.collector and self.web.collector.fault
        return {"at": self.web.local(fault[0], seconds=True), "reason": fault[1]} if fault else None

    def visitor(self, scope) -> str:
        """Who made a request, for the work log: the office when its session is valid."""
        return "督查室" if self.signed_in(Request(scope)) else "（访客）"

    def closed_page(self, request: Request) -> HTMLResponse:
        return self.message(request, "督查室页面未开放", "督查室页面尚未设置密码。", 403,
                            "请在工作区 ledger.toml 的 [serve] 中设置 office_password 后重新启动 ledger serve。")

    async def office_gate(self, request: Request) -> Response | None:
        """None when the request may see office pages; otherwise the page to show instead."""
        if self.office_closed():
            return self.closed_page(request)
        if not self.signed_in(request):
            if request.method == "GET":
                return RedirectResponse("/office/login", status_code=303)
            return self.message(request, "请先登录", "登录已过期，请重新登录。", 401, back="/office/login")
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=8)
            if not form_ok(self.web.key, request.cookies.get(CSRF_COOKIE), text(form.get("form_key"))):
                self.web.log(request, "督查室", "督查室操作未带有效的表单凭据，已拒绝", "web-denied")
                return self.forged(request, "/office")
        return None

    async def office_period(self, request: Request) -> tuple[Response | None, str]:
        """Past ``office_gate``, the month the page is about (a form's ``period``, else the address's,
        else the latest issued); otherwise the page to show instead."""
        blocked = await self.office_gate(request)
        if blocked:
            return blocked, ""
        asked = text((await request.form(max_files=0, max_fields=8)).get("period")) if request.method == "POST" else None
        period = await run_in_threadpool(self._period, request, asked)
        return (self.bad_period(request), "") if period is None else (None, period)

    def bad_period(self, request: Request) -> HTMLResponse:
        return self.message(request, "月份有误", "网址中的月份应为 YYYY-MM，例如 2024-07。", 400, back="/office")

    async def login_form(self, request: Request) -> Response:
        if self.office_closed():
            return self.closed_page(request)
        return self.render(request, "login.html")

    async def login(self, request: Request) -> Response:
        web = self.web
        if self.office_closed():
            return self.closed_page(request)
        ip = client_ip(request)
        if web.logins.full(f"login:{ip}"):          # failed attempts only: staff behind one address may all log in
            web.log(request, "（登录）", f"{ip} 登录失败次数过多，已暂停", "web-login-limited")
            return self.message(request, "尝试次数过多", "密码输错次数过多，登录已暂停。", 429, "请 15 分钟后再试。")
        form = await request.form(max_files=0, max_fields=4)
        if not form_ok(web.key, request.cookies.get(CSRF_COOKIE), text(form.get("form_key"))):
            return self.forged(request, "/office/login")
        if not password_ok(text(form.get("password")), web.settings.serve.office_password):
            web.logins.allow(f"login:{ip}")
            web.log(request, "（登录）", f"督查室登录失败（{ip}）", "web-login-failed")
            return self.render(request, "login.html", 401, error="密码不正确，请重新输入。")
        web.log(request, "督查室", f"督查室登录（{ip}）", "web-login")
        response = RedirectResponse("/office", status_code=303)
        response.set_cookie(SESSION_COOKIE, new_session(web.key, web.settings.serve.office_password),
                            max_age=SESSION_SECONDS, httponly=True, samesite="strict", secure=https(request), path="/")
        return response

    async def logout(self, request: Request) -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        response = RedirectResponse("/office/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def _period(self, request: Request, form_value: str | None = None) -> str | None:
        asked = form_value or request.query_params.get("period")
        try:
            return check_period(asked) if asked else latest_period(self.web.ws)
        except PeriodError:
            return None

    async def board(self, request: Request, message: str = "", error: bool = False) -> Response:
        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        context = await run_in_threadpool(self._board_context, period)
        self.web.log(request, "督查室", f"督查室查看{label(period)}报送看板", period=period)
        if message:
            context.update(message=message, error=error)
        return self.render(request, "board.html", **context)

    def _board_context(self, period: str) -> dict[str, Any]:
        from ledger.report import period_status
        from ledger.report.build import period_outputs

        web = self.web
        context: dict[str, Any] = {"period": period, "period_label": label(period), "now": web.local(datetime.now(web.zone)),
                                   "version": self._version(), "held": self._held(), "fault": self._fault(), "periods": [(p, label(p)) for p in store.periods_issued(web.ws.engine) if p != period][:12]}
        try:
            status = period_status(web.ws, period)
        except LedgerError as exc:
            return {**context, "message": str(exc), "error": True}
        units = [{"name": u.unit.name, "outcome": u.outcome, "label": u.label,
                  "at": web.local(u.submitted_at or u.rejected_at), "reason": u.reason()} for u in status.units]
        xlsx, docx = period_outputs(web.ws, period)
        outputs = [(kind, name, _output(xlsx, docx, kind).is_file()) for kind, name in OUTPUT_KINDS.items()]
        return {**context, "board_status": status, "totals": status.totals, "sentence": status.totals.sentence(),
                "deadline": date_text(status.deadline), "units": units,
                "waiting": [{"name": u.unit.name, "label": u.label} for u in status.waiting()], "outputs": outputs}

    async def version(self, request: Request) -> Response:
        if self.office_closed() or not self.signed_in(request):
            return JSONResponse({"error": "请先登录"}, status_code=401)
        return JSONResponse({"version": await run_in_threadpool(self._version)})

    async def reminders(self, request: Request) -> Response:
        """The 催报名单 as of now, made in memory: a GET changes nothing (``ledger status --reminders``
        is what keeps one in outbox/)."""
        from ledger.report import period_status
        from ledger.report.status import REMINDERS_NAME, reminders_bytes

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        try:
            content = await run_in_threadpool(lambda: reminders_bytes(self.web.ws, period_status(self.web.ws, period)))
        except LedgerError as exc:      # nothing to list yet, or the database
            return self.message(request, "无法生成催报名单", str(exc), 404, back="/office")
        self.web.log(request, "督查室", f"督查室下载{label(period)}催报名单", "web-download", period=period)
        name = f"{label(period)}{REMINDERS_NAME}"
        return guarded(Response(content, media_type=MEDIA[".xlsx"],
                                headers={"Content-Disposition": f"attachment; filename*=utf-8''{quote(name)}"}))

    async def report_file(self, request: Request) -> Response:
        from ledger.report.build import period_outputs

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        kind = request.path_params["kind"]
        if kind not in OUTPUT_KINDS:
            return await self.not_found(request, None)
        try:
            workbook, notice = await run_in_threadpool(period_outputs, self.web.ws, period)
        except LedgerError as exc:
            return self.message(request, "无法下载", str(exc), 404, back="/office")
        path = _output(workbook, notice, kind)
        if not path.is_file():
            return self.message(request, "尚未生成", f"{label(period)}的汇总表和督查通报尚未生成。", 404,
                                "请在看板上点“生成（更新）汇总表和督查通报”。", f"/office?period={period}")
        self.web.log(request, "督查室", f"督查室下载{path.name}", "web-download", period=period)
        return download(path, path.name)

    async def make_report(self, request: Request) -> Response:
        from ledger.report import make_report

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        try:
            made = await _with_lock_retry(lambda: make_report(self.web.ws, period, command="serve"))
        except LedgerError as exc:
            return await self.board(request, f"未能生成：{exc}", error=True)
        await run_in_threadpool(_pdfs, made)       # as ledger report does, when LibreOffice is installed
        request.state.logged = True     # make_report recorded it in the work log, once
        return RedirectResponse(f"/office?period={period}&made={quote(made.path.name)}", status_code=303)

    async def work_log(self, request: Request) -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        access = request.query_params.get("access") == "1"
        rows = await run_in_threadpool(event_log.recent, self.web.ws.engine, 200,
                                       () if access else (ACCESS,), (ACCESS,) if access else ())
        shown = [{"at": self.web.local(e["at"], seconds=True), "source": event_log.SOURCE_LABELS.get(e["command"], e["command"]),
                  "summary": e["summary"]} for e in rows]
        return self.render(request, "log.html", events=shown, access=access, period=await run_in_threadpool(self._period, request))

    async def links(self, request: Request, message: str = "") -> Response:
        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        try:
            result = await run_in_threadpool(unit_links, self.web.ws, period, None, (), False, False, "serve")
        except LedgerError as exc:
            return self.message(request, "暂无报送链接", str(exc), 404, back="/office")
        links = [{"unit": link.unit, "url": link.url, "issued": self.web.local(link.issued_at)} for link in result.links]
        return self.render(request, "links.html", period=period, period_label=label(period), links=links,
                           notes=[n for n in result.notes if "已收回" not in n], revoked=result.revoked, message=message)

    async def reissue(self, request: Request) -> Response:
        return await self._link_action(request, "重新签发", lambda unit, period: unit_links(
            self.web.ws, period or None, None, (unit,), False, False, "serve"))

    async def revoke(self, request: Request) -> Response:
        return await self._link_action(request, "收回", lambda unit, period: revoke_link(self.web.ws, unit, "serve"))

    async def revoke_confirm(self, request: Request) -> Response:
        """收回 asks first: a unit's link stops at once and stays stopped until reissued."""
        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        unit = request.query_params.get("unit", "")
        return self.render(request, "confirm.html", title="确认收回报送链接", button="确认收回",
                           message=f"收回后，{unit}现有的报送链接立即失效，直到重新签发；确定收回吗？",
                           action="/office/links/revoke", fields=[("unit", unit), ("period", period)],
                           back=f"/office/links?period={quote(period)}")

    async def _link_action(self, request: Request, verb: str, act) -> Response:
        """Reissue or revoke a unit's link (the old one stops working at once)."""
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        unit, period = text(form.get("unit")), text(form.get("period"))
        try:
            await run_in_threadpool(act, unit, period)
        except LedgerError as exc:
            return self.message(request, f"未能{verb}", str(exc), 400, back="/office/links")
        request.state.logged = True     # the link's change is in the work log, recorded with it
        return RedirectResponse(f"/office/links?period={quote(period)}", status_code=303)


OUTPUT_KINDS = {"xlsx": "汇总表", "docx": "督查通报", "xlsx-pdf": "汇总表（PDF）", "docx-pdf": "督查通报（PDF）"}


def _output(workbook: Path, notice: Path, kind: str) -> Path:
    path = workbook if kind.startswith("xlsx") else notice
    return path.with_suffix(".pdf") if kind.endswith("-pdf") else path


def _pdfs(made) -> None:
    """The PDFs of the workbook and the 督查通报, when LibreOffice is installed (ledger report's default)."""
    from ledger.report.pdf import to_pdf
    from ledger.soffice import soffice

    if soffice():
        for path in (made.path, made.bulletin):
            to_pdf(path)


async def _with_lock_retry(work, tries: int = 20, pause: float = 0.5):
    """Run ``work`` in a thread; while another run holds the workspace lock, try again a moment later."""
    for attempt in range(tries):
        try:
            return await run_in_threadpool(work)
        except LockedError:
            if attempt == tries - 1:
                raise
            await asyncio.sleep(pause)
