"""The ASGI application: a unit's page behind its link, the office's pages behind a password.

Pages are rendered on the server and work without JavaScript (the board reloads itself when a file
arrives if scripts run, every 30 s otherwise). A unit's token opens only that unit's page, its
templates, uploads and feedback: every lookup is by id and checked against the unit, never by a
path from the request.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ledger.collect.intake import OUTCOME_LABELS
from ledger.errors import LedgerError, LockedError, PeriodError
from ledger.findings import SEPARATORS
from ledger.links import LinkHolder, resolve, revoke_link, secret, unit_links
from ledger.period import check_period, current_period, deadline as deadline_of, label
from ledger.store import events as event_log
from ledger.store import links as store
from ledger.store import schema as s
from ledger.web.access import ACCESS, AccessLog
from ledger.web.limits import BodyLimit, too_large_page
from ledger.web.receive import Collector, UploadTooLarge, describe_os_error, land, sweep_staging
from ledger.web.security import (CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, RateLimiter, form_key, form_ok,
                                 new_form_cookie, new_session, password_ok, session_ok, upload_name)
from ledger.workspace import Workspace

WAIT_FOR_VERDICT = 20.0         # seconds an upload waits for its outcome before showing "正在校验"
LOGIN_ATTEMPTS = (10, 900)      # per address: attempts, seconds
FORM_OVERHEAD = 64 * 1024       # a form's own fields around the file
_TOKEN_IN_PATH = re.compile(r"^/u/[^/?]+")


@dataclass
class Web:
    """What every request handler shares."""

    ws: Workspace
    key: bytes
    env: Environment
    collector: Collector | None
    access: AccessLog | None
    uploads: RateLimiter
    logins: RateLimiter

    @property
    def settings(self):
        return self.ws.settings

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.office.timezone)

    @property
    def max_bytes(self) -> int:
        return int(self.settings.collect.max_file_mb * 1024 * 1024)

    def local(self, t: datetime | None, seconds: bool = False) -> str:
        return t.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") if t else ""

    def log(self, request: Request, who: str, summary: str, action: str = ACCESS, **detail: Any) -> None:
        if self.access is not None:
            self.access.add(who, summary, {"ip": client_ip(request), **detail}, action)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def create_app(ws: Workspace, collect: bool = True, collect_every: float = 30.0, access_log: bool = True) -> Starlette:
    """The web application of a workspace. ``collect`` runs the server's collector (tests of pages
    alone may turn it off); the access log writes every access to the work log."""
    settings = ws.settings
    web = Web(ws=ws, key=secret(ws),
              env=Environment(loader=PackageLoader("ledger.web", "templates"), autoescape=select_autoescape(["html"])),
              collector=Collector(ws, collect_every, on_fault=lambda m: None) if collect else None,
              access=AccessLog(ws) if access_log else None,
              uploads=RateLimiter(settings.serve.uploads_per_hour, 3600),
              logins=RateLimiter(*LOGIN_ATTEMPTS))
    pages = Pages(web)

    @asynccontextmanager
    async def lifespan(app):
        sweep_staging(ws)
        if web.access:
            web.access.start()
        if web.collector:
            web.collector.start().kick()      # what arrived while the server was down
        try:
            yield
        finally:
            if web.collector:
                web.collector.stop()
            if web.access:
                web.access.stop()

    routes = [
        Route("/", pages.index),
        Route("/healthz", pages.health),
        Route("/static/board.js", pages.board_js),
        Route("/u/{token}", pages.unit),
        Route("/u/{token}/upload", pages.upload, methods=["POST"]),
        Route("/u/{token}/uploads/{upload_id:int}", pages.result),
        Route("/u/{token}/templates/{template_id}", pages.template),
        Route("/u/{token}/feedback/{intake_id:int}", pages.feedback),
        Route("/office", pages.board),
        Route("/office/login", pages.login_form),
        Route("/office/login", pages.login, methods=["POST"]),
        Route("/office/logout", pages.logout, methods=["POST"]),
        Route("/office/version", pages.version),
        Route("/office/reminders", pages.reminders),
        Route("/office/report/{kind}", pages.report_file),
        Route("/office/report", pages.make_report, methods=["POST"]),
        Route("/office/log", pages.work_log),
        Route("/office/links", pages.links),
        Route("/office/links/reissue", pages.reissue, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={400: pages.unreadable, 404: pages.not_found, 405: pages.not_allowed,
                                                                     Exception: pages.fault})
    app.state.web = web
    app.add_middleware(BodyLimit, max_bytes=web.max_bytes + FORM_OVERHEAD,
                       page=lambda: too_large_page(settings.collect.max_file_mb))
    return app


class Pages:
    def __init__(self, web: Web) -> None:
        self.web = web

    # --- rendering -----------------------------------------------------------------------------
    def render(self, request: Request, page: str, status: int = 200, **context: Any) -> HTMLResponse:
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None if cookie and len(cookie) <= 100 else new_form_cookie()
        context.setdefault("office_name", self.web.settings.office.name)
        context.setdefault("max_mb", f"{self.web.settings.collect.max_file_mb:g}")
        html = self.web.env.get_template(page).render(form_key=form_key(self.web.key, fresh or cookie), **context)
        response = HTMLResponse(html, status_code=status)
        if fresh:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="lax", secure=_https(request), path="/")
        return _guarded(response)

    def message(self, request: Request, title: str, message: str, status: int, hint: str = "",
                back: str = "") -> HTMLResponse:
        return self.render(request, "message.html", status, title=title, message=message, hint=hint, back=back,
                           error=status >= 400)

    async def not_found(self, request: Request, exc: Exception) -> HTMLResponse:
        return self.message(request, "页面不存在", "没有这个页面。", 404, "请使用督查室发给本单位的链接。")

    async def fault(self, request: Request, exc: Exception) -> HTMLResponse:
        """Our own error: the traceback goes to the work log, the visitor is told it is not theirs."""
        import traceback

        self.web.log(request, "（系统）", f"网页出错：{type(exc).__name__}（{request.method} {_redacted(request)}）",
                     "web-fault", traceback="".join(traceback.format_exception(exc)))
        return self.message(request, "系统出错", "服务器处理时出错，这不是您的操作问题。", 500,
                            "请稍后再试；如仍不行，请联系督查室（出错情况已自动记录）。")

    async def not_allowed(self, request: Request, exc: Exception) -> HTMLResponse:
        return self.message(request, "无法操作", "不支持这样打开本页面。", 405, "请从页面上的按钮操作。")

    async def unreadable(self, request: Request, exc: Exception) -> HTMLResponse:
        """A form the server cannot read (a broken or hand-made request): told in Chinese, nothing done."""
        return self.message(request, "无法读取提交的内容", "提交的内容不完整或格式不对，操作未执行。", 400,
                            "请回到页面重新选择文件后上传；如仍不行，请联系督查室。")

    def forged(self, request: Request, back: str = "") -> HTMLResponse:
        return self.message(request, "页面已过期", "页面已过期或不是从本系统打开的，操作未执行。", 403,
                            "请刷新页面后重新操作。", back)

    # --- public --------------------------------------------------------------------------------
    async def index(self, request: Request) -> HTMLResponse:
        return self.render(request, "index.html")

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    async def board_js(self, request: Request) -> Response:
        source = self.web.env.loader.get_source(self.web.env, "board.js")[0]
        return _guarded(Response(source, media_type="text/javascript; charset=utf-8"))

    # --- a unit's pages ------------------------------------------------------------------------
    async def holder(self, request: Request) -> LinkHolder | None:
        holder = await run_in_threadpool(resolve, self.web.ws, request.path_params["token"])
        if holder is None:
            self.web.log(request, "（无效链接）", f"无效或已收回的报送链接：{request.method} {_redacted(request)}",
                         "web-denied", path=_redacted(request))
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
        uploads = _upload_ids(web.ws, [r["id"] for r in rows])
        shown = [{"id": r["id"], "at": web.local(r["received_at"]), "name": _shown_name(r["original_name"]),
                  "outcome": r["outcome"], "label": OUTCOME_LABELS.get(r["outcome"], r["outcome"]),
                  "current": bool(r["is_current"]), "errors": r["errors"], "warnings": r["warnings"],
                  "feedback": bool(r["feedback_path"]), "upload_id": uploads.get(r["id"])} for r in rows]
        current = next((r for r in rows if r["is_current"]), None)
        state, key = (("本月已报送", "accepted") if current else
                      ("已退回，请修改后重新上传", "rejected") if rows and rows[0]["outcome"] == "rejected" else
                      ("尚未报送", "missing"))
        return {"unit": holder.unit, "period": period, "period_label": label(period),
                "deadline": deadline_of(period, web.settings.office.deadline_day).strftime("%Y年%m月%d日"),
                "template": template and {**template, "created": web.local(template["created_at"])},
                "rows": shown, "state": state, "state_key": key, "contact": _contact(web.settings.office),
                "other_periods": [(p, label(p)) for p in periods if p != period][:12]}

    async def upload(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        base = _unit_base(request)
        if not web.uploads.allow(f"unit:{holder.unit_id}"):
            wait = web.uploads.retry_after(f"unit:{holder.unit_id}")
            web.log(request, holder.unit, f"{holder.unit}上传过于频繁，已拒绝", "web-upload-limited")
            response = self.message(request, "上传过于频繁", f"本单位一小时内上传已达 {web.settings.serve.uploads_per_hour} 次。",
                                    429, f"请约 {max(1, wait // 60)} 分钟后再上传；如确有需要，请联系督查室。", base)
            response.headers["Retry-After"] = str(wait)
            return response
        form = await request.form(max_files=1, max_fields=4)
        try:
            if not form_ok(web.key, request.cookies.get(CSRF_COOKIE), _text(form.get("form_key"))):
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
        web.log(request, holder.unit, f"{holder.unit}上传“{name}”（{landed.size} 字节）", "web-upload",
                upload=landed.upload_id, file=landed.inbox_name, size=landed.size)
        if web.collector is not None:
            web.collector.kick()
            await self._verdict(landed.upload_id, landed.inbox_name)
        return RedirectResponse(f"{base}/uploads/{landed.upload_id}", status_code=303)

    async def _verdict(self, upload_id: int, inbox_name: str) -> None:
        """Wait (a few seconds at most) until the upload has its outcome, or is held."""
        loop = asyncio.get_running_loop()
        end = loop.time() + WAIT_FOR_VERDICT
        while loop.time() < end:
            row = await run_in_threadpool(store.upload, self.web.ws.engine, upload_id)
            if row is None or row["intake_id"] is not None or inbox_name in self.web.collector.held:
                return
            await asyncio.sleep(0.2)

    async def result(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        row = await run_in_threadpool(store.upload, web.ws.engine, request.path_params["upload_id"])
        if row is None or row["unit_id"] != holder.unit_id:
            return self.message(request, "没有这次上传", "本单位没有这次上传的记录。", 404, back=_unit_base(request))
        outcome = row["outcome"] or ("held" if web.collector and row["inbox_name"] in web.collector.held else None)
        findings = [_finding_row(f) for f in (row["findings"] or [])]
        web.log(request, holder.unit, f"{holder.unit}查看上传结果（{OUTCOME_LABELS.get(outcome, '校验中')}）",
                upload=row["id"])
        period = row["period"] or request.query_params.get("period") or ""
        return self.render(request, "result.html", unit=holder.unit, name=_shown_name(row["original_name"]),
                           received=web.local(row["received_at"], seconds=True), outcome=outcome,
                           errors=row["errors"], warnings=row["warnings"], findings=findings,
                           feedback=bool(row["feedback_path"]), intake_id=row["intake_id"],
                           base=_unit_base(request), period=period, period_label=label(period) if period else "",
                           refresh=2 if outcome is None else None)

    async def template(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        record = await run_in_threadpool(_template_of, web.ws, request.path_params["template_id"], holder.unit_id)
        path = record and web.ws.templates_dir / record["period"] / record["file_name"]
        if not path or not _inside(path, web.ws.templates_dir) or not path.is_file():
            return self.message(request, "模板不可下载", "本单位没有这个模板，或模板文件已不在服务器上。", 404,
                                "请联系督查室重新下发。", _unit_base(request))
        web.log(request, holder.unit, f"{holder.unit}下载模板 {record['file_name']}", "web-download",
                template=record["id"])
        return _download(path, record["file_name"])

    async def feedback(self, request: Request) -> Response:
        web = self.web
        holder = await self.holder(request)
        if holder is None:
            return self.invalid_link(request)
        row = await run_in_threadpool(store.intake_row, web.ws.engine, request.path_params["intake_id"])
        path = row and row["unit_id"] == holder.unit_id and row["feedback_path"] and web.ws.root / row["feedback_path"]
        if not path or not _inside(path, web.ws.outbox_dir) or not path.is_file():
            return self.message(request, "退回意见不可下载", "本单位没有这份退回意见。", 404, back=_unit_base(request))
        web.log(request, holder.unit, f"{holder.unit}下载退回意见", "web-download", intake=row["id"])
        return _download(path, path.name)

    # --- the office's pages --------------------------------------------------------------------
    def office_closed(self) -> bool:
        return not self.web.settings.serve.office_password

    def signed_in(self, request: Request) -> bool:
        return session_ok(self.web.key, self.web.settings.serve.office_password, request.cookies.get(SESSION_COOKIE))

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
            if not form_ok(self.web.key, request.cookies.get(CSRF_COOKIE), _text(form.get("form_key"))):
                self.web.log(request, "督查室", "督查室操作未带有效的表单凭据，已拒绝", "web-denied")
                return self.forged(request, "/office")
        return None

    async def login_form(self, request: Request) -> Response:
        if self.office_closed():
            return self.closed_page(request)
        return self.render(request, "login.html")

    async def login(self, request: Request) -> Response:
        web = self.web
        if self.office_closed():
            return self.closed_page(request)
        ip = client_ip(request)
        if not web.logins.allow(f"login:{ip}"):
            web.log(request, "（登录）", f"{ip} 登录尝试过多，已暂停", "web-login-limited")
            return self.message(request, "尝试次数过多", "登录尝试次数过多，已暂停。", 429, "请 15 分钟后再试。")
        form = await request.form(max_files=0, max_fields=4)
        if not form_ok(web.key, request.cookies.get(CSRF_COOKIE), _text(form.get("form_key"))):
            return self.forged(request, "/office/login")
        if not password_ok(_text(form.get("password")), web.settings.serve.office_password):
            web.log(request, "（登录）", f"督查室登录失败（{ip}）", "web-login-failed")
            return self.render(request, "login.html", 401, error="密码不正确，请重新输入。")
        web.log(request, "督查室", f"督查室登录（{ip}）", "web-login")
        response = RedirectResponse("/office", status_code=303)
        response.set_cookie(SESSION_COOKIE, new_session(web.key, web.settings.serve.office_password),
                            max_age=SESSION_SECONDS, httponly=True, samesite="strict", secure=_https(request), path="/")
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
            if asked:
                return check_period(asked)
        except PeriodError:
            return None
        issued = store.periods_issued(self.web.ws.engine)
        return issued[0] if issued else current_period(self.web.zone.key)

    async def board(self, request: Request, message: str = "", error: bool = False) -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        period = await run_in_threadpool(self._period, request)
        if period is None:
            return self.message(request, "月份有误", "网址中的月份应为 YYYY-MM。", 400, back="/office")
        context = await run_in_threadpool(self._board_context, period)
        self.web.log(request, "督查室", f"督查室查看{label(period)}报送看板", period=period)
        if message:
            context.update(message=message, error=error)
        return self.render(request, "board.html", **context)

    def _board_context(self, period: str) -> dict[str, Any]:
        from ledger.report import period_status
        from ledger.report.build import bulletin_path, report_path

        web = self.web
        context: dict[str, Any] = {"period": period, "period_label": label(period), "now": web.local(datetime.now(web.zone)),
                                   "version": _version(web.ws), "periods": [(p, label(p)) for p in store.periods_issued(web.ws.engine) if p != period][:12]}
        try:
            status = period_status(web.ws, period)
        except LedgerError as exc:
            return {**context, "message": str(exc), "error": True}
        units = [{"name": u.unit.name, "outcome": u.outcome, "label": u.label,
                  "at": web.local(u.submitted_at or u.rejected_at), "reason": u.reason()} for u in status.units]
        xlsx = report_path(web.ws, status.plan.title, period)
        docx = bulletin_path(web.ws, status.plan.title, period)
        outputs = [("xlsx", "汇总表", xlsx.is_file()), ("docx", "督查通报", docx.is_file())]
        return {**context, "board_status": status, "totals": status.totals, "sentence": status.totals.sentence(),
                "deadline": status.deadline.strftime("%Y年%m月%d日"), "units": units,
                "waiting": [{"name": u.unit.name, "label": u.label} for u in status.waiting()], "outputs": outputs}

    async def version(self, request: Request) -> Response:
        if self.office_closed() or not self.signed_in(request):
            return JSONResponse({"error": "请先登录"}, status_code=401)
        return JSONResponse({"version": await run_in_threadpool(_version, self.web.ws)})

    async def reminders(self, request: Request) -> Response:
        from ledger.report import period_status, write_reminders

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        period = await run_in_threadpool(self._period, request)

        def make() -> Path:
            return write_reminders(self.web.ws, period_status(self.web.ws, period), command="serve")

        try:
            path = await _with_lock_retry(make)
        except LedgerError as exc:
            return self.message(request, "无法生成催报名单", str(exc), 503, back="/office")
        self.web.log(request, "督查室", f"督查室下载{label(period)}催报名单", "web-download", period=period)
        return _download(path, path.name)

    async def report_file(self, request: Request) -> Response:
        from ledger.report import period_status
        from ledger.report.build import bulletin_path, report_path

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        kind = request.path_params["kind"]
        period = await run_in_threadpool(self._period, request)
        if kind not in ("xlsx", "docx") or period is None:
            return await self.not_found(request, None)
        try:
            status = await run_in_threadpool(period_status, self.web.ws, period)
        except LedgerError as exc:
            return self.message(request, "无法下载", str(exc), 404, back="/office")
        path = (report_path if kind == "xlsx" else bulletin_path)(self.web.ws, status.plan.title, period)
        if not path.is_file():
            return self.message(request, "尚未生成", f"{label(period)}的汇总表和督查通报尚未生成。", 404,
                                "请在看板上点“生成（更新）汇总表和督查通报”。", f"/office?period={period}")
        self.web.log(request, "督查室", f"督查室下载{path.name}", "web-download", period=period)
        return _download(path, path.name)

    async def make_report(self, request: Request) -> Response:
        from ledger.report import make_report

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        period = await run_in_threadpool(self._period, request, _text(form.get("period")))
        try:
            made = await _with_lock_retry(lambda: make_report(self.web.ws, period, command="serve"))
        except LedgerError as exc:
            return await self.board(request, f"未能生成：{exc}", error=True)
        self.web.log(request, "督查室", f"督查室生成{label(period)}汇总表和督查通报", "web-report", period=period)
        return RedirectResponse(f"/office?period={period}&made={quote(made.path.name)}", status_code=303)

    async def work_log(self, request: Request) -> Response:
        from ledger.commands.log import COMMAND_LABELS

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        access = request.query_params.get("access") == "1"
        rows = await run_in_threadpool(event_log.recent, self.web.ws.engine, 200,
                                       () if access else (ACCESS,), (ACCESS,) if access else ())
        shown = [{"at": self.web.local(e["at"], seconds=True), "source": COMMAND_LABELS.get(e["command"], e["command"]),
                  "summary": e["summary"]} for e in rows]
        return self.render(request, "log.html", events=shown, access=access, period=await run_in_threadpool(self._period, request))

    async def links(self, request: Request, message: str = "") -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        period = await run_in_threadpool(self._period, request)
        try:
            result = await run_in_threadpool(unit_links, self.web.ws, period, None, (), False, False, "serve")
        except LedgerError as exc:
            return self.message(request, "暂无报送链接", str(exc), 404, back="/office")
        links = [{"unit": link.unit, "url": link.url, "issued": self.web.local(link.issued_at)} for link in result.links]
        return self.render(request, "links.html", period=period, period_label=label(period), links=links,
                           notes=result.notes, message=message)

    async def reissue(self, request: Request) -> Response:
        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        unit, period = _text(form.get("unit")), _text(form.get("period"))
        try:
            await run_in_threadpool(unit_links, self.web.ws, period or None, None, (unit,), False, False, "serve")
        except LedgerError as exc:
            return self.message(request, "未能更换", str(exc), 400, back="/office/links")
        self.web.log(request, "督查室", f"督查室更换{unit}的报送链接", "web-links", unit=unit)
        return RedirectResponse(f"/office/links?period={quote(period)}", status_code=303)


# --- helpers -----------------------------------------------------------------------------------
def _guarded(response: Response) -> Response:
    """Headers every page carries: links never leak through Referer, pages are not framed or cached."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                   "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
    return response


def _download(path: Path, name: str) -> Response:
    return _guarded(FileResponse(path, filename=name, media_type=_MEDIA.get(path.suffix.lower(), "application/octet-stream")))


_MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".pdf": "application/pdf"}


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def _unit_base(request: Request) -> str:
    return f"/u/{request.path_params['token']}"


def _redacted(request: Request) -> str:
    """The path with any token hidden: the work log must not become a list of working links."""
    return _TOKEN_IN_PATH.sub("/u/…", request.url.path)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _contact(office) -> str:
    return " ".join(p for p in (office.name, office.contact, office.phone) if p)


def _shown_name(inbox_name: str) -> str:
    """An upload's name as the department gave it (without the prefix ledger put on it in the inbox)."""
    from ledger.web.receive import PREFIX

    if inbox_name.startswith(PREFIX + "_"):
        parts = inbox_name.split("_", 4)
        if len(parts) == 5:
            return parts[4]
    return inbox_name.rsplit("/", 1)[-1]


_WHERE = re.compile(r"^(“[^”]*”工作表)?[A-Z]{1,3}[0-9]+(“[^”]*”)?[：:]\s*")


def _finding_row(f: dict[str, Any]) -> dict[str, Any]:
    """A finding as a row of the table: where (sheet, cell, column), what was typed, the problem
    (without the place, which has its own columns) and how to fix it."""
    message, fix = f.get("message") or "", f.get("fix") or ""
    problem = message[: -len(fix)].rstrip(SEPARATORS) if fix and message.endswith(fix) else message
    if f.get("cell"):
        problem = _WHERE.sub("", problem, count=1) or problem
    value = f.get("value")
    return {"sheet": f.get("sheet") or "", "cell": f.get("cell") or "", "column": f.get("column") or "",
            "value": "" if value is None else str(value)[:200], "problem": problem or message, "fix": fix,
            "error": f.get("severity") == "error"}


def _upload_ids(ws: Workspace, intake_ids: list[int]) -> dict[int, int]:
    if not intake_ids:
        return {}
    with ws.engine.connect() as conn:
        rows = conn.execute(sa.select(s.uploads.c.intake_id, s.uploads.c.id).where(s.uploads.c.intake_id.in_(intake_ids)))
        return {r.intake_id: r.id for r in rows}


def _template_of(ws: Workspace, template_id: str, unit_id: int) -> dict[str, Any] | None:
    if not re.fullmatch(r"[0-9a-f]{1,32}", template_id):
        return None
    with ws.engine.connect() as conn:
        row = conn.execute(sa.select(s.templates).where(s.templates.c.id == template_id,
                                                        s.templates.c.unit_id == unit_id)).mappings().first()
        return dict(row) if row else None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _version(ws: Workspace) -> str:
    """Changes whenever an outcome is recorded, a link issued or a report made."""
    with ws.engine.connect() as conn:
        intake = conn.execute(sa.select(sa.func.max(s.intake.c.id))).scalar() or 0
        work = conn.execute(sa.select(sa.func.max(s.events.c.id))
                            .where(sa.not_(s.events.c.action.startswith("web-")))).scalar() or 0
    return f"{intake}-{work}"


async def _with_lock_retry(work, tries: int = 20, pause: float = 0.5):
    """Run ``work`` in a thread; while another run holds the workspace lock, try again a moment later."""
    for attempt in range(tries):
        try:
            return await run_in_threadpool(work)
        except LockedError:
            if attempt == tries - 1:
                raise
            await asyncio.sleep(pause)
