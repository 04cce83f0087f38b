"""Schema migrations: a workspace made by an earlier release upgrades in place and keeps its data."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ledger.plan.model import Plan, PlanItem, Section, sections_of
from ledger.store import migration_0001, schema
from ledger.store.plans import load_plan, save_plan


def old_workspace_db(path) -> str:
    """A database as the first release left it: step 0001 only, with a plan in it."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        migration_0001.apply(conn)
        conn.execute(migration_0001.schema_info.insert().values(step="0001_initial", applied_at=schema._now()))
        plan_id = conn.execute(migration_0001.plans.insert().values(
            version=1, title="旧计划", year=2024, origin="import", created_at=schema._now())).inserted_primary_key[0]
        item_id = conn.execute(migration_0001.items.insert().values(
            plan_id=plan_id, ord=0, number="1", title="培育创新平台", text="培育创新平台。",
            leaders=["张三"])).inserted_primary_key[0]
        unit_id = conn.execute(migration_0001.units.insert().values(name="县科技局", collective=False)).inserted_primary_key[0]
        conn.execute(migration_0001.assignments.insert().values(item_id=item_id, unit_id=unit_id, role="lead", ord=0))
    engine.dispose()
    return url


def test_an_old_workspace_upgrades_and_keeps_its_plan(tmp_path):
    url = old_workspace_db(tmp_path / "ledger.db")
    engine = schema.connect(url)
    with engine.connect() as conn:
        steps = [r.step for r in conn.execute(sa.select(schema.schema_info.c.step))]
    assert sorted(steps) == [name for name, _ in schema.MIGRATIONS]
    old = load_plan(engine)
    item = old.items[0]
    assert (old.title, item.number, item.title, item.lead, item.leaders) == ("旧计划", "1", "培育创新平台", ["县科技局"], ["张三"])
    assert (item.deadline_text, item.deadline) == ("", None)
    plan = Plan("新计划", 2024, [PlanItem("1", "甲", "甲。", lead=["县科技局"], deadline_text="2024年6月底",
                                         deadline=date(2024, 6, 30))])
    assert save_plan(engine, plan, origin="import") == 2
    stored = load_plan(engine).items[0]
    assert (stored.deadline_text, stored.deadline) == ("2024年6月底", date(2024, 6, 30))


def test_migrating_twice_changes_nothing(tmp_path):
    url = old_workspace_db(tmp_path / "ledger.db")
    engine = schema.connect(url)
    assert schema.migrate(engine) == []


def test_a_new_database_has_exactly_the_declared_schema(tmp_path):
    engine = schema.connect(f"sqlite:///{tmp_path / 'new.db'}")
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == set(schema.metadata.tables)
    for name, table in schema.metadata.tables.items():
        found = {c["name"]: c for c in inspector.get_columns(name)}
        assert list(found) == [c.name for c in table.columns], name
        for column in table.columns:
            assert found[column.name]["nullable"] == column.nullable or column.primary_key, (name, column.name)


def test_an_upgraded_database_matches_a_new_one(tmp_path):
    upgraded = sa.inspect(schema.connect(old_workspace_db(tmp_path / "old.db")))
    new = sa.inspect(schema.connect(f"sqlite:///{tmp_path / 'new.db'}"))
    for name in schema.metadata.tables:
        assert ([(c["name"], str(c["type"])) for c in upgraded.get_columns(name)]
                == [(c["name"], str(c["type"])) for c in new.get_columns(name)]), name


def test_an_old_workspace_keeps_its_submitted_rows_when_office_columns_arrive(tmp_path):
    """Step 0004 adds the office columns' storage (a JSON value per row, no DDL per column)."""
    url = old_workspace_db(tmp_path / "ledger.db")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        item_id = conn.execute(sa.select(migration_0001.items.c.id)).scalar()
        plan_id = conn.execute(sa.select(migration_0001.plans.c.id)).scalar()
        conn.execute(migration_0001.intake.insert().values(
            id=1, sha256="a" * 64, size=1, original_name="x.xlsx", received_at=schema._now(), outcome="accepted",
            errors=0, warnings=0, findings=[]))
        conn.execute(migration_0001.submissions.insert().values(
            id=1, intake_id=1, template_id="t1", plan_id=plan_id, period="2024-06", unit_id=1,
            submitted_at=schema._now(), is_current=True))
        conn.execute(migration_0001.submission_rows.insert().values(
            submission_id=1, item_id=item_id, role="lead", progress="完成选址", status="滞后", percent=40,
            problems="资金未到位"))
    engine.dispose()
    engine = schema.connect(url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.submission_rows)).mappings().one()
    assert (row["progress"], row["status"], row["percent"], row["problems"]) == ("完成选址", "滞后", 40, "资金未到位")
    assert row["extra"] is None


def test_an_old_plan_keeps_its_section_as_its_part_path(tmp_path):
    """Step 0005 nests sections; an item stored before has its section as its whole part path,
    and a plan stored after keeps its parts apart."""
    url = old_workspace_db(tmp_path / "ledger.db")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        plan_id = conn.execute(sa.select(migration_0001.plans.c.id)).scalar()
        section_id = conn.execute(migration_0001.sections.insert().values(
            plan_id=plan_id, ord=0, number="一", title="产业发展")).inserted_primary_key[0]
        conn.execute(migration_0001.items.update().values(section_id=section_id))
    engine.dispose()
    engine = schema.connect(url)
    item = load_plan(engine).items[0]
    assert (item.section_number, item.section, item.parents) == ("一", "产业发展", [])
    assert [(s.number, s.title) for s in item.part_path] == [("一", "产业发展")]
    assert [(s.number, s.title) for s in load_plan(engine).sections] == [("一", "产业发展")]

    a = PlanItem("1", "甲", "甲。", "重点项目", "（一）", lead=["县发改局"], parents=[Section("一", "产业发展")])
    b = PlanItem("1", "乙", "乙。", "重点项目", "（一）", lead=["县住建局"], parents=[Section("二", "城乡建设")])
    save_plan(engine, Plan("新计划", 2024, [a, b], sections_of([a, b])), origin="import")
    stored = load_plan(engine)
    assert [[(s.number, s.title) for s in i.part_path] for i in stored.items] == [
        [("一", "产业发展"), ("（一）", "重点项目")], [("二", "城乡建设"), ("（一）", "重点项目")]]
    assert [(s.number, s.title) for s in stored.sections] == [("（一）", "重点项目"), ("（一）", "重点项目")]
