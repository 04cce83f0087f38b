"""Intake records: the file instance already recorded, and commits that survive a power cut."""

from __future__ import annotations

import random

import pytest

from ledger.store.submissions import _owners, durable_commits, record_intake, recorded_instance


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


def test_carried_values_tell_apart_items_numbered_again_in_each_part(workspace):
    """一（一）1 and 二（一）1 are two items: last month's values of each go back to it alone."""
    import sqlalchemy as sa

    from ledger.plan.model import Plan, PlanItem, Section, Target, sections_of
    from ledger.store import schema as s
    from ledger.store.plans import load_plan, save_plan
    from ledger.store.submissions import carried_values

    items = [PlanItem("1", title, title + "。", "重点项目", "（一）", lead=["县住建局"], parents=[Section(n, t)],
                      targets=[Target("改造小区", 10, "个", "≥", "count")])
             for title, (n, t) in [("甲", ("一", "产业发展")), ("乙", ("二", "城乡建设"))]]
    save_plan(workspace.engine, Plan("计划", 2024, items, sections_of(items)), origin="import")
    plan = load_plan(workspace.engine)
    with workspace.engine.begin() as conn:
        unit_id = conn.execute(sa.select(s.units.c.id).where(s.units.c.name == "县住建局")).scalar()
        conn.execute(s.intake.insert().values(id=1, sha256="a" * 64, size=1, original_name="x.xlsx",
                                              received_at=s._now(), outcome="accepted", errors=0, warnings=0,
                                              findings=[]))
        conn.execute(s.submissions.insert().values(id=1, intake_id=1, template_id="t1", plan_id=plan.id,
                                                   period="2024-06", unit_id=unit_id, submitted_at=s._now(),
                                                   is_current=True))
        for item, status, achieved in zip(plan.items, ("滞后", "已完成"), (3, 10)):
            conn.execute(s.submission_rows.insert().values(submission_id=1, item_id=item.id, role="lead",
                                                           progress=item.title, status=status, percent=50))
            conn.execute(s.target_rows.insert().values(submission_id=1, target_id=item.target_ids[0],
                                                       achieved=achieved))
    carried = carried_values(workspace.engine, ["县住建局"], before="2024-07")["县住建局"]
    first, second = (i.identity for i in plan.items)
    assert first != second
    assert {k: v["progress"] for k, v in carried.values.items()} == {(first, "lead"): "甲", (second, "lead"): "乙"}
    assert {k: v["achieved"] for k, v in carried.targets.items()} == {(first, "改造小区"): 3, (second, "改造小区"): 10}


def test_each_unit_history_goes_to_the_same_named_unit_as_by_scanning_every_pair():
    """``_owners`` finds in one pass what scanning every named unit against every unit's successor
    found (the later named unit wins where a unit and its successor are both named)."""
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 12)
        heirs = {uid: rng.choice([uid, rng.randint(1, n)]) for uid in range(1, n + 1)}
        named = rng.sample(range(1, n + 1), rng.randint(0, n))
        ids = {f"单位{uid}": uid for uid in named}
        scanned = {uid: name for name, nid in ids.items() for uid, to in heirs.items() if uid == nid or to == nid}
        assert _owners(ids, heirs) == scanned
