"""Validation findings as data: typed records collected into a report.

A finding says what is wrong, where (sheet, cell, column) and how to fix it, in Chinese. Findings are
made from their code's declaration in the catalogue (``ledger.codes``), never here.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Iterable

ERROR = "error"
WARNING = "warning"
SEPARATORS = "：:，,；; "


@dataclass(frozen=True)
class Finding:
    """One problem found in a submitted workbook (or in a review workbook)."""

    code: str                 # stable machine code, e.g. "status-unknown"
    severity: str             # ERROR or WARNING
    message: str              # Chinese, the whole sentence: what is wrong, then how to fix it
    sheet: str | None = None
    cell: str | None = None   # A1 reference, e.g. "H7"
    column: str | None = None  # Chinese header of the column
    field: str | None = None  # layout key of the column
    value: Any = None         # the offending value as read
    row: int | None = None    # 1-based worksheet row
    fix: str = ""             # how to fix it, as its code declares (the tail of message)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        """A finding as stored (``to_dict``); keys a later release may add are left out."""
        return cls(**{k: v for k, v in data.items() if k in _FIELDS})

    @property
    def problem_alone(self) -> str:
        """The problem without the place it begins with (``K4“完成状态”：``), for a table that shows
        sheet, cell and column in columns of their own."""
        if not self.cell:
            return self.problem
        return _PLACE.sub("", self.problem, count=1) or self.problem

    @property
    def problem(self) -> str:
        """What is wrong: the message without its declared fix (the whole message when it has none)."""
        if self.fix and self.message.endswith(self.fix):
            return self.message[: -len(self.fix)].rstrip(SEPARATORS) or self.message
        return self.message

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["value"] is not None and not isinstance(data["value"], (str, int, float, bool)):
            data["value"] = str(data["value"])
        return data


_FIELDS = {f.name for f in fields(Finding)}
# the place a message begins with: “指标”工作表I4“本年累计完成值”： or K4“完成状态”：
_PLACE = re.compile(r"^(“[^”]*”工作表)?[A-Z]{1,3}[0-9]+(“[^”]*”)?[：:]\s*")


@dataclass
class Report:
    """Findings of one workbook; valid when no finding is an error."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }
