"""What commands print: JSON documents, aligned tables, progress bars. Needs no workspace, so a
command that prints without one (``ledger codes``) starts without loading the database layer."""

from __future__ import annotations

import json
import os
import shutil
import sys
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator

import click

from ledger.commands.width import cut, display_width, fit

# The version of every --json document's layout: raise it when a key changes meaning or goes away.
SCHEMA_VERSION = 1


def echo_json(data: dict[str, Any]) -> None:
    """One JSON document, led by its ``schema_version``."""
    click.echo(json.dumps({"schema_version": SCHEMA_VERSION, **data}, ensure_ascii=False, indent=2, default=str))


class PipeSafeEcho:
    """``click.echo`` for commands that print while they work: when the reader goes away
    (``ledger demo | head -1``) the rest of the output is dropped and the work goes on to its end;
    ``closed`` tells the command to say so on stderr."""

    closed = False

    def __call__(self, line: str = "") -> None:
        if self.closed:
            return
        try:
            click.echo(line)
        except BrokenPipeError:
            self.closed = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def shorten(text: str, n: int) -> str:
    """Text cut to ``n`` characters for a table cell, ending in … when cut."""
    return text if len(text) <= n else text[: n - 1] + "…"


def echo_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned table for people; scripts use --json.

    On a terminal the table fits its width: the widest columns are shortened (ending in …), never
    below their header; piped, every cell is whole, for grep and the like. Widths are measured by
    East Asian width, so columns of Chinese text line up.
    """
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    if _is_terminal(sys.stdout):
        limit = shutil.get_terminal_size().columns - 1
        # Long free text gives way first (down to 20 columns), then every column alike.
        widths = fit(widths, limit, [min(w, max(display_width(h), 20)) for w, h in zip(widths, cells[0])])
        widths = fit(widths, limit, [max(display_width(h), 4) for h in cells[0]])
    for n, row in enumerate(cells):
        row = [cut(v, widths[i]) for i, v in enumerate(row)]
        click.echo("  ".join(v + " " * (widths[i] - display_width(v)) for i, v in enumerate(row)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def _is_terminal(stream: IO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress_bar(label: str, as_json: bool = False, stream: IO | None = None
                 ) -> Iterator[Callable[[int, int], None] | None]:
    """A ``progress(done, total)`` callback drawing a bar on stderr, or None when nobody watches.

    The bar appears only when both stdout and stderr are terminals and the output is not JSON, so a
    piped or scripted run prints its result and nothing else. The bar starts at the first report
    (when the library knows the total) and ends its line when the work ends or fails, so the result
    or the error line that follows starts on a line of its own.
    """
    stream = stream or sys.stderr
    if as_json or not (_is_terminal(stream) and _is_terminal(sys.stdout)):
        yield None
        return
    bar: list = []

    def report(done: int, total: int) -> None:
        if total <= 0:
            return
        if not bar:
            bar.append(click.progressbar(length=total, label=label, file=stream, show_pos=True, width=30))
            bar[0].__enter__()
        bar[0].update(max(0, done - bar[0].pos))

    try:
        yield report
    finally:
        if bar:
            bar[0].render_finish()
