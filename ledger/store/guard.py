"""Guards for a database shared by several workspaces or processes: locks and the race they lose.

A server database (PostgreSQL) may be used by several workspaces at once, on several machines;
the workspace's lock file does not reach across them, so what must happen one at a time is
serialised by the database itself:

- ``migration_lock``: one process at a time brings a database's tables up to date;
- ``lock_intake``: one intake transaction at a time records files of the database's plan (all
  plan versions of a database are one plan line: workspaces sharing a database share its plan),
  so the duplicate check made inside that transaction sees every file another workspace took in;
- ``scheduler_lock``: one scheduler per database, since the job store is shared.

"Database" here means one set of ledger tables: a database, or a schema of one (the URL's
``search_path``); keys are advisory-lock pairs (purpose, hash of the schema).

Underneath, the partial unique index of migration ``0003_one_current_submission`` keeps one
current submission per unit and period whatever a writer does; a writer that loses that race gets
an ``IntegrityError`` that ``lost_race`` recognises. On SQLite (one office, one file) the locks are
no-ops: SQLite serialises writers itself, and the index still holds.
"""

from __future__ import annotations

import zlib
from urllib.parse import quote, unquote
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

CURRENT_INDEX = "uq_submissions_current"
T = TypeVar("T")


def _key(purpose: str) -> int:
    """A signed 32-bit advisory-lock class id, stable across processes and machines."""
    value = zlib.crc32(f"ledger:{purpose}".encode())
    return value - 2**32 if value >= 2**31 else value


MIGRATE, INTAKE, SCHEDULER = _key("migrate"), _key("intake"), _key("scheduler")
ESCALATE = _key("escalate")
# The second half of every key: the ledger's schema, so ledgers in other schemas of one database
# (each its own set of tables) do not wait for each other.
_LEDGER = "hashtext(current_schema())"


def is_server(bind: Engine | Connection) -> bool:
    """True for a database with advisory locks (PostgreSQL)."""
    return bind.dialect.name == "postgresql"


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock (PostgreSQL; elsewhere nothing to hold)."""
    if not is_server(engine):
        yield
        return
    with engine.connect() as conn:
        conn.execute(sa.text(f"SELECT pg_advisory_lock(:k, {_LEDGER})"), {"k": MIGRATE})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text(f"SELECT pg_advisory_unlock(:k, {_LEDGER})"), {"k": MIGRATE})
            conn.commit()


def lock_intake(conn: Connection) -> None:
    """Take the intake lock for the rest of ``conn``'s transaction (PostgreSQL; elsewhere a no-op).

    Call it first in every transaction that records intake outcomes, before the duplicate check:
    another workspace's intake then waits for this transaction's commit, and its own check sees
    what this one stored.
    """
    if is_server(conn):
        conn.execute(sa.text(f"SELECT pg_advisory_xact_lock(:k, {_LEDGER})"), {"k": INTAKE})


def hold_period_locks(conn: Connection) -> None:
    """Keep the month locks as they are until ``conn``'s transaction ends (PostgreSQL; elsewhere a no-op).

    ``lock_period`` and ``unlock_period`` take the lock table in SHARE ROW EXCLUSIVE mode, which
    conflicts with this SHARE mode: one asked for meanwhile waits for our commit, and one committed
    before is seen by our next read (READ COMMITTED). So a batch asks once a period, not once a file,
    and a lock asked for while a batch records waits for it, as it does on SQLite. SHARE mode admits
    readers and other holders of SHARE (intake transactions are serialised by ``lock_intake``).
    Taken with the intake lock at the start of the transaction, outside any file's savepoint,
    whose rollback would release it.
    """
    if is_server(conn):
        conn.exec_driver_sql("LOCK TABLE period_locks IN SHARE MODE")


def lock_escalations(conn: Connection) -> None:
    """Take the 督办单 lock for the rest of ``conn``'s transaction (PostgreSQL; elsewhere a no-op):
    two workspaces of one database issuing at once number and deduplicate one after the other."""
    if is_server(conn):
        conn.execute(sa.text(f"SELECT pg_advisory_xact_lock(:k, {_LEDGER})"), {"k": ESCALATE})


def lost_race(exc: BaseException) -> bool:
    """True when ``exc`` is the unique index refusing a second current submission of a unit and period.

    That happens only when another writer stored one between our check and our insert: the file
    is then the other's duplicate, not a fault.
    """
    orig = getattr(exc, "orig", None) or exc
    if not any(type(c).__name__ == "IntegrityError" for c in type(orig).__mro__) and \
            not isinstance(exc, sa.exc.IntegrityError):
        return False
    text = str(orig)
    return CURRENT_INDEX in text or "UNIQUE constraint failed: submissions.period, submissions.unit_id" in text


def store_once(conn: Connection, store: Callable[[], T]) -> T | None:
    """Run ``store`` (the recording of one accepted file) in a savepoint of ``conn``'s transaction.

    Returns what ``store`` returns, or None when the race was lost (``lost_race``): what it wrote is
    undone, the transaction stays usable, and the caller records the file as the winner's duplicate.
    Any other error is raised.

    Only server databases can lose that race: SQLite runs one writer at a time, and a writer whose
    snapshot is stale is refused as busy, not by the index. There ``store`` runs directly, since
    pysqlite would let a savepoint opened before the transaction's first write commit on release.
    """
    if not is_server(conn):
        return store()
    try:
        with conn.begin_nested():
            return store()
    except sa.exc.IntegrityError as exc:
        if lost_race(exc):
            return None
        raise


@contextmanager
def file_savepoint(conn: Connection) -> Iterator[None]:
    """A savepoint around what one file records, so a fault undoes that file alone, not its batch.

    pysqlite opens its transaction lazily, before the first write; a savepoint opened before it would
    be the transaction itself, and releasing it would commit. So on SQLite the transaction is begun
    first when the driver has none open, and begun IMMEDIATE: a file is read before it is recorded,
    and a deferred transaction whose snapshot another connection's write (``ledger serve`` recording
    an upload) made stale is refused at its first write at once, without the busy wait.
    """
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    # Plain statements: SQLAlchemy's begin_nested costs five times as much, once per file collected.
    conn.exec_driver_sql(f"SAVEPOINT {_FILE_SAVEPOINT}")
    try:
        yield
    except BaseException:
        if not conn.invalidated:        # a database fault may have dropped the connection: that is raised
            conn.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {_FILE_SAVEPOINT}")
            conn.exec_driver_sql(f"RELEASE SAVEPOINT {_FILE_SAVEPOINT}")
        raise
    conn.exec_driver_sql(f"RELEASE SAVEPOINT {_FILE_SAVEPOINT}")


_FILE_SAVEPOINT = "ledger_file"


class SchedulerHeld(Exception):
    """Another scheduler holds the database's scheduler lock; ``holder`` names it when known."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


class HeldLock:
    """A session advisory lock held by an open connection; ``release`` frees both."""

    def __init__(self, conn: Connection, key: int):
        self.conn, self.key = conn, key

    def release(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.rollback()
            self.conn.execute(sa.text(f"SELECT pg_advisory_unlock(:k, {_LEDGER})"), {"k": self.key})
            self.conn.commit()
        except sa.exc.SQLAlchemyError:
            self.conn.invalidate()       # the server drops a lost session's locks itself
        finally:
            self.conn.close()
            self.conn = None


def scheduler_lock(engine: Engine, name: str) -> HeldLock | None:
    """Take the database's scheduler lock until the returned lock is released.

    ``name`` (host and workspace) is shown to a second scheduler that is refused. Raises
    ``SchedulerHeld``; returns None where there is nothing to lock (SQLite: its file sits in the
    workspace, whose own lock file already admits one scheduler).
    """
    if not is_server(engine):
        return None
    conn = engine.connect()
    try:
        conn.execute(sa.text("SELECT set_config('application_name', :n, false)"), {"n": _ascii(name)})
        got = conn.execute(sa.text(f"SELECT pg_try_advisory_lock(:k, {_LEDGER})"), {"k": SCHEDULER}).scalar()
        if not got:
            holder = conn.execute(sa.text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                f"WHERE l.locktype = 'advisory' AND l.granted AND l.classid = CAST(:k AS oid) "
                f"AND l.objid = CAST({_LEDGER} AS oid) AND l.database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database())"), {"k": SCHEDULER}).scalar()
            raise SchedulerHeld(unquote(holder or ""))
        conn.commit()
    except BaseException:
        conn.close()
        raise
    return HeldLock(conn, SCHEDULER)


def _ascii(name: str, limit: int = 63) -> str:
    """``name`` as PostgreSQL keeps an application name: ASCII (percent-encoded), at most 63 bytes;
    a long one keeps its start (the host) and its end (the workspace folder)."""
    pieces = [quote(char, safe=" :/\\@-_.()") for char in name]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    head, tail = "", ""
    for piece in pieces:
        if len(head) + len(piece) > 30:
            break
        head += piece
        if piece == ":":            # host and workspace are separated by the first colon
            break
    for piece in reversed(pieces):
        if len(head) + 3 + len(tail) + len(piece) > limit:
            break
        tail = piece + tail
    return f"{head}...{tail}"
