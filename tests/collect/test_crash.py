"""Fault injection: collect stopped at every step, then run again, leaves no debris and no double record."""

from __future__ import annotations

import pytest

from ledger.collect import intake
from ledger.collect.intake import collect_inbox
from ledger.store import events
from tests.collect.invariants import inbox_snapshot, violations
from tests.collect.test_collect import drop, issued, template  # noqa: F401 - issued is a fixture
from tests.conftest import age, fill_all

LONG = ("关于县科技局二〇二四年七月份重点工作任务推进情况的工作台账报送材料" * 3)[:80] + ".xlsx"   # 245 bytes


class Crash(BaseException):
    pass


@pytest.fixture
def mixed_inbox(issued, tmp_path):
    """Good files of three units, a rejected one, duplicates (one with a very long name), a text file."""
    for unit in ("县科技局", "县财政局", "县委组织部"):
        drop(issued, fill_all(template(issued, unit), tmp_path / f"{unit}.xlsx"))
    drop(issued, fill_all(template(issued, "县发展改革局"), tmp_path / "bad.xlsx", percent=150), "发改局.xlsx")
    drop(issued, tmp_path / "县科技局.xlsx", "再发一次/科技局.xlsx")
    drop(issued, tmp_path / "县财政局.xlsx", LONG)
    (issued.inbox_dir / "说明.txt").write_text("附件请查收")
    age(issued.inbox_dir / "说明.txt")
    return issued


STEPS = ["copied", "recorded", "synced", "committed", "removed"]


@pytest.mark.parametrize("occurrence", [1, 2, 3])
@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_then_a_rerun_leaves_each_file_one_outcome(mixed_inbox, monkeypatch, step, occurrence):
    ws = mixed_inbox
    original = inbox_snapshot(ws.inbox_dir)
    monkeypatch.setattr(intake._Batch, "SIZE", 2)
    seen = []

    def crash(at):
        seen.append(at)
        if at == step and seen.count(step) == occurrence:
            raise Crash(at)
    monkeypatch.setattr(intake, "_step_hook", crash)
    with pytest.raises(Crash):
        collect_inbox(ws)
    assert violations(ws, original) != [] or step in ("committed", "removed")   # the crash left work to do
    monkeypatch.setattr(intake, "_step_hook", lambda at: None)
    rerun = collect_inbox(ws)
    assert violations(ws, original) == []
    assert not rerun.needs_attention
    assert collect_inbox(ws).files == []
    assert violations(ws, original) == []


def test_without_a_crash_the_mixed_inbox_meets_the_invariants(mixed_inbox):
    original = inbox_snapshot(mixed_inbox.inbox_dir)
    result = collect_inbox(mixed_inbox)
    assert result.totals == {"accepted": 3, "rejected": 2, "duplicate": 2, "pending": 0, "held": 0, "resumed": 0}
    assert violations(mixed_inbox, original) == []


def test_the_work_log_lists_every_file_once_when_a_run_commits_in_several_batches(mixed_inbox, monkeypatch):
    monkeypatch.setattr(intake._Batch, "SIZE", 2)       # the entry is rewritten after every batch
    result = collect_inbox(mixed_inbox)
    [entry] = [e for e in events.recent(mixed_inbox.engine) if e["action"] == "collect"]
    listed = entry["detail"]["files"]
    assert sorted(name for name, *_ in listed) == sorted(f.file for f in result.files)
    assert {name: outcome for name, outcome, *_ in listed} == {f.file: f.outcome for f in result.files}
    assert entry["detail"]["accepted"] == 3 and entry["detail"]["duplicate"] == 2
