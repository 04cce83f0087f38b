"""Database tables (SQLAlchemy Core), the schema version and its named migrations.

The columns of a submitted row come from ``ledger.layout``; SQLite is the default engine and any
SQLAlchemy URL works.
"""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger import layout
from ledger.kinds import kind_of
from ledger.store import migration_0001
from ledger.store.types import UTCDateTime, _now

metadata = sa.MetaData()


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
    # the item across plan versions: the id of the row that first stood for it (0007). Renumbered,
    # retitled or with another lead, an item keeps it; history follows it, never the number.
    sa.Column("lineage", sa.Integer),
)

units = sa.Table(
    "units", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("collective", sa.Boolean, nullable=False, default=False),
    # a renamed or merged unit: the unit that carries its history on (0007); NULL: the unit itself
    sa.Column("successor_id", sa.Integer),
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
    # Late corrections (0008): a file replacing the unit's accepted month after its deadline.
    sa.Column("correction_of", sa.Integer),     # the submission it corrects; NULL: not a correction
    sa.Column("review", sa.String(16)),         # pending, accepted, refused (NULL: not held for review)
    sa.Column("counted_at", UTCDateTime()),     # the time timeliness counts (the corrected one's)
    sa.Column("decided_at", UTCDateTime()),     # when the office accepted or refused it
    # Where the values came from: NULL, a workbook the unit returned; "imported", the progress
    # columns of the office's own 推进情况表 at plan import (plan import --progress-period, 0016).
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

unit_contacts = sa.Table(   # a unit's contacts (联系人, 手机, 邮箱): several per unit (migration 0013)
    "unit_contacts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("ord", sa.Integer, nullable=False),           # order within the unit
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("phone", sa.String(32), nullable=False, default=""),   # a mobile number, digits only
    sa.Column("email", sa.String(254), nullable=False, default=""),
)

outbox = sa.Table(   # every reminder, recorded before it is sent (migration 0014; ledger.remind)
    "outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dedupe_key", sa.String(255), nullable=False, unique=True),   # one message, once
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id")),
    sa.Column("unit_name", sa.Text, nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),         # due_soon, due_today, overdue, rejected, …
    sa.Column("channel", sa.String(64), nullable=False),      # the [[channels]] entry's name
    sa.Column("recipients", sa.JSON, nullable=False, default=list),
    sa.Column("subject", sa.Text, nullable=False, default=""),
    sa.Column("body", sa.Text, nullable=False, default=""),
    sa.Column("link", sa.Text, nullable=False, default=""),    # the unit's upload link the body carries
    sa.Column("deadline", sa.Date),                           # the period's deadline the body names
    sa.Column("attachments", sa.JSON, nullable=False, default=list),   # workspace-relative files (the digest's)
    sa.Column("state", sa.String(16), nullable=False),        # pending, sending, retry, sent, failed
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=False, default=""),
    sa.Column("owner", sa.Text, nullable=False, default=""),  # host:pid:token of the process sending it
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("next_try_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("claimed_at", UTCDateTime()),
    sa.Column("sent_at", UTCDateTime()),
    sa.Index("ix_outbox_period_state", "period", "state"),
)


users = sa.Table(   # the office's named accounts (migration 0009): office users act, leaders read
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),            # office, leader
    sa.Column("password_hash", sa.Text, nullable=False),         # scrypt$n$r$p$salt$hash
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("password_changed_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("disabled_at", UTCDateTime()),
)

office_sessions = sa.Table(   # a signed-in browser: the cookie's sha256 only; ends server-side (0009)
    "office_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),   # NULL: the shared password
    sa.Column("password_tag", sa.String(64)),     # the shared password's keyed digest when it was used
    sa.Column("created_at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("ended_at", UTCDateTime()),
    sa.Column("ended_why", sa.String(16)),        # logout, password, disabled
)


reviews = sa.Table(   # the office's decision on an accepted submission (0010): one per submission, never rewritten
    "reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, unique=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),       # approved, sent_back
    sa.Column("by_name", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("items", sa.JSON, nullable=False, default=list),  # [{"number", "comment"}] sent back by item
    sa.Index("ix_reviews_period_unit", "period", "unit_id"),
)


period_locks = sa.Table(   # a month locked (终版) or unlocked, one row per action, never rewritten (0011)
    "period_locks", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period", sa.String(7), nullable=False, index=True),
    sa.Column("action", sa.String(8), nullable=False),          # lock, unlock
    sa.Column("by_name", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("reason", sa.Text, nullable=False, default=""),
)


signoffs = sa.Table(   # a finished item's sign-off (销号), one row per action, never rewritten (0012)
    "signoffs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("item_number", sa.Text, nullable=False, index=True),   # the item's reference when the row was written
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id")),      # the lead unit the evidence is of
    sa.Column("action", sa.String(16), nullable=False),               # evidence, approved, rejected
    sa.Column("by_name", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False, default=_now),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("file_name", sa.Text),          # evidence: as the unit named it
    sa.Column("stored_path", sa.Text),        # evidence: archive/evidence/<item>/…, workspace-relative
    sa.Column("sha256", sa.String(64)),
    sa.Column("size", sa.Integer),
    sa.Column("item_lineage", sa.Integer, index=True),    # the item across plan versions (0017)
)


escalations = sa.Table(   # a 督办单 issued to a unit (migration 0015): what, why, by when, and its reply
    "escalations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    sa.Column("colour", sa.String(8), nullable=False),            # blue, yellow, red
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),                 # 编号: 督办〔year〕seq号
    sa.Column("items", sa.JSON, nullable=False),                  # [{key, number, title, why}]
    sa.Column("dedupe_key", sa.String(64), nullable=False, unique=True),   # period, unit, colour, item keys
    sa.Column("issued_at", UTCDateTime(), nullable=False),
    sa.Column("reply_due", sa.Date, nullable=False),              # 反馈时限
    sa.Column("state", sa.String(8), nullable=False),             # open, replied, closed
    sa.Column("file", sa.Text, nullable=False),                   # the .docx, workspace-relative
    sa.Column("reply", sa.Text),
    sa.Column("reply_file", sa.Text),                             # a file the unit attached, workspace-relative
    sa.Column("replied_at", UTCDateTime()),
    sa.Column("closed_at", UTCDateTime()),
    sa.Column("comment", sa.Text),                                # the office's, on closing or keeping open
    sa.Column("closed_by", sa.Text),                              # who in the office closed or kept it open
    sa.Column("escalated_from", sa.Integer),                      # the notice this one raised a colour
    sa.Column("escalated_to", sa.Integer),                        # set once, so a notice goes up only once
    sa.UniqueConstraint("year", "seq", name="uq_escalations_number"),
    sa.Index("ix_escalations_period_unit", "period", "unit_id"),
)


def _initial(conn: Connection) -> None:
    migration_0001.apply(conn)


def _add_column(conn: Connection, table: str, column: str, type_: sa.types.TypeEngine) -> None:
    """ALTER TABLE … ADD COLUMN, the type spelled out as it was released (nullable, no default:
    portable DDL). A step names its columns itself and never reads today's tables above, so a later
    change to a table cannot change what an earlier step does."""
    preparer = conn.dialect.identifier_preparer
    conn.execute(sa.text(f"ALTER TABLE {preparer.quote(table)} ADD COLUMN "
                         f"{preparer.quote(column)} {type_.compile(dialect=conn.dialect)}"))


def _item_deadlines(conn: Connection) -> None:
    _add_column(conn, "items", "deadline_text", sa.Text())
    _add_column(conn, "items", "deadline", sa.Date())


def _one_current_submission(conn: Connection) -> None:
    """One current submission per unit and period, enforced by the database (a partial unique index).

    Databases shared by two workspaces could end with two current submissions of a unit and period;
    the later (highest id) stays current and supersedes the others, so the index can be built.
    """
    conn.exec_driver_sql(
        "UPDATE submissions SET is_current = false, superseded_by = ("
        "  SELECT max(later.id) FROM submissions later"
        "  WHERE later.period = submissions.period AND later.unit_id = submissions.unit_id AND later.is_current)"
        " WHERE is_current AND id < ("
        "  SELECT max(later.id) FROM submissions later"
        "  WHERE later.period = submissions.period AND later.unit_id = submissions.unit_id AND later.is_current)")
    if conn.dialect.name in ("sqlite", "postgresql"):    # where partial indexes exist
        conn.exec_driver_sql("CREATE UNIQUE INDEX uq_submissions_current ON submissions (period, unit_id) "
                             "WHERE is_current")


def _office_columns(conn: Connection) -> None:
    _add_column(conn, "templates", "columns", sa.JSON(none_as_null=True))
    _add_column(conn, "submission_rows", "extra", sa.JSON(none_as_null=True))


def _item_parts(conn: Connection) -> None:
    """Sections nest (一、/（一）): an item's part path is its section and the sections above it.
    Rows stored before have no parent, so their path is their section alone."""
    _add_column(conn, "sections", "parent_id", sa.Integer())


def _web_links(conn: Connection) -> None:
    """Units' upload links and the uploads bound to them (``ledger serve``), as released: the two
    tables are spelled out here, beside stand-ins for the tables they refer to (never created)."""
    frozen = sa.MetaData()
    for name in ("units", "intake"):
        sa.Table(name, frozen, sa.Column("id", sa.Integer, primary_key=True))
    links = sa.Table(
        "unit_links", frozen,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime()),
    )
    ups = sa.Table(
        "uploads", frozen,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("unit_links.id"), nullable=False),
        sa.Column("inbox_name", sa.Text, nullable=False, unique=True),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("intake_id", sa.Integer, sa.ForeignKey("intake.id")),
    )
    links.create(conn)
    ups.create(conn)


def _identities(conn: Connection) -> None:
    from ledger.store import migration_0007

    migration_0007.apply(conn)


def _late_corrections(conn: Connection) -> None:
    """Late corrections: which submission a correction replaces, the office's review of it, and the
    time its month's timeliness keeps counting. Frozen DDL as released."""
    timestamp = "TIMESTAMP WITHOUT TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    for column, kind in (("correction_of", "INTEGER"), ("review", "VARCHAR(16)"),
                         ("counted_at", timestamp), ("decided_at", timestamp)):
        conn.exec_driver_sql(f"ALTER TABLE submissions ADD COLUMN {column} {kind}")


def _office_accounts(conn: Connection) -> None:
    """Named office accounts and server-side sessions, as first released (frozen DDL)."""
    frozen = sa.MetaData()
    sa.Table("users", frozen,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.Text, nullable=False, unique=True),
             sa.Column("role", sa.String(16), nullable=False),
             sa.Column("password_hash", sa.Text, nullable=False),
             sa.Column("created_at", sa.DateTime, nullable=False),
             sa.Column("password_changed_at", sa.DateTime, nullable=False),
             sa.Column("disabled_at", sa.DateTime))
    sa.Table("office_sessions", frozen,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
             sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
             sa.Column("password_tag", sa.String(64)),
             sa.Column("created_at", sa.DateTime, nullable=False),
             sa.Column("expires_at", sa.DateTime, nullable=False),
             sa.Column("ended_at", sa.DateTime),
             sa.Column("ended_why", sa.String(16)))
    frozen.create_all(conn)


def _reviews(conn: Connection) -> None:
    """The office's review of accepted submissions, as first released (frozen DDL)."""
    frozen = sa.MetaData()
    sa.Table("submissions", frozen, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("units", frozen, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table("reviews", frozen,
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, unique=True),
                     sa.Column("period", sa.String(7), nullable=False),
                     sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
                     sa.Column("decision", sa.String(16), nullable=False),
                     sa.Column("by_name", sa.Text, nullable=False),
                     sa.Column("at", sa.DateTime, nullable=False),
                     sa.Column("comment", sa.Text, nullable=False),
                     sa.Column("items", sa.JSON, nullable=False),
                     sa.Index("ix_reviews_period_unit", "period", "unit_id"))
    table.create(conn)


def _period_locks(conn: Connection) -> None:
    """Months locked as final (终版), as first released (frozen DDL)."""
    sa.Table("period_locks", sa.MetaData(),
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("period", sa.String(7), nullable=False, index=True),
             sa.Column("action", sa.String(8), nullable=False),
             sa.Column("by_name", sa.Text, nullable=False),
             sa.Column("at", sa.DateTime, nullable=False),
             sa.Column("reason", sa.Text, nullable=False)).create(conn)


def _signoffs(conn: Connection) -> None:
    """Evidence and sign-off of finished items, as first released (frozen DDL)."""
    frozen = sa.MetaData()
    sa.Table("units", frozen, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("signoffs", frozen,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("item_number", sa.Text, nullable=False, index=True),
             sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id")),
             sa.Column("action", sa.String(16), nullable=False),
             sa.Column("by_name", sa.Text, nullable=False),
             sa.Column("at", sa.DateTime, nullable=False),
             sa.Column("comment", sa.Text, nullable=False),
             sa.Column("file_name", sa.Text),
             sa.Column("stored_path", sa.Text),
             sa.Column("sha256", sa.String(64)),
             sa.Column("size", sa.Integer)).create(conn)


def _unit_contacts(conn: Connection) -> None:
    """Units' contacts (联系人, 手机, 邮箱), several per unit: the table as released (frozen DDL)."""
    frozen = sa.MetaData()
    sa.Table("units", frozen, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "unit_contacts", frozen,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
    ).create(conn)


def _outbox(conn: Connection) -> None:
    """The reminders' outbox: every message recorded before it is sent (frozen DDL as released)."""
    frozen = sa.MetaData()
    sa.Table("units", frozen, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "outbox", frozen,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dedupe_key", sa.String(255), nullable=False, unique=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id")),
        sa.Column("unit_name", sa.Text, nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("next_try_at", sa.DateTime, nullable=False),
        sa.Column("claimed_at", sa.DateTime),
        sa.Column("sent_at", sa.DateTime),
        sa.Index("ix_outbox_period_state", "period", "state"),
    ).create(conn)


def _escalations(conn: Connection) -> None:
    """督办单 (``ledger escalate``): the table as first released, frozen here."""
    frozen = sa.MetaData()
    sa.Table("units", frozen, sa.Column("id", sa.Integer, primary_key=True))
    table = sa.Table(
        "escalations", frozen,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("colour", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("dedupe_key", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("reply_due", sa.Date, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("reply", sa.Text),
        sa.Column("reply_file", sa.Text),
        sa.Column("replied_at", UTCDateTime()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("comment", sa.Text),
        sa.Column("closed_by", sa.Text),
        sa.Column("escalated_from", sa.Integer),
        sa.Column("escalated_to", sa.Integer),
        sa.UniqueConstraint("year", "seq", name="uq_escalations_number"),
        sa.Index("ix_escalations_period_unit", "period", "unit_id"),
    )
    table.create(conn)


def _submission_source(conn: Connection) -> None:
    """Submissions say where their values came from (NULL: a returned workbook; "imported": the
    progress columns of a 推进情况表 at plan import). Frozen DDL, as released."""
    conn.exec_driver_sql("ALTER TABLE submissions ADD COLUMN source VARCHAR(16)")


def _signoff_lineage(conn: Connection) -> None:
    """Sign-off rows name their item by lineage, not by number: a plan renumbered, or numbered again
    in each part, no longer moves a sign-off to another task. Existing rows get the lineage of the item
    the number named in the plan in force when the row was written. Frozen DDL, as released."""
    conn.exec_driver_sql("ALTER TABLE signoffs ADD COLUMN item_lineage INTEGER")
    conn.exec_driver_sql("CREATE INDEX ix_signoffs_item_lineage ON signoffs (item_lineage)")
    plans = sa.table("plans", sa.column("id"), sa.column("version"), sa.column("created_at"))
    items = sa.table("items", sa.column("id"), sa.column("plan_id"), sa.column("number"), sa.column("lineage"))
    signoffs = sa.table("signoffs", sa.column("id"), sa.column("item_number"), sa.column("at"),
                        sa.column("item_lineage"))
    versions = conn.execute(sa.select(plans.c.id, plans.c.created_at).order_by(plans.c.version)).all()
    if not versions:
        return
    lineage: dict[tuple[int, str], int] = {}
    for item_id, plan_id, number, line in conn.execute(sa.select(items.c.id, items.c.plan_id, items.c.number,
                                                                 items.c.lineage).order_by(items.c.id)):
        lineage.setdefault((plan_id, number), line or item_id)      # the first item of that number
    for row_id, number, at in conn.execute(sa.select(signoffs.c.id, signoffs.c.item_number, signoffs.c.at)).all():
        in_force = [pid for pid, created in versions if created is None or at is None or created <= at]
        plan_id = in_force[-1] if in_force else versions[-1][0]
        found = lineage.get((plan_id, number))
        if found is not None:
            conn.execute(signoffs.update().where(signoffs.c.id == row_id).values(item_lineage=found))


# Named migrations, applied in order; a step's name is recorded once it has run. A step is never
# changed once released, and none reads the tables declared above: 0001 builds the tables as first
# released (a frozen copy), later steps spell out the DDL of their release, so old and new
# workspaces end with the same schema, the one declared above (tests/store/test_schema.py), and a
# new step may alter any table an earlier one made (tests/store/test_migrations.py).
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _initial),
    ("0002_item_deadlines", _item_deadlines),
    ("0003_one_current_submission", _one_current_submission),
    ("0004_office_columns", _office_columns),
    ("0005_item_parts", _item_parts),
    ("0006_web_links", _web_links),
    ("0007_identities", _identities),
    ("0008_late_corrections", _late_corrections),
    ("0009_office_accounts", _office_accounts),
    ("0010_reviews", _reviews),
    ("0011_period_locks", _period_locks),
    ("0012_signoffs", _signoffs),
    ("0013_unit_contacts", _unit_contacts),
    ("0014_outbox", _outbox),
    ("0015_escalations", _escalations),
    ("0016_submission_source", _submission_source),
    ("0017_signoff_lineage", _signoff_lineage),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def migrate(engine: Engine) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    applied: list[str] = []
    with engine.begin() as conn:
        migration_0001.schema_info.create(conn, checkfirst=True)    # as released: never today's
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
