"""Every access to the web pages goes to the work log (``ledger log --access``), written by one
thread in small batches so that a page never waits for the database.

Pages record what happened in words (``Web.log``); ``AccessMiddleware`` records every other request
(method, path with any token hidden, answer). Not recorded: the board's own polling of
``/office/version`` every few seconds, the health check and the board's script.
"""

from __future__ import annotations

import queue
import re
import threading
from datetime import datetime, timezone
from typing import Any

from ledger.store import events
from ledger.workspace import Workspace

ACCESS = events.WEB_ACCESS


class AccessLog:
    def __init__(self, ws: Workspace, flush_every: float = 1.0) -> None:
        self.ws, self.flush_every = ws, flush_every
        self._queue: queue.Queue = queue.Queue(maxsize=100_000)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ledger-access-log", daemon=True)

    def start(self) -> "AccessLog":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._flush()

    def add(self, who: str, summary: str, detail: dict[str, Any], action: str = ACCESS) -> None:
        try:
            self._queue.put_nowait((datetime.now(timezone.utc), who, action, summary, detail))
        except queue.Full:      # the database has been unreachable for a long while: keep serving
            pass

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_every):
            self._flush()

    def _flush(self) -> None:
        batch = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not batch:
            return
        try:
            with self.ws.engine.begin() as conn:
                for at, who, action, summary, detail in batch:
                    events.record(conn, "serve", action, summary, {"who": who, **detail}, at=at)
        except Exception:  # noqa: BLE001 - the log must outlive any fault of the database: tried again later
            for entry in batch[-10_000:]:
                try:
                    self._queue.put_nowait(entry)
                except queue.Full:
                    break


UNLOGGED = ("/office/version", "/healthz", "/static/")
TOKEN_IN_PATH = re.compile(r"^/u/[^/?]+")


def redact(path: str) -> str:
    """A path with any token hidden: the work log must not become a list of working links."""
    return TOKEN_IN_PATH.sub("/u/…", path)


class AccessMiddleware:
    """Records each request no page recorded itself, once its answer is known."""

    def __init__(self, app, log: AccessLog | None, who) -> None:
        self.app, self.log, self.who = app, log, who

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.log is None or scope["path"].startswith(UNLOGGED):
            await self.app(scope, receive, send)
            return
        status = [500]

        async def tracked(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        finally:
            if not scope.get("state", {}).get("logged"):
                path = redact(scope["path"])
                client = scope.get("client") or ("", 0)
                self.log.add(self.who(scope), f"{scope['method']} {path} → {status[0]}",
                             {"ip": client[0], "path": path, "status": status[0]})
