"""``ledger backup`` and ``ledger restore``: a dated archive of the workspace, and a workspace made from one."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.commands.common import echo_json, local_text, office_zone, workspace_from
from ledger.commands.options import json_option


@click.command()
@click.option("--to", "to", metavar="目录", type=click.Path(file_okay=False, path_type=Path),
              help="备份文件存放的文件夹（默认工作区的 backups/；建议放在另一块磁盘或网络共享上）")
@click.option("--keep", metavar="份数", type=click.IntRange(1, 10000),
              help="只保留该文件夹中最近的若干份 ledger 备份，更早的删除")
@json_option
@click.pass_context
def backup(ctx: click.Context, to: Path | None, keep: int | None, as_json: bool) -> None:
    """备份工作区：数据库快照和 ledger.toml、链接密钥、模板、归档、outbox 等打成一个带校验值的备份文件。

    网页服务和定时任务运行时也可备份（备份期间的收取稍后自动进行）。PostgreSQL 数据库需要 pg_dump。
    用 ledger restore 从备份文件恢复出一个新的工作区。

    示例：

    \b
      ledger backup
      ledger backup --to /mnt/备份盘/台账 --keep 8
      ledger backup --json
    """
    from ledger.backup import make_backup

    ws = workspace_from(ctx)
    result = make_backup(ws, to, keep)
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(f"已备份：{result.path}（{result.files} 个文件，{result.size / 1024 / 1024:.1f} MB）")
    click.echo(f"校验值：{result.sha256}（另存于 {result.path.name}.sha256）")
    for path in result.removed:
        click.echo(f"已删除较早的备份：{path.name}")


@click.command()
@click.argument("archive", metavar="备份文件", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", metavar="目录", type=click.Path(file_okay=False, path_type=Path))
@json_option
def restore(archive: Path, target: Path, as_json: bool) -> None:
    """从备份文件恢复出一个新的工作区（目录须不存在或为空；备份文件损坏时不做任何恢复）。

    示例：

    \b
      ledger restore backups/ledger-备份-20241201-020000.tar.gz ../台账恢复
      ledger -w ../台账恢复 status
    """
    from ledger.backup import restore_backup
    from ledger.workspace import Workspace

    result = restore_backup(archive, target)
    zone = office_zone(Workspace(result.root))
    if as_json:
        echo_json(result.to_dict(zone))
        return
    click.echo(f"已恢复到 {result.root}（{result.files} 个文件，备份时间 {local_text(result.taken_at, zone)}）")
    for note in result.notes:
        click.echo(f"注意：{note}")
