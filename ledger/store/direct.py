"""Inserts written straight through the driver: the statements collect makes for every file.

SQLAlchemy spends some 50-100 µs of Python on each execution of even a cached INSERT (execution
context, parameter processing row by row); collect records three per file, and forty rows of a
submission. Here the statement is built once per table, columns and database, and each value is
processed by its column's own type (``TypeEngine.bind_processor``: JSON encoded, times in UTC,
booleans as the database keeps them), so what is stored is exactly what ``conn.execute(insert)``
stores. Columns not given take their Python-side defaults, as SQLAlchemy would give them.
The statement follows the driver's parameter style, so any SQLAlchemy database works.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "numeric": ":{n}", "named": ":{name}", "pyformat": "%({name})s"}


@dataclass(frozen=True)
class _Insert:
    sql: str
    keys: tuple[str, ...]
    # (position, the column type's processor, what it makes of None): most cells given to a
    # processor are None (a row's JSON columns), and None always comes out the same.
    processors: tuple[tuple[int, Callable[[Any], Any], Any], ...]
    named: bool

    def params(self, values: tuple) -> tuple | dict:
        if self.processors:
            cells = list(values)
            for n, process, none in self.processors:
                value = cells[n]
                cells[n] = none if value is None else process(value)
            values = tuple(cells)
        return dict(zip(self.keys, values)) if self.named else values


def insert_one(conn: Connection, table: sa.Table, values: dict[str, Any]) -> int:
    """Insert one row; return its primary key."""
    missing = [(key, default) for key, default in _defaults(table) if key not in values]
    if missing:
        values = {**{key: default.arg(None) if default.is_callable else default.arg for key, default in missing},
                  **values}     # SQLAlchemy wraps a callable default to take the execution context
    returning = conn.dialect.name != "sqlite"      # SQLite tells the new row's id without RETURNING
    statement = _statement(conn.dialect, table, tuple(values), returning)
    result = conn.exec_driver_sql(statement.sql, statement.params(tuple(values.values())))
    return result.scalar_one() if returning else result.lastrowid


def insert_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]], **same: Any) -> None:
    """Insert rows that all name the same columns (``same``: values every row takes, such as the
    submission they belong to). Columns not named take no default here: name them."""
    if not rows:
        return
    keys = (*same, *rows[0])
    statement = _statement(conn.dialect, table, keys, False)
    fixed = tuple(same.values())
    values = _picker(tuple(rows[0]))
    conn.exec_driver_sql(statement.sql, [statement.params((*fixed, *values(r))) for r in rows])


def _picker(keys: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple]:
    """A row's values of ``keys``, as a tuple (itemgetter gives one key's value bare)."""
    if len(keys) == 1:
        only = keys[0]
        return lambda row: (row[only],)
    return itemgetter(*keys)


@lru_cache(maxsize=64)
def _statement(dialect, table: sa.Table, keys: tuple[str, ...], returning: bool) -> _Insert:
    """The driver's INSERT of ``keys`` into ``table`` for ``dialect``, and the columns' processors."""
    style = dialect.paramstyle
    marks = ", ".join(_PLACEHOLDERS[style].format(n=n, name=k) for n, k in enumerate(keys, start=1))
    preparer = dialect.identifier_preparer
    sql = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(k) for k in keys)}) "
           f"VALUES ({marks})")
    if returning:
        (key,) = table.primary_key.columns
        sql += f" RETURNING {preparer.quote(key.name)}"
    processors = tuple((n, process, process(None)) for n, k in enumerate(keys)
                       if (process := table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) is not None)
    return _Insert(sql, keys, processors, style in ("named", "pyformat"))


@lru_cache(maxsize=64)
def _defaults(table: sa.Table) -> tuple[tuple[str, Any], ...]:
    """(key, default) of the columns with a Python-side value default (not the primary key)."""
    return tuple((c.key, c.default) for c in table.columns
                 if c.default is not None and not c.primary_key and (c.default.is_callable or c.default.is_scalar))
