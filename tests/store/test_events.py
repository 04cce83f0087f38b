"""The event log: an entry recorded in a transaction can be rewritten in a later one."""

from __future__ import annotations

from ledger.store import events


def test_an_event_recorded_then_updated_shows_its_last_summary(workspace):
    with workspace.engine.begin() as conn:
        event_id = events.record(conn, "collect", "collect", "接收 1 个", {"accepted": 1})
    with workspace.engine.begin() as conn:
        events.update(conn, event_id, "接收 2 个", {"accepted": 2})
    [entry] = events.recent(workspace.engine)
    assert (entry["id"], entry["summary"], entry["detail"]) == (event_id, "接收 2 个", {"accepted": 2})


def test_an_event_rolled_back_with_its_transaction_is_not_logged(workspace):
    conn = workspace.engine.connect()
    conn.begin()
    events.record(conn, "collect", "collect", "接收 1 个")
    conn.rollback()
    conn.close()
    assert events.recent(workspace.engine) == []
