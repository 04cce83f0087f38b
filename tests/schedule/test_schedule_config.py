"""Schedule files: the shipped monthly cycle, deadline-relative days and located Chinese errors."""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path

import pytest

from ledger.errors import ScheduleError
from ledger.schedule import actions
from ledger.schedule.config import load_jobs, parse_file
from ledger.workspace import Workspace
from tests.schedule.conftest import at, write_schedule

REPO = Path(__file__).resolve().parents[2]
KNOWN = {"templates", "collect", "reminders", "report"}


def test_shipped_file_is_the_workspace_default_and_the_repository_copy():
    shipped = resources.files("ledger.data").joinpath("monthly.toml").read_text(encoding="utf-8")
    assert (REPO / "schedules" / "monthly.toml").read_text(encoding="utf-8") == shipped


def test_shipped_monthly_cycle(ws):
    jobs = {j.name: j for j in load_jobs(ws)}
    assert list(jobs) == ["templates", "collect", "reminders", "report", "backup", "remind-due-soon",
                          "remind-due-today", "remind-overdue", "remind-rejected"]
    assert all(j.period == "previous" and j.timezone == "Asia/Shanghai" for j in jobs.values())
    assert jobs["report"].actions == ("collect", "report")
    assert jobs["backup"].actions == ("backup",)          # weekly, Sunday 02:00 (2024-09-01 is a Sunday)
    assert jobs["backup"].next_runs(at("2024-08-31 12:00"), 2) == [at("2024-09-01 02:00"), at("2024-09-08 02:00")]
    after = at("2024-08-31 12:00")
    assert jobs["templates"].next_runs(after, 2) == [at("2024-09-01 08:00"), at("2024-10-01 08:00")]
    assert jobs["templates"].period_for(at("2024-09-01 08:00")) == "2024-08"
    assert jobs["reminders"].next_runs(after, 1) == [at("2024-09-05 09:00")]
    assert jobs["report"].next_runs(after, 1) == [at("2024-09-06 17:00")]
    assert jobs["remind-due-soon"].next_runs(after, 1) == [at("2024-09-04 09:00")]
    assert jobs["remind-due-today"].next_runs(after, 1) == [at("2024-09-05 09:05")]
    assert jobs["remind-overdue"].next_runs(after, 1) == [at("2024-09-06 09:00")]
    assert jobs["remind-rejected"].next_runs(after, 1) == [at("2024-09-02 08:10")]
    # 2024-08-31 is a Saturday: collect waits for Monday and runs hourly 08:00-18:00
    collect = jobs["collect"].next_runs(after, 12)
    assert collect[0] == at("2024-09-02 08:00") and collect[10] == at("2024-09-02 18:00")
    assert collect[11] == at("2024-09-03 08:00")


def test_deadline_day_in_ledger_toml_moves_the_deadline_jobs(ws):
    config = ws.root / "ledger.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("deadline_day = 5", "deadline_day = 10"),
                      encoding="utf-8")
    jobs = {j.name: j for j in load_jobs(Workspace(ws.root))}
    assert jobs["reminders"].fields["day"] == "10" and jobs["report"].fields["day"] == "11"
    assert jobs["report"].next_runs(at("2024-09-01 00:00"), 1) == [at("2024-09-11 17:00")]
    assert "截止日+1" in jobs["report"].describe()


@pytest.mark.parametrize("day, deadline_day, resolved", [
    ("deadline", 5, "5"), ("deadline+1", 5, "6"), ("deadline - 2", 5, "3"), ("1,deadline", 7, "1,7"),
    ("DEADLINE+3", 25, "28"),
])
def test_deadline_expressions(day, deadline_day, resolved):
    text = f'[[job]]\nname = "x"\naction = "report"\nday = "{day}"\nhour = 9\n'
    (job,) = parse_file(text.encode(), "schedules/t.toml", KNOWN, deadline_day)
    assert job.fields["day"] == resolved and job.written["day"] == day


def test_defaults_and_overrides():
    text = """
    timezone = "Asia/Urumqi"
    grace_hours = 2
    [[job]]
    name = "a"
    action = "templates"
    day = 1
    [[job]]
    name = "b"
    action = ["collect", "report"]
    period = "current"
    grace_hours = 0.5
    lock_wait_minutes = 0
    hour = 8
    enabled = false
    """
    a, b = parse_file(text.encode(), "s.toml", KNOWN)
    assert (a.timezone, a.period, a.grace_hours, a.enabled) == ("Asia/Urumqi", "previous", 2.0, True)
    assert (b.period, b.grace_seconds, b.lock_wait_minutes, b.enabled) == ("current", 1800, 0.0, False)
    assert a.next_runs(at("2024-08-15 00:00"), 1)[0].isoformat() == "2024-09-01T00:00:00+06:00"


BASE = 'name = "report"\naction = "report"\nhour = 9\n'


@pytest.mark.parametrize("body, expected", [
    ('name = "r"\naction = "reprot"\nhour = 9', ["任务“r”", "action", "reprot", "可用"]),
    ('name = "r"\naction = []\nhour = 9', ["action"]),
    ('name = "r"\naction = "report"\nhour = 25', ["任务“r”", "hour", "25", "0–23"]),
    ('name = "r"\naction = "report"\nday_of_week = "workday"', ["day_of_week", "workday"]),
    ('name = "r"\naction = "report"\nhour = "8"\nminute = "deadline"', ["minute", "deadline 只能用在 day"]),
    ('name = "r"\naction = "report"\nday = "deadline+30"', ["day", "deadline+30", "35 日", "1–28"]),
    ('name = "r"\naction = "report"\nday = 30\nmonth = 2', ["day/month", "永远不会"]),
    ('name = "r"\naction = "report"', ["至少要给出一个触发时间字段"]),
    ('name = "r"\naction = "report"\nhour = 9\ntimezone = "Beijing"', ["timezone", "Beijing"]),
    ('name = "r"\naction = "report"\nhour = 9\nperiod = "last"', ["period", "previous"]),
    ('name = "r"\naction = "report"\nhour = 9\ngrace_hours = 0', ["grace_hours", "大于 0"]),
    ('name = "r"\naction = "report"\nhour = 9\nenabled = "no"', ["enabled", "true 或 false"]),
    ('name = "r"\naction = "report"\nhour = 9\ncron = "0 9 * * *"', ["cron", "不是可用的设置项"]),
    ('action = "report"\nhour = 9', ["第 1 个任务", "name", "必须填写"]),
    ('name = "r x"\naction = "report"\nhour = 9', ["name", "“r x”"]),
])
def test_invalid_job_names_file_job_and_field(body, expected):
    with pytest.raises(ScheduleError) as err:
        parse_file(f"[[job]]\n{body}\n".encode(), "schedules/bad.toml", KNOWN)
    message = str(err.value)
    assert message.startswith("schedules/bad.toml：")
    for part in expected:
        assert part in message
    assert "Error" not in message and "expression" not in message   # no raw APScheduler text


@pytest.mark.parametrize("text, expected", [
    ('[[job]\nname = "x"', "第 1 行"),
    ("hour = 8\n", "未知的设置项“hour”"),
    ('timezone = "Asia/Shanghai"\n', "没有定义任何任务"),
    ("job = 3\n", "没有定义任何任务"),
])
def test_invalid_file_structure(text, expected):
    with pytest.raises(ScheduleError, match=expected):
        parse_file(text.encode(), "schedules/bad.toml", KNOWN)


def test_every_file_is_checked_and_names_are_unique_across_files(ws):
    (ws.schedules_dir / "extra.toml").write_text(f"[[job]]\n{BASE}", encoding="utf-8")
    with pytest.raises(ScheduleError, match="schedules/monthly.toml：任务名“report”与 schedules/extra.toml"):
        load_jobs(ws)
    (ws.schedules_dir / "extra.toml").write_text("[[job]]\nname = 'late'\naction = 'report'\nhour = 99\n",
                                                 encoding="utf-8")
    with pytest.raises(ScheduleError, match="schedules/extra.toml：任务“late”的 hour"):
        load_jobs(ws)


def test_no_schedule_files_is_no_jobs(ws):
    write_schedule(ws, f"[[job]]\n{BASE}")
    (ws.schedules_dir / "monthly.toml").unlink()
    assert load_jobs(ws) == []


# Where each real action's implementation is expected to live (imported lazily by the action).
IMPLEMENTATIONS = {
    "templates": [("ledger.template.generate", "generate_templates")],
    "collect": [("ledger.collect.intake", "collect_inbox")],
    "reminders": [("ledger.report", "period_status"), ("ledger.report", "write_reminders")],
    "report": [("ledger.report", "make_report")],
    "lock": [("ledger.period_lock", "lock_period"), ("ledger.period_lock", "locked")],
    **{f"remind_{kind}": [("ledger.remind.run", "remind")] for kind in ("due_soon", "due_today", "overdue", "rejected",
                                                                            "sent_back", "escalation")},
    "escalate": [("ledger.supervise.escalate", "escalate")],
    "backup": [("ledger.backup", "make_backup")],
}


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_real_registry_names_map_to_importable_callables(name):
    assert set(actions.DEFAULT_ACTIONS) == set(IMPLEMENTATIONS)
    assert callable(actions.DEFAULT_ACTIONS[name])
    for module, attr in IMPLEMENTATIONS[name]:
        try:
            target = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            pytest.skip(f"{module}.{attr} not available yet: {exc}")
        assert callable(target)
