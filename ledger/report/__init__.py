"""Status and the consolidated monthly workbook: who has reported, and how the plan is going.

``period_status`` and ``write_reminders`` back ``ledger status``; ``make_report`` backs
``ledger report``. Merge rules live apart from I/O in ``ledger.report.merge``.
"""

from ledger.report.build import Consolidated, ReportResult, consolidate, make_report, report_path
from ledger.report.data import UnknownPeriodError
from ledger.report.status import StatusReport, UnitStatus, period_status, reminders_path, write_reminders

__all__ = [
    "Consolidated", "ReportResult", "StatusReport", "UnitStatus", "UnknownPeriodError",
    "consolidate", "make_report", "period_status", "reminders_path", "report_path", "write_reminders",
]
