"""``ledger serve``: the web pages where units upload and the office watches the board."""

from __future__ import annotations

import click

from ledger.commands.common import workspace_from
from ledger.errors import LedgerError


@click.command()
@click.option("--host", metavar="地址", default="127.0.0.1", show_default=True,
              help="监听地址；供局域网访问可用 0.0.0.0（对外服务请放在 nginx 等反向代理之后，由其提供 HTTPS）")
@click.option("--port", metavar="端口", type=click.IntRange(1, 65535), default=8000, show_default=True, help="监听端口")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """网页报送：各单位凭专属链接下载模板、上传台账并当场看到校验结果；督查室查看报送看板。

    各单位的链接用 ledger links 查看；督查室页面 /office 的密码在 ledger.toml 的 [serve] office_password 设置。
    按 Ctrl-C 停止。

    示例：

    \b
      ledger serve
      ledger serve --host 0.0.0.0 --port 8080
      ledger -w demo serve
    """
    import uvicorn

    from ledger.web import create_app

    ws = workspace_from(ctx)
    app = create_app(ws)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"ledger 网页已启动：http://{shown}:{port}/office（督查室看板）")
    if not ws.settings.serve.office_password:
        click.echo("  注意：ledger.toml 的 [serve] office_password 未设置，督查室页面暂不开放")
    click.echo("  各单位的报送链接：ledger links；按 Ctrl-C 停止")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=True,
                            forwarded_allow_ips="127.0.0.1", server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run()
    except OSError as exc:
        raise LedgerError(f"无法在 {host}:{port} 启动网页服务：{exc.strerror or exc}（端口可能已被占用，可用 --port 换一个）") from None
    if not server.started:
        raise LedgerError(f"无法在 {host}:{port} 启动网页服务（端口可能已被占用，可用 --port 换一个）")
    click.echo("ledger 网页已停止")
