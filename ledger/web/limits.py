"""A bound on every request body, checked before a byte is read: a declared length over it is refused
at once, and a body that grows past it (sent without a length, or lying about it) is cut off."""

from __future__ import annotations

from typing import Callable

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


def too_large_page(max_mb: float, request=None) -> HTMLResponse:
    html = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>文件过大</title></head><body>"
            f"<h1>文件过大</h1><p id=\"message\">上传的文件超过了 {max_mb:g} MB 的上限，未接收。</p>"
            "<p>台账模板正常填写后远小于此上限：请检查是否在表格中插入了图片或附件，删除后重新上传。</p>"
            "<p><a href=\"javascript:history.back()\">返回</a></p></body></html>")
    return HTMLResponse(html, status_code=413, headers={"Connection": "close", "Referrer-Policy": "no-referrer"})


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, page: Callable[[], HTMLResponse]) -> None:
        self.app, self.max_bytes, self.page = app, max_bytes, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self.page()(scope, receive, send)
            return
        received, started = 0, False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except BodyTooLarge:
            if not started:
                await self.page()(scope, receive, send)
