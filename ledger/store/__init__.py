"""The ledger store: SQLAlchemy Core tables, migrations and the queries over them."""

from ledger.store.schema import SCHEMA_VERSION, connect, metadata

__all__ = ["SCHEMA_VERSION", "connect", "metadata"]
