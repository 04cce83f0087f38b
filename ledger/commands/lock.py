"""``ledger lock`` / ``ledger unlock``: a month made final (终版), and opened again with a reason."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, local_iso, office_zone, workspace_from
from ledger.commands.options import json_option


@click.command()
@click.option("--period", metavar="月份", required=True, help="要锁定的报送月份 YYYY-MM")
@json_option
@click.pass_context
def lock(ctx: click.Context, period: str, as_json: bool) -> None:
    """锁定某月：此后不再接收该月报送（迟到的文件以“已锁定”退回），汇总表和督查通报标为终版。

    示例：

    \b
      ledger lock --period 2024-07
    """
    from ledger.accounts import actor
    from ledger.period import label
    from ledger.period_lock import lock_period

    ws = workspace_from(ctx)
    state = lock_period(ws.engine, period, actor())
    if as_json:
        echo_json({"locked": {**state.to_dict(), "locked_at": local_iso(state.at, office_zone(ws))}})
        return
    click.echo(f"已锁定{label(state.period)}：不再接收该月报送；重新生成的汇总表和督查通报为终版")


@click.command()
@click.option("--period", metavar="月份", required=True, help="要解锁的报送月份 YYYY-MM")
@click.option("--reason", metavar="理由", required=True, help="解锁理由（记入工作日志）")
@json_option
@click.pass_context
def unlock(ctx: click.Context, period: str, reason: str, as_json: bool) -> None:
    """解锁某月（须写明理由，记入工作日志），此后重新接收该月报送。

    示例：

    \b
      ledger unlock --period 2024-07 --reason 县财政局申请更正数据
    """
    from ledger.accounts import actor
    from ledger.period import check_period, label
    from ledger.period_lock import unlock_period

    ws = workspace_from(ctx)
    unlock_period(ws.engine, period, reason, actor())
    if as_json:
        echo_json({"unlocked": {"period": check_period(period), "reason": reason.strip()}})
        return
    click.echo(f"已解锁{label(period)}，理由：{reason.strip()}")
