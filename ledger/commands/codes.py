"""``ledger codes``: the catalogue of finding codes, for an office asked what a code means."""

from __future__ import annotations

import click

from ledger.commands.output import echo_json, echo_table
from ledger.commands.options import json_option


@click.command()
@click.argument("code", required=False, metavar="代码")
@json_option
def codes(code: str | None, as_json: bool) -> None:
    """问题代码一览：退回意见、网页结果和 --json 中每个问题代码的含义和修改方法。

    不需要工作区。给出代码（如 status-unknown）只显示这一个。

    示例：

    \b
      ledger codes
      ledger codes status-unknown
      ledger codes --json
    """
    from ledger.codes import catalogue

    listed = [c.to_dict() for c in catalogue(code)]
    if as_json:
        echo_json({"codes": listed})
        return
    echo_table(["代码", "严重程度", "范围", "说明", "修改方法"],
               [[c["code"], c["severity_label"], c["scope_label"], c["about"], c["fix"] or "—"] for c in listed])
