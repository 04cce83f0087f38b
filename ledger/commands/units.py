"""``ledger units``: the units and their contacts (联系人, 手机, 邮箱), who reminders reach."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, workspace_from
from ledger.commands.options import json_option


@click.group()
def units() -> None:
    """单位及其联系人（联系人、手机、邮箱）：催报消息按这里的手机和邮箱发送。

    示例：

    \b
      ledger units list
      ledger units set 县科技局 --contact 张三 --phone 13800138000 --email zhangsan@example.gov.cn
    """


@units.command("list")
@json_option
@click.pass_context
def list_units(ctx: click.Context, as_json: bool) -> None:
    """列出各单位及其联系人。

    示例：

    \b
      ledger units list
      ledger units list --json
    """
    from ledger.store.contacts import unit_contacts

    found = unit_contacts(workspace_from(ctx).engine)
    if as_json:
        echo_json({"units": [{"unit": u, "contacts": [c.to_dict() for c in cs]} for u, cs in found.items()]})
        return
    if not found:
        click.echo("还没有单位：请先用 ledger plan import 导入计划")
        return
    rows = []
    for unit, contacts in found.items():
        rows += [[unit if n == 0 else "", c.name, c.phone, c.email] for n, c in enumerate(contacts)] or [[unit, "", "", ""]]
    echo_table(["单位", "联系人", "手机", "邮箱"], rows)


class _InOrder(click.Command):
    """Keeps the order the options were written in (``ctx.meta["given"]``), so each --phone and
    --email belongs to the --contact written before it."""

    def make_parser(self, ctx: click.Context):
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args):
            opts, rest, order = parse(args)
            ctx.meta["given"] = [p.name for p in order]
            return opts, rest, order
        parser.parse_args = parse_args
        return parser


def _grouped(order: list[str], values: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """One dict per contact: a --contact starts one; a --phone or --email joins the contact being
    written unless it already has one."""
    taken = {k: iter(v) for k, v in values.items()}
    people: list[dict[str, str]] = []
    for name in order:
        if name not in taken:
            continue
        if not people or name == "names" or name in people[-1]:
            people.append({})
        people[-1][name] = next(taken[name])
    return people


@units.command("set", cls=_InOrder)
@click.argument("unit", metavar="单位")
@click.option("--contact", "names", metavar="姓名", multiple=True, help="联系人姓名（可重复，与 --phone、--email 按顺序对应）")
@click.option("--phone", "phones", metavar="手机", multiple=True, help="联系人的手机号（可重复）")
@click.option("--email", "emails", metavar="邮箱", multiple=True, help="联系人的邮箱（可重复）")
@click.option("--clear", is_flag=True, help="先清除该单位原有的全部联系人（单独使用即清空）")
@json_option
@click.pass_context
def set_unit(ctx: click.Context, unit: str, names: tuple[str, ...], phones: tuple[str, ...],
             emails: tuple[str, ...], clear: bool, as_json: bool) -> None:
    """设置单位的联系人：同名联系人更新，新联系人添加；--clear 先清除原有联系人。

    每个 --contact 开始一位联系人，其后的 --phone、--email 属于这位联系人。

    示例：

    \b
      ledger units set 县科技局 --contact 张三 --phone 13800138000
      ledger units set 县科技局 --contact 张三 --email zhangsan@example.gov.cn --contact 李四 --phone 13900139000
      ledger units set 县科技局 --clear
    """
    from ledger.contacts import ContactError, make_contact
    from ledger.store.contacts import describe, set_unit_contacts

    if not (names or phones or emails or clear):
        raise ContactError("请至少给出 --contact、--phone、--email 或 --clear 之一")
    people = _grouped(ctx.meta.get("given", []), {"names": names, "phones": phones, "emails": emails})
    given = [make_contact(p.get("names", ""), p.get("phones", ""), p.get("emails", ""),
                          {"name": "--contact", "phone": "--phone", "email": "--email"}) for p in people]
    result = set_unit_contacts(workspace_from(ctx).engine, unit, given, clear)
    if as_json:
        echo_json({"unit": unit, "contacts": [c.to_dict() for c in result]})
        return
    click.echo(f"{unit}的联系人：{describe(result) or '（无）'}")
