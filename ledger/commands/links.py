"""``ledger links``: each unit's upload link for a period; links issued are written into 分发清单.xlsx."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, local_text, office_zone, workspace_from
from ledger.commands.options import json_option, period_option


@click.command()
@period_option("报送月份 YYYY-MM（默认最近一次下发模板的月份）")
@click.option("--base-url", metavar="网址", help="各单位访问本系统的地址（默认 ledger.toml 的 [serve] base_url）")
@click.option("--reissue", "reissue", metavar="单位", multiple=True, help="更换该单位的链接，旧链接随即失效（可重复）")
@click.option("--reissue-all", is_flag=True, help="更换全部单位的链接")
@click.option("--revoke", "revoke", metavar="单位", multiple=True, help="收回该单位的链接，旧链接随即失效，直到用 --reissue 重新签发（可重复）")
@json_option
@click.pass_context
def links(ctx: click.Context, period: str | None, base_url: str | None, reissue: tuple[str, ...],
          reissue_all: bool, revoke: tuple[str, ...], as_json: bool) -> None:
    """各单位的网页报送链接：列出；签发新链接时写入本月分发清单（templates/<月份>/分发清单.xlsx）。

    链接中带有每个单位专用的随机凭据，凭链接即可报送，无需密码；泄露时用 --reissue 更换。

    示例：

    \b
      ledger links --period 2024-07
      ledger links --period 2024-07 --json
      ledger links --reissue 县科技局
      ledger links --revoke 县科技局
    """
    from ledger.links import revoke_link, unit_links

    ws = workspace_from(ctx)
    if revoke:
        done = {unit: revoke_link(ws, unit) for unit in revoke}
        if as_json:
            echo_json({"revoked": [u for u, d in done.items() if d], "had_none": [u for u, d in done.items() if not d]})
            return
        for unit, did in done.items():
            click.echo(f"已收回{unit}的报送链接" if did else f"{unit}当前没有有效的报送链接")
        return
    result = unit_links(ws, period, base_url, reissue, reissue_all)
    if as_json:
        echo_json({**result.to_dict(office_zone(ws)), "manifest": ws.relative(result.manifest) if result.manifest else None})
        return
    zone = office_zone(ws)
    echo_table(["单位", "报送链接", "签发时间"],
               [[link.unit, link.url, local_text(link.issued_at, zone) + ("（新）" if link.new else "")]
                for link in result.links])
    if result.manifest:
        click.echo(f"{'已写入分发清单' if result.wrote_manifest else '分发清单'}：{ws.relative(result.manifest)}")
    for note in result.notes:
        click.echo(f"注意：{note}")
