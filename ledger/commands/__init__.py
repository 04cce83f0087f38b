"""CLI command groups, one module each, attached to the root group by ``register``."""

from __future__ import annotations

from importlib import import_module

import click

# (module under ledger.commands, attribute holding the click command or group)
COMMANDS = [
    ("plan", "plan"),
    ("templates", "templates"),
    ("collect", "collect"),
    ("report", "status"),
    ("report", "report"),
    ("schedule", "schedule"),
    ("demo", "demo"),
]


def register(cli: click.Group) -> None:
    for module, attr in COMMANDS:
        cli.add_command(getattr(import_module(f"ledger.commands.{module}"), attr))
