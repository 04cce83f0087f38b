"""A year that holds: a revision, a renumbering, a rename and a merge change nothing of past months."""

from __future__ import annotations

import pytest
from year_scenario import PERIODS, Year, said

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Year:
    tmp = tmp_path_factory.mktemp("year")
    lived = Year(tmp / "ws")
    lived.live(tmp)
    return lived


def test_every_month_regenerated_at_the_end_says_what_it_said_then(year):
    for period in PERIODS:
        again = said(year.ws, period)
        for part in ("status", "summary", "bulletin", "cells", "file"):
            assert again[part] == year.at_the_time[period][part], (period, part)


def test_a_past_month_keeps_its_units_and_items_after_the_plan_changed(year):
    march = year.at_the_time["2024-03"]
    assert march["summary"]["items"] == 5 and march["summary"]["plan_version"] == 1
    units = {u["unit"]: u["outcome"] for u in march["status"]["units"]}
    assert set(units) == {"县甲局", "县乙局", "县丙局", "县丁局", "县戊局"}
    assert units["县戊局"] == "on_time" and units["县丙局"] == "on_time" and units["县丁局"] == "on_time"
    february = {u["unit"]: u["outcome"] for u in year.at_the_time["2024-02"]["status"]["units"]}
    assert february["县戊局"] == "missing" and february["县丁局"] == "late"
    june = year.at_the_time["2024-06"]
    assert {u["unit"] for u in june["status"]["units"]} == {"县甲乙局", "县丙中心", "县丁局"}
    assert june["summary"]["items"] == 5 and june["summary"]["plan_version"] == 3


def test_lag_streaks_and_changes_follow_the_items_through_renumbering_rename_and_new_lead(year):
    # April: C (renumbered 3 -> 2) lags a third month, E (new lead 县丁局) a second: no new lag
    april = year.at_the_time["2024-04"]["summary"]
    assert april["consecutive_lagging"] == 2
    assert april["changes"]["新增滞后"] == 0
    # June: C reported by 县丙中心 (renamed from 县丙局) lags a fifth month; E is back on pace
    june = year.at_the_time["2024-06"]["summary"]
    assert june["consecutive_lagging"] == 1 and june["changes"]["新增滞后"] == 0
    cells = year.at_the_time["2024-08"]["cells"]
    assert any("连续滞后7个月" in str(v) for rows in cells.values() for row in rows for v in row), \
        "C lagged from February to August"


def comments(path) -> dict[str, str]:
    """The 台账 rows' 工作任务 titles -> every comment on the row."""
    import openpyxl

    from ledger import layout

    sheet = openpyxl.load_workbook(path)[layout.LEDGER_SHEET]
    out = {}
    for row in sheet.iter_rows(min_row=layout.FIRST_DATA_ROW):
        notes = " ".join(c.comment.text for c in row if c.comment)
        key = " ".join(str(c.value) for c in row[:6] if c.value is not None)
        out[key] = notes
    return out


def test_carry_forward_follows_the_item_and_the_unit(year):
    april = comments(year.templates["2024-04"] / "2024-04_县丙局.xlsx")
    assert [n for k, n in april.items() if "升级C" in k] == [next(n for n in april.values() if "C3月进展" in n)]
    assert not any("B3月进展" in n for n in april.values())       # the deleted item's history moves nowhere
    june = comments(year.templates["2024-06"] / "2024-06_县丙中心.xlsx")
    assert any("C5月进展" in n for k, n in june.items() if "升级C" in k)
    merged = comments(year.templates["2024-06"] / "2024-06_县甲乙局.xlsx")
    assert any("A5月进展" in n for k, n in merged.items() if "推进A" in k)
    assert any("F5月进展" in n for k, n in merged.items() if "养老F" in k)
    lead = comments(year.templates["2024-05"] / "2024-05_县丁局.xlsx")
    assert any("E4月进展" in n for k, n in lead.items() if "医疗E" in k)


def test_plan_load_says_what_changed_and_the_next_report_says_the_plan_was_revised(year):
    for out in (year.dry_run, year.loads["2024-04"]):
        assert "与第 1 版相比：新增任务 1 项，删除任务 1 项，调整编号 1 项，修改名称 1 项，调整责任单位 1 项；县戊局不再承担任务" in out
        for line in ("新增任务：二3 养老F", "删除任务：一2 招商B", "调整编号：升级C（一3 → 一2）",
                     "修改名称：二1“教育D” → “教育提质D”", "调整责任单位：二2 医疗E（牵头 县戊局 → 县丁局）"):
            assert line in out
    assert "养老F" not in year.dry_run.split("与第 1 版相比")[0]       # the whole plan is not reprinted
    june = year.loads["2024-06"]
    assert "单位更名或合并：县丙局 → 县丙中心" in june and "不再承担任务" not in june
    april = year.at_the_time["2024-04"]
    assert "调整为第 2 版，自本月起执行：新增任务 1 项，删除任务 1 项" in "".join(april["bulletin"])
    assert april["summary"]["revision"]["added"] == ["二3 养老F"]
    assert "县丙局并入县丙中心" in "".join(year.at_the_time["2024-06"]["bulletin"])
    for quiet in ("2024-03", "2024-05", "2024-07"):
        assert year.at_the_time[quiet]["summary"]["revision"] is None
        assert "调整为第" not in "".join(year.at_the_time[quiet]["bulletin"])


def test_the_year_view_equals_a_hand_count_and_the_sum_of_its_months(year):
    import json

    from click.testing import CliRunner

    from ledger.cli import cli

    result = CliRunner().invoke(cli, ["-w", str(year.ws.root), "report", "--year", "2024", "--no-pdf", "--json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["months"] == [f"2024-{m:02d}" for m in range(1, 13)]
    units = {u["unit"]: u for u in view["units"]}
    # by hand from the scenario: 县甲局 and 县乙局 (Jan-May) are 县甲乙局's history, 县丙局 县丙中心's
    assert {u: (x["expected"], x["on_time"], x["late"], x["missing"]) for u, x in units.items()} == {
        "县甲乙局": (17, 17, 0, 0), "县丙中心": (12, 12, 0, 0), "县丁局": (12, 10, 2, 0), "县戊局": (3, 2, 0, 1)}
    assert [e["reported_as"] for e in units["县丙中心"]["months"]["2024-03"]] == ["县丙局"]
    assert view["unit_totals"] == {"on_time": 41, "late": 2, "rejected": 0, "missing": 1}
    # the year's figures are the sum of its months' reports as they were made
    months = [year.at_the_time[p]["status"]["totals"] for p in view["months"]]
    assert view["unit_totals"] == {k: sum(m[k] for m in months) for k in ("on_time", "late", "rejected", "missing")}
    finished = {t["title"]: t["done_in"] for t in view["finished"]}
    assert finished == {"教育提质D": "2024-06", "推进A": "2024-10"}
    assert sorted(t["title"] for t in view["unfinished"]) == ["养老F", "医疗E", "升级C"]
    lagged = {t["title"]: t["months_lagging"] for t in view["tasks"]}
    assert lagged == {"推进A": 0, "招商B": 3, "升级C": 7, "教育提质D": 0, "医疗E": 3, "养老F": 0}
    assert (year.ws.root / view["file"]).is_file() and (year.ws.root / view["bulletin"]).is_file()
    from docx import Document
    text = "\n".join(p.text for p in Document(str(year.ws.root / view["bulletin"])).paragraphs)
    assert "2024年督查通报" in text and "升级C：序时推进，滞后 7 个月" in text


def test_a_quarter_status_and_its_json(year):
    import json

    from click.testing import CliRunner

    from ledger.cli import cli

    result = CliRunner().invoke(cli, ["-w", str(year.ws.root), "status", "--quarter", "2024Q1", "--json"])
    assert result.exit_code == 0, result.output
    q1 = json.loads(result.output)
    assert q1["months"] == ["2024-01", "2024-02", "2024-03"]
    assert q1["totals"] == {"on_time": 13, "late": 1, "rejected": 0, "missing": 1}
    table = CliRunner().invoke(cli, ["-w", str(year.ws.root), "status", "--quarter", "2024Q1"])
    assert table.exit_code == 0 and "县戊局" in table.output and "未报" in table.output


def test_a_new_lead_carries_its_former_leads_last_progress(year):
    # April: 医疗E's lead moved from 县戊局 to 县丁局; 县丁局's template notes 县戊局's March progress
    april = comments(year.templates["2024-04"] / "2024-04_县丁局.xlsx")
    assert any("E3月进展" in n for k, n in april.items() if "医疗E" in k)


@pytest.mark.parametrize("args, message", [
    (["status", "--year", "2030"], "2030年没有任何月份的记录"),
    (["report", "--quarter", "2024Q5"], "季度“2024Q5”无效，应写作 2024Q3"),
])
def test_a_span_without_records_or_written_wrongly_is_one_line(year, args, message):
    from click.testing import CliRunner

    from ledger.cli import cli

    result = CliRunner().invoke(cli, ["-w", str(year.ws.root), *args])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
