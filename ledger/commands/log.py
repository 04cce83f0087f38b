"""``ledger log``: what happened in the workspace, when, and by which command."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from ledger.commands.common import echo_json, echo_table, workspace_from

COMMAND_LABELS = {"plan import": "导入计划", "plan load": "导回分解表", "templates": "生成模板", "collect": "收取",
                  "status": "报送情况", "report": "汇总表", "schedule": "定时任务", "demo": "演示"}


@click.command()
@click.option("--limit", type=click.IntRange(1, 10000), default=30, show_default=True, help="显示最近多少条")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_context
def log(ctx: click.Context, limit: int, as_json: bool) -> None:
    """工作日志：最近的导入、下发、收取、催报、汇总记录（谁在何时做了什么）。"""
    from ledger.store.events import recent

    ws = workspace_from(ctx)
    events = recent(ws.engine, limit)
    if as_json:
        echo_json([{**e, "at": e["at"].isoformat()} for e in events])
        return
    if not events:
        click.echo("工作区中还没有任何记录")
        return
    zone = ZoneInfo(ws.settings.office.timezone)
    rows = [[e["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"), COMMAND_LABELS.get(e["command"], e["command"]),
             e["summary"]] for e in events]
    echo_table(["时间", "来源", "内容"], rows)
