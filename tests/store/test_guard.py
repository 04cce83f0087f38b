"""One current submission per unit and period, held by the database; the locks of a shared server database.

The index tests run on whichever database the suite uses (SQLite, or the server of
LEDGER_TEST_DATABASE_URL); the lock tests need a server and are skipped without one.
"""

from __future__ import annotations

import multiprocessing
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from ledger.store import guard
from ledger.store import schema as s
from ledger.store.schema import migrate
from ledger.store.submissions import save_submission
from tests.conftest import needs_server as server
NOW = datetime(2024, 8, 3, 9, 0, tzinfo=timezone.utc)


def _intake(conn, sha: str = "a" * 64) -> int:
    return conn.execute(s.intake.insert(), {"sha256": sha, "size": 1, "original_name": f"{sha[:4]}.xlsx",
                                            "received_at": NOW, "outcome": "accepted"}).inserted_primary_key[0]


@pytest.fixture
def store(workspace):
    """A plan with one unit, ready for submissions; yields (engine, plan_id, unit_id)."""
    with workspace.engine.begin() as conn:
        plan = conn.execute(s.plans.insert(), {"version": 1, "title": "测试计划", "origin": "import",
                                               "created_at": NOW}).inserted_primary_key[0]
        unit = conn.execute(s.units.insert(), {"name": "县科技局"}).inserted_primary_key[0]
    return workspace.engine, plan, unit


def _submission(conn, plan: int, unit: int, intake: int, current: bool = True) -> int:
    return conn.execute(s.submissions.insert(), {
        "intake_id": intake, "template_id": "t1", "plan_id": plan, "period": "2024-07", "unit_id": unit,
        "submitted_at": NOW, "is_current": current}).inserted_primary_key[0]


def _current(engine, unit: int) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(s.submissions.c.id).where(s.submissions.c.unit_id == unit,
                                                                     s.submissions.c.is_current)).scalars())


def test_the_database_refuses_a_second_current_submission(store):
    engine, plan, unit = store
    with engine.begin() as conn:
        _submission(conn, plan, unit, _intake(conn, "a" * 64))
    with pytest.raises(sa.exc.IntegrityError) as refused:
        with engine.begin() as conn:
            _submission(conn, plan, unit, _intake(conn, "b" * 64))
    assert guard.lost_race(refused.value)
    with engine.begin() as conn:                  # history (not current) is unlimited
        _submission(conn, plan, unit, _intake(conn, "c" * 64), current=False)
    assert len(_current(engine, unit)) == 1


def test_a_resubmission_supersedes_the_current_one_within_the_index(store):
    engine, plan, unit = store
    ids = []
    for sha in ("a", "b", "c"):
        with engine.begin() as conn:
            ids.append(save_submission(conn, intake_id=_intake(conn, sha * 64), template_id="t1", plan_id=plan,
                                       period="2024-07", unit_id=unit, submitted_at=NOW, rows=[]))
    assert _current(engine, unit) == [ids[2]]
    with engine.connect() as conn:
        superseded = dict(conn.execute(sa.select(s.submissions.c.id, s.submissions.c.superseded_by)).all())
    assert superseded == {ids[0]: ids[2], ids[1]: ids[2], ids[2]: None} or \
        superseded == {ids[0]: ids[1], ids[1]: ids[2], ids[2]: None}


def test_the_migration_repairs_a_database_with_two_current_submissions(store):
    """A database written before 0003 may hold the race's result: the latest stays current."""
    engine, plan, unit = store
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX uq_submissions_current")
        conn.execute(s.schema_info.delete().where(s.schema_info.c.step == "0003_one_current_submission"))
        first = _submission(conn, plan, unit, _intake(conn, "a" * 64))
        second = _submission(conn, plan, unit, _intake(conn, "b" * 64))
    assert migrate(engine) == ["0003_one_current_submission"]
    assert _current(engine, unit) == [second]
    with engine.connect() as conn:
        assert conn.execute(sa.select(s.submissions.c.superseded_by)
                            .where(s.submissions.c.id == first)).scalar() == second
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            _submission(conn, plan, unit, _intake(conn, "c" * 64))


def test_store_once_stays_inside_the_callers_transaction(store):
    """What it stored goes when the caller rolls back (a crash before the batch commits)."""
    engine, plan, unit = store
    with engine.connect() as conn:
        conn.execute(sa.select(s.intake.c.id)).all()          # reads only so far, as a batch does
        guard.store_once(conn, lambda: _submission(conn, plan, unit, _intake(conn, "a" * 64)))
        conn.rollback()
    assert _current(engine, unit) == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.intake)).scalar() == 0


@server
def test_store_once_gives_way_to_the_race_winner_and_keeps_the_transaction(store):
    engine, plan, unit = store
    with engine.begin() as conn:
        _submission(conn, plan, unit, _intake(conn, "a" * 64))
    with engine.begin() as conn:
        lost = guard.store_once(conn, lambda: _submission(conn, plan, unit, _intake(conn, "b" * 64)))
        assert lost is None
        kept = _intake(conn, "c" * 64)              # the transaction goes on after the lost race
    with engine.connect() as conn:
        shas = set(conn.execute(sa.select(s.intake.c.sha256)).scalars())
    assert shas == {"a" * 64, "c" * 64} and kept


def test_store_once_lets_other_errors_through(store):
    engine, plan, unit = store
    with pytest.raises(sa.exc.IntegrityError) as other:
        with engine.begin() as conn:
            guard.store_once(conn, lambda: _submission(conn, plan, 999_999, 999_999))   # no such intake or unit
    assert not guard.lost_race(other.value)


def test_a_files_savepoint_undoes_that_file_alone_and_the_batch_goes_on(store):
    """What one file wrote is undone when recording it fails, by our bug or the database's refusal
    (a constraint): the files before and after it in the batch are committed."""
    engine, _, _ = store
    with engine.connect() as conn:
        with guard.file_savepoint(conn):
            _intake(conn, "a" * 64)
        with pytest.raises(ValueError), guard.file_savepoint(conn):
            _intake(conn, "b" * 64)
            raise ValueError("a fault of ours while recording")
        with pytest.raises(sa.exc.IntegrityError), guard.file_savepoint(conn):
            _intake(conn, "c" * 64)
            conn.execute(s.intake.insert(), {"sha256": "d" * 64})       # size and name missing: refused
        with guard.file_savepoint(conn):
            _intake(conn, "e" * 64)
        conn.commit()
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.select(s.intake.c.sha256)).scalars()) == ["a" * 64, "e" * 64]


def test_lost_race_knows_only_the_index():
    assert not guard.lost_race(ValueError("UNIQUE constraint failed: submissions.period, submissions.unit_id"))
    assert not guard.lost_race(sa.exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: units.name")))
    assert guard.lost_race(sa.exc.IntegrityError("INSERT", {}, Exception(
        'duplicate key value violates unique constraint "uq_submissions_current"')))


# --- A server database shared by several processes ------------------------------------------------

def _take_in(url: str, sha: str, start, results) -> None:
    """One workspace's intake of a file: lock, check inside the transaction, record once."""
    engine = s.connect(url)
    start.wait(10)
    with engine.begin() as conn:
        guard.lock_intake(conn)
        seen = conn.execute(sa.select(s.intake.c.id).where(s.intake.c.sha256 == sha)).first()
        if seen is None:
            _intake(conn, sha)
            conn.execute(sa.text("SELECT pg_sleep(0.2)"))    # hold the transaction open, as a batch does
        results.put("duplicate" if seen else "accepted")
    engine.dispose()


@server
def test_two_processes_taking_in_the_same_files_record_each_once(workspace):
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    shas = [f"{n:064x}" for n in range(3)]
    for sha in shas:
        procs = [ctx.Process(target=_take_in, args=(workspace.db_url, sha, start, results)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(30)
        assert sorted(results.get(timeout=5) for _ in procs) == ["accepted", "duplicate"]
    with workspace.engine.connect() as conn:
        assert sorted(conn.execute(sa.select(s.intake.c.sha256)).scalars()) == shas


def _open(url: str, start, results) -> None:
    start.wait(10)
    try:
        s.connect(url).dispose()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(f"{type(exc).__name__}: {exc}")


@server
def test_processes_opening_a_new_database_at_once_migrate_it_once(server_schema):
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(server_schema, start, results)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [results.get(timeout=5) for _ in procs] == ["ok"] * 3
    engine = sa.create_engine(server_schema)
    with engine.connect() as conn:
        steps = conn.execute(sa.select(s.schema_info.c.step)).scalars().all()
    engine.dispose()
    assert sorted(steps) == [name for name, _ in s.MIGRATIONS]


@server
def test_the_intake_lock_is_held_until_commit(workspace):
    engine = workspace.engine
    with engine.connect() as holder, engine.connect() as other:
        holder.begin()
        guard.lock_intake(holder)
        assert other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": guard.INTAKE}).scalar() is False
        other.rollback()
        holder.commit()
        assert other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": guard.INTAKE}).scalar() is True
        other.rollback()


@server
def test_a_second_scheduler_lock_on_one_database_is_refused_with_its_holders_name(workspace):
    first = guard.scheduler_lock(workspace.engine, "ledger scheduler pc1:/srv/甲")
    try:
        with pytest.raises(guard.SchedulerHeld) as held:
            guard.scheduler_lock(workspace.engine, "ledger scheduler pc2:/srv/乙")
        assert held.value.holder == "ledger scheduler pc1:/srv/甲"
    finally:
        first.release()
    guard.scheduler_lock(workspace.engine, "ledger scheduler pc2:/srv/乙").release()   # free once released


def test_without_a_server_there_is_nothing_to_lock(tmp_path):
    engine = s.connect(f"sqlite:///{tmp_path / 'x.db'}")
    assert guard.scheduler_lock(engine, "x") is None
    with engine.begin() as conn:
        guard.lock_intake(conn)          # a no-op: SQLite serialises writers itself


def test_a_file_savepoint_on_a_fresh_sqlite_connection_does_not_commit_on_release(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with engine.connect() as conn:
        with guard.file_savepoint(conn):
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.rollback()                                   # the batch is given up: the file's row goes too
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
        with guard.file_savepoint(conn):
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        conn.commit()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [2]
