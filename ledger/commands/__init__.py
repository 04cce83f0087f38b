"""CLI command groups, one module each, attached to the root group by ``register``."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    from ledger.commands import plan, templates

    cli.add_command(plan.plan)
    cli.add_command(templates.templates)
