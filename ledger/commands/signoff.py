"""``ledger signoff`` and ``ledger evidence``: finished items signed off (销号) on their evidence."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.commands.common import echo_json, echo_table, local_iso, local_text, office_zone, workspace_from
from ledger.commands.options import json_option

STATE_CHOICE = click.Choice(["awaiting_evidence", "awaiting_signoff", "signed_off", "rejected"])


def _json(item, ws) -> dict:
    zone = office_zone(ws)
    return {**item.to_dict(), "signed_off_at": local_iso(item.signed_off_at, zone) if item.signed_off_at else None}


@click.group()
def signoff() -> None:
    """销号：牵头单位报“已完成”的任务，凭佐证材料由督查室销号，或写明意见退回佐证材料。

    已销号的任务在报送情况、汇总表和督查通报中标为“已销号”，此后的模板中锁定为已销号、不再要求填写。

    示例：

    \b
      ledger signoff list --state awaiting_signoff
      ledger signoff approve 3
      ledger signoff reject 3 --comment 请补充验收报告
    """


@signoff.command("list")
@click.option("--state", type=STATE_CHOICE,
              help="只列出某种状态：awaiting_evidence 待上传佐证、awaiting_signoff 待销号、signed_off 已销号、rejected 佐证被退回")
@json_option
@click.pass_context
def list_(ctx: click.Context, state: str | None, as_json: bool) -> None:
    """列出已报“已完成”任务的销号状态。

    示例：

    \b
      ledger signoff list --json
    """
    from ledger.signoff import signoff_list

    ws = workspace_from(ctx)
    found = signoff_list(ws.engine, ws.settings.vocabulary, state)
    if as_json:
        echo_json({"items": [_json(i, ws) for i in found]})
        return
    if not found:
        click.echo("没有符合条件的任务")
        return
    zone = office_zone(ws)
    echo_table(["编号", "任务", "牵头单位", "状态", "佐证材料", "销号人", "销号时间"],
               [[i.number, i.title, "、".join(i.lead), i.label, "、".join(e.file_name for e in i.evidence),
                 i.signed_off_by or "", local_text(i.signed_off_at, zone) if i.signed_off_at else ""] for i in found])


@signoff.command("approve")
@click.argument("number", metavar="编号")
@click.option("--comment", metavar="意见", default="", help="销号意见（可选）")
@json_option
@click.pass_context
def approve(ctx: click.Context, number: str, comment: str, as_json: bool) -> None:
    """凭已上传的佐证材料为任务销号。

    示例：

    \b
      ledger signoff approve 3
    """
    from ledger.accounts import actor
    from ledger.signoff import approve as sign

    ws = workspace_from(ctx)
    item = sign(ws.engine, ws.settings.vocabulary, number, actor(), comment)
    if as_json:
        echo_json({"items": [_json(item, ws)]})
        return
    click.echo(f"已销号：第 {item.number} 项 {item.title}")


@signoff.command("reject")
@click.argument("number", metavar="编号")
@click.option("--comment", metavar="意见", required=True, help="退回意见（单位在报送页看到，可补充材料）")
@json_option
@click.pass_context
def reject(ctx: click.Context, number: str, comment: str, as_json: bool) -> None:
    """退回任务的佐证材料（写明意见），单位可补充后再上传。

    示例：

    \b
      ledger signoff reject 3 --comment 请补充验收报告
    """
    from ledger.accounts import actor
    from ledger.signoff import reject as send_back

    ws = workspace_from(ctx)
    item = send_back(ws.engine, ws.settings.vocabulary, number, comment, actor())
    if as_json:
        echo_json({"items": [_json(item, ws)]})
        return
    click.echo(f"已退回第 {item.number} 项的佐证材料：{item.comment}")


@click.group()
def evidence() -> None:
    """佐证材料：督查室代单位上传已完成任务的佐证材料（PDF、JPG、PNG、DOCX、XLSX）。

    示例：

    \b
      ledger evidence add --unit 县科技局 --item 2 验收报告.pdf
    """


@evidence.command("add")
@click.option("--unit", metavar="单位", required=True, help="牵头单位")
@click.option("--item", "number", metavar="编号", required=True, help="任务编号")
@click.argument("file", metavar="文件", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def add(ctx: click.Context, unit: str, number: str, file: Path, as_json: bool) -> None:
    """代牵头单位上传佐证材料（按内容检查格式，存入 archive/evidence/<编号>/）。

    示例：

    \b
      ledger evidence add --unit 县科技局 --item 2 验收报告.pdf
    """
    from ledger.accounts import actor
    from ledger.collect.evidence import add_evidence

    ws = workspace_from(ctx)
    added = add_evidence(ws, unit, number, file, file.name, actor())
    if as_json:
        echo_json({"item": added.item.number, "file": added.file_name, "stored": ws.relative(added.stored_path)})
        return
    click.echo(f"已上传第 {added.item.number} 项佐证材料：{ws.relative(added.stored_path)}")
