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
from ledger import accounts
from ledger.accounts import User
from ledger.web.security import CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, bound_cookie, form_ok, password_ok
from ledger.workspace import CONFIG_NAME, Workspace

LOGIN_ATTEMPTS = (10, 900)      # per address: attempts, seconds


class OfficePages(Pages):
    """The office's pages (``/office``): every one passes ``office_gate`` first."""

    _config_mtime: int | None = None

    def shared_password(self) -> str:
        """``[serve] office_password`` as ledger.toml says now: the file is read again when it changes,
        so a new password takes effect (and ends the old one's sessions) without a restart."""
        ws = self.web.ws
        try:
            mtime = (ws.root / CONFIG_NAME).stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime != self._config_mtime:
            self._config_mtime, old = mtime, ws.__dict__.pop("settings", None)
            try:
                ws.settings
            except LedgerError:          # a half-edited file: keep what was in force
                if old is not None:
                    ws.__dict__["settings"] = old
        return ws.settings.serve.office_password

    def office_closed(self) -> bool:
        return not self.shared_password() and not accounts.has_users(self.web.ws.engine)

    def user(self, request: Request) -> User | None:
        """Who the request's office session signs in, if anyone (asked once per request)."""
        if "office_user" not in request.scope:
            token = request.cookies.get(SESSION_COOKIE)
            password = self.shared_password() if token else ""
            tag = accounts.shared_tag(self.web.key, password) if password else None
            request.scope["office_user"] = accounts.session_user(self.web.ws.engine, token, tag) if token else None
        return request.scope["office_user"]

    def signed_in(self, request: Request) -> bool:
        return self.user(request) is not None

    def who(self, request: Request) -> str:
        """The signed-in user's name, as the work log records an action."""
        user = self.user(request)
        return user.name if user else "（访客）"

    def render(self, request: Request, page: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("office_user", self.user(request))
        return super().render(request, page, status, **context)

    def form_subject(self, request: Request, cookie: str) -> str:
        return bound_cookie(cookie, request.cookies.get(SESSION_COOKIE))

    def form_checked(self, request: Request, field: str) -> bool:
        return form_ok(self.web.key, self.form_subject(request, request.cookies.get(CSRF_COOKIE)), field)

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
        """Who made a request, for the work log: the signed-in user's name when its session is valid."""
        return self.who(Request(scope))

    def closed_page(self, request: Request) -> HTMLResponse:
        return self.message(request, "督查室页面未开放", "督查室页面尚未设置密码。", 403,
                            "请用 ledger users add 添加督查室账号，或在工作区 ledger.toml 的 [serve] 中设置 office_password。")

    async def office_gate(self, request: Request, act: bool = True) -> Response | None:
        """None when the request may see office pages; otherwise the page to show instead. A POST
        must carry the session's form key, and (``act``) comes from a user who may act."""
        if self.office_closed():
            return self.closed_page(request)
        if not self.signed_in(request):
            if request.method == "GET":
                return RedirectResponse("/office/login", status_code=303)
            return self.message(request, "请先登录", "登录已过期，请重新登录。", 401, back="/office/login")
        if request.method == "POST":
            form = await request.form(max_files=0, max_fields=8)
            if not self.form_checked(request, text(form.get("form_key"))):
                self.web.log(request, self.who(request), "督查室操作未带有效的表单凭据，已拒绝", "web-denied")
                return self.forged(request, "/office")
            if act and not self.user(request).can_act:
                self.web.log(request, self.who(request), "领导账号试图操作，已拒绝", "web-denied")
                return self.message(request, "只能查看", "领导账号可以查看看板、汇总表和督查通报，不能操作。", 403,
                                    back="/office")
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
        return self.render(request, "login.html", named=accounts.has_users(self.web.ws.engine))

    async def login(self, request: Request) -> Response:
        web = self.web
        if self.office_closed():
            return self.closed_page(request)
        ip = client_ip(request)
        if web.logins.full(f"login:{ip}"):          # failed attempts only: staff behind one address may all log in
            web.log(request, "（登录）", f"{ip} 登录失败次数过多，已暂停", "web-login-limited")
            return self.message(request, "尝试次数过多", "密码输错次数过多，登录已暂停。", 429, "请 15 分钟后再试。")
        form = await request.form(max_files=0, max_fields=4)
        if not self.form_checked(request, text(form.get("form_key"))):
            return self.forged(request, "/office/login")
        named = await run_in_threadpool(accounts.has_users, web.ws.engine)
        user, token = await run_in_threadpool(self._sign_in, named, text(form.get("name")), text(form.get("password")))
        if user is None:
            web.logins.allow(f"login:{ip}")
            web.log(request, "（登录）", f"督查室登录失败（{ip}）", "web-login-failed")
            return self.render(request, "login.html", 401, named=named,
                               error="姓名或密码不正确，请重新输入。" if named else "密码不正确，请重新输入。")
        web.log(request, user.name, f"{user.name}登录（{user.role_label}，{ip}）", "web-login")
        response = RedirectResponse("/office", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                            secure=https(request), path="/")
        return response

    def _sign_in(self, named: bool, name: str, password: str) -> tuple[User | None, str]:
        """The user the form signs in and a new session's cookie; (None, "") when it signs in nobody."""
        engine = self.web.ws.engine
        if named:
            user = accounts.authenticate(engine, name, password)
            return (user, accounts.start_session(engine, user)) if user else (None, "")
        shared = self.shared_password()
        if not password_ok(password, shared):
            return None, ""
        return accounts.SHARED, accounts.start_session(engine, accounts.SHARED, accounts.shared_tag(self.web.key, shared))

    async def logout(self, request: Request) -> Response:
        blocked = await self.office_gate(request, act=False)
        if blocked:
            return blocked
        await run_in_threadpool(accounts.end_session, self.web.ws.engine, request.cookies.get(SESSION_COOKIE))
        self.web.log(request, self.who(request), f"{self.who(request)}退出登录", "web-logout")
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
        self.web.log(request, self.who(request), f"督查室查看{label(period)}报送看板", period=period)
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
                  "at": web.local(u.submitted_at or u.rejected_at), "reason": u.reason(), "review": u.review_label} for u in status.units]
        xlsx, docx = period_outputs(web.ws, period)
        outputs = [(kind, name, _output(xlsx, docx, kind).is_file()) for kind, name in OUTPUT_KINDS.items()]
        context.update(self._outbox(period))
        return {**context, "board_status": status, "totals": status.totals, "sentence": status.totals.sentence(),
                "deadline": date_text(status.deadline), "units": units,
                "waiting": [{"name": u.unit.name, "label": u.label} for u in status.waiting()], "outputs": outputs,
                "notices": _period_notices(web.ws, period), "scores": _period_scores(web.ws, period, status)}

    def _outbox(self, period: str) -> dict[str, Any]:
        """The period's reminders as the board shows them: how many went, and each that did not."""
        from ledger.remind import outbox
        from ledger.remind.wording import KIND_LABELS

        rows = outbox.rows(self.web.ws.engine, period)
        trouble = [{"unit": r["unit_name"], "kind": KIND_LABELS.get(r["kind"], r["kind"]), "channel": r["channel"],
                    "state": outbox.STATE_LABELS[r["state"]], "attempts": r["attempts"], "error": r["last_error"]}
                   for r in rows if r["state"] in (outbox.FAILED, outbox.RETRY)]
        return {"reminders_sent": sum(r["state"] == outbox.SENT for r in rows), "reminders_trouble": trouble,
                "channels": bool(self.web.settings.channels)}

    async def remind_preview(self, request: Request, sent: str = "") -> Response:
        """一键催报, first step: what would be sent now, to whom and by which channel (nothing changes)."""
        from ledger.remind.outbox import SENT, STATE_LABELS
        from ledger.remind.run import plan_reminders
        from ledger.remind.wording import KIND_LABELS

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        try:
            result = await run_in_threadpool(plan_reminders, self.web.ws, period)
        except LedgerError as exc:
            return self.message(request, "无法催报", str(exc), 400, back=f"/office?period={period}")
        messages = [{"unit": m.unit, "kind": KIND_LABELS[m.kind], "channel": m.channel,
                     "to": "、".join(m.recipients) or "（群消息）", "state": STATE_LABELS.get(m.state, "将发送"),
                     "subject": m.subject, "body": m.body} for m in result.messages]
        return self.render(request, "remind.html", period=period, period_label=label(period), messages=messages,
                           kinds=result.kinds, kind_labels=[KIND_LABELS[k] for k in result.kinds], notes=result.notes,
                           to_send=sum(m.state != SENT for m in result.messages),
                           done=await run_in_threadpool(self._last_remind) if request.query_params.get("done") else "")

    def _last_remind(self) -> str:
        """What the latest run sent (a redirect after the POST shows it, never text from the address)."""
        found = event_log.recent(self.web.ws.engine, 1, only=("remind",))
        return found[0]["summary"] if found else ""

    async def remind_send(self, request: Request) -> Response:
        """一键催报, second step (POST with the form key): record and send what the preview showed."""
        from ledger.remind.run import remind

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        kinds = [text(k) for k in form.getlist("kind")]
        try:
            result = await run_in_threadpool(lambda: remind(self.web.ws, period, kinds, command="serve", retry_within=0))
        except LedgerError as exc:
            return self.message(request, "催报未发送", str(exc), 400, back=f"/office/remind?period={period}")
        self.web.log(request, "督查室", f"督查室一键催报：{result.summary()}", "web-remind", period=period)
        return RedirectResponse(f"/office/remind?period={period}&done=1", status_code=303)

    async def units(self, request: Request) -> Response:
        """Units and their contacts, with a form to add or change one and to clear a unit's."""
        from ledger.store.contacts import unit_contacts

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        found = await run_in_threadpool(unit_contacts, self.web.ws.engine)
        units = [{"name": u, "contacts": [c.to_dict() for c in cs]} for u, cs in found.items()]
        return self.render(request, "units.html", units=units, period=await run_in_threadpool(self._period, request))

    async def year(self, request: Request) -> Response:
        """年度情况: the year (or a quarter) as its months were reported — the trend, each unit's record
        month by month with its on-time rate, and the tasks not finished at the end (``ledger status --year``)."""
        from ledger.report.span import Span, SpanError, span_view

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        asked = text(request.query_params.get("quarter") or request.query_params.get("year") or period[:4])
        try:
            span = Span.quarter(asked) if "Q" in asked.upper() else Span.year(asked)
            view = await run_in_threadpool(span_view, self.web.ws, span)
        except SpanError as exc:
            return self.message(request, "没有年度情况", str(exc), 404, back=f"/office?period={period}")
        units = [{"name": u.name, "cells": [u.cell(p) or "—" for p in view.months],
                  "rate": f"{u.on_time_rate:.0%}", "late": u.count("late"), "missing": u.count("missing")}
                 for u in view.units]
        unfinished = [{"item": t.label, "title": t.title, "lead": "、".join(t.lead), "status": t.last_status,
                       "lagged": t.lagged, "problems": t.last_problems} for t in view.unfinished()]
        return self.render(request, "year.html", period=period, span_title=view.span.title, title=view.title,
                           months=[label(p) for p in view.months], trend=view.month_totals(), units=units,
                           finished=len(view.finished()), unfinished=unfinished, year=span.key[:4])

    async def set_contact(self, request: Request) -> Response:
        """Add or update one contact of a unit, or clear its contacts (the same rules as ledger units set)."""
        from ledger.contacts import make_contact
        from ledger.store.contacts import set_unit_contacts

        blocked = await self.office_gate(request)
        if blocked:
            return blocked
        form = await request.form(max_files=0, max_fields=8)
        unit, clear = text(form.get("unit")), bool(form.get("clear"))
        try:
            given = [] if clear else [make_contact(text(form.get("contact")), text(form.get("phone")),
                                                   text(form.get("email")), {"name": "联系人", "phone": "手机", "email": "邮箱"})]
            await run_in_threadpool(set_unit_contacts, self.web.ws.engine, unit, given, clear, "serve")
        except LedgerError as exc:
            return self.message(request, "未能保存联系人", str(exc), 400, back="/office/units")
        self.web.log(request, "督查室", f"督查室{'清除' if clear else '设置'}{unit}的联系人", "web-units", unit=unit)
        return RedirectResponse("/office/units", status_code=303)

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
        self.web.log(request, self.who(request), f"督查室下载{label(period)}催报名单", "web-download", period=period)
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
        self.web.log(request, self.who(request), f"督查室下载{path.name}", "web-download", period=period)
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
        self.web.log(request, self.who(request), f"督查室生成{label(period)}汇总表和督查通报", "web-report", period=period)
        return RedirectResponse(f"/office?period={period}&made={quote(made.path.name)}", status_code=303)

    async def escalate(self, request: Request) -> Response:
        """Issue the period's 督办单 (the board's button), as ``ledger escalate`` does."""
        from ledger.supervise.escalate import escalate

        blocked, period = await self.office_period(request)
        if blocked:
            return blocked
        try:
            run = await _with_lock_retry(lambda: escalate(self.web.ws, period, command="serve"))
        except LedgerError as exc:
            return await self.board(request, f"未能签发督办单：{exc}", error=True)
        self.web.log(request, "督查室", f"督查室签发{label(period)}督办单 {len(run.issued)} 份", "web-escalate", period=period)
        return await self.board(request, f"已签发督办单 {len(run.issued)} 份" if run.issued
                                else "没有需要签发的督办单（已签发的不再重复签发）")

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
        who = self.who(request)
        return await self._link_action(request, "重新签发", lambda unit, period: unit_links(
            self.web.ws, period or None, None, (unit,), False, False, "serve", by=who))

    async def revoke(self, request: Request) -> Response:
        who = self.who(request)
        return await self._link_action(request, "收回", lambda unit, period: revoke_link(self.web.ws, unit, "serve", by=who))

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
        request.state.logged = True     # the change is in the work log once, recorded with it (naming who)
        return RedirectResponse(f"/office/links?period={quote(period)}", status_code=303)


def _period_notices(ws: Workspace, period: str) -> list[dict[str, Any]]:
    """The 督办单 issued on the period, for the board."""
    from ledger.store.escalations import notices
    from ledger.supervise.rules import COLOUR_LABELS

    states = {"open": "待反馈", "replied": "已反馈", "closed": "已办结"}
    return [{"id": n["id"], "number": n["number"], "unit": n["unit"], "colour": n["colour"],
             "colour_label": COLOUR_LABELS[n["colour"]], "items": len(n["items"]), "state": states[n["state"]],
             "reply": n["reply"] or "", "reply_due": n["reply_due"].strftime("%m月%d日")}
            for n in notices(ws.engine, period=period)]


def _period_scores(ws: Workspace, period: str, status=None) -> list[dict[str, Any]]:
    """This month's 考评 (``ledger score``), for the board (from the status it has just read)."""
    from ledger.report.scores import score_units

    return [{"rank": u.rank, "unit": u.unit, "score": f"{u.score:g}",
             "why": "；".join(f"{d.reason} {d.points:+g}" for d in u.deductions)}
            for u in score_units(ws, period, status=status).units]


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
