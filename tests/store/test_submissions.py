"""Intake records: the file instance already recorded, and commits that survive a power cut."""

from __future__ import annotations

import pytest

from ledger.store.submissions import durable_commits, record_intake, recorded_instance


def _synchronous(conn) -> int:
    return conn.exec_driver_sql("PRAGMA synchronous").scalar()


@pytest.mark.sqlite_only
def test_durable_commits_are_full_sync_and_the_connection_goes_back_to_normal(workspace):
    with workspace.engine.connect() as conn:
        assert _synchronous(conn) == 1                     # NORMAL: the workspace default
        conn.commit()
        with durable_commits(conn):
            assert _synchronous(conn) == 2                 # FULL while collect records outcomes
            record_intake(conn, sha256="a" * 64, size=1, original_name="a.xlsx", inbox_mtime_ns=1,
                          outcome="rejected", findings=[])
            conn.commit()
        assert _synchronous(conn) == 1


def test_the_recorded_instance_is_found_by_bytes_name_and_time_whatever_its_outcome(workspace):
    with workspace.engine.begin() as conn:
        for outcome, name, mtime in (("accepted", "a.xlsx", 1), ("duplicate", "b.xlsx", 2)):
            record_intake(conn, sha256="a" * 64, size=1, original_name=name, inbox_mtime_ns=mtime,
                          outcome=outcome, findings=[])
    with workspace.engine.connect() as conn:
        assert recorded_instance(conn, "a" * 64, "b.xlsx", 2)["outcome"] == "duplicate"
        assert recorded_instance(conn, "a" * 64, "b.xlsx", 3) is None          # another copy, later
        assert recorded_instance(conn, "b" * 64, "a.xlsx", 1) is None
