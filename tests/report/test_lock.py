"""Writing the report or the reminders takes the workspace lock, like every other write."""

import pytest

from ledger.errors import LockedError
from ledger.report import make_report, period_status, write_reminders
from ledger.template.generate import generate_templates
from ledger.workspace import Workspace


def test_report_and_reminders_wait_for_no_one(planned):
    generate_templates(planned, "2024-07")
    other = Workspace(planned.root)
    status = period_status(other, "2024-07")
    with planned.lock():
        with pytest.raises(LockedError):
            make_report(other, "2024-07")
        with pytest.raises(LockedError):
            write_reminders(other, status)
    assert not (planned.outbox_dir / "reports").exists()
    assert make_report(other, "2024-07").path.is_file()
