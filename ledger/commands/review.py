"""``ledger review``: the office's review of accepted ledgers (通过 / 退回修改)."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, local_iso, local_text, office_zone, workspace_from
from ledger.commands.options import json_option

STATE_CHOICE = click.Choice(["pending", "approved", "sent_back"])


@click.group()
def review() -> None:
    """审核：校验通过的台账须经督查室通过，或写明意见退回修改（需在 ledger.toml 中开启 [review] required）。

    退回的单位按“退回待重报”统计（报送情况、看板、催报名单、汇总表、督查通报），重新上传后再次待审核。

    示例：

    \b
      ledger review list --period 2024-07
      ledger review approve --period 2024-07 --unit 县财政局
      ledger review approve --period 2024-07 --all
      ledger review send-back --period 2024-07 --unit 县财政局 --comment 进展写得太笼统 --item 2
    """


def _period(ws, period: str | None) -> str:
    from ledger.report.data import resolve_period

    return resolve_period(period, ws.settings.office.timezone)


def _json(r, ws) -> dict:
    """A submission's review as --json shows it: times in the office's zone."""
    zone = office_zone(ws)
    return {**r.to_dict(), "submitted_at": local_iso(r.submitted_at, zone),
            "reviewed_at": local_iso(r.reviewed_at, zone) if r.reviewed_at else None}


@review.command("list")
@click.option("--period", metavar="月份", help="报送月份 YYYY-MM（默认上月）")
@click.option("--state", type=STATE_CHOICE, help="只列出某种状态：pending 待审核、approved 已通过、sent_back 已退回")
@json_option
@click.pass_context
def list_(ctx: click.Context, period: str | None, state: str | None, as_json: bool) -> None:
    """列出某月各单位当前报送的审核状态。

    示例：

    \b
      ledger review list --period 2024-07 --state pending --json
    """
    from ledger.review import review_list

    ws = workspace_from(ctx)
    period = _period(ws, period)
    found = review_list(ws.engine, period, state)
    zone = office_zone(ws)
    if as_json:
        echo_json({"period": period, "submissions": [_json(r, ws) for r in found]})
        return
    if not found:
        click.echo("没有符合条件的报送")
        return
    echo_table(["单位", "状态", "报送时间", "审核人", "审核时间", "意见"],
               [[r.unit, r.label, local_text(r.submitted_at, zone), r.reviewed_by or "",
                 local_text(r.reviewed_at, zone) if r.reviewed_at else "",
                 r.comment + "".join(f"（第 {i.number} 项）" for i in r.items)] for r in found])


@review.command("approve")
@click.option("--period", metavar="月份", help="报送月份 YYYY-MM（默认上月）")
@click.option("--unit", metavar="单位", help="审核通过该单位的当前报送")
@click.option("--all", "all_", is_flag=True, help="审核通过本月全部待审核的报送")
@json_option
@click.pass_context
def approve(ctx: click.Context, period: str | None, unit: str | None, all_: bool, as_json: bool) -> None:
    """审核通过某单位（或全部待审核单位）的当前报送。

    示例：

    \b
      ledger review approve --period 2024-07 --unit 县财政局
    """
    from ledger.accounts import actor
    from ledger.review import ReviewError, approve as approve_one, approve_all, require_review

    ws = workspace_from(ctx)
    require_review(ws.settings)
    period = _period(ws, period)
    if all_ == bool(unit):
        raise ReviewError("请用 --unit 指定单位，或用 --all 通过全部待审核的报送（二者选一）")
    done = approve_all(ws.engine, period, actor()) if all_ else [approve_one(ws.engine, period, unit, actor())]
    if as_json:
        echo_json({"period": period, "submissions": [_json(r, ws) for r in done]})
        return
    for r in done:
        click.echo(f"已审核通过：{r.unit}")
    if not done:
        click.echo("没有待审核的报送")


@review.command("send-back")
@click.option("--period", metavar="月份", help="报送月份 YYYY-MM（默认上月）")
@click.option("--unit", metavar="单位", required=True, help="退回该单位的当前报送")
@click.option("--comment", metavar="意见", required=True, help="退回意见（最多 2000 字），单位在报送页和退回意见表中看到")
@click.option("--item", metavar="编号", help="意见针对的任务序号（不填：针对整份台账）")
@json_option
@click.pass_context
def send_back(ctx: click.Context, period: str | None, unit: str, comment: str, item: str | None, as_json: bool) -> None:
    """写明意见，退回某单位的当前报送，请其修改后重新报送。

    示例：

    \b
      ledger review send-back --period 2024-07 --unit 县财政局 --comment 请写明具体进展 --item 2
    """
    from ledger.accounts import actor
    from ledger.review import require_review, send_back as send

    ws = workspace_from(ctx)
    require_review(ws.settings)
    period = _period(ws, period)
    r = send(ws.engine, period, unit, comment, actor(), item)
    if as_json:
        echo_json({"period": period, "submissions": [_json(r, ws)]})
        return
    click.echo(f"已退回{r.unit}，意见：{r.comment}")
