"""What every page shares: the server's state (``Web``), rendering in Chinese with the form key, the
headers that keep a unit's link from leaking, downloads, and the pages of faults."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from ledger.localtime import local_text
from ledger.web.access import ACCESS, AccessLog, redact
from ledger.web.receive import Collector
from ledger.web.security import CSRF_COOKIE, RateLimiter, form_key, new_form_cookie
from ledger.workspace import Workspace

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
        return local_text(t, self.zone, seconds)

    def log(self, request: Request, who: str, summary: str, action: str = ACCESS, **detail: Any) -> None:
        """Record this access in the work log, in words (``AccessMiddleware`` records the rest)."""
        request.state.logged = True
        if self.access is not None:
            self.access.add(who, summary, {"ip": client_ip(request), **detail}, action)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


class Pages:
    """Pages of the server; the unit's and the office's pages build on these."""

    def __init__(self, web: Web) -> None:
        self.web = web

    def render(self, request: Request, page: str, status: int = 200, **context: Any) -> HTMLResponse:
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None if cookie and len(cookie) <= 100 else new_form_cookie()
        context.setdefault("office_name", self.web.settings.office.name)
        context.setdefault("max_mb", f"{self.web.settings.collect.max_file_mb:g}")
        subject = self.form_subject(request, fresh or cookie)
        html = self.web.env.get_template(page).render(form_key=form_key(self.web.key, subject), **context)
        response = HTMLResponse(html, status_code=status)
        if fresh:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="lax", secure=https(request), path="/")
        return guarded(response)

    def form_subject(self, request: Request, cookie: str) -> str:
        """What the page's form key is made from (the office's pages bind it to their session)."""
        return cookie

    def message(self, request: Request, title: str, message: str, status: int, hint: str = "",
                back: str = "") -> HTMLResponse:
        return self.render(request, "message.html", status, title=title, message=message, hint=hint, back=back,
                           error=status >= 400)

    async def not_found(self, request: Request, exc: Exception) -> HTMLResponse:
        return self.message(request, "页面不存在", "没有这个页面。", 404, "请使用督查室发给本单位的链接。")

    async def fault(self, request: Request, exc: Exception) -> HTMLResponse:
        """Our own error: the traceback goes to the work log, the visitor is told it is not theirs."""
        self.web.log(request, "（系统）", f"网页出错：{type(exc).__name__}（{request.method} {redacted(request)}）",
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

    async def index(self, request: Request) -> HTMLResponse:
        return self.render(request, "index.html")

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    async def board_js(self, request: Request) -> Response:
        source = self.web.env.loader.get_source(self.web.env, "board.js")[0]
        return guarded(Response(source, media_type="text/javascript; charset=utf-8"))


def guarded(response: Response) -> Response:
    """Headers every page carries: links never leak through Referer, pages are not framed or cached."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                   "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
    return response


def download(path: Path, name: str) -> Response:
    return guarded(FileResponse(path, filename=name, media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream")))


MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def https(request: Request) -> bool:
    return request.url.scheme == "https"


def redacted(request: Request) -> str:
    """The request's path with any token hidden."""
    return redact(request.url.path)


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
