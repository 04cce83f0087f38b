"""Fixtures for the scheduler: a workspace, a controllable clock and fake actions.

The clock replaces ``datetime`` inside APScheduler's scheduler and executor modules, the only
places APScheduler 3 reads the time (and ledger's own ``utc_now``), so its own due-job, coalescing and misfire logic runs
unchanged against a real SQLite job store; ``drive`` then plays the scheduler loop, jumping the
clock to each wake-up time the scheduler asks for instead of sleeping.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest

import ledger.schedule.runner
from ledger.schedule import actions
from ledger.schedule.runner import Runner
from ledger.workspace import Workspace, init_workspace

SH = ZoneInfo("Asia/Shanghai")
NAMES = ("templates", "collect", "reminders", "report", "backup")


def at(text: str) -> datetime:
    """A Beijing time from ``2024-08-01 08:00``."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SH)


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def set(self, when: datetime | str) -> None:
        self.now = at(when) if isinstance(when, str) else when

    def __call__(self) -> datetime:
        return self.now.astimezone(timezone.utc)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock(at("2024-07-31 23:00"))

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return fake.now.astimezone(tz) if tz else fake.now.astimezone().replace(tzinfo=None)

    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", FakeDatetime)
    monkeypatch.setattr(apscheduler.executors.base, "datetime", FakeDatetime)
    monkeypatch.setattr(ledger.schedule.runner, "utc_now", fake)      # ledger's own default clock
    return fake


class Recorder:
    """Fake actions: each call is noted with the clock time; ``fail[name]`` makes one raise."""

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.calls: list[tuple[str, str, datetime]] = []
        self.fail: dict[str, BaseException] = {}
        self.hooks: dict[str, object] = {}

    def action(self, name: str):
        def run(ws: Workspace, period: str) -> str:
            if name in self.hooks:
                self.hooks[name](ws, period)
            if name in self.fail:
                raise self.fail[name]
            self.calls.append((name, period, self.clock.now))
            return f"{name} 完成（{period}）"
        return run

    def of(self, name: str) -> list[tuple[str, datetime]]:
        return [(period, when) for n, period, when in self.calls if n == name]


@pytest.fixture
def fake(clock) -> Recorder:
    recorder = Recorder(clock)
    with actions.override({name: recorder.action(name) for name in NAMES}):
        yield recorder


@pytest.fixture
def ws(tmp_path) -> Workspace:
    """A new workspace; it holds the shipped schedules/monthly.toml."""
    return init_workspace(tmp_path / "ws")


def write_schedule(ws: Workspace, text: str, name: str = "monthly.toml") -> None:
    """Replace the workspace's schedules with one file."""
    for old in ws.schedules_dir.glob("*.toml"):
        old.unlink()
    (ws.schedules_dir / name).write_text(textwrap.dedent(text), encoding="utf-8")


def drive(runner: Runner, clock: FakeClock, until: datetime | str) -> None:
    """Play the scheduler loop up to ``until``: run what is due, jump to the next wake-up, repeat."""
    until = at(until) if isinstance(until, str) else until
    while True:
        wait = runner.tick()
        if wait is None:
            break
        wake = clock.now + timedelta(seconds=wait)
        if wake > until:
            break
        clock.set(wake)
    clock.set(until)
