"""Locking a month: it takes nothing more (a late file is rejected with ``period-locked``, saying whom
to ask), its report and 通报 say 终版, and unlocking needs a reason; every action is a row in the log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.collect.intake import collect_inbox
from ledger.errors import PeriodError
from ledger.period_lock import PeriodLockError, lock_period, locked, unlock_period
from ledger.report import make_report, period_status
from ledger.store import schema as s
from tests.collect.test_collect import issued, only, returned  # noqa: F401

JULY = "2024-07"


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


def test_a_file_for_a_locked_month_is_rejected_saying_whom_to_ask(issued, tmp_path):
    issued.set_setting("office.phone", "0533-1234567")
    assert run(issued, "lock", "--period", JULY).exit_code == 0
    returned(issued, tmp_path)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    finding = next(f for f in out.findings if f.code == "period-locked")
    assert finding.severity == "error" and "2024年7月的台账已于" in finding.message and "锁定（终版）" in finding.message
    assert "请联系县委县政府督查室（0533-1234567）解锁后再报送" in finding.message
    with issued.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.submissions)).scalar() == 0
    unlocked = run(issued, "unlock", "--period", JULY, "--reason", "县科技局申请补报")
    assert unlocked.exit_code == 0 and locked(issued.engine, JULY) is None
    returned(issued, tmp_path, name="补报.xlsx", progress="补报的进展。")
    assert only(collect_inbox(issued)).outcome == "accepted"
    log = run(issued, "log").output
    assert "锁定2024年7月" in log and "解锁2024年7月：县科技局申请补报" in log


def test_a_locked_months_report_says_final(issued):
    assert "终版" not in make_report(issued, JULY).path.name
    lock_period(issued.engine, JULY, "张三")
    status = period_status(issued, JULY)
    assert status.locked.by == "张三" and status.to_dict()["locked"]["locked_by"] == "张三"
    made = make_report(issued, JULY)
    import openpyxl
    from docx import Document

    book = openpyxl.load_workbook(made.path)
    first = book.worksheets[0]
    assert any("（终版）" in str(c.value) for row in first.iter_rows(max_row=3) for c in row if c.value)
    assert "（终版）" in "".join(p.text for p in Document(made.bulletin).paragraphs[:3])
    assert made.report.summary()["final"] is True


@pytest.mark.parametrize("act, error, says", [
    (lambda e: unlock_period(e, JULY, "理由", "张三"), PeriodLockError, "2024年7月没有锁定"),
    (lambda e: unlock_period(e, JULY, " ", "张三"), PeriodLockError, "请写明解锁理由"),
    (lambda e: unlock_period(e, JULY, "理" * 2001, "张三"), PeriodLockError, "理由太长"),
    (lambda e: lock_period(e, "2024-13", "张三"), PeriodError, "2024-13"),
])
def test_bad_lock_input_changes_nothing(issued, act, error, says):
    with pytest.raises(error, match=says):
        act(issued.engine)
    with issued.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.period_locks)).scalar() == 0


def test_locking_twice_is_refused_and_the_history_stays(issued):
    lock_period(issued.engine, JULY, "张三")
    again = run(issued, "lock", "--period", JULY)
    assert again.exit_code == 1 and again.output.strip() == "错误：2024年7月已锁定"
    unlock_period(issued.engine, JULY, "更正", "李四")
    lock_period(issued.engine, JULY, "张三")
    with issued.engine.connect() as conn:
        rows = conn.execute(sa.select(s.period_locks.c.action, s.period_locks.c.by_name, s.period_locks.c.reason)
                            .order_by(s.period_locks.c.id)).all()
    assert [tuple(r) for r in rows] == [("lock", "张三", ""), ("unlock", "李四", "更正"), ("lock", "张三", "")]


def test_the_schedule_action_locks_once(issued):
    from ledger.schedule.actions import registry

    assert registry()["lock"](issued, JULY) == "已锁定2024年7月：不再接收该月报送"
    assert registry()["lock"](issued, JULY) == "2024年7月已锁定，无需再锁"
    assert locked(issued.engine, JULY).by == "定时任务"
    assert json.loads(run(issued, "status", "--period", JULY, "--json").output)["locked"]["locked_by"] == "定时任务"


def test_a_locked_months_report_is_reproduced_byte_for_byte_whatever_comes_later(issued, tmp_path):
    from tests.collect.test_collect import UNIT

    lock_period(issued.engine, JULY, "张三")
    first = make_report(issued, JULY)
    workbook, notice = first.path.read_bytes(), first.bulletin.read_bytes()
    returned(issued, tmp_path)                       # a late file of a unit that had sent nothing
    assert only(collect_inbox(issued)).outcome == "rejected"
    assert next(u for u in period_status(issued, JULY).units if u.unit.name == UNIT).outcome == "missing"
    again = make_report(issued, JULY)
    assert again.path.read_bytes() == workbook
    assert again.bulletin.read_bytes() == notice
