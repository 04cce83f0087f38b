"""The CLI: every command has help, errors are one Chinese line and a non-zero exit."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from ledger.cli import cli
from tests.conftest import age, fill_all


def commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path, command", list(commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_chinese_help(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("用法：") and "显示本帮助并退出" in result.output
    assert command.help and any("\u4e00" <= ch <= "\u9fff" for ch in command.help), path


def test_the_listed_help_is_each_commands_own():
    from ledger.commands import COMMANDS, load
    for name, (_, _, listed) in COMMANDS.items():
        assert load(name).help.strip().splitlines()[0] == listed, name
    listing = CliRunner().invoke(cli, ["--help"]).output
    assert all(name in listing for name in COMMANDS)


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env or {})


def test_init_then_refuse_again(tmp_path):
    first = run("init", str(tmp_path / "w"))
    assert first.exit_code == 0 and "已创建工作区" in first.output
    again = run("init", str(tmp_path / "w"))
    assert again.exit_code == 1
    assert again.output.strip().startswith("错误：") and "已经是 ledger 工作区" in again.output
    assert "Traceback" not in again.output


def test_outside_a_workspace_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_WORKSPACE", raising=False)
    result = run("plan", "show")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "不在任何 ledger 工作区中" in result.output


def test_bad_settings_are_one_line(tmp_path):
    run("init", str(tmp_path / "w"))
    (tmp_path / "w" / "ledger.toml").write_text("[office]\nfoo = 1\n", encoding="utf-8")
    result = run("-w", str(tmp_path / "w"), "templates")
    assert result.exit_code == 1 and "未知的设置项“office.foo”" in result.output


def test_templates_and_collect_json(planned, tmp_path):
    ws = str(planned.root)
    made = run("-w", ws, "templates", "--period", "2024-07", "--json")
    assert made.exit_code == 0, made.output
    data = json.loads(made.output)
    assert data["period"] == "2024-07" and len(data["files"]) == 4
    template = planned.root / data["files"][1]["file"]
    age(fill_all(template, planned.inbox_dir / "x.xlsx"))
    collected = run("-w", ws, "collect", "--json")
    assert collected.exit_code == 0, collected.output
    out = json.loads(collected.output)
    assert out["totals"]["accepted"] == 1 and out["files"][0]["unit"] == data["files"][1]["unit"]


def test_collect_table_and_rejections(planned, tmp_path):
    ws = str(planned.root)
    run("-w", ws, "templates", "--period", "2024-07")
    template = planned.templates_dir / "2024-07" / "2024-07_县科技局.xlsx"
    age(fill_all(template, planned.inbox_dir / "科技局.xlsx", status="差不多"))
    result = run("-w", ws, "collect")
    assert result.exit_code == 0                      # a rejection is an outcome, not a failure
    assert "已退回" in result.output and "不是有效的完成状态" in result.output
    assert "退回 1" in result.output


def test_bad_period_exit_code(planned):
    result = run("-w", str(planned.root), "templates", "--period", "2024-13")
    assert result.exit_code == 1 and "YYYY-MM" in result.output


def test_log_lists_what_happened_newest_first(planned, tmp_path):
    ws = str(planned.root)
    run("-w", ws, "templates", "--period", "2024-07")
    template = planned.templates_dir / "2024-07" / "2024-07_县科技局.xlsx"
    age(fill_all(template, planned.inbox_dir / "x.xlsx"))
    run("-w", ws, "collect")
    events = json.loads(run("-w", ws, "log", "--json").output)["events"]
    assert [e["action"] for e in events[:2]] == ["collect", "templates"]
    assert events[0]["summary"] == "接收 1 个，退回 0 个，重复 0 个"
    assert events[0]["detail"]["files"] == [["x.xlsx", "accepted"]]
    table = run("-w", ws, "log").output
    assert "收取" in table and "生成模板" in table and "2024年7月模板 4 个" in table


@pytest.mark.parametrize("args, expected", [
    (["templates", "--perod", "2024-07"], "用法错误：没有这个选项：--perod。 是否指 '--period'？"),
    (["tempaltes"], "用法错误：没有这个命令：tempaltes。"),
    (["log", "--limit", "abc"], "用法错误：--limit 的值无效：“abc”不是整数。"),
    (["plan", "import"], "用法错误：缺少参数 文件。"),
])
def test_usage_errors_are_explained_in_chinese(args, expected):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True, text=True)
    assert done.returncode == 2
    first, second = done.stderr.strip().splitlines()
    assert first == expected
    assert second.startswith("运行 ledger") and second.endswith("--help 查看用法")


def test_ledger_workspace_may_name_ledger_toml(planned, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("plan", "show", env={"LEDGER_WORKSPACE": str(planned.root / "ledger.toml")})
    assert result.exit_code == 0 and "测试县2024年工作要点" in result.output
    result = run("-w", str(planned.root / "ledger.toml"), "plan", "show")
    assert result.exit_code == 0 and "测试县2024年工作要点" in result.output


def test_a_setting_that_would_reject_every_file_is_refused_before_work(tmp_path):
    run("init", str(tmp_path / "w"))
    config = tmp_path / "w" / "ledger.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("max_file_mb = 20", "max_file_mb = 0"),
                      encoding="utf-8")
    result = run("-w", str(tmp_path / "w"), "collect")
    assert result.exit_code == 1
    assert result.output.strip() == (f"错误：{config}：collect.max_file_mb 的值 0 无效，"
                                     "应为大于 0、不超过 1024 的数（单个报送文件的大小上限，单位 MB）")


def test_an_internal_error_is_one_line(planned, monkeypatch):
    def bug(*args, **kwargs):
        raise RuntimeError("line one\nline two")

    monkeypatch.setattr("ledger.commands.templates.generate_templates", bug)
    result = run("-w", str(planned.root), "templates")
    assert result.exit_code == 2
    assert result.output == "内部错误：RuntimeError: line one（设置 LEDGER_DEBUG=1 可查看详细信息）\n"
