"""``ledger collect``: inbox → accepted submissions or feedback workbooks."""

from __future__ import annotations

import click

from ledger.collect.intake import OUTCOME_LABELS, collect_inbox
from ledger.commands.common import echo_json, echo_table, workspace_from


@click.command()
@click.option("--dry-run", is_flag=True, help="只校验并报告，不移动文件、不入库")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.pass_context
def collect(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """收取 inbox/ 中报回的台账：校验后入库，或生成退回意见。"""
    ws = workspace_from(ctx)
    result = collect_inbox(ws, dry_run=dry_run)
    if as_json:
        echo_json(result.to_dict())
        return
    if not result.files:
        click.echo("inbox/ 中没有待收取的文件")
        return
    rows = [[f.file, f.unit or "", f.period or "", OUTCOME_LABELS[f.outcome], f.errors, f.warnings,
             f.feedback or f.stored or ""] for f in result.files]
    echo_table(["文件", "单位", "月份", "结果", "错误", "提示", "去向"], rows)
    t = result.totals
    prefix = "（试运行，未移动文件、未入库）" if dry_run else ""
    click.echo(f"{prefix}共 {len(result.files)} 个文件：接收 {t['accepted']}，退回 {t['rejected']}，重复 {t['duplicate']}，等待写入完成 {t['pending']}")
    for f in result.files:
        if f.outcome == "rejected" and f.findings:
            first = next((x for x in f.findings if x.is_error), f.findings[0])
            click.echo(f"  {f.file}：{first.message}" + (f"（另有 {f.errors - 1} 处错误）" if f.errors > 1 else ""))
