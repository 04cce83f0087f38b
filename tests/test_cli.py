"""The CLI: every command has help, errors are one Chinese line and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path
import re

import click
import pytest
from click.testing import CliRunner

from ledger.cli import cli
from tests.conftest import age, fill_all, needs_server


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
    examples = result.output.split("示例：", 1)[1].split("选项:", 1)[0] if "示例：" in result.output else ""
    assert examples.strip(), f"{' '.join(path)} --help has no 示例 section"
    assert all(line.strip().startswith(("ledger ", "ledger -w")) for line in examples.strip().splitlines()), examples
    assert f"ledger {' '.join(path)}".strip() in examples or not path, examples
    assert "[选项]" in result.output and "[OPTIONS]" not in result.output


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


@needs_server
def test_init_db_names_the_server_and_its_faults_name_the_option(tmp_path, server_schema):
    import sqlalchemy as sa

    made = run("init", str(tmp_path / "w"), "--db", server_schema)
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[1].endswith("（已建好数据表）")
    from ledger.store.plans import save_plan
    from ledger.workspace import Workspace
    from tests.conftest import sample_plan

    save_plan(Workspace(tmp_path / "w").engine, sample_plan(), origin="import")
    second = run("init", str(tmp_path / "w2"), "--db", server_schema)
    assert second.output.splitlines()[1].endswith("（已有第 1 版计划，与共用该库的其他工作区共享计划和报送）")
    wrong = sa.make_url(server_schema).set(password="wrong").render_as_string(hide_password=False)
    refused = run("init", str(tmp_path / "x"), "--db", wrong)
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert refused.output.startswith("错误：数据库服务器“") and "请改正 --db 给出的数据库地址" in refused.output
    assert not (tmp_path / "x").exists()


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
    assert result.exit_code == 3                     # ours, not the user's (1) nor a usage error (2)
    assert result.output == "内部错误：RuntimeError: line one（设置 LEDGER_DEBUG=1 可查看详细信息）\n"


# Every command that reports something, run once in order on one workspace, with --json.
# (``schedule run`` and ``serve`` report nothing: they run in the foreground until stopped.)
NO_JSON = {("schedule", "run"), ("serve",)}


def test_every_reporting_command_has_json():
    leaves = {path for path, cmd in commands(cli) if not isinstance(cmd, click.Group)}
    with_json = {path for path, cmd in commands(cli) if any(p.name == "as_json" for p in cmd.params)}
    assert with_json == leaves - NO_JSON


class next_backup:
    """The backup in a folder, found when the command line is built into arguments (after the backup)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __str__(self) -> str:
        return str(next(self.folder.glob("*.tar.gz")))


@pytest.mark.slow
def test_every_json_document_parses_and_has_a_schema_version(tmp_path):
    from importlib import resources
    notice = tmp_path / "通知.txt"
    notice.write_text(resources.files("ledger.data").joinpath("sample_notice.txt").read_text(encoding="utf-8"),
                      encoding="utf-8")
    ws = str(tmp_path / "w")
    runs = [
        ["init", ws],
        ["-w", ws, "plan", "import", str(notice)],
        ["-w", ws, "plan", "show"],
        ["-w", ws, "plan", "export", "-o", str(tmp_path / "分解表.xlsx")],
        ["-w", ws, "plan", "load", str(tmp_path / "分解表.xlsx"), "--dry-run"],
        ["-w", ws, "plan", "versions"],
        ["-w", ws, "templates", "--period", "2024-07"],
        ["-w", ws, "collect"],
        ["-w", ws, "status", "--period", "2024-07"],
        ["-w", ws, "report", "--period", "2024-07"],
        ["-w", ws, "log"],
        ["codes"],
        ["-w", ws, "corrections", "list"],
        ["-w", ws, "escalate", "--period", "2024-07"],
        ["-w", ws, "escalations", "list"],
        ["-w", ws, "escalations", "close", "1"],
        ["-w", ws, "score", "--period", "2024-07"],
        ["-w", ws, "links", "--period", "2024-07"],
        ["-w", ws, "units", "set", "县科技局", "--contact", "张三", "--phone", "13800138000"],
        ["-w", ws, "units", "list"],
        ["-w", ws, "schedule", "list"],
        ["-w", ws, "schedule", "trigger", "reminders", "--period", "2024-07"],
        ["-w", ws, "schedule", "history"],
        ["-w", ws, "schedule", "install", "--unit-dir", str(tmp_path / "units")],
        ["-w", ws, "schedule", "status", "--unit-dir", str(tmp_path / "units")],
        ["-w", ws, "schedule", "uninstall", "--unit-dir", str(tmp_path / "units")],
        ["demo", str(tmp_path / "演示"), "--no-libreoffice"],
        ["-w", ws, "backup", "--to", str(tmp_path / "备份")],
        ["restore", next_backup(tmp_path / "备份"), str(tmp_path / "恢复")],
    ]
    covered = set()
    for args in runs:
        args = [str(a) for a in args]
        result = CliRunner().invoke(cli, [*args, "--json"])
        assert result.exit_code == 0, (args, result.output)
        data = json.loads(result.output)            # the whole output is one document, nothing else
        assert data["schema_version"] == 1, args
        for when in _times_in(data):                 # ISO 8601 with the office's offset (Beijing time)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00", when), (args, when)
        covered.add(tuple(a for a in args if not a.startswith(("-", "/")) and a != "2024-07")[:2])
        if args[0] == "init":       # nobody reports in this run: one missing month earns a 督办单 to close
            from ledger.workspace import set_setting
            set_setting(Path(ws) / "ledger.toml", "escalation.missing_periods", 1)
    demo = str(tmp_path / "演示")
    from ledger.workspace import Workspace
    from ledger.period import current_period, previous_period
    Workspace(tmp_path / "演示").set_setting("review.required", True)
    last = previous_period(current_period("Asia/Shanghai"))
    unit = json.loads(CliRunner().invoke(cli, ["-w", demo, "review", "list", "--period", last, "--json"]).output)["submissions"][0]["unit"]
    from tests.report.report_scenario import build_scenario
    scenario = str(build_scenario(tmp_path / "情景").root)
    pdf = tmp_path / "验收.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    for args, typed in [
        (["-w", scenario, "evidence", "add", "--unit", "发改局", "--item", "1", str(pdf)], None),
        (["-w", scenario, "signoff", "list"], None),
        (["-w", scenario, "signoff", "reject", "1", "--comment", "请补充"], None),
        (["-w", scenario, "evidence", "add", "--unit", "发改局", "--item", "1", str(pdf)], None),
        (["-w", scenario, "signoff", "approve", "1"], None),
        (["-w", ws, "users", "add", "张三", "--role", "office", "--password-stdin"], "口令-12345678\n"),
        (["-w", ws, "users", "list"], None),
        (["-w", ws, "users", "passwd", "张三", "--password-stdin"], "口令-87654321\n"),
        (["-w", ws, "users", "disable", "张三"], None),
        (["-w", ws, "lock", "--period", "2024-07"], None),
        (["-w", ws, "unlock", "--period", "2024-07", "--reason", "补报"], None),
        (["-w", demo, "review", "list", "--period", last], None),
        (["-w", demo, "review", "send-back", "--period", last, "--unit", unit, "--comment", "请细化"], None),
        (["-w", demo, "review", "approve", "--period", last, "--all"], None),
    ]:
        result = CliRunner().invoke(cli, [*args, "--json"], input=typed)
        assert result.exit_code == 0, (args, result.output)
        data = json.loads(result.output)
        assert data["schema_version"] == 1, args
        for when in _times_in(data):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00", when), (args, when)
        covered.add(tuple(args[2:4]) if args[3][:1] not in "-张" else (args[2],))
    assert json.loads(CliRunner().invoke(cli, ["-w", ws, "plan", "export", "--json"]).output)["file"] == \
        "outbox/计划分解表.xlsx"
    settings = Path(ws) / "ledger.toml"      # a channel, so that remind has something to plan (sent: none)
    settings.write_text(settings.read_text(encoding="utf-8") + '\n[[channels]]\nkind = "webhook"\n'
                        'url = "http://127.0.0.1:9/x"\n', encoding="utf-8")
    planned = CliRunner().invoke(cli, ["-w", ws, "remind", "--period", "2024-07", "--dry-run", "--json"])
    assert planned.exit_code == 0 and json.loads(planned.output)["schema_version"] == 1, planned.output
    covered.add(("remind",))
    leaves = {path for path, cmd in commands(cli) if not isinstance(cmd, click.Group)}
    # accept/refuse need a held correction: their JSON is checked in tests/collect/test_late.py
    assert {p for p in leaves if p[:2] not in covered} == NO_JSON | {("corrections", "accept"), ("corrections", "refuse")}


def _times_in(data) -> list[str]:
    """Every string in a JSON document that reads as a point in time."""
    if isinstance(data, dict):
        return [t for v in data.values() for t in _times_in(v)]
    if isinstance(data, list):
        return [t for v in data for t in _times_in(v)]
    return [data] if isinstance(data, str) and re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", data) else []


def test_plan_versions_and_log_show_the_same_event_in_the_offices_zone(tmp_path):
    from datetime import datetime
    from importlib import resources
    ws = tmp_path / "w"
    run("init", str(ws))
    config = ws / "ledger.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('timezone = "Asia/Shanghai"',
                                                                 'timezone = "Asia/Kolkata"'), encoding="utf-8")
    notice = tmp_path / "通知.txt"
    notice.write_text(resources.files("ledger.data").joinpath("sample_notice.txt").read_text(encoding="utf-8"),
                      encoding="utf-8")
    assert run("-w", str(ws), "plan", "import", str(notice)).exit_code == 0
    [version] = json.loads(run("-w", str(ws), "plan", "versions", "--json").output)["versions"]
    [event] = json.loads(run("-w", str(ws), "log", "--json").output)["events"]
    assert version["created_at"].endswith("+05:30") and event["at"].endswith("+05:30")
    made, logged = datetime.fromisoformat(version["created_at"]), datetime.fromisoformat(event["at"])
    assert abs((made - logged).total_seconds()) < 5
    # The tables people read show the same wall-clock time, in the same format.
    shown = run("-w", str(ws), "plan", "versions").output.splitlines()[2].split()[-2:]     # last column
    listed = run("-w", str(ws), "log").output.splitlines()[2].split()[:2]                  # first column
    shown, listed = (datetime.strptime(" ".join(t), "%Y-%m-%d %H:%M") for t in (shown, listed))
    assert abs((shown - listed).total_seconds()) <= 60
    assert shown == made.replace(tzinfo=None, second=0, microsecond=0)


def _on_a_terminal(args: list[str]) -> str:
    """Everything a command writes to stdout and stderr when both are a (pseudo-)terminal."""
    import os
    import pty
    import subprocess
    import sys
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.Popen([sys.executable, "-m", "ledger", *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:          # EIO: the command ended and closed its side
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0, out.decode("utf-8", "replace")
    return out.decode("utf-8")


@pytest.mark.slow
def test_a_progress_bar_on_a_terminal_and_nothing_extra_when_piped(planned):
    import subprocess
    import sys
    ws = str(planned.root)
    shown = _on_a_terminal(["-w", ws, "templates", "--period", "2024-07"])
    assert "生成模板" in shown and "4/4" in shown            # the bar, with units done of all
    assert "已生成 2024-07 模板 4 个" in shown
    piped = subprocess.run([sys.executable, "-m", "ledger", "-w", ws, "templates", "--period", "2024-08"],
                           capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stderr == ""
    assert "生成模板" not in piped.stdout and "/4" not in piped.stdout
    assert piped.stdout.startswith("已生成 2024-08 模板 4 个")
    as_json = _on_a_terminal(["-w", ws, "templates", "--period", "2024-09", "--json"])
    assert "生成模板" not in as_json and json.loads(as_json)["schema_version"] == 1


def test_progress_bar_is_none_unless_someone_watches(monkeypatch):
    import io
    from ledger.commands.common import progress_bar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err = Terminal()
    monkeypatch.setattr("sys.stdout", Terminal())
    with progress_bar("收取报送", stream=err) as progress:
        for n in range(1, 6):
            progress(n, 5)
    assert "收取报送" in err.getvalue() and "5/5" in err.getvalue()
    with progress_bar("收取报送", as_json=True, stream=Terminal()) as progress:
        assert progress is None
    monkeypatch.setattr("sys.stdout", io.StringIO())          # stdout piped
    with progress_bar("收取报送", stream=Terminal()) as progress:
        assert progress is None


def test_tables_fit_the_terminal_by_east_asian_width(monkeypatch, capsys):
    import io
    from ledger.commands.common import echo_table
    from ledger.commands.width import display_width

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert display_width("县科技局ab") == 10 and display_width("ＡＢ") == 4
    headers = ["单位", "报送情况", "说明"]
    rows = [["县发展和改革委员会", "退回待重报", "第 3 行“完成状态”填了下拉列表以外的“进行中”，请从下拉列表中选择" * 2],
            ["县科技局", "按时", ""]]
    out = Terminal()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setenv("COLUMNS", "70")
    echo_table(headers, rows)
    lines = out.getvalue().splitlines()
    assert all(display_width(line) <= 69 for line in lines), [display_width(line) for line in lines]
    assert lines[0].split() == headers and lines[2].startswith("县发展和改革委员会  退回待重报  第 3 行")
    assert lines[2].endswith("…")
    # The columns line up: 说明 and the cell below it start at the same terminal column.
    assert display_width(lines[0][:lines[0].index("说明")]) == display_width(lines[2][:lines[2].index("第 3 行")])
    piped = io.StringIO()                                          # piped: every cell whole, for grep
    monkeypatch.setattr("sys.stdout", piped)
    echo_table(headers, rows)
    assert rows[0][2] in piped.getvalue() and "…" not in piped.getvalue()


@pytest.mark.slow
def test_exit_codes_say_whose_mistake_it_was(planned):
    import subprocess
    import sys
    from ledger.commands import exits
    ws = str(planned.root)
    ledger = lambda *args: subprocess.run([sys.executable, "-m", "ledger", "-w", ws, *args],   # noqa: E731
                                          capture_output=True, text=True)
    assert ledger("plan", "show").returncode == exits.DONE == 0
    wrong_file = ledger("plan", "load", str(planned.root / "ledger.toml"))
    assert wrong_file.returncode == exits.USER_MISTAKE == 1
    assert wrong_file.stderr.startswith("错误：无法读取计划分解表“ledger.toml”") and "内部错误" not in wrong_file.stderr
    assert ledger("plan", "show", "--bogus").returncode == exits.USAGE == 2
    assert exits.INTERNAL == 3 and len({exits.DONE, exits.USER_MISTAKE, exits.USAGE, exits.INTERNAL,
                                        exits.NEEDS_ATTENTION}) == 5


@pytest.mark.slow
def test_demo_piped_into_head_still_builds_the_whole_workspace_and_says_so(tmp_path):
    import subprocess
    import sys
    target = tmp_path / "演示"
    # `head -1` stands for any reader that goes away early: read one line, then close the pipe.
    proc = subprocess.Popen([sys.executable, "-m", "ledger", "demo", str(target), "--no-libreoffice"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline().decode("utf-8")
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 0, err
    assert first.startswith(f"在 {target}/ 中演示完整流程")
    assert err.strip() == f"提示：输出在中途被截断（管道已关闭），演示仍已完整运行：{target}/"
    done = json.loads(run("-w", str(target), "log", "--json").output)["events"]
    assert done[0]["action"] == "links" and done[0]["command"] == "demo"      # the last step ran
