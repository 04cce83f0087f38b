"""How long work tells its caller how far it has got: the library never prints.

Long operations take an optional ``progress(done, total)`` callback; the CLI passes one that
draws a bar on a terminal (ledger.commands.common.progress_bar), and nothing otherwise.
"""

from __future__ import annotations

from typing import Callable, Optional

Progress = Optional[Callable[[int, int], None]]


def report(progress: Progress, done: int, total: int) -> None:
    """Tell the caller, if it asked to be told."""
    if progress is not None:
        progress(done, total)
