"""How a template identifies itself, in three places that survive real spreadsheet clients.

The template id, plan version, period, unit and layout version are written as strings in custom
document properties, in the hidden ``_meta`` sheet and in a defined name; each row (of the 台账
and the 指标 sheet) carries a key; one digest of the locked plan cells of both sheets detects
edits to them.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields

PROPERTY_PREFIX = "ledger_"
NAME_PREFIX = "ledger:"


@dataclass(frozen=True)
class Identity:
    template_id: str
    plan_version: str
    period: str
    unit: str
    layout_version: str
    digest: str

    def properties(self) -> dict[str, str]:
        """Custom document properties, all strings."""
        return {PROPERTY_PREFIX + k: str(v) for k, v in asdict(self).items()}

    def encode(self) -> str:
        """The defined-name value: ``ledger:template_id=…;plan_version=…``."""
        return NAME_PREFIX + ";".join(f"{k}={v}" for k, v in asdict(self).items() if k != "digest")

    @classmethod
    def from_mapping(cls, data: dict[str, str], prefix: str = "") -> "Identity | None":
        values = {}
        for f in fields(cls):
            value = data.get(prefix + f.name)
            if value is None:
                return None
            values[f.name] = _as_text(value)
        return cls(**values)

    @classmethod
    def decode(cls, text: str, digest: str = "") -> "Identity | None":
        text = text.strip().lstrip("=").strip('"')
        if not text.startswith(NAME_PREFIX):
            return None
        pairs = dict(p.split("=", 1) for p in text[len(NAME_PREFIX):].split(";") if "=" in p)
        return cls.from_mapping(pairs | {"digest": digest})


def _as_text(value: object) -> str:
    """Clients turn numeric-looking strings into numbers (3 -> 3.0); undo that."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_key(item_id: int, role: str) -> str:
    return f"{item_id}-{role}"


def target_key(target_id: int) -> str:
    return f"{target_id}-target"


def plan_digest(rows: list[tuple[str, ...]]) -> str:
    """sha256 over each row's key and locked plan cells, as text."""
    text = "".join(["\x1f".join(row) + "\x1e" for row in rows])      # each row's cells, then its end
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
