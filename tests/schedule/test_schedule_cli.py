"""``ledger schedule``: list, trigger, history and errors as users see them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.errors import LedgerError
from ledger.schedule.runner import start_runner
from tests.schedule.conftest import drive, write_schedule


def invoke(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), "schedule", *args])


@pytest.mark.parametrize("command", ["list", "run", "trigger", "history", "install", "uninstall", "status"])
def test_every_command_has_chinese_help(ws, command):
    result = invoke(ws, command, "--help")
    assert result.exit_code == 0 and any("\u4e00" <= ch <= "\u9fff" for ch in result.output)


def test_list_shows_each_job_and_its_next_runs(ws):
    result = invoke(ws, "list", "--from", "2024-08-31", "--count", "2")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "定时任务 9 个（从 2024-08-31 00:00 起，时区 Asia/Shanghai）" in out
    assert "动作：备份    报送月份：不涉及    时间：周日 02:00" in out
    assert "templates  每月 1 日 8 点下发上月台账模板  [schedules/monthly.toml]" in out
    assert "下次：2024-09-01 08:00（2024年8月）、2024-10-01 08:00（2024年9月）" in out
    assert "时间：每月 5 日（截止日） 09:00" in out
    assert "动作：收集报送 → 汇总表    报送月份：上月    时间：每月 6 日（截止日+1） 17:00" in out
    assert "动作：收集报送    报送月份：按报回文件    时间：周一至周五 8–18 时整点" in out
    assert "下次：2024-09-02 08:00、2024-09-02 09:00" in out


def test_list_json(ws):
    result = invoke(ws, "list", "--from", "2024-08-31 12:00", "--count", "1", "--json")
    data = {job["name"]: job for job in json.loads(result.output)["jobs"]}
    assert data["report"]["cron"]["day"] == "6" and data["report"]["written"]["day"] == "deadline+1"
    assert data["report"]["next_runs"] == [{"at": "2024-09-06T17:00:00+08:00", "period": "2024-08"}]


def test_list_rejects_a_bad_start(ws):
    result = invoke(ws, "list", "--from", "9月1日")
    assert result.exit_code == 2 and "不是有效的时间" in result.output


def test_invalid_schedule_file_is_one_chinese_line(ws):
    (ws.schedules_dir / "extra.toml").write_text('[[job]]\nname = "x"\naction = "send"\nhour = 8\n', encoding="utf-8")
    for command in ("list", "run", "trigger x"):
        result = invoke(ws, *command.split())
        assert result.exit_code == 1
        assert result.output.strip().startswith("错误：schedules/extra.toml：任务“x”的 action 中的“send”")
        assert "Traceback" not in result.output


def test_trigger_and_history(ws, clock, fake):
    clock.set("2024-09-03 10:00")
    ok = invoke(ws, "trigger", "templates")
    assert ok.exit_code == 0 and ok.output == "任务 templates 成功：templates 完成（2024-08）\n"
    fake.fail["report"] = LedgerError("工作区中还没有计划")
    failed = invoke(ws, "trigger", "report", "--period", "2024-07")
    assert failed.exit_code == 1
    assert "任务 report 失败：【汇总表】失败（2024年7月）：工作区中还没有计划；此前已完成【收集报送】collect 完成" in failed.output
    assert invoke(ws, "trigger", "nope").output.startswith("错误：没有名为“nope”的定时任务")
    assert invoke(ws, "trigger", "report", "--period", "2024-13").exit_code == 1

    history = invoke(ws, "history")
    lines = history.output.splitlines()
    assert lines[0].split() == ["编号", "任务", "计划时间", "开始", "用时", "结果", "说明"]
    assert "report     手动      2024-09-03 10:00:00  0秒   失败" in lines[2]
    assert "templates  手动      2024-09-03 10:00:00  0秒   成功  templates 完成（2024-08）" in lines[3]
    only = json.loads(invoke(ws, "history", "--job", "templates", "--json").output)["runs"]
    assert [(r["job"], r["outcome"], r["scheduled_at"]) for r in only] == [("templates", "ok", None)]


def test_history_of_scheduled_runs_shows_the_scheduled_time(ws, clock, fake):
    write_schedule(ws, '[[job]]\nname = "daily"\naction = "collect"\nhour = 8\n')
    with start_runner(ws, clock=clock) as r:
        drive(r, clock, "2024-08-01 09:00")
    assert "daily  2024-08-01 08:00:00  2024-08-01 08:00:00  0秒   成功" in invoke(ws, "history").output


def test_empty_history(ws):
    assert invoke(ws, "history").output == "还没有运行记录\n"


def test_the_shipped_cycle_with_the_real_actions(planned):
    """templates → collect → reminders → report through `trigger`, with the real library calls."""
    pytest.importorskip("ledger.report")
    for job in ("templates", "collect", "reminders", "report"):
        result = CliRunner().invoke(cli, ["-w", str(planned.root), "schedule", "trigger", job, "--period", "2024-07"])
        assert result.exit_code == 0, result.output
    assert list((planned.templates_dir / "2024-07").glob("2024-07_*.xlsx"))
    assert list((planned.outbox_dir / "reports" / "2024-07").glob("*.xlsx"))
    out = CliRunner().invoke(cli, ["-w", str(planned.root), "schedule", "history"]).output
    assert "已生成2024年7月模板" in out and "已生成2024年7月催报名单" in out and "已生成2024年7月汇总表" in out
