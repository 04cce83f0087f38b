"""Items against their 完成时限 in ``ledger status`` and the report: 逾期未完成 and 下月到期, named."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from report_scenario import build_scenario

from ledger.cli import cli
from ledger.report.deadlines import one_month_after, period_end, watch
from ledger.store import schema as s
from ledger.store.plans import load_plan


@dataclass
class Item:
    id: int
    deadline: date | None
    number: str = "1"
    title: str = "任务"
    section_number: str = ""
    lead: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    deadline_text: str = ""


@pytest.mark.parametrize("deadline, status, kind", [
    (date(2024, 6, 30), "滞后", "overdue"),
    (date(2024, 6, 30), "未报送", "overdue"),
    (date(2024, 6, 30), "已完成", None),
    (date(2024, 7, 31), "序时推进", "due_soon"),      # due on the day the period ends: not yet overdue
    (date(2024, 8, 31), "序时推进", "due_soon"),
    (date(2024, 9, 1), "序时推进", None),
    (None, "滞后", None),                              # 持续推进: no date, never overdue
])
def test_which_items_are_overdue_or_due_soon(deadline, status, kind):
    result = watch([Item(1, deadline)], {1: status}, date(2024, 7, 31))
    found = "overdue" if result.overdue else "due_soon" if result.due_soon else None
    assert found == kind


def test_an_item_nobody_reported_counts_as_not_done():
    result = watch([Item(1, date(2024, 6, 1))], {}, date(2024, 7, 31))
    assert [(d.status, d.days) for d in result.overdue] == [("未报送", 60)]


@pytest.mark.parametrize("day, after", [(date(2024, 6, 30), date(2024, 7, 31)), (date(2024, 1, 31), date(2024, 2, 29)),
                                        (date(2024, 12, 31), date(2025, 1, 31)), (date(2024, 3, 15), date(2024, 4, 15))])
def test_one_month_after(day, after):
    assert one_month_after(day) == after


def test_period_end():
    assert period_end("2024-02") == date(2024, 2, 29)


DEADLINES = {   # item number -> (完成时限 as written, date); July: 1 已完成, 2 滞后, 3 严重滞后, 5 未报送, 6 超序时
    "1": ("2024年6月底", date(2024, 6, 30)),
    "2": ("2024年6月底", date(2024, 6, 30)),
    "3": ("2024年8月15日前", date(2024, 8, 15)),
    "4": ("持续推进", None),
    "5": ("2024年9月底", date(2024, 9, 30)),
    "6": ("7月底前", date(2024, 7, 31)),
}


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    ws = build_scenario(tmp_path_factory.mktemp("deadlines") / "ws")
    plan = load_plan(ws.engine)
    with ws.engine.begin() as conn:
        for item in plan.items:
            text, when = DEADLINES[item.number]
            conn.execute(sa.update(s.items).where(s.items.c.id == item.id).values(deadline_text=text, deadline=when))
            if item.number == "2":
                conn.execute(sa.update(s.items).where(s.items.c.id == item.id).values(leaders=["王五"]))
    return ws


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


def test_status_names_overdue_and_due_items(dated):
    result = run(dated, "status", "--period", "2024-07")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("逾期未完成（1 项）：")
    assert lines[at - 1] == "截至 7月31日，逾期未完成的任务 1 项，下月（8月31日前）到期未完成的任务 2 项。"
    assert lines[at + 1] == "  2 招商引资B（完成时限 2024年6月底（6月30日），牵头 商务局、发改局，责任领导 王五，本期 滞后）"
    assert lines[at + 2] == "下月到期（2 项）："
    assert lines[at + 3].startswith("  6 养老服务F（完成时限 7月底前（7月31日）")
    assert lines[at + 4].startswith("  3 产业升级C（完成时限 2024年8月15日前（8月15日），牵头 工信局，本期 严重滞后）")


def test_status_json_gives_the_deadlines(dated):
    out = json.loads(run(dated, "status", "--period", "2024-07", "--json").output)
    watch_ = out["deadlines"]
    assert watch_["as_of"] == "2024-07-31"
    assert [(d["number"], d["deadline"], d["status"], d["days"]) for d in watch_["overdue"]] == [
        ("2", "2024-06-30", "滞后", 31)]
    assert [(d["number"], d["days"]) for d in watch_["due_soon"]] == [("6", 0), ("3", 15)]


@pytest.mark.slow
def test_the_report_has_a_sheet_of_them(dated):
    result = run(dated, "report", "--period", "2024-07")
    assert result.exit_code == 0, result.output
    assert "  逾期未完成（1 项）：" in result.output.splitlines()
    path = next((dated.outbox_dir / "reports" / "2024-07").glob("*.xlsx"))
    wb = openpyxl.load_workbook(path)
    rows = [[c.value for c in r] for r in wb["逾期与到期"].iter_rows(min_row=4) if r[0].value]
    assert [(r[1], r[3], r[4], r[6], r[8], r[9]) for r in rows] == [
        ("逾期未完成", "2", "招商引资B", "王五", "滞后", "已逾期 31 天"),
        ("下月到期", "6", "养老服务F", None, "超序时", "还有 0 天"),
        ("下月到期", "3", "产业升级C", None, "严重滞后", "还有 15 天")]
    overview = " ".join(str(c.value) for r in wb["总体情况"].iter_rows() for c in r if c.value)
    assert "逾期未完成的任务 1 项" in overview and "详见“逾期与到期”" in overview


@pytest.mark.slow
def test_a_plan_without_dated_deadlines_has_no_such_sheet(tmp_path):
    ws = build_scenario(tmp_path / "ws")
    result = run(ws, "report", "--period", "2024-07")
    assert result.exit_code == 0, result.output
    path = next((ws.outbox_dir / "reports" / "2024-07").glob("*.xlsx"))
    assert "逾期与到期" not in openpyxl.load_workbook(path).sheetnames
    assert "逾期未完成" not in run(ws, "status", "--period", "2024-07").output
