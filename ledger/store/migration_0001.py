"""Migration 0001_initial: the tables exactly as they were when the schema was first released.

Frozen on purpose: this copy must never follow later changes to ``ledger.store.schema``, so that a
database made by this step is the database every later step was written against. Column types and
the layout-derived columns of submitted rows are spelled out rather than derived.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

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
    sa.Index("ix_submissions_period_unit", "period", "unit_id", "is_current"),
)


submission_rows = sa.Table(
    "submission_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
    sa.Column("role", sa.String(8), nullable=False),
    sa.Column("progress", sa.Text),
    sa.Column("status", sa.Text),
    sa.Column("percent", sa.Integer),
    sa.Column("problems", sa.Text),
    sa.Column("next_steps", sa.Text),
    sa.Column("person", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("remarks", sa.Text),
    sa.Column("raw", sa.JSON(none_as_null=True)),  # values as typed where normalised; NULL when none were
)

target_rows = sa.Table(   # the 指标 sheet of an accepted submission: one row per target
    "target_rows", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True),
    sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id"), nullable=False),
    sa.Column("achieved", sa.Float),
    sa.Column("note", sa.Text),
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


def apply(conn: Connection) -> None:
    metadata.create_all(conn)
