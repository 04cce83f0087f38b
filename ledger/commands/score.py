"""``ledger score``: each unit's 考评 score for a month or the year to date, every deduction explained."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, shorten, workspace_from
from ledger.commands.options import json_option, period_option
from ledger.period import label


@click.command()
@period_option()
@click.option("--year", is_flag=True, help="本年累计：从 1 月到该月的全部扣分")
@click.option("--detail", is_flag=True, help="逐条列出扣分（加分）事项")
@json_option
@click.pass_context
def score(ctx: click.Context, period: str | None, year: bool, detail: bool, as_json: bool) -> None:
    """考评：按 ledger.toml 的 [scoring] 计算各单位得分和排名，每项扣分都注明原因。

    从基础分（默认 100）起，逾期报送、未报送、被退回、内容审核提示、黄色/红色督办单、
    督办单逾期反馈各扣相应分值；分值在 [scoring] 中设置。

    示例：

    \b
      ledger score
      ledger score --period 2024-07 --detail
      ledger score --period 2024-12 --year
      ledger score --period 2024-07 --json
    """
    from ledger.report.scores import score_units

    ws = workspace_from(ctx)
    result = score_units(ws, period, year=year)
    if as_json:
        data = result.to_dict()
        echo_json({"period": data["period"], "year": data["year"], "periods": data["periods"], "units": data["units"]})
        return
    what = f"{result.period[:4]}年1月至{label(result.period)[5:]}累计" if year else label(result.period)
    click.echo(f"{what}考评得分（基础分 {ws.settings.scoring.base:g}）")
    rows = [[u.rank, u.unit, f"{u.score:g}", len(u.deductions),
             shorten("；".join(f"{d.reason}{d.points:+g}" for d in u.deductions), 50)] for u in result.units]
    echo_table(["名次", "单位", "得分", "扣分项", "说明"], rows)
    if detail:
        for u in result.units:
            for d in u.deductions:
                click.echo(f"{u.unit}\t{label(d.period)}\t{d.points:+g}\t{d.reason}\t{d.item}")
