"""Helpers shared by the CLI commands: finding the workspace and the office's time zone; what they
print comes from ``ledger.commands.output``, which the commands may also take from here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from ledger.commands.output import (  # noqa: F401 - the commands take them from here
    SCHEMA_VERSION, PipeSafeEcho, echo_json, echo_table, progress_bar, shorten)
from ledger.localtime import local_iso, local_text  # noqa: F401 - the commands take them from here
from ledger.workspace import Workspace, find_workspace


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


def office_zone(ws: Workspace) -> ZoneInfo:
    """The office's time zone: every time a person reads is shown in it."""
    return ZoneInfo(ws.settings.office.timezone)


