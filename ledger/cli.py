"""The ``ledger`` command: a thin layer that parses options, calls the library and renders.

Fatal ``LedgerError``s become one Chinese line on stderr and exit code 1, never a traceback; the
exit codes are declared in ``ledger.commands.exits``.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

import click

from ledger import __version__
from ledger.commands import exits
from ledger.commands.options import json_option
from ledger.commands.width import display_width
from ledger.errors import LedgerError


# Click's help headings and its built-in options' help, in the users' language. Click looks up
# its ``_`` (gettext) at call time, so pointing it at this table is enough; unknown text passes.
_CLICK_ZH = {
    "Usage:": "用法：", "Options": "选项", "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。", "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s", "default: {default}": "默认：{default}",
    "Aborted!": "已取消", "required": "必填",
}


def _click_zh(message: str) -> str:
    return _CLICK_ZH.get(message, message)


for _module in (click.core, click.formatting, click.decorators):
    _module._ = _click_zh

# The usage line's placeholders, in the users' language.
_USAGE_WORDS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}


def _translated_usage(pieces_of: Callable) -> Callable:
    def collect_usage_pieces(self: click.Command, ctx: click.Context) -> list[str]:
        return [_USAGE_WORDS.get(p, p) for p in pieces_of(self, ctx)]
    return collect_usage_pieces


for _class in (click.Command, click.Group):
    _class.collect_usage_pieces = _translated_usage(_class.__dict__["collect_usage_pieces"])


# Help columns line up with wide (CJK) characters.
click.formatting.term_len = lambda text: display_width(click.unstyle(text))


class LedgerGroup(click.Group):
    """The root group: commands load when used, and library errors become one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from ledger.commands import COMMANDS

        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from ledger.commands import load

        return self.commands.get(name) or load(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from their one-line help, without importing them."""
        from ledger.commands import COMMANDS

        rows = [(name, cmd.get_short_help_str(80)) for name, cmd in self.commands.items()]
        rows += [(name, help_) for name, (_, _, help_) in COMMANDS.items()]
        with formatter.section("命令"):
            formatter.write_dl(sorted(rows))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _fail(f"已中断：{interrupted_note(ctx.invoked_subcommand)}", exits.INTERRUPTED)
        except BrokenPipeError:          # output piped into `head` and the like: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(exits.DONE)
        except Exception as exc:  # noqa: BLE001 - last line of defence for users
            if os.environ.get("LEDGER_DEBUG") and not isinstance(exc, LedgerError):
                raise
            _fail(*fault_line(exc))


# What an interrupted command leaves, by command: each is true wherever the interruption fell.
INTERRUPTED = {
    "templates": "已下发的模板要么保持原样、要么已整份换成登记过的新模板；可重新运行 ledger templates",
    "collect": "已处理完的文件已入库并移出 inbox/（试运行不移动文件），其余文件仍在 inbox/ 中；可重新运行 ledger collect",
    "report": "汇总表保持上次的内容或已整体更新，不会留下半成品；可重新运行 ledger report",
    "status": "未改动任何数据，催报名单保持原样或已整体更新",
    "plan": "计划要么已完整导入，要么未做任何改动（ledger plan versions 可查看）",
    "schedule": "进行中的任务已停止，不会留下半成品；错过的运行会在调度器下次启动时补跑",
    "init": "工作区可能未建完整，可删除该文件夹后重新运行 ledger init",
    "demo": "演示未完成，可删除演示文件夹后重新运行 ledger demo",
}


def interrupted_note(command: str | None) -> str:
    return INTERRUPTED.get(command or "", "未完成的操作不会留下半成品，可重新运行该命令")


def fault_line(exc: BaseException) -> tuple[str, int]:
    """One Chinese line and the exit code for an exception that ends a command.

    ``LedgerError``s are ours to explain (exit 1); faults of the system that reach here untranslated
    are named without SQL, parameters or links (exit 1); anything else is a bug of ours (exit 3).
    """
    if isinstance(exc, LedgerError):
        return f"错误：{exc}", exits.USER_MISTAKE
    if isinstance(exc, OSError):
        from ledger.errors import os_reason

        where = f"“{exc.filename}”" if exc.filename else ""
        if exc.errno in _DISK_FULL:
            return f"错误：磁盘空间不足：无法写入{where or '文件'}", exits.USER_MISTAKE
        return f"错误：无法读写{where or '文件'}：{os_reason(exc)}", exits.USER_MISTAKE
    if type(exc).__module__.startswith("sqlalchemy"):
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]
        return f"数据库出错：{first}（设置 LEDGER_DEBUG=1 可查看详细信息）", exits.INTERNAL
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"内部错误：{type(exc).__name__}: {first}（设置 LEDGER_DEBUG=1 可查看详细信息）", exits.INTERNAL


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _fail(line: str, code: int) -> None:
    click.echo(line, err=True)
    sys.exit(code)


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-w", "--workspace", "workspace_path", metavar="目录", type=click.Path(path_type=Path),
              help="工作区目录或其中的 ledger.toml（默认：LEDGER_WORKSPACE 环境变量，或当前目录及其上级）")
@click.version_option(__version__, prog_name="ledger")
@click.pass_context
def cli(ctx: click.Context, workspace_path: Path | None) -> None:
    """ledger：县级政府工作台账——从工作要点到月度汇总。

    示例：

    \b
      ledger init 台账2024
      ledger plan import 2024年工作要点.docx
      ledger templates --period 2024-07
      ledger collect
      ledger status --period 2024-07
      ledger report --period 2024-07
    """
    ctx.meta["workspace_path"] = workspace_path


@cli.command()
@click.argument("directory", metavar="[目录]", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db_url", metavar="数据库地址",
              help="使用数据库服务器而非工作区内的 SQLite 文件，如 postgresql+psycopg://用户:密码@主机/库名"
                   "（写入 ledger.toml 并在该库中建表；多个工作区可共用一个库）")
@json_option
def init(directory: Path, db_url: str | None, as_json: bool) -> None:
    """新建工作区：ledger.toml、templates/ inbox/ outbox/ schedules/ 和数据库。

    示例：

    \b
      ledger init
      ledger init D:/台账2024
      ledger init 台账2024 --db postgresql+psycopg://台账:密码@192.0.2.10/ledger
      ledger init 台账2024 --json
    """
    from ledger.commands.common import echo_json
    from ledger.workspace import CONFIG_NAME, init_workspace

    try:
        ws = init_workspace(directory, db_url=db_url)
    except LedgerError as exc:           # the address came from --db, not from a ledger.toml yet
        if db_url:
            raise type(exc)(str(exc).replace("ledger.toml 中 database.url", "--db 给出的数据库地址")
                            .replace("ledger.toml 中的 database.url", "--db 给出的数据库地址")) from None
        raise
    if as_json:
        echo_json({"workspace": str(ws.root), "config": str(ws.root / CONFIG_NAME),
                   "database": "server" if db_url else "sqlite"})
        return
    click.echo(f"已创建工作区：{ws.root}")
    if db_url:
        click.echo(_shared_database_line(ws))
    click.echo("下一步：ledger plan import <工作要点通知.docx|.txt>")


def _shared_database_line(ws) -> str:
    """Where a workspace made with --db keeps its data, and whether other workspaces already use it."""
    import sqlalchemy as sa

    from ledger.store import schema
    from ledger.store.faults import describe

    with ws.engine.connect() as conn:
        versions = conn.execute(sa.select(sa.func.max(schema.plans.c.version))).scalar()
    where = describe(ws.engine.url)["where"]
    if versions:
        return f"数据库：{where}（已有第 {versions} 版计划，与共用该库的其他工作区共享计划和报送）"
    return f"数据库：{where}（已建好数据表）"


# Click's own usage messages, in the users' language (the option and value names stay as typed).
_USAGE_ZH = [
    (re.compile(r"No such option: (\S+)"), r"没有这个选项：\1"),
    (re.compile(r"No such option '([^']+)'\.?"), r"没有这个选项：\1。"),
    (re.compile(r"No such command '([^']+)'\."), r"没有这个命令：\1。"),
    (re.compile(r"Did you mean (.+)\?"), r"是否指 \1？"),
    (re.compile(r"\(Possible options: (.+)\)"), r"（可能是：\1）"),
    (re.compile(r"Missing argument '([^']+)'\."), r"缺少参数 \1。"),
    (re.compile(r"Missing option '([^']+)'\."), r"缺少选项 \1。"),
    (re.compile(r"Option '([^']+)' requires an argument\."), r"选项 \1 需要一个值。"),
    (re.compile(r"Invalid value for '([^']+)': "), r"\1 的值无效："),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), r"多余的参数：\1"),
    (re.compile(r"'([^']*)' is not a valid integer(?: range)?\."), r"“\1”不是整数。"),
    (re.compile(r"(\S+) is not in the range (.+)\."), r"\1 不在允许的范围 \2 内。"),
    (re.compile(r"Directory '([^']+)' is a file\."), r"“\1”是文件，不是目录。"),
    (re.compile(r"File '([^']+)' is a directory\."), r"“\1”是目录，不是文件。"),
]


def _usage_zh(message: str) -> str:
    for pattern, replacement in _USAGE_ZH:
        message = pattern.sub(replacement, message)
    return message


def _quiet_unraisable(unraisable: Any) -> None:
    """Errors in finalisers (``__del__``) after a command failed: already reported, never a traceback."""
    if os.environ.get("LEDGER_DEBUG"):
        sys.__unraisablehook__(unraisable)


def main() -> None:
    sys.unraisablehook = _quiet_unraisable
    try:
        code = cli.main(prog_name="ledger", standalone_mode=False)
    except KeyboardInterrupt:                     # before a command started: nothing was changed
        click.echo("已中断：未做任何改动", err=True)
        sys.exit(exits.INTERRUPTED)
    except click.UsageError as exc:
        click.echo(f"用法错误：{_usage_zh(exc.format_message())}", err=True)
        if exc.ctx is not None:
            click.echo(f"运行 {exc.ctx.command_path} --help 查看用法", err=True)
        sys.exit(exits.USAGE)
    except click.ClickException as exc:
        click.echo(f"错误：{_usage_zh(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):   # Click turns Ctrl-C while parsing into Abort
            click.echo("已中断：未做任何改动", err=True)
            sys.exit(exits.INTERRUPTED)
        click.echo("已取消", err=True)
        sys.exit(exits.USER_MISTAKE)
    sys.exit(code if isinstance(code, int) else exits.DONE)
