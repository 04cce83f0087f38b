"""考评 on a small month, worked out by hand from the rubric (defaults of [scoring]).

July 2024 of tests/supervise/scenario.py, after ``ledger escalate``:
  商务局  late (0.1); blue notice (no points)                                  100 - 0.1         = 99.9
  发改局  on time; red notice for task 1 overdue (0.5)                         100 - 0.5         = 99.5
  工信局  one file returned (0.1), 3 content findings (3 × 0.05), yellow (0.3)  100 - 0.55        = 99.45
  教育局  not reported (0.5); red notice for two periods missing (0.5)          100 - 1.0         = 99.0
June: only 教育局 loses points (not reported, 0.5), so the year to date July gives it 98.5.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.report.scores import score_units
from ledger.store.escalations import notices
from ledger.supervise.escalate import escalate
from ledger.supervise.replies import reply_notice
from tests.supervise.scenario import CST, build

ISSUED = datetime(2024, 8, 8, 9, tzinfo=CST)

pytestmark = pytest.mark.slow     # each builds a workspace with two months of templates (over a second)


@pytest.fixture
def ws(tmp_path):
    ws = build(tmp_path / "ws")
    escalate(ws, "2024-07", now=ISSUED)
    return ws


def table(scores):
    return [(u.rank, u.unit, u.score) for u in scores.units]


def test_a_small_month_scores_as_a_clerk_computes_it(ws):
    scores = score_units(ws, "2024-07")
    assert table(scores) == [(1, "商务局", 99.9), (2, "发改局", 99.5), (3, "工信局", 99.45), (4, "教育局", 99.0)]
    why = {u.unit: [(d.reason, d.points, d.item) for d in u.deductions] for u in scores.units}
    assert why["商务局"] == [("逾期报送（08月07日报送，截止08月05日）", -0.1, "")]
    assert [p for _, p, _ in why["工信局"]] == [-0.1, -0.05, -0.05, -0.05, -0.3]
    assert why["工信局"][0][2] == "2024-07_工信局.xlsx" and why["工信局"][-1][2] == "督办〔2024〕3号"
    assert [r for r, _, _ in why["教育局"]] == ["2024年7月台账未报送", "收到红色督办单"]


def test_recomputing_gives_the_same_numbers_and_a_late_reply_costs_points(ws):
    first = score_units(ws, "2024-07").to_dict()
    assert score_units(ws, "2024-07").to_dict() == first
    blue = next(n for n in notices(ws.engine) if n["unit"] == "商务局")
    reply_notice(ws, "商务局", blue["id"], "已倒排工期。", now=ISSUED + timedelta(days=8))     # one day late
    later = {u.unit: u for u in score_units(ws, "2024-07").units}
    assert later["商务局"].score == 99.7
    assert later["商务局"].deductions[-1].reason == "督办单逾期反馈（反馈时限 08月15日）"


def test_the_year_to_date_takes_every_deduction_from_one_base(ws):
    year = score_units(ws, "2024-07", year=True)
    assert year.periods == ["2024-06", "2024-07"]
    assert dict((u.unit, u.score) for u in year.units)["教育局"] == 98.5
    assert [d.period for d in next(u for u in year.units if u.unit == "教育局").deductions] == ["2024-06", "2024-07", "2024-07"]


def test_the_rubric_is_the_setting(ws):
    ws.set_setting("scoring.late", 2)
    assert dict((u.unit, u.score) for u in score_units(ws, "2024-07").units)["商务局"] == 98.0


def test_score_json_has_the_documented_shape(ws):
    out = CliRunner().invoke(cli, ["-w", str(ws.root), "score", "--period", "2024-07", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["schema_version"] == 1 and data["period"] == "2024-07"
    first = data["units"][0]
    assert set(first) == {"unit", "score", "rank", "deductions"}
    assert first == {"unit": "商务局", "score": 99.9, "rank": 1, "deductions": [
        {"reason": "逾期报送（08月07日报送，截止08月05日）", "points": -0.1, "period": "2024-07", "item": ""}]}
    text = CliRunner().invoke(cli, ["-w", str(ws.root), "score", "--period", "2024-07"])
    assert text.exit_code == 0 and "99.45" in text.output


def test_the_report_has_a_score_sheet_with_every_deduction_and_the_bulletin_a_roll_only_when_asked(ws):
    import docx
    import openpyxl

    from ledger.report import make_report
    from tests.report.test_workbook import rows_after

    made = make_report(ws, "2024-07")
    rows = rows_after(openpyxl.load_workbook(made.path)["考评"], "名次")
    assert [(r["名次"], r["单位"], r["得分"], r["扣分合计"]) for r in rows] == [
        (1, "商务局", 99.9, -0.1), (2, "发改局", 99.5, -0.5), (3, "工信局", 99.45, -0.55), (4, "教育局", 99, -1)]
    detail = rows[2]["扣分（加分）明细"].split("\n")
    assert len(detail) == 5 and detail[-1] == "收到黄色督办单（督办〔2024〕3号） -0.3"

    def bulletin() -> str:
        return "\n".join(p.text for p in docx.Document(str(made.bulletin)).paragraphs)

    assert "红榜" not in bulletin()                                   # off by default
    ws.set_setting("scoring.honour_roll", True)
    ws.set_setting("scoring.honour_roll_size", 1)
    made = make_report(ws, "2024-07")
    text = bulletin()
    assert "考评红黑榜" in text and "红榜：商务局（99.9 分）。" in text and "黑榜：教育局（99 分）。" in text
