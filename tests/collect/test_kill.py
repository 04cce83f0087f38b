"""Real kill -9: ``ledger collect`` in a subprocess killed at random moments, then run again.

The full trial (200 kills of a 40-file inbox) is ``python benchmarks/kill_collect.py``; the suite
runs a few, so that a change that breaks crash safety fails here too.
"""

from __future__ import annotations

import sys

import pytest

from benchmarks.kill_collect import run_trials


@pytest.mark.slow
@pytest.mark.sqlite_only          # each trial copies the workspace folder, its database file included
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find surviving workers")
def test_collect_killed_at_random_moments_leaves_no_debris_and_no_double_record():
    lines = []
    trials = run_trials(8, files=20, seed=11, log=lines.append)
    assert trials.done == 8
    assert trials.failures == []
