"""``ledger corrections``: late corrections held for the office's review, and its decision on each."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, local_text, office_zone, workspace_from
from ledger.commands.options import json_option, period_option


@click.group()
def corrections() -> None:
    """更正审核：报送截止且已汇总后，单位再报已报送月份的台账（更正），暂存待督查室审核。

    ledger.toml 的 [collect] late_corrections 决定更正如何处理：refuse 拒收，review 暂存待审核（默认），
    accept 直接替换。无论哪种，该单位该月的按时/逾期情况都不变，汇总表和通报注明“更正于……”。

    示例：

    \b
      ledger corrections list
      ledger corrections accept 12
      ledger corrections refuse 12
    """


@corrections.command("list")
@period_option()
@click.option("--all", "everything", is_flag=True, help="同时列出已审核和已直接替换的更正")
@json_option
@click.pass_context
def list_(ctx: click.Context, period: str | None, everything: bool, as_json: bool) -> None:
    """列出待审核的更正（--all：全部更正）。

    示例：

    \b
      ledger corrections list
      ledger corrections list --period 2024-06 --all --json
    """
    from ledger.corrections import list_corrections

    ws = workspace_from(ctx.parent)
    found = list_corrections(ws, period, pending_only=not everything)
    if as_json:
        echo_json({"corrections": [c.to_dict(office_zone(ws)) for c in found]})
        return
    if not found:
        click.echo("没有待审核的更正" if not everything else "没有更正")
        return
    zone = office_zone(ws)
    echo_table(["编号", "月份", "单位", "更正收到", "原报送收到", "审核", "文件"],
               [[c.id, c.period, c.unit, local_text(c.received_at, zone), local_text(c.corrects_at, zone),
                 c.to_dict()["review_label"], c.file] for c in found])


def _decide(ctx: click.Context, number: int, accept: bool, as_json: bool) -> None:
    from ledger.corrections import decide_correction

    ws = workspace_from(ctx.parent)
    done = decide_correction(ws, number, accept)
    if as_json:
        echo_json({"correction": done.to_dict(office_zone(ws))})
        return
    verb = "已采纳" if accept else "已不予采纳"
    tail = "，该月汇总以更正后的内容为准（按时情况不变）" if accept else "，该月仍以原报送为准"
    click.echo(f"{verb}{done.unit}{done.period}的更正（编号 {done.id}）{tail}")


@corrections.command()
@click.argument("number", metavar="编号", type=int)
@json_option
@click.pass_context
def accept(ctx: click.Context, number: int, as_json: bool) -> None:
    """采纳一项待审核的更正：替换该单位该月的报送。

    示例：

    \b
      ledger corrections accept 12
    """
    _decide(ctx, number, True, as_json)


@corrections.command()
@click.argument("number", metavar="编号", type=int)
@json_option
@click.pass_context
def refuse(ctx: click.Context, number: int, as_json: bool) -> None:
    """不予采纳一项待审核的更正：该月仍以原报送为准。

    示例：

    \b
      ledger corrections refuse 12
    """
    _decide(ctx, number, False, as_json)
