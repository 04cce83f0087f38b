"""``ledger templates``: one ledger workbook per responsible unit for a period."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, office_zone, progress_bar, workspace_from
from ledger.commands.options import json_option, period_option
from ledger.template.generate import generate_templates


@click.command()
@period_option("报送月份 YYYY-MM（默认本月，按办公室所在时区）")
@click.option("--unit", "units", metavar="单位", multiple=True, help="只生成指定单位（可重复）")
@json_option
@click.pass_context
def templates(ctx: click.Context, period: str | None, units: tuple[str, ...], as_json: bool) -> None:
    """为每个责任单位生成本月台账模板（templates/<月份>/）。

    示例：

    \b
      ledger templates
      ledger templates --period 2024-07
      ledger templates --period 2024-07 --unit 县科技局 --unit 县财政局
      ledger templates --json
    """
    ws = workspace_from(ctx)
    from ledger.links import after_templates

    with progress_bar("生成模板", as_json) as progress:
        result = generate_templates(ws, period, list(units) or None, progress=progress)
    links = after_templates(ws, result.period, command="templates")
    if as_json:
        echo_json({"period": result.period, "plan_version": result.plan_version,
                   "folder": ws.relative(result.folder), "manifest": ws.relative(result.manifest),
                   "files": [{"unit": f.unit, "file": ws.relative(f.path), "lead": f.lead,
                              "support": f.support, "carried_from": f.carried_from} for f in result.files],
                   "skipped_collective": result.skipped_collective,
                   "links": links.to_dict(office_zone(ws))["links"] if links else None})
        return
    carried = sum(1 for f in result.files if f.carried_from)
    click.echo(f"已生成 {result.period} 模板 {len(result.files)} 个（第 {result.plan_version} 版计划）：{ws.relative(result.folder)}/")
    click.echo(f"  分发清单：{ws.relative(result.manifest)}" + ("（含各单位的网页报送链接）" if links else ""))
    if carried:
        click.echo(f"  其中 {carried} 个单位的模板已带入上期报送内容")
    if result.skipped_collective:
        click.echo(f"  集体名称未生成模板：{'、'.join(result.skipped_collective)}（可在 ledger.toml 的 [units.groups] 中展开后重新导入）")
