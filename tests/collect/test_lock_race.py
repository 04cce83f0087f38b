"""A month locked while collect runs (``ledger serve``: the office clicks 锁定 on the board while its
collector works): a file examined before the lock but recorded after it is refused like any file for
a locked month, never accepted into it. Collect asks again when it records the file, in the
transaction that records it; the lock cannot change under that transaction."""

from __future__ import annotations

import threading
from datetime import datetime

import openpyxl
import sqlalchemy as sa

from ledger.collect import intake
from ledger.collect.intake import collect_inbox
from ledger.period_lock import lock_period, locked
from ledger.store import schema as s
from tests.collect.test_collect import UNIT, count, drop, inbox_files, issued, only, returned, template  # noqa: F401
from tests.collect.test_late import CST, reported, send  # noqa: F401
from tests.conftest import fill_all

JULY = "2024-07"


def lock_after_examining(monkeypatch, ws, nth: int = 1) -> None:
    """Lock July from another connection right after the ``nth`` file is examined (before it is recorded)."""
    real, seen = intake.examine, []

    def examine_then_lock(*args, **kwargs):
        exam = real(*args, **kwargs)
        seen.append(exam.name)
        if len(seen) == nth:
            lock_period(ws.engine, JULY, "张三")
        return exam

    monkeypatch.setattr(intake, "examine", examine_then_lock)


def intake_rows(ws) -> list[dict]:
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.intake).order_by(s.intake.c.id)).mappings()]


def cells(path) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return [tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


AS_JUDGED = ("outcome", "period", "unit_id", "template_id", "errors", "warnings", "findings")


def test_a_file_examined_before_the_lock_and_recorded_after_it_is_rejected(issued, tmp_path, monkeypatch):
    returned(issued, tmp_path, name="锁定前.xlsx")
    lock_after_examining(monkeypatch, issued)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    assert [(f.code, f.severity) for f in out.findings] == [("period-locked", "error")]
    assert count(issued, s.submissions) == 0 and inbox_files(issued) == []
    [raced] = intake_rows(issued)
    assert (raced["original_name"], raced["outcome"]) == ("锁定前.xlsx", "rejected")
    assert (issued.root / raced["stored_path"]).is_file() and (issued.root / out.feedback).is_file()
    raced_feedback = cells(issued.root / out.feedback)

    # Exactly what a file examined after the lock gets: the same record, the same feedback.
    monkeypatch.undo()
    returned(issued, tmp_path, name="锁定后.xlsx", progress="锁定后的进展。")
    after = only(collect_inbox(issued))
    assert (after.outcome, after.findings, after.feedback) == ("rejected", out.findings, out.feedback)
    later = intake_rows(issued)[1]
    assert {k: raced[k] for k in AS_JUDGED} == {k: later[k] for k in AS_JUDGED}
    assert cells(issued.root / after.feedback) == raced_feedback
    assert count(issued, s.submissions) == 0


def test_a_lock_between_two_batches_is_seen_by_the_second(issued, tmp_path, monkeypatch):
    """What a batch's transaction read of the lock is forgotten when it commits."""
    returned(issued, tmp_path, name="a.xlsx")
    drop(issued, fill_all(template(issued, "县发展改革局"), tmp_path / "发改.xlsx"), "b.xlsx")
    monkeypatch.setattr(intake._Batch, "SIZE", 1)
    lock_after_examining(monkeypatch, issued, nth=2)
    result = collect_inbox(issued)
    assert [(f.file, f.outcome) for f in result.files] == [("a.xlsx", "accepted"), ("b.xlsx", "rejected")]
    assert [f.code for f in result.files[1].findings] == ["period-locked"]
    assert count(issued, s.submissions) == 1 and inbox_files(issued) == []
    assert [(r["original_name"], r["outcome"]) for r in intake_rows(issued)] == [("a.xlsx", "accepted"),
                                                                                 ("b.xlsx", "rejected")]


def test_a_late_correction_for_a_month_locked_meanwhile_is_not_kept_for_review(reported, tmp_path, monkeypatch):
    assert reported.settings.collect.late_corrections == "review"
    lock_after_examining(monkeypatch, reported)
    send(reported, tmp_path, datetime(2024, 9, 4, 9, tzinfo=CST), "late.xlsx", progress="更正后的进展。")
    rows = intake_rows(reported)
    assert [(r["original_name"], r["outcome"]) for r in rows] == [("first.xlsx", "accepted"), ("late.xlsx", "rejected")]
    assert [f["code"] for f in rows[1]["findings"]] == ["period-locked"]
    with reported.engine.connect() as conn:
        assert conn.execute(sa.select(s.submissions.c.review)).scalars().all() == [None]
    assert inbox_files(reported) == []


def test_a_lock_asked_for_while_a_file_is_recorded_waits_for_its_commit(issued, tmp_path, monkeypatch):
    """The other order: the office locks while the file is being recorded. The lock waits for the
    batch's commit (SQLite: its write lock; PostgreSQL: its share lock on the lock table), so the
    file was accepted before the month was locked, not into a locked month."""
    returned(issued, tmp_path)
    other: dict[str, object] = {}

    def lock_elsewhere() -> None:
        try:
            other["state"] = lock_period(issued.engine, JULY, "张三")
        except Exception as exc:  # noqa: BLE001 - reported below
            other["error"] = exc

    def hook(at: str) -> None:
        if at == "copied":                      # the lock was checked; the file is about to be stored
            locker = threading.Thread(target=lock_elsewhere)
            locker.start()
            locker.join(0.5)
            other["waited"] = locker.is_alive()
            other["thread"] = locker

    monkeypatch.setattr(intake, "_step_hook", hook)
    out = only(collect_inbox(issued))
    other["thread"].join(30)
    assert "error" not in other and other["waited"]
    assert out.outcome == "accepted" and count(issued, s.submissions) == 1
    assert locked(issued.engine, JULY) is not None
    monkeypatch.undo()
    returned(issued, tmp_path, name="锁定后.xlsx", progress="锁定后的进展。")
    assert [f.code for f in only(collect_inbox(issued)).findings] == ["period-locked"]


def test_another_units_workbook_for_a_month_locked_meanwhile_is_told_as_if_locked_before(planned, tmp_path, monkeypatch):
    """Examination refuses a file for a locked month before anything else; recording does the same
    for a month locked in between, whatever else is wrong with the file (here: uploaded with another
    unit's link)."""
    from tests.collect.test_uploads import _ready
    from ledger.web.receive import land

    templates, holders = _ready(planned)

    def upload(name: str):
        theirs = fill_all(templates["县财政局"], tmp_path / name, progress=f"{name}的进展。")
        with open(theirs, "rb") as f:
            land(planned, holders[UNIT], name, f, 10 << 20)

    upload("锁定前.xlsx")
    lock_after_examining(monkeypatch, planned)
    raced = only(collect_inbox(planned))
    monkeypatch.undo()
    upload("锁定后.xlsx")
    after = only(collect_inbox(planned))
    assert [f.code for f in raced.findings] == [f.code for f in after.findings] == ["period-locked"]
    assert raced.outcome == after.outcome == "rejected"
    assert count(planned, s.submissions) == 0
