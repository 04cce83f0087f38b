"""Helpers shared by the CLI commands: finding the workspace and rendering output."""

from __future__ import annotations

import json
from typing import Any

import click

from ledger.workspace import Workspace, find_workspace
from ledger.xlsx import text_width


def workspace_from(ctx: click.Context) -> Workspace:
    """The workspace named by -w, LEDGER_WORKSPACE or the current folder, found once.

    Its settings are checked and its database opened (checked and migrated) now, so a bad
    ``ledger.toml`` or a damaged database is reported by every command, whatever it has to do.
    """
    root = ctx.find_root()
    if "workspace" not in root.meta:
        ws = find_workspace(root.meta.get("workspace_path"))
        ws.settings
        ws.engine
        root.meta["workspace"] = ws
    return root.meta["workspace"]


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def shorten(text: str, n: int) -> str:
    """Text cut to ``n`` characters for a table cell, ending in … when cut."""
    return text if len(text) <= n else text[: n - 1] + "…"


def echo_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table for people; scripts use --json."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(text_width(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        click.echo("  ".join(v + " " * (widths[i] - text_width(v)) for i, v in enumerate(row)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
