"""Migration 0007_identities: existing plan versions gain item identities the way reports matched
items before, and nothing else changes."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.store import schema as s
from ledger.store import migration_0007


def database_before_0007(tmp_path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        s.schema_info.create(conn)
        for name, step in s.MIGRATIONS:
            if name == "0007_identities":
                break
            step(conn)
            conn.execute(s.schema_info.insert().values(step=name, applied_at=s._now()))
    return engine


def test_history_gains_identities_version_after_version(tmp_path):
    engine = database_before_0007(tmp_path)
    sql = lambda conn, text: conn.execute(sa.text(text))    # noqa: E731
    with engine.begin() as conn:
        sql(conn, "INSERT INTO plans (id, version, title, origin, created_at) VALUES "
                  "(1, 1, 'p', 'import', '2024-01-01'), (2, 2, 'p', 'review', '2024-04-01')")
        sql(conn, "INSERT INTO sections (id, plan_id, ord, number, title) VALUES "
                  "(1, 1, 0, '一', 'a'), (2, 1, 1, '二', 'b'), (3, 2, 0, '一', 'a'), (4, 2, 1, '二', 'b')")
        # version 2: 一、2 deleted (3 is now 2 by number only: before 0007 history went by number)
        sql(conn, "INSERT INTO items (id, plan_id, section_id, ord, number, title, text, leaders) VALUES "
                  "(1, 1, 1, 0, '1', 'A', 'A', '[]'), (2, 1, 1, 1, '2', 'B', 'B', '[]'), "
                  "(3, 1, 2, 2, '1', 'D', 'D', '[]'), "
                  "(4, 2, 3, 0, '1', 'A', 'A', '[]'), (5, 2, 4, 1, '1', 'D2', 'D', '[]'), "
                  "(6, 2, 4, 2, '9', 'N', 'N', '[]')")
        before = sql(conn, "SELECT id, plan_id, number, title FROM items ORDER BY id").all()
    with engine.begin() as conn:
        migration_0007.apply(conn)
    with engine.connect() as conn:
        lineage = dict(sql(conn, "SELECT id, lineage FROM items").all())
        assert sql(conn, "SELECT id, plan_id, number, title FROM items ORDER BY id").all() == before
        assert sql(conn, "SELECT count(*) FROM units WHERE successor_id IS NOT NULL").scalar() == 0
    assert lineage == {1: 1, 2: 2, 3: 3, 4: 1, 5: 3, 6: 6}


def test_an_upgraded_database_reads_its_items_identities(tmp_path):
    engine = database_before_0007(tmp_path)
    engine.dispose()
    upgraded = s.connect(f"sqlite:///{tmp_path / 'old.db'}")
    with upgraded.connect() as conn:
        assert "0007_identities" in set(conn.execute(sa.select(s.schema_info.c.step)).scalars())
