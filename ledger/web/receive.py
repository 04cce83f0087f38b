"""Uploads reach the inbox whole, bound to their unit, and are collected at once.

An upload is written to ``.uploads/`` (beside the inbox, on the same disk), flushed, recorded in
the store bound to the unit whose link carried it, and only then renamed into the inbox: collect
never sees half a file, and whichever run takes it in (this server's, a scheduled one, a manual
``ledger collect``) knows whose upload it is. The server's collector runs the same
``collect_inbox`` under the same workspace lock as every other run, one run at a time.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ledger.collect.intake import HELD, collect_inbox
from ledger.collect.names import UPLOAD_PREFIX as PREFIX, folder_name
from ledger.durable import fsync_dir
from ledger.errors import DatabaseBusyError, LedgerError, LockedError, os_reason
from ledger.links import LinkHolder
from ledger.store import events
from ledger.store import links as store
from ledger.workspace import Workspace

STAGING = ".uploads"
RETRY_HELD = 600.0       # seconds between tries of files held for the office
BUSY_TRIES = 3           # runs the database refuses as busy, one after another, before the office is told
BUSY_PAUSE = 1.0         # seconds before a run the database refused as busy is tried again


class UploadTooLarge(Exception):
    """The body grew past the bound while being read."""


@dataclass
class Landed:
    upload_id: int
    inbox_name: str
    size: int
    sha256: str


def staging_dir(ws: Workspace) -> Path:
    return ws.root / STAGING


def sweep_staging(ws: Workspace) -> None:
    """Remove what a killed server left half-written (nothing there was ever recorded as in the inbox)."""
    shutil.rmtree(staging_dir(ws), ignore_errors=True)


def land(ws: Workspace, holder: LinkHolder, original: str, source: BinaryIO, limit: int,
         now: datetime | None = None) -> Landed:
    """Put an uploaded file into the inbox, bound to its unit; raise UploadTooLarge past ``limit`` bytes."""
    now = now or datetime.now(timezone.utc)
    folder = staging_dir(ws)
    folder.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    inbox_name = f"{PREFIX}_{folder_name(holder.unit, '单位')}_{stamp}_{secrets.token_hex(3)}_{original}"
    tmp = folder / f"{secrets.token_hex(8)}.part"
    digest, size = hashlib.sha256(), 0
    try:
        with open(tmp, "xb") as out:
            while chunk := source.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge()
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha256 = digest.hexdigest()
        upload_id = store.record_upload(ws.engine, unit_id=holder.unit_id, link_id=holder.link_id,
                                        inbox_name=inbox_name, original_name=original, sha256=sha256,
                                        size=size, received_at=now)
        try:
            ws.inbox_dir.mkdir(exist_ok=True)
            os.replace(tmp, ws.inbox_dir / inbox_name)
            fsync_dir(ws.inbox_dir)
        except OSError:
            store.forget_upload(ws.engine, upload_id)
            raise
    finally:
        tmp.unlink(missing_ok=True)
    return Landed(upload_id, inbox_name, size, sha256)


class Collector:
    """One thread that collects the inbox whenever told (and every ``every`` seconds while uploads
    wait): a run another process holds the lock against is tried again a moment later."""

    def __init__(self, ws: Workspace, every: float = 30.0) -> None:
        self.ws, self.every = ws, every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self.runs = 0
        self.held: dict[str, str] = {}     # files the last run held for the office: inbox name -> why
        self.fault: tuple[datetime, str] | None = None    # the last run failed as a whole: when, why
        self._last_run = 0.0
        self._busy = 0                     # runs refused as busy in a row
        self._thread = threading.Thread(target=self._loop, name="ledger-collector", daemon=True)

    def start(self) -> "Collector":
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def kick(self) -> None:
        self._wake.set()

    def wait_run(self, after: int, timeout: float) -> bool:
        """Wait until a run that started after run number ``after`` ends; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self.runs <= after:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True

    def _loop(self) -> None:
        while not self._stop.is_set():
            kicked = self._wake.wait(self.every)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                if kicked or self._worth_running():
                    self._last_run = time.monotonic()
                    result = collect_inbox(self.ws, command="serve", workers=1)
                    self.held = {f.file: (f.findings[0].message if f.findings else "") for f in result.files
                                 if f.outcome == HELD}
                    self.fault = None
                self._busy = 0
            except LockedError:
                time.sleep(1.0)          # a scheduled or manual run is collecting; ours follows it
                self._wake.set()
                continue
            except DatabaseBusyError as exc:     # another program's transaction: a moment later, quietly
                self._busy += 1
                if self._busy < BUSY_TRIES:
                    time.sleep(BUSY_PAUSE)
                    self._wake.set()
                    continue
                self._fault(f"网页收取未能完成：{exc}", None)
            except LedgerError as exc:   # the database or the disk: told to the office, tried again later
                self._fault(f"网页收取未能完成：{exc}", None)
            except Exception as exc:  # noqa: BLE001 - the server must go on; the office sees the fault
                self._fault(f"网页收取时程序内部错误（{type(exc).__name__}）", exc)
            with self._done:
                self.runs += 1
                self._done.notify_all()

    def _worth_running(self) -> bool:
        """Uploads wait in our inbox that the last run did not hold (a held one waits for the office,
        not for us; a record whose file never arrived, or sits in another workspace's inbox, is not ours)."""
        waiting = set(store.waiting_uploads(self.ws.engine)) - set(self.held)
        if any((self.ws.inbox_dir / name).is_file() for name in waiting):
            return True
        return bool(self.held) and time.monotonic() - self._last_run >= RETRY_HELD    # the office may have mended it

    def _fault(self, message: str, exc: Exception | None) -> None:
        """A run that could not finish: one Chinese line on the server's console (its journal under
        systemd) and, when the database takes it, the work log with the traceback."""
        print(message, file=sys.stderr, flush=True)
        self.fault = (datetime.now(timezone.utc), message)     # on the board until a run succeeds
        detail = {"traceback": "".join(traceback.format_exception(exc))} if exc else {}
        try:
            events.record(self.ws.engine, "serve", "collect-fault", message, detail)
        except Exception:  # noqa: BLE001 - the database itself may be what failed; the console has it
            pass


def describe_os_error(exc: OSError) -> str:
    return f"服务器无法保存上传的文件：{os_reason(exc)}"
