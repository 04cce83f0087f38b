"""``ledger escalate`` and ``ledger escalations``: issue 督办单, list them with the units' replies, close them."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, local_iso, local_text, office_zone, shorten, workspace_from
from ledger.commands.options import json_option, period_option
from ledger.period import label
from ledger.supervise.rules import COLOUR_LABELS

STATE_LABELS = {"open": "待反馈", "replied": "已反馈", "closed": "已办结"}


@click.command()
@period_option()
@click.option("--dry-run", is_flag=True, help="只列出将签发的督办单，不写文件、不记录")
@json_option
@click.pass_context
def escalate(ctx: click.Context, period: str | None, dry_run: bool, as_json: bool) -> None:
    """督办：按规则给进度滞后、临近或超过完成时限、报送缺失的单位签发督办单（outbox/督办单/<月份>/）。

    规则在 ledger.toml 的 [escalation] 中：临近完成时限发蓝色，落后序时进度、连续滞后或台账内容
    问题较多发黄色，逾期未完成或连续未报送发红色；每个单位每种颜色一份。同一事项同一颜色
    在同一月份只签发一次，重复运行不会重复签发；逾期未反馈的督办单升一级颜色重新签发。

    示例：

    \b
      ledger escalate --dry-run
      ledger escalate --period 2024-07
      ledger escalate --period 2024-07 --json
    """
    from ledger.supervise.escalate import escalate as run_escalate

    ws = workspace_from(ctx)
    run = run_escalate(ws, period, dry_run=dry_run)
    if as_json:
        echo_json(run.to_dict())
        return
    verb = "将签发" if dry_run else "已签发"
    if not run.issued:
        click.echo(f"{label(run.period)}：没有需要签发的督办单（已签发的不再重复签发）")
        return
    rows = [[i.number or "—", i.draft.unit, COLOUR_LABELS[i.draft.colour], len(i.draft.items),
             shorten("；".join(f"{r.number} {r.title}：{r.why}".strip() for r in i.draft.items), 60),
             i.reply_due.isoformat() if i.reply_due else ""] for i in run.issued]
    echo_table(["编号", "单位", "颜色", "事项", "督办原因", "反馈时限"], rows)
    click.echo(f"{label(run.period)}：{verb}督办单 {len(run.issued)} 份"
               + ("" if dry_run else f"，见 outbox/督办单/{run.period}/"))


@click.group()
def escalations() -> None:
    """督办单：列出已签发的督办单及各单位反馈，办结销号。

    示例：

    \b
      ledger escalations list --open
      ledger escalations list --period 2024-07 --json
      ledger escalations close 3 --comment "已整改到位"
    """


@escalations.command("list")
@click.option("--open", "open_only", is_flag=True, help="只列出未办结的（待反馈、已反馈）")
@period_option("签发所依据的报送月份 YYYY-MM（默认全部）")
@json_option
@click.pass_context
def list_(ctx: click.Context, open_only: bool, period: str | None, as_json: bool) -> None:
    """列出督办单：编号、单位、颜色、事项、签发时间、反馈时限、状态和单位反馈。

    示例：

    \b
      ledger escalations list
      ledger escalations list --open
      ledger escalations list --period 2024-07 --json
    """
    from ledger.period import check_period
    from ledger.store.escalations import notices, to_dict

    ws = workspace_from(ctx)
    zone = office_zone(ws)
    found = notices(ws.engine, period=check_period(period) if period else None, open_only=open_only)
    if as_json:
        echo_json({"escalations": [to_dict(n, lambda t: local_iso(t, zone)) for n in found]})
        return
    if not found:
        click.echo("没有符合条件的督办单")
        return
    rows = [[n["id"], n["number"], n["unit"], COLOUR_LABELS[n["colour"]], len(n["items"]),
             local_text(n["issued_at"], zone), n["reply_due"].isoformat(), STATE_LABELS[n["state"]],
             shorten(n["reply"] or "", 30)] for n in found]
    echo_table(["ID", "编号", "单位", "颜色", "事项", "签发时间", "反馈时限", "状态", "单位反馈"], rows)


@escalations.command()
@click.argument("notice_id", metavar="ID", type=int)
@click.option("--comment", metavar="意见", help="办结意见")
@click.option("--keep-open", is_flag=True, help="不办结：退回单位继续办理（须写 --comment 说明原因）")
@json_option
@click.pass_context
def close(ctx: click.Context, notice_id: int, comment: str | None, keep_open: bool, as_json: bool) -> None:
    """办结（销号）一份督办单；加 --keep-open 则不办结，附意见退回单位继续办理。

    示例：

    \b
      ledger escalations close 3
      ledger escalations close 3 --comment "已整改到位"
      ledger escalations close 3 --keep-open --comment "请补充验收材料"
    """
    from ledger.supervise.replies import close_notice

    ws = workspace_from(ctx)
    found = close_notice(ws, notice_id, comment, keep_open=keep_open)
    if as_json:
        echo_json({"id": found["id"], "number": found["number"], "state": found["state"], "comment": found["comment"]})
        return
    click.echo(f"{found['number']}（{found['unit']}）：{STATE_LABELS[found['state']]}")
