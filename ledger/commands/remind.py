"""``ledger remind``: send the period's reminders through the configured channels, each once."""

from __future__ import annotations

import click

from ledger.commands import exits
from ledger.commands.common import echo_json, echo_table, workspace_from
from ledger.commands.options import json_option, period_option
from ledger.settings import MESSAGE_KINDS


@click.command()
@period_option()
@click.option("--kind", "kinds", multiple=True, type=click.Choice(MESSAGE_KINDS), metavar="种类",
              help="只发这种提醒（可重复）：due_soon 即将截止、due_today 今日截止、overdue 逾期未报、rejected 退回待重报；"
                   "默认按今天与截止日的关系自动选择")
@click.option("--unit", metavar="单位", help="只提醒这个单位")
@click.option("--dry-run", is_flag=True, help="只列出将要发送的消息，不记录、不发送")
@json_option
@click.pass_context
def remind(ctx: click.Context, period: str | None, kinds: tuple[str, ...], unit: str | None, dry_run: bool,
           as_json: bool) -> None:
    """催报：按设置的发送渠道（邮件、企业微信、钉钉、飞书、网关）提醒未报送的单位，每条只发一次。

    每条消息发送前先记入发件记录；重复运行、多个进程同时运行都不会重发已发出的消息。
    发送失败的消息按 ledger.toml 的 [remind] 设置重试，仍失败的在看板和 ledger log 中列出；
    有消息未发出时以退出码 4 结束，便于定时任务提醒。

    示例：

    \b
      ledger remind --dry-run
      ledger remind --period 2024-07
      ledger remind --period 2024-07 --kind overdue --unit 县科技局
      ledger remind --json
    """
    from ledger.remind.run import remind as run_remind

    result = run_remind(workspace_from(ctx), period, kinds, unit, dry_run=dry_run)
    if as_json:
        echo_json(result.to_dict())
    else:
        _echo(result)
    if result.failed or result.retrying:
        ctx.exit(exits.NEEDS_ATTENTION)


def _echo(result) -> None:
    from ledger.remind.outbox import STATE_LABELS
    from ledger.remind.wording import KIND_LABELS

    if result.dry_run:
        rows = [[m.unit, KIND_LABELS[m.kind], m.channel, "、".join(m.recipients) or "（群消息）",
                 STATE_LABELS.get(m.state, "将发送")] for m in result.messages]
        if rows:
            echo_table(["单位", "提醒", "渠道", "发往", "状态"], rows)
        else:
            click.echo("没有要发送的提醒")
    else:
        for line in result.sent:
            click.echo(f"已发送：{line['unit']} {line['kind_label']}（{line['channel']}）")
        for line in result.failed + result.retrying:
            click.echo(f"未发出：{line['unit']} {line['kind_label']} — {line['error']}")
        click.echo(result.summary())
    for note in result.notes:
        click.echo(f"注意：{note}")
