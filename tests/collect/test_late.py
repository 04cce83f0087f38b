"""Late corrections: a file replacing a reported month after its deadline is a decision, never an accident."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ledger.cli import cli as ledger_cli
from ledger.collect.intake import collect_inbox
from ledger.report import make_report, period_status
from ledger.template.generate import generate_templates
from tests.conftest import fill_all

CST = timezone(timedelta(hours=8))
UNIT = "县科技局"


def send(ws, tmp_path: Path, when: datetime, name: str, **overrides) -> None:
    """UNIT's July template filled (with overrides), arriving at ``when``, collected then."""
    filled = fill_all(ws.templates_dir / "2024-07" / f"2024-07_{UNIT}.xlsx", tmp_path / name, **overrides)
    arrive(ws, filled, when)


def arrive(ws, path: Path, when: datetime):
    target = ws.inbox_dir / path.name
    target.write_bytes(path.read_bytes())
    os.utime(target, (when.timestamp(), when.timestamp()))
    result = collect_inbox(ws, now=when + timedelta(hours=1))
    (only,) = result.files
    return only


def unit_status(ws) -> dict:
    return next(u for u in period_status(ws, "2024-07").to_dict()["units"] if u["unit"] == UNIT)


def progress_reported(ws) -> set[str]:
    report = make_report(ws, "2024-07")
    return {e.progress for e in report.report.entries if e.unit == UNIT}


def cli(ws, *args):
    result = CliRunner().invoke(ledger_cli, ["-w", str(ws.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def reported(planned, tmp_path):
    """UNIT reported July on 3 August; the July report was made."""
    generate_templates(planned, "2024-07")
    send(planned, tmp_path, datetime(2024, 8, 3, 10, tzinfo=CST), "first.xlsx", progress="七月进展。")
    make_report(planned, "2024-07")
    return planned


def test_a_late_correction_waits_for_the_office_and_never_changes_timeliness(reported, tmp_path):
    send(reported, tmp_path, datetime(2024, 9, 4, 9, tzinfo=CST), "late.xlsx", progress="更正后的进展。")
    status = unit_status(reported)
    assert (status["outcome"], status["submitted_at"][:10]) == ("on_time", "2024-08-03")
    assert status["correction_pending"] and status["corrected_at"] is None
    assert progress_reported(reported) == {"七月进展。"}           # the month stays as reported
    held = json.loads(cli(reported, "corrections", "list", "--json"))["corrections"]
    assert [(c["unit"], c["period"], c["review"]) for c in held] == [(UNIT, "2024-07", "pending")]
    assert held[0]["received_at"] == "2024-09-04T09:00:00+08:00"
    assert held[0]["corrects_received_at"] == "2024-08-03T10:00:00+08:00"
    out = cli(reported, "corrections", "accept", str(held[0]["id"]))
    assert "已采纳" in out
    status = unit_status(reported)
    assert (status["outcome"], status["submitted_at"][:10]) == ("on_time", "2024-08-03")
    assert status["corrected_at"].startswith("2024-09-04") and not status["correction_pending"]
    assert progress_reported(reported) == {"更正后的进展。"}
    result = make_report(reported, "2024-07")
    from docx import Document
    text = "\n".join(p.text for p in Document(str(result.bulletin)).paragraphs)
    assert f"{UNIT}（更正于 2024年9月4日 09:00）" in text
    assert json.loads(cli(reported, "corrections", "list", "--json"))["corrections"] == []


def test_the_unit_is_told_its_correction_is_held(reported, tmp_path):
    filled = fill_all(reported.templates_dir / "2024-07" / f"2024-07_{UNIT}.xlsx", tmp_path / "late.xlsx",
                      progress="更正后的进展。")
    outcome = arrive(reported, filled, datetime(2024, 9, 4, 9, tzinfo=CST))
    assert outcome.outcome == "accepted"
    assert [f.code for f in outcome.findings] == ["late-correction-held"]
    assert "待督查室审核" in outcome.findings[0].message


def test_a_refused_correction_leaves_the_month(reported, tmp_path):
    send(reported, tmp_path, datetime(2024, 9, 4, 9, tzinfo=CST), "late.xlsx", progress="更正后的进展。")
    (held,) = json.loads(cli(reported, "corrections", "list", "--json"))["corrections"]
    done = json.loads(cli(reported, "corrections", "refuse", str(held["id"]), "--json"))["correction"]
    assert (done["review"], done["received_at"]) == ("refused", "2024-09-04T09:00:00+08:00")
    assert progress_reported(reported) == {"七月进展。"}
    status = unit_status(reported)
    assert status["corrected_at"] is None and not status["correction_pending"]


def test_refuse_mode_returns_the_file_and_accept_mode_replaces_flagged(reported, tmp_path):
    reported.set_setting("collect.late_corrections", "refuse")
    filled = fill_all(reported.templates_dir / "2024-07" / f"2024-07_{UNIT}.xlsx", tmp_path / "late.xlsx",
                      progress="更正后的进展。")
    outcome = arrive(reported, filled, datetime(2024, 9, 4, 9, tzinfo=CST))
    assert outcome.outcome == "rejected" and "late-correction-refused" in [f.code for f in outcome.findings]
    assert unit_status(reported)["outcome"] == "on_time" and progress_reported(reported) == {"七月进展。"}
    reported.set_setting("collect.late_corrections", "accept")
    filled = fill_all(reported.templates_dir / "2024-07" / f"2024-07_{UNIT}.xlsx", tmp_path / "late2.xlsx",
                      progress="再次更正。")
    outcome = arrive(reported, filled, datetime(2024, 9, 5, 9, tzinfo=CST))
    assert outcome.outcome == "accepted"
    [told] = [f for f in outcome.findings if f.code.startswith("late-correction")]   # content checks may add 提示
    assert (told.code, told.severity) == ("late-correction-accepted", "warning")
    assert "已替换原报送并标注“更正”" in told.message
    status = unit_status(reported)
    assert (status["outcome"], status["corrected_at"][:10]) == ("on_time", "2024-09-05")
    assert progress_reported(reported) == {"再次更正。"}


def test_resending_the_same_values_is_a_duplicate_whatever_the_bytes(reported, tmp_path):
    first = tmp_path / "first.xlsx"
    resaved = tmp_path / "resaved.xlsx"
    wb = openpyxl.load_workbook(first)                    # opened and saved again: other bytes
    wb.properties.lastModifiedBy = "科技局办公室"
    wb.save(resaved)
    assert resaved.read_bytes() != first.read_bytes()
    outcome = arrive(reported, resaved, datetime(2024, 9, 4, 9, tzinfo=CST))
    assert outcome.outcome == "duplicate" and [f.code for f in outcome.findings] == ["file-same-values"]
    status = unit_status(reported)
    assert (status["outcome"], status["submitted_at"][:10], status["correction_pending"]) == ("on_time", "2024-08-03", False)


def test_a_correction_before_the_deadline_simply_replaces(planned, tmp_path):
    generate_templates(planned, "2024-07")
    send(planned, tmp_path, datetime(2024, 8, 2, 10, tzinfo=CST), "first.xlsx", progress="初稿。")
    make_report(planned, "2024-07")
    send(planned, tmp_path, datetime(2024, 8, 4, 10, tzinfo=CST), "second.xlsx", progress="定稿。")
    status = unit_status(planned)
    assert status["submitted_at"][:10] == "2024-08-04" and status["corrected_at"] is None
    assert progress_reported(planned) == {"定稿。"}
