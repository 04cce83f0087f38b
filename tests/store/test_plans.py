"""Plans stored in bulk read back item for item: order, units and roles, leaders, deadlines, targets."""

from datetime import date

import sqlalchemy as sa

from ledger.plan.model import Plan, PlanItem, Section, Target
from ledger.store import schema as s
from ledger.store.plans import collective_units, load_plan, save_plan


def _big_plan(n: int) -> Plan:
    """More items and units than one IN clause of the store holds (chunks of 500)."""
    items = [PlanItem(str(k), f"第{k}项任务", f"第{k}项任务。新增企业{k}家。", "产业发展", "一",
                      [f"县第{k % 700}局"], ["县财政局", "各镇（街道）"], leaders=["张三"] if k % 2 else [],
                      targets=[Target(f"新增企业{k}", k, "家", "≥", "count", f"新增企业{k}家")],
                      deadline_text="2024年6月底" if k % 3 == 0 else "持续推进",
                      deadline=date(2024, 6, 30) if k % 3 == 0 else None)
             for k in range(1, n + 1)]
    return Plan("测试县2024年重点工作", 2024, items, [Section("一", "产业发展")])


def test_a_large_plan_reads_back_as_saved(workspace):
    plan = _big_plan(1200)
    version = save_plan(workspace.engine, plan, origin="import", collective={"各镇（街道）"})
    stored = load_plan(workspace.engine)
    assert version == stored.version == 1
    assert [i.number for i in stored.items] == [str(k) for k in range(1, 1201)]
    for saved, read in zip(plan.items, stored.items):
        assert (read.title, read.lead, read.support, read.leaders, read.deadline_text, read.deadline) == \
               (saved.title, saved.lead, saved.support, saved.leaders, saved.deadline_text, saved.deadline)
        assert read.targets == saved.targets and len(read.target_ids) == 1
        assert read.section == "产业发展"
    assert len(stored.units()) == 702                   # 700 lead units, 县财政局, 各镇（街道）
    assert collective_units(workspace.engine) == {"各镇（街道）"}


def test_a_new_version_reuses_the_units_already_stored(workspace):
    save_plan(workspace.engine, _big_plan(10), origin="import")
    with workspace.engine.connect() as conn:
        before = dict(conn.execute(sa.select(s.units.c.name, s.units.c.id)).all())
    save_plan(workspace.engine, _big_plan(12), origin="import")
    with workspace.engine.connect() as conn:
        after = dict(conn.execute(sa.select(s.units.c.name, s.units.c.id)).all())
    assert {name: after[name] for name in before} == before
    assert set(after) - set(before) == {"县第11局", "县第12局"}
    assert load_plan(workspace.engine).units()[:2] == ["县第1局", "县财政局"]


def test_a_lead_unit_listed_as_support_too_is_stored_once_as_lead(workspace):
    item = PlanItem("1", "任务", "任务。", lead=["县科技局"], support=["县科技局", "县财政局"])
    save_plan(workspace.engine, Plan("计划", 2024, [item], []), origin="import")
    read = load_plan(workspace.engine).items[0]
    assert (read.lead, read.support) == (["县科技局"], ["县财政局"])
