"""The scheduler on a controlled clock: fire times, coalesced missed runs, failures, locks, stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from filelock import FileLock

from ledger.errors import LedgerError, LockedError, ScheduleError
from ledger.schedule import history
from ledger.schedule.config import load_jobs
from ledger.schedule.history import ABANDONED, FAILED, MISSED, OK, RUNNING
from ledger.schedule.runner import JOBS_TABLE, SCHEDULER_LOCK_NAME, Runner, start_runner, stop_signals, trigger_job
from ledger.store import schema as s
from ledger.workspace import Workspace, init_workspace
from tests.conftest import needs_server
from tests.schedule.conftest import SH, at, drive, write_schedule


def runs(ws: Workspace, job: str | None = None) -> list[history.JobRun]:
    return list(reversed(history.recent_runs(ws.engine, job, limit=10_000)))


def local(t: datetime | None) -> str | None:
    return f"{t.astimezone(SH):%Y-%m-%d %H:%M}" if t else None


def stored_jobs(ws: Workspace) -> dict[str, float]:
    with ws.engine.connect() as conn:
        if not sa.inspect(conn).has_table(JOBS_TABLE):
            return {}
        return dict(conn.execute(sa.text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all())


def runner(ws, clock, **kw) -> Runner:
    return start_runner(ws, clock=clock, lock_poll=0.02, **kw)


def test_monthly_cycle_fires_at_the_right_times(ws, clock, fake):
    clock.set("2024-07-31 23:00")                      # a Wednesday
    with runner(ws, clock) as r:
        drive(r, clock, "2024-08-07 00:00")
    assert fake.of("templates") == [("2024-07", at("2024-08-01 08:00"))]
    assert fake.of("reminders") == [("2024-07", at("2024-08-05 09:00"))]
    assert fake.of("report") == [("2024-07", at("2024-08-06 17:00"))]
    collect_days = sorted({f"{t:%m-%d}" for _, t in fake.of("collect")})
    assert collect_days == ["08-01", "08-02", "08-05", "08-06"]      # Thu, Fri, Mon, Tue: not the weekend
    hours = sorted({t.hour for _, t in fake.of("collect")})
    assert hours == list(range(8, 19))
    assert len(fake.of("collect")) == 4 * 11 + 1                     # plus the report job's own collect
    recorded = runs(ws)
    assert {r.outcome for r in recorded} == {OK}
    assert len(runs(ws, "collect")) == 44
    (report,) = runs(ws, "report")
    assert local(report.scheduled_at) == local(report.started_at) == "2024-08-06 17:00"
    assert report.message == "【收集报送】collect 完成（2024-07）；【汇总表】report 完成（2024-07）"


def test_missed_slots_while_off_run_once_when_back(ws, clock, fake):
    clock.set("2024-08-01 07:00")
    with runner(ws, clock) as r:
        drive(r, clock, "2024-08-01 08:30")
    assert len(fake.of("collect")) == 1 and len(fake.of("templates")) == 1
    # the machine is off until Friday 15:20: 18 collect slots were missed
    clock.set("2024-08-02 15:20")
    with runner(ws, clock) as r:
        assert r.tick() == pytest.approx(40 * 60)                   # next: 16:00
    assert len(fake.of("collect")) == 2
    last = runs(ws, "collect")[-1]
    assert (local(last.scheduled_at), local(last.started_at), last.outcome) == ("2024-08-02 15:00", "2024-08-02 15:20", OK)
    assert len(fake.of("templates")) == 1                           # not due again until September


def test_missed_monthly_job_runs_once_for_its_scheduled_period(ws, clock, fake):
    clock.set("2024-07-31 23:00")
    with runner(ws, clock):
        pass                                                        # stored, then the machine is off
    clock.set("2024-08-03 10:00")                                   # two days late, within 168 h
    with runner(ws, clock) as r:
        r.tick()
    assert fake.of("templates") == [("2024-07", at("2024-08-03 10:00"))]
    assert local(runs(ws, "templates")[0].scheduled_at) == "2024-08-01 08:00"


@pytest.mark.parametrize("back, outcome", [("2024-08-01 08:40", OK), ("2024-08-01 10:00", MISSED)])
def test_a_run_later_than_its_grace_time_is_recorded_as_missed(ws, clock, fake, back, outcome):
    write_schedule(ws, """
        [[job]]
        name = "t"
        action = "templates"
        day = 1
        hour = 8
        grace_hours = 1
    """)
    with runner(ws, clock):
        pass
    clock.set(back)
    with runner(ws, clock) as r:
        r.tick()
    (run,) = runs(ws)
    assert run.outcome == outcome and local(run.scheduled_at) == "2024-08-01 08:00"
    assert len(fake.of("templates")) == (1 if outcome == OK else 0)
    if outcome == MISSED:
        assert "补跑时限 1 小时" in run.message and "ledger schedule trigger t" in run.message
    with runner(ws, clock) as r:                                     # the missed slot is not retried
        drive(r, clock, "2024-08-31 23:00")
    assert len(runs(ws)) == 1


def test_a_changed_job_is_rescheduled_and_a_removed_one_dropped(ws, clock, fake):
    write_schedule(ws, """
        [[job]]
        name = "daily"
        action = "collect"
        hour = 8
        [[job]]
        name = "gone"
        action = "report"
        hour = 9
    """)
    with runner(ws, clock):
        pass
    assert set(stored_jobs(ws)) == {"daily", "gone"}
    write_schedule(ws, """
        [[job]]
        name = "daily"
        action = "collect"
        hour = 20
    """)
    clock.set("2024-08-01 12:00")                                   # 08:00 passed under the old definition
    with runner(ws, clock) as r:
        assert r.tick() == pytest.approx(8 * 3600)
    assert set(stored_jobs(ws)) == {"daily"} and fake.calls == [] and runs(ws) == []


def test_a_failing_job_is_recorded_and_the_rest_still_run(ws, clock, fake):
    write_schedule(ws, """
        [[job]]
        name = "bad"
        action = "templates"
        hour = 8
        [[job]]
        name = "good"
        action = "collect"
        hour = 8
        [[job]]
        name = "chain"
        action = ["collect", "reminders", "report"]
        hour = 9
        period = "current"
    """)
    fake.fail["templates"] = RuntimeError("boom")
    fake.fail["reminders"] = LedgerError("工作区中还没有计划")
    with runner(ws, clock) as r:
        drive(r, clock, "2024-08-02 12:00")
    bad, good, chain = runs(ws, "bad"), runs(ws, "good"), runs(ws, "chain")
    assert [r.outcome for r in bad] == [FAILED, FAILED]              # failed on both days, never fatal
    assert bad[0].message == "下发模板失败（2024年7月）：内部错误 RuntimeError: boom"
    assert [r.outcome for r in good] == [OK, OK]
    assert [r.outcome for r in chain] == [FAILED, FAILED]
    assert chain[0].message == ("【催报名单】失败（2024年8月）：工作区中还没有计划；"
                                "此前已完成【收集报送】collect 完成（2024-08）；未执行【汇总表】")
    assert fake.of("report") == []
    assert all(r.finished_at is not None for r in runs(ws))


def test_one_scheduler_per_workspace(ws, clock, fake):
    first = runner(ws, clock)
    try:
        with pytest.raises(LockedError, match="已有一个定时调度器在运行"):
            runner(ws, clock)
        env = {**os.environ, "LEDGER_WORKSPACE": str(ws.root)}
        other = subprocess.run([sys.executable, "-m", "ledger", "schedule", "run"], env=env,
                               capture_output=True, text=True, timeout=60)
        assert other.returncode == 1
        assert "错误：此工作区已有一个定时调度器在运行" in other.stderr and "Traceback" not in other.stderr
    finally:
        first.close()
    with runner(ws, clock):                                          # released on close
        pass


@needs_server
def test_one_scheduler_per_server_database_so_none_rewrites_anothers_jobs(ws, tmp_path, clock, fake):
    other_ws = init_workspace(tmp_path / "other", db_url=ws.db_url)     # a second office PC, same database
    write_schedule(other_ws, """
        [[job]]
        name = "noon"
        action = "collect"
        hour = 12
        """)
    first = runner(ws, clock)
    try:
        before = stored_jobs(ws)
        with pytest.raises(LockedError) as refused:
            runner(other_ws, clock)
        assert str(refused.value).startswith("数据库“") and f"{ws.root.parent.name}/ws）" in str(refused.value)
        assert "共用一个数据库的多个工作区只能运行一个调度器" in str(refused.value)
        assert stored_jobs(ws) == before                 # the refused scheduler changed nothing
        drive(first, clock, "2024-08-01 09:00")
        assert fake.of("templates") == [("2024-07", at("2024-08-01 08:00"))]
    finally:
        first.close()
    with runner(other_ws, clock):                         # free once the first has stopped
        assert set(stored_jobs(ws)) == {"noon"}


def test_an_invalid_file_starts_nothing(ws, clock, fake):
    with runner(ws, clock):
        pass
    before = stored_jobs(ws)
    (ws.schedules_dir / "zz-extra.toml").write_text(
        '[[job]]\nname = "extra"\naction = "report"\nday = "deadline+1"\nhour = "17"\nminute = 61\n', encoding="utf-8")
    with pytest.raises(ScheduleError, match="schedules/zz-extra.toml：任务“extra”的 minute"):
        runner(ws, clock)
    assert stored_jobs(ws) == before                                 # nothing added, nothing removed
    lock = FileLock(str(ws.root / SCHEDULER_LOCK_NAME))
    lock.acquire(timeout=0)                                          # and the scheduler lock is free
    lock.release()


def test_no_enabled_jobs_refuses_to_start(ws, clock, fake):
    write_schedule(ws, '[[job]]\nname = "x"\naction = "report"\nhour = 8\nenabled = false\n')
    with pytest.raises(ScheduleError, match="没有启用的定时任务"):
        runner(ws, clock)


def _hold_lock(ws: Workspace, seconds: float) -> tuple[threading.Thread, threading.Event]:
    """Hold the workspace write lock in another thread (as a manual command would)."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with ws.lock():
            held.set()
            release.wait(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    return thread, release


def _locking(ws, period):
    with ws.lock():
        return "写入完成"


def test_a_job_waits_for_the_workspace_lock(ws, clock, fake):
    write_schedule(ws, '[[job]]\nname = "t"\naction = "templates"\nday = 1\n')
    fake.hooks["templates"] = _locking
    thread, _ = _hold_lock(ws, 0.3)
    started = time.monotonic()
    run = trigger_job(ws, "t", clock=clock, lock_poll=0.02)
    thread.join()
    assert run.outcome == OK and time.monotonic() - started >= 0.25


def test_the_wait_for_the_workspace_lock_is_bounded(ws, clock, fake):
    write_schedule(ws, '[[job]]\nname = "t"\naction = "templates"\nday = 1\nlock_wait_minutes = 0.002\n')
    fake.hooks["templates"] = _locking
    thread, release = _hold_lock(ws, 5)
    try:
        run = trigger_job(ws, "t", clock=clock, lock_poll=0.02)
    finally:
        release.set()
        thread.join()
    assert run.outcome == FAILED
    assert "等待 0.002 分钟后工作区仍被占用" in run.message and "正在使用此工作区" in run.message


def test_trigger_runs_now_for_the_period_rule_or_a_given_period(ws, clock, fake):
    clock.set("2024-09-03 10:00")
    first = trigger_job(ws, "templates", clock=clock)
    second = trigger_job(ws, "reminders", "2024-06", clock=clock)
    assert fake.calls == [("templates", "2024-08", at("2024-09-03 10:00")),
                          ("reminders", "2024-06", at("2024-09-03 10:00"))]
    assert first.scheduled_at is None and first.outcome == OK and second.outcome == OK
    with pytest.raises(ScheduleError, match="没有名为“nope”的定时任务"):
        trigger_job(ws, "nope", clock=clock)


def _two_due_jobs(ws, clock):
    write_schedule(ws, """
        [[job]]
        name = "first"
        action = "templates"
        hour = 8
        minute = 0
        [[job]]
        name = "second"
        action = "collect"
        hour = 8
        minute = 1
    """)
    clock.set("2024-08-01 07:59")
    r = runner(ws, clock)
    clock.set("2024-08-01 08:01")                                     # both are due at the first tick
    return r


def _work(seconds: float) -> None:
    """Busy Python work (short sleeps): signal handlers run between the steps, as in real jobs.

    One long ``time.sleep`` would hide a signal that lands just before it starts until it ends.
    """
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)


def _signal_when(event: threading.Event, count: int) -> threading.Thread:
    """SIGTERM to the main thread (as in the single-threaded scheduler process) once ``event`` is set."""
    main = threading.main_thread().ident

    def send():
        event.wait(5)
        for _ in range(count):
            signal.pthread_kill(main, signal.SIGTERM)
            time.sleep(0.2)

    thread = threading.Thread(target=send)
    thread.start()
    return thread


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_lets_the_running_job_finish_and_starts_nothing_new(ws, clock, fake):
    started, said = threading.Event(), []
    fake.hooks["templates"] = lambda ws, p: (started.set(), _work(0.5))
    r = _two_due_jobs(ws, clock)
    sender = _signal_when(started, 1)
    try:
        with stop_signals(r, said.append):
            r.serve(tick=0.02)
    finally:
        r.close()
        sender.join()
    first, second = runs(ws, "first")[0], runs(ws, "second")[0]
    assert first.outcome == OK and fake.of("templates")
    assert second.outcome == ABANDONED and "调度器正在停止，本次未运行" in second.message
    assert fake.of("collect") == []
    assert said == ["正在停止：等待任务“first”完成……（再按一次 Ctrl-C 放弃该任务）"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL                 # handlers restored
    with runner(ws, clock):                                                  # lock released
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_second_signal_abandons_the_running_job_cleanly(ws, clock, fake):
    started = threading.Event()
    fake.hooks["templates"] = lambda ws, p: (started.set(), _work(10))
    r = _two_due_jobs(ws, clock)
    sender = _signal_when(started, 2)
    began = time.monotonic()
    try:
        with stop_signals(r, lambda text: None):
            r.serve(tick=0.02)
    finally:
        r.close()
        sender.join()
    assert time.monotonic() - began < 5
    first = runs(ws, "first")[0]
    assert first.outcome == ABANDONED and "收到第二次停止信号" in first.message
    assert first.finished_at is not None and runs(ws, "second")[0].outcome == ABANDONED


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_stopping_while_waiting_for_the_workspace_lock_abandons(ws, clock, fake):
    waiting = threading.Event()

    def locking(ws, period):
        waiting.set()
        _locking(ws, period)

    fake.hooks["templates"] = locking
    thread, release = _hold_lock(ws, 10)
    r = _two_due_jobs(ws, clock)
    sender = _signal_when(waiting, 1)
    try:
        with stop_signals(r, lambda text: None):
            r.serve(tick=0.02)
    finally:
        r.close()
        release.set()
        thread.join()
        sender.join()
    first = runs(ws, "first")[0]
    assert first.outcome == ABANDONED and "仍在等待工作区锁" in first.message


def test_runs_left_running_by_a_dead_process_are_closed_as_abandoned(ws, clock, fake):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = datetime.now(timezone.utc)
    rows = [(dead.pid, None), (os.getppid(), None), (os.getppid(), now)]   # (process, scheduled time)
    with ws.engine.begin() as conn:
        for pid, scheduled in rows:
            conn.execute(s.job_runs.insert().values(job="collect", scheduled_at=scheduled, started_at=now,
                                                    outcome=RUNNING, message=history.running_message(pid)))
    with runner(ws, clock):
        pass
    crashed, manual, scheduled = runs(ws)
    assert crashed.outcome == ABANDONED and "意外退出" in crashed.message and crashed.finished_at
    assert manual.outcome == RUNNING              # a manual trigger still running in a live process
    assert scheduled.outcome == ABANDONED         # only the lock holder runs scheduled jobs


def test_job_store_lives_in_the_workspace_database(ws, clock, fake):
    with runner(ws, clock):
        pass
    with sa.create_engine(ws.db_url).connect() as conn:
        ids = {row[0] for row in conn.execute(sa.text(f"SELECT id FROM {JOBS_TABLE}"))}
    assert ids == {j.name for j in load_jobs(ws)}
