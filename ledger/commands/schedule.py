"""``ledger schedule``: list the jobs, run the scheduler, trigger one job, show the run history."""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ledger.commands import exits
from ledger.commands.common import echo_json, echo_table, local_iso, local_text, office_zone, workspace_from
from ledger.commands.options import json_option, period_option
from ledger.period import label
from ledger.schedule import history
from ledger.schedule.actions import PERIODLESS, action_label
from ledger.schedule.config import PERIOD_LABELS, JobSpec, load_jobs
from ledger.schedule.history import ABANDONED, FAILED, OK, JobRun
from ledger.schedule.runner import Runner, stop_signals, trigger_job


@click.group()
def schedule() -> None:
    """定时任务：按 schedules/*.toml 自动下发模板、收集报送、催报和汇总。

    示例：

    \b
      ledger schedule list
      ledger schedule run
      ledger schedule trigger collect
      ledger schedule history --limit 50
      ledger schedule install
    """


@schedule.command("list")
@click.option("--count", default=3, show_default=True, metavar="次数", type=click.IntRange(1, 50),
              help="每个任务显示接下来几次运行")
@click.option("--from", "start", metavar="时间",
              help="从指定时间起计算，如 2024-09-01 或 \"2024-09-01 08:00\"（默认现在）")
@json_option
@click.pass_context
def list_(ctx: click.Context, count: int, start: str | None, as_json: bool) -> None:
    """列出各定时任务及接下来的运行时间（同时检查所有任务文件）。

    示例：

    \b
      ledger schedule list
      ledger schedule list --count 6 --from 2024-09-01
      ledger schedule list --json
    """
    ws = workspace_from(ctx)
    jobs = load_jobs(ws)
    tz = office_zone(ws)
    after = _parse_start(start, tz) if start else datetime.now(tz)
    if as_json:
        echo_json({"timezone": tz.key, "jobs": [
            {**job.to_dict(), "next_runs": [{"at": t.isoformat(), "period": job.period_for(t)}
                                            for t in (job.next_runs(after, count) if job.enabled else [])]}
            for job in jobs]})
        return
    if not jobs:
        click.echo("schedules/ 中没有定时任务（*.toml）")
        return
    click.echo(f"定时任务 {len(jobs)} 个（从 {after:%Y-%m-%d %H:%M} 起，时区 {tz.key}）：")
    for job in jobs:
        _echo_job(job, after, count)


def _echo_job(job: JobSpec, after: datetime, count: int) -> None:
    click.echo("")
    off = "（已停用）" if not job.enabled else ""
    click.echo(f"{job.name}{off}  {job.description}  [{job.source}]".rstrip())
    actions = " → ".join(action_label(a) for a in job.actions)
    zone = "" if job.timezone == "Asia/Shanghai" else f"（{job.timezone}）"
    with_period = not set(job.actions) <= PERIODLESS
    period = PERIOD_LABELS[job.period] if with_period else ("按报回文件" if "collect" in job.actions else "不涉及")
    click.echo(f"  动作：{actions}    报送月份：{period}    时间：{job.describe()}{zone}")
    if not job.enabled:
        return
    runs = [f"{t:%Y-%m-%d %H:%M}" + (f"（{label(job.period_for(t))}）" if with_period else "")
            for t in job.next_runs(after, count)]
    click.echo(f"  下次：{'、'.join(runs) or '无'}")


def _parse_start(text: str, tz: ZoneInfo) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise click.BadParameter(f"“{text}”不是有效的时间，应为 YYYY-MM-DD 或 \"YYYY-MM-DD HH:MM\"", param_hint="--from")


@schedule.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """在前台运行调度器（Ctrl-C 或 SIGTERM 停止；同一工作区只能运行一个）。

    示例：

    \b
      ledger schedule run
      ledger -w D:/台账 schedule run
    """
    ws = workspace_from(ctx)
    tz = office_zone(ws)
    _quiet_logs()
    runner = Runner(ws, load_jobs(ws), on_run=lambda r: _echo_run(r, tz))
    runner.start()
    try:
        click.echo(f"调度器已启动：{ws.root}，{len(runner.specs)} 个任务。按 Ctrl-C 停止。")
        for name, when in runner.next_run_times().items():
            due = "（错过的运行，马上补跑）" if when and when < datetime.now(tz) else ""
            click.echo(f"  {name}  下次 {when.astimezone(tz):%Y-%m-%d %H:%M}{due}" if when else f"  {name}  已暂停")
        with stop_signals(runner, lambda text: click.echo(text, err=True)):
            runner.serve()
    finally:
        runner.close()
    click.echo("调度器已停止")


@schedule.command()
@click.argument("job", metavar="任务")
@period_option("报送月份 YYYY-MM（默认按任务的月份规则，从现在算）")
@json_option
@click.pass_context
def trigger(ctx: click.Context, job: str, period: str | None, as_json: bool) -> None:
    """立即运行一个任务（与调度器运行的任务一样记录；调度器运行时也可使用）。

    示例：

    \b
      ledger schedule trigger collect
      ledger schedule trigger report --period 2024-07 --json
    """
    ws = workspace_from(ctx)
    _quiet_logs()
    result = trigger_job(ws, job, period)
    if as_json:
        echo_json(_run_dict(result, office_zone(ws)))
    elif result.outcome == OK:
        click.echo(f"任务 {job} 成功：{result.message}")
    else:
        click.echo(f"任务 {job} {result.outcome_label}：{result.message}", err=True)
    if result.outcome != OK:
        ctx.exit(exits.INTERRUPTED if result.outcome == ABANDONED else exits.USER_MISTAKE)


@schedule.command("history")
@click.option("--job", metavar="任务", help="只看指定任务")
@click.option("--limit", default=20, show_default=True, metavar="条数", type=click.IntRange(1, 10000),
              help="显示最近多少条")
@json_option
@click.pass_context
def history_(ctx: click.Context, job: str | None, limit: int, as_json: bool) -> None:
    """查看定时任务的运行记录（最新的在前）。

    示例：

    \b
      ledger schedule history
      ledger schedule history --job collect --limit 50
      ledger schedule history --json
    """
    ws = workspace_from(ctx)
    tz = office_zone(ws)
    runs = history.recent_runs(ws.engine, job, limit)
    if as_json:
        echo_json({"timezone": tz.key, "runs": [_run_dict(r, tz) for r in runs]})
        return
    if not runs:
        click.echo("还没有运行记录")
        return
    rows = [[r.id, r.job, _when(r.scheduled_at, tz) if r.scheduled_at else "手动", _when(r.started_at, tz),
             _duration(r), r.outcome_label, r.message] for r in runs]
    echo_table(["编号", "任务", "计划时间", "开始", "用时", "结果", "说明"], rows)


def _service_options(f):
    """``--system``, ``--unit-dir`` and ``--web``, shared by install, uninstall and status."""
    f = json_option(f)
    f = click.option("--web", is_flag=True,
                     help="对网页报送服务（ledger serve）操作，而不是定时调度器；两者可以同时安装")(f)
    f = click.option("--unit-dir", type=click.Path(file_okay=False), metavar="目录",
                     help="服务文件所在目录（默认 ~/.config/systemd/user/，--system 时 /etc/systemd/system/）；"
                          "指定其他目录时只写文件、不启用，便于审核")(f)
    return click.option("--system", is_flag=True, help="安装为系统服务（开机即运行，需要管理员权限）；默认为当前用户的服务")(f)


def _echo_state(state, verb: str) -> None:
    click.echo(f"{verb}：{state.path}（服务名 {state.name}）")
    if state.manager:
        click.echo(f"注意：{state.manager}。请手动运行：", err=True)
        for line in state.commands:
            click.echo(f"  {line}", err=True)


def _service(ctx: click.Context, action: str, system: bool, unit_dir: str | None, as_json: bool,
             web: bool = False, host: str = "127.0.0.1", port: int = 8000):
    """Run ``service.<action>`` for the workspace (the scheduler, or with ``web`` the web server);
    print it as JSON (and return None) when asked."""
    from ledger.schedule import service

    ws = workspace_from(ctx)
    job = service.web_job(host, port) if web else service.SCHEDULER
    state = getattr(service, action)(ws.root, system, Path(unit_dir) if unit_dir else None, job=job)
    if as_json:
        echo_json({"service": state.to_dict()})
        return None
    return state


@schedule.command()
@_service_options
@click.option("--host", metavar="地址", default="127.0.0.1", show_default=True, help="与 --web 同用：网页服务的监听地址")
@click.option("--port", metavar="端口", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="与 --web 同用：网页服务的监听端口")
@click.pass_context
def install(ctx: click.Context, system: bool, unit_dir: str | None, web: bool, as_json: bool,
            host: str, port: int) -> None:
    """安装为后台服务：登录（或开机）时自动运行调度器，出错后自动重启。

    Linux 上写入 systemd 服务（用户服务；--system 为系统服务，需用 sudo 运行）并启用；
    Windows 上登记登录时运行的计划任务（schtasks）。服务名由工作区路径生成，多个工作区互不影响。
    加 --web 则把网页报送（ledger serve）装成服务（服务名多一个 -web），与调度器各自运行。

    示例：

    \b
      ledger schedule install
      ledger -w /srv/台账 schedule install --system
      ledger -w /srv/台账 schedule install --system --web --port 8000
      ledger schedule install --unit-dir ./待审核
      ledger schedule install --json
    """
    state = _service(ctx, "install", system, unit_dir, as_json, web, host, port)
    if state is None:
        return
    _echo_state(state, "已写入服务文件")
    if not state.manager:
        running = "，正在运行" if state.active else "，但尚未运行（用 ledger schedule status 查看）"
        click.echo(f"已启用{running}。用户服务在登录时启动；开机即运行需要 loginctl enable-linger。"
                   if not system and state.kind.startswith("systemd") else f"已启用{running}")


@schedule.command()
@_service_options
@click.pass_context
def uninstall(ctx: click.Context, system: bool, unit_dir: str | None, web: bool, as_json: bool) -> None:
    """停止并删除 ledger schedule install 安装的后台服务。

    示例：

    \b
      ledger schedule uninstall
      ledger -w /srv/台账 schedule uninstall --system
      ledger schedule uninstall --web
    """
    state = _service(ctx, "uninstall", system, unit_dir, as_json, web)
    if state is None:
        return
    _echo_state(state, "已停止并删除服务")


@schedule.command()
@_service_options
@click.pass_context
def status(ctx: click.Context, system: bool, unit_dir: str | None, web: bool, as_json: bool) -> None:
    """查看后台服务：是否已安装、是否正在运行。

    示例：

    \b
      ledger schedule status
      ledger schedule status --system --json
      ledger schedule status --web
    """
    state = _service(ctx, "status", system, unit_dir, as_json, web)
    if state is None:
        return
    if not state.installed:
        click.echo(f"未安装后台服务（{state.name}）：运行 ledger schedule install{' --web' if web else ''} 安装")
        return
    if state.active is None:
        click.echo(f"已安装：{state.path}；运行状态未知（{state.manager}）")
        return
    click.echo(f"已安装：{state.path}；{'正在运行' if state.active else '未运行'}，"
               f"{'开机/登录自动启动' if state.enabled else '未设为自动启动'}")


def _when(t: datetime, tz: ZoneInfo) -> str:
    return local_text(t, tz, seconds=True)


def _run_dict(run: JobRun, tz: ZoneInfo) -> dict:
    """A run for JSON, its times with the office's offset."""
    times = {k: local_iso(getattr(run, k), tz) for k in ("scheduled_at", "started_at", "finished_at")}
    return {**run.to_dict(), **times}


def _duration(run: JobRun) -> str:
    if run.finished_at is None:
        return ""
    seconds = max(0, round((run.finished_at - run.started_at) / timedelta(seconds=1)))
    return f"{seconds // 60}分{seconds % 60}秒" if seconds >= 60 else f"{seconds}秒"


def _echo_run(run: JobRun, tz: ZoneInfo) -> None:
    planned = f"（计划 {run.scheduled_at.astimezone(tz):%m-%d %H:%M}）" if run.scheduled_at else ""
    line = f"{datetime.now(tz):%Y-%m-%d %H:%M:%S}  {run.job}{planned} {run.outcome_label}：{run.message}"
    click.echo(line, err=run.outcome in (FAILED, ABANDONED))


class _ChineseLog(logging.Handler):
    """Scheduler-internal errors as one Chinese line; the traceback only with LEDGER_DEBUG."""

    def emit(self, record: logging.LogRecord) -> None:
        if os.environ.get("LEDGER_DEBUG"):
            click.echo(logging.Formatter().format(record), err=True)
        else:
            click.echo(f"调度器内部错误：{record.getMessage()}（设置 LEDGER_DEBUG=1 可查看详细信息）", err=True)


def _quiet_logs() -> None:
    """Missed runs and job failures are reported and recorded by ledger; show only internal errors."""
    level = logging.WARNING if os.environ.get("LEDGER_DEBUG") else logging.ERROR
    handler = _ChineseLog(level)
    for name in ("apscheduler", "ledger.schedule"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate = False
        if not any(isinstance(h, _ChineseLog) for h in logger.handlers):
            logger.addHandler(handler)
