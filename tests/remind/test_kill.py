"""Never twice: real ``ledger remind`` processes killed with SIGKILL in the middle of sending 50
messages, then run again, remind every unit, repeating at most one message per kill (the one the
gateway had accepted when the process died); two processes at once send each message once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter

import pytest

from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from ledger.workspace import init_workspace
from tests.remind.conftest import PERIOD, configure, many_units_plan

UNITS = 50


def ledger(ws, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ledger", "-w", str(ws.root), "remind", "--period", PERIOD,
                             "--kind", "overdue", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def fifty(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    save_plan(ws.engine, many_units_plan(UNITS), origin="import")
    generate_templates(ws, PERIOD)
    return ws


@pytest.mark.slow
def test_killed_senders_then_a_rerun_remind_each_unit_once_duplicates_at_most_the_kills(fifty, receiver):
    kill_at = {7: None, 23: None}            # kill the sender as the gateway accepts its 7th, then 23rd message
    arrived: list[str] = []
    running: dict[str, subprocess.Popen] = {}
    lock = threading.Lock()

    def accept(received):
        with lock:
            arrived.append(received.body["unit"])
            if len(arrived) in kill_at:       # accepted here, and the sender dies before it can record that
                proc = running["proc"]
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        return 200, {}
    gateway = receiver(accept)
    configure(fifty, f'[[channels]]\nkind = "webhook"\nname = "网关"\nurl = "{gateway.url}"\n')
    kills = 0
    for _ in range(len(kill_at) + 1):
        running["proc"] = proc = ledger(fifty)
        proc.wait(timeout=120)
        if proc.returncode == -signal.SIGKILL:
            kills += 1
        else:
            assert proc.returncode == 0, proc.stderr.read().decode()
    assert kills == 2
    counts = Counter(arrived)
    assert set(counts) == {f"县第{k}局" for k in range(1, UNITS + 1)}          # every unit reminded
    assert sum(counts.values()) - UNITS <= kills                               # repeats: at most one a kill
    assert max(counts.values()) <= 2
    again = ledger(fifty)
    assert again.wait(timeout=60) == 0 and len(arrived) == sum(counts.values())   # a rerun sends nothing


@pytest.mark.slow
def test_two_senders_at_once_send_each_message_once(fifty, receiver):
    import time

    def slow(received):
        time.sleep(0.01)
        return 200, {}
    gateway = receiver(slow)
    configure(fifty, f'[[channels]]\nkind = "webhook"\nurl = "{gateway.url}"\n')
    first, second = ledger(fifty), ledger(fifty)
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    assert second.wait(timeout=120) == 0, second.stderr.read().decode()
    units = [r.body["unit"] for r in gateway.received]
    assert len(units) == UNITS and len(set(units)) == UNITS
