"""Column types and defaults shared by the declared tables and the frozen migrations."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa


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
