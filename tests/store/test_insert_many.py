"""insert_many writes rows straight through the driver in whatever parameter style it uses."""

import pytest
import sqlalchemy as sa

from ledger.store.submissions import insert_many

metadata = sa.MetaData()
table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.Text),
                 sa.Column("n", sa.Integer), sa.Column("raw", sa.JSON(none_as_null=True)))


@pytest.mark.parametrize("paramstyle", ["qmark", "named", "numeric"])
def test_rows_read_back_the_same_in_every_parameter_style(paramstyle):
    engine = sa.create_engine("sqlite://", paramstyle=paramstyle)
    metadata.create_all(engine)
    rows = [{"text": "已完成平台申报", "n": 60, "raw": {"percent": "６０%"}}, {"text": None, "n": None, "raw": None}]
    with engine.begin() as conn:
        assert conn.dialect.paramstyle == paramstyle
        insert_many(conn, table, rows)
        stored = [dict(r) for r in conn.execute(sa.select(table.c.text, table.c.n, table.c.raw)).mappings()]
    assert stored == rows
