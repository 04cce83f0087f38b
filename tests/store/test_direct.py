"""Inserts straight through the driver store what SQLAlchemy's own insert stores, in any parameter style."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ledger.store.direct import insert_many, insert_one
from ledger.store.types import UTCDateTime

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


typed = sa.Table("typed", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("at", UTCDateTime(), nullable=False),
                 sa.Column("flag", sa.Boolean, nullable=False, default=True),
                 sa.Column("count", sa.Integer, nullable=False, default=0),
                 sa.Column("findings", sa.JSON, nullable=False, default=list),
                 sa.Column("extra", sa.JSON(none_as_null=True)))

BEIJING = timezone(timedelta(hours=8))


def _stored(conn, table, ids):
    return [dict(r) for r in conn.execute(sa.select(table).where(table.c.id.in_(ids)).order_by(table.c.id)).mappings()]


@pytest.mark.parametrize("paramstyle", ["qmark", "named", "numeric"])
def test_one_row_is_stored_as_sqlalchemy_stores_it_defaults_included(paramstyle):
    engine = sa.create_engine("sqlite://", paramstyle=paramstyle)
    metadata.create_all(engine)
    at = datetime(2026, 11, 5, 9, 30, tzinfo=BEIJING)
    given = [{"at": at, "extra": {"督办反馈": "已整改"}}, {"at": at, "flag": False, "count": 3, "findings": [{"code": "x"}]}]
    with engine.begin() as conn:
        ours = [insert_one(conn, typed, values) for values in given]
        theirs = [conn.execute(typed.insert(), values).inserted_primary_key[0] for values in given]
        assert ours == [1, 2] and theirs == [3, 4]
        stored, expected = _stored(conn, typed, ours), _stored(conn, typed, theirs)
        raw = conn.exec_driver_sql("SELECT at, flag, findings, extra FROM typed ORDER BY id").all()
    assert [{k: v for k, v in r.items() if k != "id"} for r in stored] == \
        [{k: v for k, v in r.items() if k != "id"} for r in expected]
    assert stored[0]["at"] == at and stored[0]["at"].tzinfo is not None      # read back in UTC, the same moment
    assert stored[0]["flag"] is True and stored[0]["count"] == 0 and stored[0]["findings"] == []
    assert raw[0] == raw[2] and raw[1] == raw[3]                              # the very same stored values


def test_a_server_database_returns_the_new_rows_id(server_schema):
    from ledger.store.schema import connect

    engine = connect(server_schema)
    typed.create(engine, checkfirst=True)
    at = datetime(2026, 11, 5, 9, 30, tzinfo=BEIJING)
    with engine.begin() as conn:
        first = insert_one(conn, typed, {"at": at})
        second = insert_one(conn, typed, {"at": at, "extra": None})
        stored = _stored(conn, typed, [first, second])
    assert second > first
    assert [(r["at"], r["flag"], r["findings"], r["extra"]) for r in stored] == [(at, True, [], None)] * 2
