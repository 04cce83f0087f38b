"""Worker processes end with the process that started them, and ignore Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

PARENT = textwrap.dedent("""
    import os, sys, time
    from ledger.workers import worker_pool

    def pid_of_worker():
        return os.getpid()

    with worker_pool(1) as pool:
        print(pool.submit(pid_of_worker).result(), flush=True)
        time.sleep(60)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_worker_dies_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    assert _alive(worker)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), "the worker outlived its killed parent"


def test_worker_ignores_ctrl_c():
    from ledger.workers import worker_pool

    with worker_pool(1) as pool:
        pid = pool.submit(os.getpid).result()
        os.kill(pid, signal.SIGINT)
        time.sleep(0.3)
        assert pool.submit(os.getpid).result() == pid     # the same worker, still serving


def _collector_state():
    import gc
    return gc.get_threshold()[0], gc.get_freeze_count()


def test_workers_collect_cycles_less_often_and_leave_what_they_inherited_alone():
    import gc

    from ledger.workers import GC_YOUNG, worker_pool

    with worker_pool(1) as pool:
        threshold, frozen = pool.submit(_collector_state).result()
    assert threshold == GC_YOUNG
    assert frozen > 0                    # the parent's objects, inherited at fork, are not scanned
    assert gc.get_freeze_count() == 0    # the parent itself is untouched


def test_fewer_collections_lasts_as_long_as_its_block():
    import gc

    from ledger.workers import GC_YOUNG, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(GC_YOUNG, before[0])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError
    assert gc.get_threshold() == before
