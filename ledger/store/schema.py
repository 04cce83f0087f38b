"""Database tables (SQLAlchemy Core), the schema version and its named migrations.

The columns of a submitted row come from ``ledger.layout``; SQLite is the default engine and any
SQLAlchemy URL works.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger import layout
from ledger.kinds import kind_of

metadata = sa.MetaData()


class UTCDateTime(sa.TypeDecorator):
    """A point in time, stored in UTC and read back aware of it, whatever the engine.

    SQLite keeps no zone: an aware time stored as it is would come back as its wall-clock
    reading with no zone, and an office in Asia/Shanghai would see times 8 hours off.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


schema_info = sa.Table(
    "schema_info", metadata,
    sa.Column("step", sa.String(64), primary_key=True),   # name of an applied migration
    sa.Column("applied_at", UTCDateTime(), nullable=False, default=_now),
)

plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("source_name", sa.Text),        # file the version came from
    sa.Column("source_sha256", sa.String(64)),
    sa.Column("origin", sa.String(16), nullable=False),  # "import" or "review"
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
)

sections = sa.Table(
    "sections", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True),
    sa.Column("ord", sa.Integer, nullable=False),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    # the heading this one stands under (（一） under 一、); NULL: a top heading, or stored before 0005
    sa.Column("parent_id", sa.Integer),
)

items = sa.Table(
    "items", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True),
    sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id")),
    sa.Column("ord", sa.Integer, nullable=False),
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("leaders", sa.JSON, nullable=False, default=list),
    sa.Column("deadline_text", sa.Text),     # 完成时限 as written; NULL in rows stored before 0002
    sa.Column("deadline", sa.Date),          # the date it gives, when it gives one
)

units = sa.Table(
    "units", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("collective", sa.Boolean, nullable=False, default=False),
)

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), primary_key=True, index=True),
    sa.Column("role", sa.String(8), nullable=False),    # "lead" or "support"
    sa.Column("ord", sa.Integer, nullable=False),       # order within the item; lead 0 consolidates
)

targets = sa.Table(
    "targets", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False, index=True),
    sa.Column("ord", sa.Integer, nullable=False),
    sa.Column("indicator", sa.Text, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit", sa.Text, nullable=False, default=""),
    sa.Column("comparator", sa.String(2), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source", sa.Text, nullable=False, default=""),
)

templates = sa.Table(
    "templates", metadata,
    sa.Column("id", sa.String(32), primary_key=True),    # template id embedded in the workbook
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("layout_version", sa.String(8), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),  # sha256 of the locked plan cells
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
    # the office columns (ledger.toml [[columns]]) the template was issued with; NULL: none, or before 0004
    sa.Column("columns", sa.JSON(none_as_null=True)),
    sa.Index("ix_templates_period_unit", "period", "unit_id"),
)

intake = sa.Table(   # one row per file that entered the inbox: its single recorded outcome
    "intake", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("original_name", sa.Text, nullable=False),        # path relative to inbox/
    sa.Column("inbox_mtime_ns", sa.BigInteger),                 # identifies the file instance taken in
    sa.Column("received_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("outcome", sa.String(16), nullable=False),   # accepted, rejected, duplicate
    sa.Column("period", sa.String(7)),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id")),
    sa.Column("template_id", sa.String(32)),
    sa.Column("stored_path", sa.Text),                     # where the file went, workspace-relative
    sa.Column("feedback_path", sa.Text),
    sa.Column("errors", sa.Integer, nullable=False, default=0),
    sa.Column("warnings", sa.Integer, nullable=False, default=0),
    sa.Column("findings", sa.JSON, nullable=False, default=list),
    sa.Index("ix_intake_period_unit", "period", "unit_id"),
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("intake_id", sa.Integer, sa.ForeignKey("intake.id"), nullable=False, unique=True),
    sa.Column("template_id", sa.String(32), nullable=False),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("submitted_at", UTCDateTime(), nullable=False),  # file received
    sa.Column("is_current", sa.Boolean, nullable=False, default=True),
    sa.Column("superseded_by", sa.Integer),
    # Where the values came from: NULL, a workbook the unit returned; "imported", the progress
    # columns of the office's own 推进情况表 at plan import (plan import --progress-period, 0007).
    sa.Column("source", sa.String(16)),
    sa.Index("ix_submissions_period_unit", "period", "unit_id", "is_current"),
    # One current submission per unit and period (migration 0003; partial where the engine has them).
    sa.Index("uq_submissions_current", "period", "unit_id", unique=True,
             sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current")),
)


def _row_columns() -> list[sa.Column]:
    """The 台账 sheet's input cells, each of its kind's SQL type."""
    return [sa.Column(col.key, kind_of(col).sql) for col in layout.INPUT_COLUMNS]


submission_rows = sa.Table(
    "submission_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
    sa.Column("role", sa.String(8), nullable=False),
    *_row_columns(),
    sa.Column("raw", sa.JSON(none_as_null=True)),  # values as typed where normalised; NULL when none were
    # The office columns' values by header, typed as JSON (numbers, ISO dates, true/false, text): an
    # office adds a column in ledger.toml, not by DDL. NULL: the template had no office column.
    sa.Column("extra", sa.JSON(none_as_null=True)),
)

def _target_row_columns() -> list[sa.Column]:
    """The 指标 sheet's input cells: achieved (Float) and note (Text)."""
    return [sa.Column(col.key, kind_of(col).sql) for col in layout.TARGET_INPUT_COLUMNS]


target_rows = sa.Table(   # the 指标 sheet of an accepted submission: one row per target
    "target_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True),
    sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id"), nullable=False),
    *_target_row_columns(),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("command", sa.String(32), nullable=False),   # the ledger command that acted
    sa.Column("action", sa.String(32), nullable=False),    # what happened
    sa.Column("summary", sa.Text, nullable=False, default=""),
    sa.Column("detail", sa.JSON, nullable=False, default=dict),
)

job_runs = sa.Table(
    "job_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("job", sa.Text, nullable=False),
    sa.Column("scheduled_at", UTCDateTime()),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime()),
    sa.Column("outcome", sa.String(16), nullable=False),   # running, ok, failed
    sa.Column("message", sa.Text, nullable=False, default=""),
)


unit_links = sa.Table(   # a unit's upload link: only the token's sha256 is kept (migration 0006)
    "unit_links", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("generation", sa.Integer, nullable=False),   # reissuing a link makes the next one
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("revoked_at", UTCDateTime()),
)

uploads = sa.Table(   # a file a unit uploaded through its link, bound to that unit before it enters the inbox
    "uploads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("link_id", sa.Integer, sa.ForeignKey("unit_links.id"), nullable=False),
    sa.Column("inbox_name", sa.Text, nullable=False, unique=True),   # path relative to inbox/
    sa.Column("original_name", sa.Text, nullable=False),             # as the department named it
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("intake_id", sa.Integer, sa.ForeignKey("intake.id")),  # its outcome, once collected
)


def _initial(conn: Connection) -> None:
    from ledger.store import migration_0001

    migration_0001.apply(conn)


def _add_columns(conn: Connection, table: sa.Table, names: list[str]) -> None:
    """ALTER TABLE … ADD COLUMN for columns declared above (nullable, no default: portable DDL)."""
    preparer = conn.dialect.identifier_preparer
    for name in names:
        column = table.c[name]
        assert column.nullable, "a column added to existing rows must be nullable"
        conn.execute(sa.text(f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN "
                             f"{preparer.format_column(column)} {column.type.compile(dialect=conn.dialect)}"))


def _item_deadlines(conn: Connection) -> None:
    _add_columns(conn, items, ["deadline_text", "deadline"])


def _one_current_submission(conn: Connection) -> None:
    """One current submission per unit and period, enforced by the database (a partial unique index).

    Databases shared by two workspaces could end with two current submissions of a unit and period;
    the later (highest id) stays current and supersedes the others, so the index can be built.
    """
    sub = submissions.c
    dupes = (sa.select(sub.period, sub.unit_id, sa.func.max(sub.id).label("keep"))
             .where(sub.is_current).group_by(sub.period, sub.unit_id).having(sa.func.count() > 1))
    for period, unit_id, keep in conn.execute(dupes).all():
        conn.execute(submissions.update()
                     .where(sub.period == period, sub.unit_id == unit_id, sub.is_current, sub.id != keep)
                     .values(is_current=False, superseded_by=keep))
    if conn.dialect.name in ("sqlite", "postgresql"):    # where partial indexes exist
        conn.exec_driver_sql("CREATE UNIQUE INDEX uq_submissions_current ON submissions (period, unit_id) "
                             "WHERE is_current")


def _office_columns(conn: Connection) -> None:
    _add_columns(conn, templates, ["columns"])
    _add_columns(conn, submission_rows, ["extra"])


def _item_parts(conn: Connection) -> None:
    """Sections nest (一、/（一）): an item's part path is its section and the sections above it.
    Rows stored before have no parent, so their path is their section alone."""
    _add_columns(conn, sections, ["parent_id"])


def _web_links(conn: Connection) -> None:
    """Units' upload links and the uploads bound to them (``ledger serve``)."""
    unit_links.create(conn)
    uploads.create(conn)


def _submission_source(conn: Connection) -> None:
    """Submissions say where their values came from (NULL: a returned workbook; "imported": the
    progress columns of a 推进情况表 at plan import). Frozen DDL, as released."""
    conn.exec_driver_sql("ALTER TABLE submissions ADD COLUMN source VARCHAR(16)")


# Named migrations, applied in order; a step's name is recorded once it has run. A step is never
# changed once released: 0001 builds the tables as first released (a frozen copy), later steps
# alter them, so old and new workspaces end with the same schema, the one declared above.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _initial),
    ("0002_item_deadlines", _item_deadlines),
    ("0003_one_current_submission", _one_current_submission),
    ("0004_office_columns", _office_columns),
    ("0005_item_parts", _item_parts),
    ("0006_web_links", _web_links),
    ("0007_submission_source", _submission_source),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def migrate(engine: Engine) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    applied: list[str] = []
    with engine.begin() as conn:
        schema_info.create(conn, checkfirst=True)
        done = {r.step for r in conn.execute(sa.select(schema_info.c.step))}
        for name, step in MIGRATIONS:
            if name not in done:
                step(conn)
                conn.execute(schema_info.insert().values(step=name, applied_at=_now()))
                applied.append(name)
    return applied


def connect(url: str) -> Engine:
    """An engine for the URL, with SQLite tuned for a single-office workload, checked and migrated.

    Every fault of the database (unreachable, refused, corrupt, read-only, busy, full) raises a
    ``DatabaseError`` with a Chinese message (``ledger.store.faults``), here or on any later use.
    """
    from ledger.store import faults

    try:
        engine = sa.create_engine(url)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise faults.missing_driver(exc, url) from None
    except sa.exc.ArgumentError:
        raise faults.bad_url() from None
    sa.event.listen(engine, "handle_error", faults.on_error)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    from ledger.store.guard import migration_lock

    with migration_lock(engine):      # two workspaces opening one new server database at once
        migrate(engine)
    check(engine)
    return engine


def check(engine: Engine) -> None:
    """Notice a damaged SQLite file now, not halfway through a run (a quick page-level check)."""
    if engine.dialect.name != "sqlite":
        return
    from ledger.errors import DatabaseCorruptError
    from ledger.store import faults

    with engine.connect() as conn:
        found = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
    if found != "ok":
        raise DatabaseCorruptError(faults.CORRUPT.format(**faults.describe(engine.url)))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
