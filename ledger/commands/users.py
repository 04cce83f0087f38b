"""``ledger users``: the office's named accounts for the web pages (office users act, leaders read)."""

from __future__ import annotations

import sys

import click

from ledger.commands.common import echo_json, echo_table, local_iso, local_text, office_zone, workspace_from
from ledger.commands.options import json_option

ROLE_CHOICE = click.Choice(["office", "leader"])


def user_json(user, ws) -> dict:
    """A user as --json shows it: times in the office's zone."""
    zone = office_zone(ws)
    return {**user.to_dict(), "created_at": local_iso(user.created_at, zone) if user.created_at else None,
            "disabled_at": local_iso(user.disabled_at, zone) if user.disabled_at else None}


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked twice on the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码", err=True)


@click.group()
def users() -> None:
    """督查室账号：添加、查看、停用、改密码（网页上每次操作都记下是谁）。

    office（督查室）可审核、退回、锁定、销号；leader（领导）只能查看看板、汇总表和督查通报。
    添加第一个账号后，ledger.toml 中的 [serve] office_password 不再能登录。

    示例：

    \b
      ledger users add 张三 --role office
      ledger users add 李四 --role leader --password-stdin < 口令.txt
      ledger users list
      ledger users passwd 张三
      ledger users disable 李四
    """


@users.command("add")
@click.argument("name", metavar="姓名")
@click.option("--role", type=ROLE_CHOICE, required=True, help="office：督查室（可操作）；leader：领导（只读）")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（供脚本使用）")
@json_option
@click.pass_context
def add(ctx: click.Context, name: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """添加账号（密码至少 8 个字符，只保存其 scrypt 摘要）。

    示例：

    \b
      ledger users add 张三 --role office
    """
    from ledger.accounts import actor, add_user

    ws = workspace_from(ctx)
    user = add_user(ws.engine, name, role, read_password(password_stdin), by=actor())
    if as_json:
        echo_json({"user": user_json(user, ws)})
        return
    click.echo(f"已添加{user.role_label}账号：{user.name}")


@users.command("list")
@json_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """列出账号。

    示例：

    \b
      ledger users list --json
    """
    from ledger.accounts import list_users

    ws = workspace_from(ctx)
    found = list_users(ws.engine)
    if as_json:
        echo_json({"users": [user_json(u, ws) for u in found]})
        return
    if not found:
        click.echo("还没有账号：督查室页面用 ledger.toml 的 [serve] office_password 登录")
        return
    zone = office_zone(ws)
    echo_table(["姓名", "角色", "添加时间", "状态"],
               [[u.name, u.role_label, local_text(u.created_at, zone),
                 "已停用" if u.disabled_at else "在用"] for u in found])


@users.command("disable")
@click.argument("name", metavar="姓名")
@json_option
@click.pass_context
def disable(ctx: click.Context, name: str, as_json: bool) -> None:
    """停用账号：其登录随即失效。

    示例：

    \b
      ledger users disable 李四
    """
    from ledger.accounts import actor, disable_user

    ws = workspace_from(ctx)
    ended = disable_user(ws.engine, name, by=actor())
    if as_json:
        echo_json({"disabled": name.strip(), "sessions_ended": ended})
        return
    click.echo(f"已停用账号：{name}（结束登录 {ended} 处）")


@users.command("passwd")
@click.argument("name", metavar="姓名")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（供脚本使用）")
@json_option
@click.pass_context
def passwd(ctx: click.Context, name: str, password_stdin: bool, as_json: bool) -> None:
    """修改密码：该账号已有的登录随即失效，无需重启 ledger serve。

    示例：

    \b
      ledger users passwd 张三
    """
    from ledger.accounts import actor, set_password

    ws = workspace_from(ctx)
    ended = set_password(ws.engine, name, read_password(password_stdin), by=actor())
    if as_json:
        echo_json({"user": name.strip(), "sessions_ended": ended})
        return
    click.echo(f"已修改{name}的密码（结束登录 {ended} 处）")
