"""Unit outcomes against the deadline, totals, rejections and the 催报名单 workbook."""

from __future__ import annotations

import openpyxl
import pytest
from report_scenario import at, reject, row, submit

from ledger.errors import PlanNotFoundError
from ledger.period import current_period, previous_period
from ledger.report import UnknownPeriodError, period_status, write_reminders
from ledger.report.data import error_messages, resolve_period
from ledger.workspace import init_workspace

EXPECTED = {   # unit: (outcome, local time of the accepted submission)
    "发改局": ("on_time", "2024-08-03 10:00"),
    "财政局": ("on_time", "2024-08-04 09:00"),
    "商务局": ("late", "2024-08-06 01:00"),        # 2024-08-05 17:00 UTC: late in Beijing
    "工信局": ("on_time", "2024-08-05 23:30"),     # on the deadline day: on time
    "教育局": ("missing", None),
    "卫健局": ("rejected", None),
    "民政局": ("on_time", "2024-08-02 16:00"),
}


def _outcomes(report):
    return {u.unit.name: (u.outcome, u.submitted_at.strftime("%Y-%m-%d %H:%M") if u.submitted_at else None)
            for u in report.units}


def test_outcomes_against_deadline(shared_scenario):
    report = period_status(shared_scenario, "2024-07")
    assert _outcomes(report) == EXPECTED
    assert [u.unit.name for u in report.units] == list(EXPECTED)     # order of first mention in the plan
    assert report.deadline.isoformat() == "2024-08-05"
    assert report.as_of.strftime("%Y-%m-%d %H:%M %z") == "2024-08-06 01:00 +0800"


def test_collective_units_are_not_expected(shared_scenario):
    names = {u.unit.name for u in period_status(shared_scenario, "2024-07").units}
    assert "各镇" not in names


def test_item_counts_per_unit(shared_scenario):
    units = {u.unit.name: (u.unit.lead, u.unit.support) for u in period_status(shared_scenario, "2024-07").units}
    assert units["发改局"] == (2, 1)
    assert units["财政局"] == (0, 2)


def test_totals_and_rates(shared_scenario):
    totals = period_status(shared_scenario, "2024-07").totals
    assert totals.to_dict() == {"expected": 7, "reported": 5, "on_time": 4, "late": 1, "rejected": 1, "missing": 1,
                                "reporting_rate": round(5 / 7, 4), "on_time_rate": round(4 / 7, 4)}


def test_rejection_reason_shows_first_errors_with_cells(shared_scenario):
    status = next(u for u in period_status(shared_scenario, "2024-07").units if u.unit.name == "卫健局")
    assert status.rejection.messages == ["I5：“完成状态”不能为空", "J5：完成进度应为整数"]
    assert status.reason() == "2024年8月4日 15:00 收到的“卫健局台账.xlsx”被退回：I5：“完成状态”不能为空；J5：完成进度应为整数"


def test_resubmission_after_rejection_counts(scenario):
    submit(scenario, "2024-07", "卫健局", at("2024-08-07 09:00"), {"5": row("序时推进", 60)})
    assert _outcomes(period_status(scenario, "2024-07"))["卫健局"] == ("late", "2024-08-07 09:00")


def test_rejected_correction_keeps_the_accepted_submission(scenario):
    reject(scenario, "2024-07", "发改局", at("2024-08-08 09:00"), [("I4", "错误")])
    assert _outcomes(period_status(scenario, "2024-07"))["发改局"] == ("on_time", "2024-08-03 10:00")


def test_duplicate_after_rejection_stays_rejected(scenario):
    from ledger.store.plans import unit_id_for
    from ledger.store.submissions import record_intake

    with scenario.engine.begin() as conn:
        record_intake(conn, sha256="d" * 64, size=1, original_name="again.xlsx", outcome="duplicate",
                      period="2024-07", unit_id=unit_id_for(conn, "卫健局"))
    assert _outcomes(period_status(scenario, "2024-07"))["卫健局"] == ("rejected", None)


@pytest.mark.parametrize("findings, expected", [
    ([{"message": "甲", "cell": "A1", "severity": "error"}, {"message": "乙", "severity": "warning"}], ["A1：甲"]),
    ([{"message": f"错{i}"} for i in range(5)], ["错0", "错1", "错2"]),
    ("not a list", []),
    ([None, {"cell": "B2"}], []),
    ([{"message": "J6“完成进度(%)”：应为 0–100 的数字", "cell": "J6"}], ["J6“完成进度(%)”：应为 0–100 的数字"]),
])
def test_error_messages(findings, expected):
    assert error_messages(findings) == expected


def test_unknown_period(shared_scenario):
    with pytest.raises(UnknownPeriodError, match="2030年1月"):
        period_status(shared_scenario, "2030-01")


def test_no_plan(tmp_path):
    with pytest.raises(PlanNotFoundError):
        period_status(init_workspace(tmp_path / "empty"), "2024-07")


def test_default_period_is_last_month():
    assert resolve_period(None, "Asia/Shanghai") == previous_period(current_period("Asia/Shanghai"))
    assert resolve_period("2024-07", "UTC") == "2024-07"


def test_reminders_workbook(shared_scenario):
    report = period_status(shared_scenario, "2024-07")
    path = write_reminders(shared_scenario, report)
    assert path == shared_scenario.outbox_dir / "reminders" / "2024-07" / "催报名单.xlsx"
    sheet = openpyxl.load_workbook(path)["催报名单"]
    assert sheet["A3"].value == "序号"
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4, max_row=sheet.max_row)]
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [("卫健局", 1, 0, "退回待重报"), ("教育局", 1, 0, "未报送")]
    assert "I5：“完成状态”不能为空" in rows[0][5] and rows[0][5].endswith("请按退回意见修改后重新报送。")
    assert rows[1][5] == "尚未报送2024年7月工作台账（截止 2024年8月5日）。"
    assert rows[0][6] == "【牵头】5 医疗服务E"
    assert sheet.page_setup.orientation == "landscape"


def test_rejection_time_is_the_files_arrival_not_the_collect_run(scenario):
    """未报送单位名单 says when the file arrived, like every other time in the report: its inbox
    modification time, not the later collect run that took it in."""
    from ledger.store.plans import unit_id_for
    from ledger.store.submissions import record_intake

    arrived, collected = at("2024-08-06 08:30"), at("2024-08-07 09:00")
    with scenario.engine.begin() as conn:
        record_intake(conn, sha256="e" * 64, size=1, original_name="教育局台账.xlsx", outcome="rejected",
                      period="2024-07", unit_id=unit_id_for(conn, "教育局"), received_at=collected,
                      inbox_mtime_ns=int(arrived.timestamp() * 1e9),
                      findings=[{"message": "J6“完成进度(%)”：应为整数", "cell": "J6", "severity": "error"}])
    status = next(u for u in period_status(scenario, "2024-07").units if u.unit.name == "教育局")
    assert status.reason() == "2024年8月6日 08:30 收到的“教育局台账.xlsx”被退回：J6“完成进度(%)”：应为整数"
