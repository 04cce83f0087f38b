"""Job-run history in ``job_runs``: one row per run, opened as ``running`` and closed with its outcome.

Times are stored in UTC; SQLite hands them back without a zone, so they are read as UTC. A run
left ``running`` by a process that no longer exists is closed as ``abandoned`` by ``reap_stale``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ledger.store import schema as s

RUNNING, OK, FAILED, ABANDONED, MISSED = "running", "ok", "failed", "abandoned", "missed"
OUTCOME_LABELS = {RUNNING: "运行中", OK: "成功", FAILED: "失败", ABANDONED: "已放弃", MISSED: "错过"}
_PID_RE = re.compile(r"进程 (\d+)")


@dataclass
class JobRun:
    id: int
    job: str
    scheduled_at: datetime | None     # None for a run started by hand (ledger schedule trigger)
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    message: str

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    def to_dict(self) -> dict[str, Any]:
        iso = lambda t: t.isoformat() if t else None  # noqa: E731
        return {"id": self.id, "job": self.job, "scheduled_at": iso(self.scheduled_at),
                "started_at": iso(self.started_at), "finished_at": iso(self.finished_at),
                "outcome": self.outcome, "message": self.message}


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def running_message(pid: int | None = None) -> str:
    return f"运行中（进程 {pid or os.getpid()}）"


def start_run(engine: Engine, job: str, scheduled_at: datetime | None, started_at: datetime) -> int:
    """Open a run as ``running``; the message names this process so a crash can be told apart."""
    with engine.begin() as conn:
        result = conn.execute(s.job_runs.insert().values(
            job=job, scheduled_at=utc(scheduled_at), started_at=utc(started_at), outcome=RUNNING,
            message=running_message()))
        return int(result.inserted_primary_key[0])


def finish_run(engine: Engine, run_id: int, outcome: str, message: str, finished_at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(s.job_runs.update().where(s.job_runs.c.id == run_id).values(
            outcome=outcome, message=message, finished_at=utc(finished_at)))


def record(engine: Engine, job: str, scheduled_at: datetime | None, at: datetime, outcome: str,
           message: str) -> int:
    """A run that never started (missed, or dropped while stopping): opened and closed at once."""
    with engine.begin() as conn:
        result = conn.execute(s.job_runs.insert().values(
            job=job, scheduled_at=utc(scheduled_at), started_at=utc(at), finished_at=utc(at),
            outcome=outcome, message=message))
        return int(result.inserted_primary_key[0])


def get_run(engine: Engine, run_id: int) -> JobRun:
    with engine.connect() as conn:
        row = conn.execute(sa.select(s.job_runs).where(s.job_runs.c.id == run_id)).mappings().one()
    return _run(row)


def recent_runs(engine: Engine, job: str | None = None, limit: int = 20) -> list[JobRun]:
    """The latest runs, newest first."""
    query = sa.select(s.job_runs).order_by(s.job_runs.c.id.desc()).limit(limit)
    if job:
        query = query.where(s.job_runs.c.job == job)
    with engine.connect() as conn:
        return [_run(r) for r in conn.execute(query).mappings()]


def reap_stale(engine: Engine, at: datetime, active: set[int] = frozenset()) -> int:
    """Close as abandoned the ``running`` rows left by a dead run; return how many.

    Called by a scheduler that holds the scheduler lock, so a scheduled run (one with a
    scheduled time) not in ``active`` is dead; a manual run is dead when its process is gone.
    """
    with engine.begin() as conn:
        rows = conn.execute(sa.select(s.job_runs.c.id, s.job_runs.c.scheduled_at, s.job_runs.c.message)
                            .where(s.job_runs.c.outcome == RUNNING)).all()
        stale = [r.id for r in rows
                 if r.id not in active and (r.scheduled_at is not None or not _owner_alive(r.message))]
        if stale:
            conn.execute(s.job_runs.update().where(s.job_runs.c.id.in_(stale)).values(
                outcome=ABANDONED, finished_at=utc(at), message="运行中断：运行它的进程已意外退出（如断电或被强制结束），未完成的写入不会生效"))
    return len(stale)


def _run(row: Any) -> JobRun:
    return JobRun(row["id"], row["job"], utc(row["scheduled_at"]), utc(row["started_at"]),
                  utc(row["finished_at"]), row["outcome"], row["message"] or "")


def _owner_alive(message: str) -> bool:
    match = _PID_RE.search(message or "")
    if not match:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False          # this process is only starting; its live runs are passed as active
    return pid_alive(pid)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if os.name == "nt":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)       # signal 0: existence check only (never use this on Windows)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _pid_alive_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)   # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5               # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259                           # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
