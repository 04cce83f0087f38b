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
    from ledger.web.connections import server_config
    from ledger.workspace import CONFIG_NAME, holds_secret, protect

    ws = workspace_from(ctx)
    app = create_app(ws)
    sock = _bind(host, port)            # bound here, so a port in use is one line and the address is ours
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"ledger 网页已启动：http://{shown}:{port}/office（督查室看板）")
    if holds_secret(ws) and protect(ws.root / CONFIG_NAME):
        click.echo(f"  注意：{CONFIG_NAME} 含有密码，已改为只有本用户可读")
    if not ws.settings.serve.office_password:
        click.echo("  注意：ledger.toml 的 [serve] office_password 未设置，督查室页面暂不开放")
    click.echo("  各单位的报送链接：ledger links；按 Ctrl-C 停止")
    # A reverse proxy on this machine carries every unit's connections: no per-address bound for it.
    config = server_config(app, exempt=frozenset({"127.0.0.1", "::1"}), log_level="warning", proxy_headers=True,
                           forwarded_allow_ips="127.0.0.1")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    click.echo("ledger 网页已停止")


def _bind(host: str, port: int):
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        why = "端口已被占用" if exc.errno in (98, 48, 10048) else (exc.strerror or str(exc))
        raise LedgerError(f"无法在 {host}:{port} 启动网页服务：{why}（可用 --port 换一个端口）") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
