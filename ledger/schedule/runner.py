"""The scheduler: APScheduler 3 wiring, job-run recording, the scheduler lock and stop signals.

Jobs live in the workspace database (table ``apscheduler_jobs``), so a run missed while the machine
was off is still due when the scheduler comes back; coalescing makes several missed slots one run,
and a run later than the job's grace time is recorded as missed. Due jobs run one at a time in the
scheduler's own thread (they all need the workspace write lock anyway). One scheduler per
workspace: ``.ledger-scheduler.lock`` is held for the scheduler's life; on a server database,
which several workspaces may share along with its job store, one scheduler per database
(``ledger.store.guard.scheduler_lock``), so no scheduler rewrites another's stored jobs.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Callable, Iterator

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from filelock import FileLock, Timeout

from ledger.errors import LedgerError, LockedError, ScheduleError
from ledger.period import check_period, label
from ledger.schedule import history
from ledger.schedule.actions import action_label, registry
from ledger.schedule.config import JobSpec, find_job, load_jobs
from ledger.schedule.history import ABANDONED, FAILED, MISSED, OK, JobRun
from ledger.store.faults import describe
from ledger.store.guard import SchedulerHeld, scheduler_lock
from ledger.workspace import Workspace

SCHEDULER_LOCK_NAME = ".ledger-scheduler.lock"
JOBS_TABLE = "apscheduler_jobs"
Clock = Callable[[], datetime]
Notify = Callable[[JobRun], None]

log = logging.getLogger("ledger.schedule")

_SCHEDULED_AT: ContextVar[datetime | None] = ContextVar("scheduled_at", default=None)
_RUNNERS: dict[str, "Runner"] = {}    # workspace root -> its running scheduler in this process
_ACTIVE_RUNS: set[int] = set()        # job_runs ids being executed by this process


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class JobAbandoned(BaseException):
    """Raised inside a running job to abandon it (second stop signal); not an ordinary error."""


class _StepFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class JobExecutor:
    """Runs one job's actions now and records the run: the core of scheduled and manual runs."""

    def __init__(self, ws: Workspace, clock: Clock | None = None, lock_poll: float = 5.0,
                 on_run: Notify | None = None):
        self.ws = ws
        self.clock = clock or utc_now
        self.lock_poll = lock_poll
        self.on_run = on_run
        self.stopping = False       # set by a stop signal: start nothing new, stop waiting for locks
        self.in_action = False      # True while library code runs: only then may a job be abandoned
        self.current: str | None = None

    def execute(self, spec: JobSpec, scheduled_at: datetime | None = None, period: str | None = None) -> JobRun:
        """Run ``spec`` for its period (from the scheduled time, else now) and record the outcome."""
        started = self.clock()
        period = period or spec.period_for(scheduled_at or started)
        run_id = history.start_run(self.ws.engine, spec.name, scheduled_at, started)
        _ACTIVE_RUNS.add(run_id)
        self.current = spec.name
        try:
            outcome, message = self._attempt(spec, period)
            history.finish_run(self.ws.engine, run_id, outcome, message, self.clock())
        finally:
            self.current = None
            _ACTIVE_RUNS.discard(run_id)
        return self._notify(history.get_run(self.ws.engine, run_id))

    def skip(self, job: str, scheduled_at: datetime | None, outcome: str, message: str) -> JobRun:
        """Record a run that does not start (missed, or dropped while stopping)."""
        run_id = history.record(self.ws.engine, job, scheduled_at, self.clock(), outcome, message)
        return self._notify(history.get_run(self.ws.engine, run_id))

    def _notify(self, run: JobRun) -> JobRun:
        if self.on_run:
            try:
                self.on_run(run)
            except Exception:  # noqa: BLE001 - reporting must never break the scheduler
                log.exception("on_run callback failed")
        return run

    def _attempt(self, spec: JobSpec, period: str) -> tuple[str, str]:
        job_ws = Workspace(self.ws.root)      # fresh settings for every run
        try:
            self.in_action = True
            try:
                message = self._run_actions(spec, period, job_ws)
            finally:
                self.in_action = False
            return OK, message
        except JobAbandoned as exc:
            return ABANDONED, f"已放弃：{exc}"
        except KeyboardInterrupt:
            return ABANDONED, "已放弃：被 Ctrl-C 中断，未完成的写入不会生效"
        except _StepFailed as exc:
            return FAILED, exc.message
        finally:
            if "engine" in job_ws.__dict__:
                job_ws.engine.dispose()

    def _run_actions(self, spec: JobSpec, period: str, ws: Workspace) -> str:
        """Run the job's actions in order; the first failure stops the sequence."""
        done: list[str] = []
        for n, name in enumerate(spec.actions):
            try:
                action = registry().get(name)
                if action is None:
                    raise ScheduleError(f"动作“{name}”不存在")
                summary = self._call(action, ws, period, spec)
            except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never fatal
                raise _StepFailed(self._failure(spec, n, period, exc, done)) from exc
            done.append(f"【{action_label(name)}】{summary}" if len(spec.actions) > 1 else summary)
        return "；".join(done)

    def _failure(self, spec: JobSpec, n: int, period: str, exc: Exception, done: list[str]) -> str:
        """``【催报名单】失败（2024年7月）：…；此前已完成【收集报送】…；未执行【汇总表】``."""
        if isinstance(exc, LedgerError):
            detail = str(exc)
        else:
            log.warning("job %s failed", spec.name, exc_info=exc)
            detail = f"内部错误 {type(exc).__name__}: {exc}"
        step = action_label(spec.actions[n])
        message = f"{f'【{step}】' if len(spec.actions) > 1 else step}失败（{label(period)}）：{detail}"
        if done:
            message += f"；此前已完成{'；'.join(done)}"
        if spec.actions[n + 1:]:
            message += f"；未执行{''.join(f'【{action_label(a)}】' for a in spec.actions[n + 1:])}"
        return message

    def _call(self, action: Callable[[Workspace, str], str], ws: Workspace, period: str, spec: JobSpec) -> str:
        """Call the action; while the workspace lock is taken, retry until lock_wait_minutes pass."""
        deadline = time.monotonic() + spec.lock_wait_minutes * 60
        while True:
            try:
                return str(action(ws, period))
            except LockedError as exc:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LockedError(f"等待 {spec.lock_wait_minutes:g} 分钟后工作区仍被占用：{exc}") from None
                self._pause(min(self.lock_poll, remaining))
                if self.stopping:
                    raise JobAbandoned("调度器停止时本任务仍在等待工作区锁，未运行") from None

    def _pause(self, seconds: float) -> None:
        """Sleep, waking early when a stop is requested (signal handlers only set a flag)."""
        end = time.monotonic() + seconds
        while not self.stopping and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))


class SerialExecutor(BaseExecutor):
    """Runs a due job at once in the scheduler's thread, telling it the time it was scheduled for.

    APScheduler's own ``run_job`` does the misfire check, so late runs are judged by its rules.
    """

    def _do_submit_job(self, job, run_times):
        events = []
        try:
            for run_time in run_times:
                token = _SCHEDULED_AT.set(run_time)
                try:
                    events.extend(run_job(job, job._jobstore_alias, [run_time], self._logger.name))
                finally:
                    _SCHEDULED_AT.reset(token)
        except BaseException:  # noqa: BLE001 - mirrors APScheduler's DebugExecutor
            self._run_job_error(job.id, *sys.exc_info()[1:])
        else:
            self._run_job_success(job.id, events)


class LedgerScheduler(BaseScheduler):
    """An APScheduler 3 scheduler whose loop is ``Runner.serve``: start() returns at once."""

    woken = False

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def wakeup(self) -> None:
        self.woken = True


def fire_job(root: str, name: str) -> None:
    """The function stored in the job store: hand the job to this process's runner."""
    runner = _RUNNERS.get(root)
    if runner is None:
        raise RuntimeError(f"no ledger scheduler is running for {root}")
    runner.fire(name, _SCHEDULED_AT.get())


class Runner:
    """One workspace's scheduler: lock, job store, jobs from the schedule files, run recording."""

    def __init__(self, ws: Workspace, jobs: list[JobSpec], *, clock: Clock | None = None,
                 lock_poll: float = 5.0, on_run: Notify | None = None):
        self.ws = ws
        self.jobs = jobs
        self.specs = {j.name: j for j in jobs if j.enabled}
        self.executor = JobExecutor(ws, clock, lock_poll, on_run)
        self.scheduler: LedgerScheduler | None = None
        self._lock: FileLock | None = None
        self._db_lock = None          # the connection holding the database's scheduler lock (server databases)

    @property
    def key(self) -> str:
        return str(self.ws.root)

    @property
    def stopping(self) -> bool:
        return self.executor.stopping

    def __enter__(self) -> "Runner":
        if self._lock is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Take the scheduler lock, bring the job store in line with the files and start."""
        if not self.specs:
            raise ScheduleError("schedules/ 中没有启用的定时任务，调度器未启动")
        self._acquire_lock()
        try:
            history.reap_stale(self.ws.engine, self.executor.clock(), _ACTIVE_RUNS)
            self.scheduler = LedgerScheduler(
                timezone=self.ws.settings.office.timezone,
                jobstores={"default": SQLAlchemyJobStore(engine=self.ws.engine, tablename=JOBS_TABLE)},
                executors={"default": SerialExecutor()},
                job_defaults={"coalesce": True, "max_instances": 1})
            self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
            self.scheduler.start(paused=True)
            _RUNNERS[self.key] = self
            self._sync()
            self.scheduler.resume()
        except BaseException:
            self.close()
            raise

    def _acquire_lock(self) -> None:
        lock = FileLock(str(self.ws.root / SCHEDULER_LOCK_NAME))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise LockedError(f"此工作区已有一个定时调度器在运行（{SCHEDULER_LOCK_NAME} 已被占用），"
                              "同一工作区只能运行一个调度器") from None
        try:
            self._db_lock = scheduler_lock(self.ws.engine, f"ledger {socket.gethostname()}:{self.key}")
        except SchedulerHeld as held:
            lock.release()
            where = describe(self.ws.engine.url)["where"]
            by = f"（{held.holder.removeprefix('ledger ')}）" if held.holder else ""
            raise LockedError(f"数据库“{where}”已有一个定时调度器在运行{by}：共用一个数据库的多个工作区只能运行一个调度器，"
                              "请只在其中一个工作区运行 ledger schedule run") from None
        self._lock = lock

    def _sync(self) -> None:
        """Store the file's jobs; an unchanged job keeps its stored next run, so a missed run stays due."""
        for stored in self.scheduler.get_jobs():
            if stored.id not in self.specs:
                self.scheduler.remove_job(stored.id)
        for spec in self.specs.values():
            trigger = spec.trigger()
            options = dict(func=fire_job, args=(self.key, spec.name), name=spec.name, coalesce=True,
                           max_instances=1, misfire_grace_time=spec.grace_seconds)
            stored = self.scheduler.get_job(spec.name)
            if stored is not None and stored.next_run_time and repr(stored.trigger) == repr(trigger):
                self.scheduler.modify_job(spec.name, **options)
            else:
                self.scheduler.add_job(trigger=trigger, id=spec.name, replace_existing=True, **options)

    def next_run_times(self) -> dict[str, datetime | None]:
        """Each scheduled job's next run as the job store has it (a missed run shows as past)."""
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}

    def tick(self) -> float | None:
        """Run what is due now; return the seconds until something is due next (None: nothing)."""
        try:
            return self.scheduler._process_jobs()
        except Exception:  # noqa: BLE001 - e.g. the database is briefly unavailable
            log.exception("处理到期任务时出错，稍后重试")
            return self.scheduler.jobstore_retry_interval

    def serve(self, tick: float = 1.0, recheck: float = 60.0) -> None:
        """The foreground loop: run due jobs until a stop is requested.

        Due times are checked against the wall clock at least every ``recheck`` seconds, so a
        machine waking from sleep runs what became due while it slept.
        """
        due = 0.0
        while not self.stopping:
            now = time.time()
            if self.scheduler.woken or now >= due:
                self.scheduler.woken = False
                wait = self.tick()
                due = time.time() + min(recheck, recheck if wait is None else wait)
                continue
            time.sleep(min(tick, max(due - now, 0.0)))

    def request_stop(self) -> str | None:
        """Start nothing new; return the name of the job still running, if any."""
        self.executor.stopping = True
        return self.executor.current

    def close(self) -> None:
        """Shut the scheduler down (waiting for a running job) and release the lock."""
        if self.scheduler is not None and self.scheduler.state != STATE_STOPPED:
            self.scheduler.shutdown(wait=True)
        if _RUNNERS.get(self.key) is self:
            del _RUNNERS[self.key]
        if self._db_lock is not None:
            self._db_lock.release()
            self._db_lock = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def fire(self, name: str, scheduled_at: datetime | None) -> None:
        spec = self.specs.get(name)
        if spec is None:
            self.executor.skip(name, scheduled_at, FAILED, "任务定义已不存在（schedules/ 中已删除或停用），未运行")
        elif self.stopping:
            self.executor.skip(name, scheduled_at, ABANDONED,
                               f"已放弃：调度器正在停止，本次未运行；可用 ledger schedule trigger {name} 手动补跑")
        else:
            self.executor.execute(spec, scheduled_at)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        spec = self.specs.get(event.job_id)
        grace = f"{spec.grace_hours:g} 小时" if spec else "时限"
        self.executor.skip(event.job_id, event.scheduled_run_time, MISSED,
                           f"错过计划时间已超过补跑时限 {grace}，未运行；可用 ledger schedule trigger {event.job_id} 手动补跑")


def start_runner(ws: Workspace, **kwargs) -> Runner:
    """Validate every schedule file, then start a runner (still to be served or closed)."""
    runner = Runner(ws, load_jobs(ws), **kwargs)
    runner.start()
    return runner


def trigger_job(ws: Workspace, name: str, period: str | None = None, *, clock: Clock | None = None,
                lock_poll: float = 5.0, on_run: Notify | None = None) -> JobRun:
    """Run one job now, whether or not a scheduler is running; recorded like a scheduled run."""
    spec = find_job(load_jobs(ws), name)
    period = check_period(period) if period else None
    executor = JobExecutor(ws, clock, lock_poll, on_run)
    with _abandon_on_sigterm(executor):
        return executor.execute(spec, None, period)


@contextmanager
def stop_signals(runner: Runner, say: Callable[[str], None]) -> Iterator[None]:
    """SIGINT/SIGTERM: the first stops after the running job, a second abandons that job."""
    def handle(signum, frame):
        if not runner.stopping:
            current = runner.request_stop()
            _say(say, f"正在停止：等待任务“{current}”完成……（再按一次 Ctrl-C 放弃该任务）" if current else "正在停止……")
        elif runner.executor.in_action:
            raise JobAbandoned("收到第二次停止信号，任务被中止；未完成的写入不会生效")
    with _signals(handle):
        yield


@contextmanager
def _abandon_on_sigterm(executor: JobExecutor) -> Iterator[None]:
    def handle(signum, frame):
        if executor.in_action:
            raise JobAbandoned("收到停止信号，任务被中止；未完成的写入不会生效")
        raise KeyboardInterrupt
    with _signals(handle, (signal.SIGTERM,)):
        yield


@contextmanager
def _signals(handler, signums: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> Iterator[None]:
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.signal(s, handler) for s in signums}
    try:
        yield
    finally:
        for s, previous in saved.items():
            signal.signal(s, previous)


def _say(say: Callable[[str], None], text: str) -> None:
    try:
        say(text)
    except Exception:  # noqa: BLE001 - never fail inside a signal handler
        pass
