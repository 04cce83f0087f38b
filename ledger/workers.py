"""Worker processes: a pool whose workers ignore Ctrl-C and end when the process that started them dies.

Ctrl-C reaches every process of the terminal's group; only the main process handles it (and says so
in one Chinese line), so workers ignore SIGINT instead of each printing a traceback. A worker whose
parent was killed (kill -9, a power button) must not live on holding the database: on Linux the
kernel sends it SIGKILL (PR_SET_PDEATHSIG); elsewhere a watcher thread ends it when its parent goes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:      # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _init_worker(parent: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    gc.freeze()                     # what the parent had: never scanned again (nor its pages copied for it)
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    if initializer is not None:
        initializer(*initargs)


# Python's cycle collector looks at young objects every 700 allocations. Reading workbooks and
# recording them makes millions of short-lived objects that are never cycles: the default spent
# 4-7 % of collect's CPU in collections that found nothing. Workers, and the run that feeds
# them (``fewer_collections``), look every GC_YOUNG allocations instead; cycles are still freed.
GC_YOUNG = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles every ``GC_YOUNG`` allocations while the block runs, then as before."""
    before = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def worker_pool(max_workers: int, initializer: Callable[..., Any] | None = None,
                initargs: tuple = ()) -> ProcessPoolExecutor:
    """A process pool (forked where the system can) of workers that ignore Ctrl-C and die with us."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context(method),
                               initializer=_init_worker, initargs=(os.getpid(), initializer, initargs))
