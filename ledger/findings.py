"""Validation findings as data: typed records collected into a report.

A finding says what is wrong, where (sheet, cell, column) and how to fix it, in Chinese.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found in a submitted workbook (or in a review workbook)."""

    code: str                 # stable machine code, e.g. "status-unknown"
    severity: str             # ERROR or WARNING
    message: str              # Chinese, says what is wrong and how to fix it
    sheet: str | None = None
    cell: str | None = None   # A1 reference, e.g. "H7"
    column: str | None = None  # Chinese header of the column
    field: str | None = None  # layout key of the column
    value: Any = None         # the offending value as read
    row: int | None = None    # 1-based worksheet row

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["value"] is not None and not isinstance(data["value"], (str, int, float, bool)):
            data["value"] = str(data["value"])
        return data


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
