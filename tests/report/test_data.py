"""Period queries: mapping rows of older plan versions, and reading by index, never the whole history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from report_scenario import at, row, submit

from ledger.plan.model import Plan, PlanItem, Section
from ledger.report import build, data
from ledger.store.plans import load_plan, save_plan
from ledger.workspace import init_workspace


def _plan(items: list[tuple[str, str, str]]) -> Plan:
    sections = {"一": "产业", "二": "民生"}
    return Plan("要点", 2024, [PlanItem(number=n, title=t, text=t, section=sections[s], section_number=s,
                                        lead=["甲"]) for s, n, t in items],
                [Section(k, v) for k, v in sections.items()])


def test_rows_of_an_older_plan_map_by_section_and_number(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    save_plan(ws.engine, _plan([("一", "一是", "旧甲"), ("一", "二是", "旧乙"), ("二", "一是", "旧丙"), ("二", "三是", "删去")]),
              origin="import")
    submit(ws, "2024-06", "甲", at("2024-07-01 09:00"),
           {n: row(s, p) for n, s, p in (("二是", "滞后", 20), ("三是", "已完成", 100))}, 1)
    plan1 = load_plan(ws.engine, 1)
    second_one = next(i for i in plan1.items if i.title == "旧丙")
    with ws.engine.begin() as conn:   # a row for the repeated number 一是 of section 二
        sub_id = conn.execute(sa.text("select id from submissions")).scalar()
        conn.execute(sa.text("insert into submission_rows (submission_id, item_id, role, status, percent, raw) "
                             "values (:s, :i, 'lead', '超序时', 80, '{}')"), {"s": sub_id, "i": second_one.id})
    save_plan(ws.engine, _plan([("二", "一是", "新丙"), ("一", "一是", "新甲"), ("一", "二是", "新乙")]), origin="review")
    plan = load_plan(ws.engine)
    with data.snapshot(ws.engine) as conn:
        entries = data.period_entries(conn, "2024-06", plan, data.unit_names(conn))
    titles = {plan.item(e.item_id).title: e.status for e in entries}
    assert titles == {"新乙": "滞后", "新丙": "超序时"}        # 三是 is no longer in the plan


def _nested(items: list[tuple[str, str, str]]) -> Plan:
    """Items numbered again in each part: 一、/（一）/1 and 二、/（一）/1."""
    parts = {"一": "产业", "二": "民生"}
    return Plan("要点", 2024, [PlanItem(number=n, title=t, text=t, section="重点项目", section_number="（一）", lead=["甲"],
                                        parents=[Section(p, parts[p])]) for p, n, t in items])


def test_rows_of_an_older_plan_map_by_the_whole_part_path(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    save_plan(ws.engine, _nested([("一", "1", "旧甲"), ("二", "1", "旧乙")]), origin="import")
    old = next(i for i in load_plan(ws.engine, 1).items if i.title == "旧乙")
    submit(ws, "2024-06", "甲", at("2024-07-01 09:00"), {}, 1)
    with ws.engine.begin() as conn:   # a row for 二（一）1 of the first version
        sub_id = conn.execute(sa.text("select id from submissions")).scalar()
        conn.execute(sa.text("insert into submission_rows (submission_id, item_id, role, status, percent, raw) "
                             "values (:s, :i, 'lead', '滞后', 20, '{}')"), {"s": sub_id, "i": old.id})
    save_plan(ws.engine, _nested([("二", "1", "新乙"), ("一", "1", "新甲")]), origin="review")
    plan = load_plan(ws.engine)
    with data.snapshot(ws.engine) as conn:
        entries = data.period_entries(conn, "2024-06", plan, data.unit_names(conn))
    assert {plan.item(e.item_id).title: e.status for e in entries} == {"新乙": "滞后"}


@pytest.mark.sqlite_only
def test_report_reads_submissions_by_index_only(shared_scenario):
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "submission" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(shared_scenario.engine, "before_cursor_execute", capture)
    try:
        build.consolidate(shared_scenario, "2024-07")
    finally:
        sa.event.remove(shared_scenario.engine, "before_cursor_execute", capture)
    assert statements
    with shared_scenario.engine.connect() as conn:
        for statement, parameters in statements:
            plan = " | ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            assert "SCAN submissions" not in plan and "SCAN submission_rows" not in plan, (statement, plan)


def test_expected_units_skip_collective_and_count_roles(shared_scenario):
    with data.snapshot(shared_scenario.engine) as conn:
        units = data.expected_units(conn, data.plan_header(conn).id)
    assert [(u.name, u.lead, u.support) for u in units] == [
        ("发改局", 2, 1), ("财政局", 0, 2), ("商务局", 1, 0), ("工信局", 1, 0), ("教育局", 1, 0), ("卫健局", 1, 0),
        ("民政局", 1, 0)]
