"""Migration 0017: sign-off rows written by number before it name their item by lineage after it,
the item the number named in the plan in force when the row was written."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from ledger.plan.model import Plan, PlanItem, Section
from ledger.store import schema as s
from ledger.store.plans import load_plan, save_plan


def _plan(items: list[PlanItem]) -> Plan:
    return Plan("测试计划", 2024, items, [Section("一", "经济发展")])


def _item(number: str, title: str, identity: int | None = None) -> PlanItem:
    return PlanItem(number=number, title=title, text=title + "。", section="经济发展", section_number="一",
                    lead=["发改局"], identity=identity)


def test_rows_written_by_number_get_the_lineage_of_the_item_then_numbered_so(workspace):
    engine = workspace.engine
    save_plan(engine, _plan([_item("1", "推进项目A"), _item("2", "招商引资B")]), origin="import")
    first = load_plan(engine)
    a, b = (i.identity for i in first.items)
    with engine.begin() as conn:          # plan version 1 in force: "2" is 招商引资B
        conn.execute(s.signoffs.insert().values(item_number="2", action="approved", by_name="张三", comment="",
                                                at=datetime.now(timezone.utc)))
    later = datetime.now(timezone.utc)
    # version 2 puts a new item first: 推进项目A is 2 now, 招商引资B 3
    save_plan(engine, _plan([_item("1", "新增任务Z"), _item("2", "推进项目A", a), _item("3", "招商引资B", b)]),
              origin="review")
    with engine.begin() as conn:
        conn.execute(s.signoffs.insert().values(item_number="2", action="evidence", by_name="发改局", comment="",
                                                at=later.replace(year=later.year + 1)))
        # back to how a database stood before 0017: the column gone, the step not recorded
        conn.exec_driver_sql("DROP INDEX ix_signoffs_item_lineage")
        conn.exec_driver_sql("ALTER TABLE signoffs DROP COLUMN item_lineage")
        conn.execute(s.schema_info.delete().where(s.schema_info.c.step == "0017_signoff_lineage"))
    assert s.migrate(engine) == ["0017_signoff_lineage"]
    with engine.connect() as conn:
        got = conn.execute(sa.select(s.signoffs.c.action, s.signoffs.c.item_lineage).order_by(s.signoffs.c.id)).all()
    assert got == [("approved", b), ("evidence", a)]
