"""``ledger collect``: inbox → accepted submissions or feedback workbooks."""

from __future__ import annotations

import click

from ledger.collect.intake import OUTCOME_LABELS, collect_inbox
from ledger.collect.names import display_name
from ledger.commands import exits
from ledger.commands.common import echo_json, echo_table, progress_bar, workspace_from
from ledger.commands.options import json_option


@click.command()
@click.option("--dry-run", is_flag=True, help="只校验并报告，不移动文件、不入库")
@json_option
@click.pass_context
def collect(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """收取 inbox/ 中报回的台账：校验后入库，或生成退回意见。

    有文件需要督查室处理时（如程序无法处理的文件、链接等特殊文件），退出码为 4。

    示例：

    \b
      ledger collect --dry-run
      ledger collect
      ledger collect --json
    """
    ws = workspace_from(ctx)
    with progress_bar("收取报送", as_json) as progress:
        result = collect_inbox(ws, dry_run=dry_run, progress=progress)
    if as_json:
        echo_json(result.to_dict())
    else:
        _echo(result, dry_run)
    if result.needs_attention:
        ctx.exit(exits.NEEDS_ATTENTION)


def _echo(result, dry_run: bool) -> None:
    if not result.files:
        click.echo("inbox/ 中没有待收取的文件")
        return
    rows = [[display_name(f.file), f.unit or "", f.period or "", _label(f), f.errors, f.warnings,
             f.feedback or f.stored or ""] for f in result.files]
    echo_table(["文件", "单位", "月份", "结果", "错误", "提示", "去向"], rows)
    t = result.totals
    prefix = "（试运行，未移动文件、未入库）" if dry_run else ""
    line = (f"{prefix}共 {len(result.files)} 个文件：接收 {t['accepted']}，退回 {t['rejected']}，重复 {t['duplicate']}，"
            f"等待写入完成 {t['pending']}")
    if t["resumed"]:
        line += f"，完成上次中断的收尾 {t['resumed']}"
    if t["held"]:
        line += f"，需督查室处理 {t['held']}"
    click.echo(line)
    for f in result.files:
        if f.outcome in ("rejected", "duplicate", "held") and any(x.is_error for x in f.findings):
            first = next(x for x in f.findings if x.is_error)
            click.echo(f"  {display_name(f.file)}：{first.message}" + (f"（另有 {f.errors - 1} 处错误）" if f.errors > 1 else ""))
        if f.left_in_inbox:
            click.echo(f"  {display_name(f.file)}：已处理，但无法从 inbox/ 中删除（可能正被其他程序打开）：请关闭该文件后再次收取")


def _label(f) -> str:
    label = OUTCOME_LABELS[f.outcome]
    return f"{label}（上次已记录）" if f.resumed else label
