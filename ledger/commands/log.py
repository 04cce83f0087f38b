"""``ledger log``: what happened in the workspace, when, and by which command."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, local_iso, local_text, office_zone, workspace_from
from ledger.commands.options import json_option


@click.command()
@click.option("--limit", type=click.IntRange(1, 10000), metavar="条数", default=30, show_default=True,
              help="显示最近多少条")
@click.option("--access", is_flag=True, help="只看网页访问记录（ledger serve 的每次访问）")
@json_option
@click.pass_context
def log(ctx: click.Context, limit: int, access: bool, as_json: bool) -> None:
    """工作日志：最近的导入、下发、收取、催报、汇总记录（谁在何时做了什么）。

    时间按办公室所在时区显示（ledger.toml 的 office.timezone，默认 Asia/Shanghai）。

    示例：

    \b
      ledger log
      ledger log --limit 100
      ledger log --access
      ledger log --json
    """
    from ledger.store.events import recent

    ws = workspace_from(ctx)
    zone = office_zone(ws)
    from ledger.store.events import SOURCE_LABELS, WEB_ACCESS

    events = recent(ws.engine, limit, only=(WEB_ACCESS,)) if access else recent(ws.engine, limit, exclude=(WEB_ACCESS,))
    if as_json:
        echo_json({"timezone": zone.key, "events": [{**e, "at": local_iso(e["at"], zone)} for e in events]})
        return
    if not events:
        click.echo("工作区中还没有任何记录")
        return
    rows = [[local_text(e["at"], zone), SOURCE_LABELS.get(e["command"], e["command"]),
             e["summary"]] for e in events]
    echo_table(["时间", "来源", "内容"], rows)
