"""指标完成情况: the pure target rules, and the sheet of a small scenario with known answers.

Scenario, period 2024-06 (序时进度 50 %, lag tolerance 20 points: on pace from 30 %), stored under
plan version 1 and reported against version 2 (same items and targets, new ids):
  1 推进项目A  新开工项目 ≥ 10 个      发改局 12                       -> 已达标 120 %      green
               (财政局, a support unit, stores 999: ignored)
  2 招商引资B  到位资金 ≥ 100 亿元     商务局 40, 发改局 60 (co-leads)  -> 40, 符合序时 40 % plain
               新签约项目 ≥ 10 个      商务局 6, 发改局 blank           -> 6, 符合序时 60 %  plain
  3 产业升级C  技改项目 ≥ 20 个        工信局 5                        -> 落后序时 25 %     yellow
               单位产值能耗 ≤ 0.5 吨   工信局 0.6                      -> 超出限值          red
  4 教育提质D  新建学校 ≥ 2 所         教育局 nothing                  -> 未填报            grey
  5 医疗服务E  医疗纠纷 ≤ 3 起         卫健局 1                        -> 控制在限值内      green
  6 养老服务F  养老床位 ≥ 500 张       民政局 50 "新建养老中心在建"     -> 落后序时 10 %     red (40 points behind)
"""

from __future__ import annotations

import uuid

import openpyxl
import pytest
from report_scenario import at, make_plan

from ledger.plan.model import Target
from ledger.report import build, make_report
from ledger.report.sheets import GREEN, GREY, RED, YELLOW
from ledger.report.targets import (BEHIND, MET, ON_PACE, UNREPORTED, Achievement, assess, assess_targets,
                                   count_standings, sentence)
from ledger.store.plans import load_plan, save_plan, unit_id_for
from ledger.store.submissions import record_intake, save_submission
from ledger.workspace import init_workspace
from test_workbook import fill, rows_after

PERIOD = "2024-06"
TARGETS = {
    "1": [Target("新开工项目", 10, "个", "≥", "count")],
    "2": [Target("招商引资到位资金", 100, "亿元", "≥", "amount"), Target("新签约项目", 10, "个", "≥", "count")],
    "3": [Target("技改项目", 20, "个", "≥", "count"), Target("单位产值能耗", 0.5, "吨", "≤", "amount")],
    "4": [Target("新建学校", 2, "所", "≥", "count")],
    "5": [Target("医疗纠纷", 3, "起", "≤", "count")],
    "6": [Target("养老床位", 500, "张", "=", "count")],
}


def targeted_plan():
    plan = make_plan()
    for item in plan.items:
        item.targets = list(TARGETS[item.number])
    return plan


def submit(ws, unit: str, values: dict[tuple[str, str], tuple[float | None, str | None]]) -> None:
    """An accepted June submission of ``unit`` with 指标 rows keyed by (item number, indicator)."""
    plan = load_plan(ws.engine)
    ids = {(i.number, t.indicator): tid for i in plan.items for t, tid in zip(i.targets, i.target_ids)}
    with ws.engine.begin() as conn:
        unit_id = unit_id_for(conn, unit)
        intake_id = record_intake(conn, sha256=uuid.uuid4().hex * 2, size=100, original_name=f"{unit}.xlsx",
                                  outcome="accepted", period=PERIOD, unit_id=unit_id, received_at=at("2024-07-03 09:00"))
        targets = [{"target_id": ids[key], "achieved": achieved, "note": note} for key, (achieved, note) in values.items()]
        save_submission(conn, intake_id=intake_id, template_id=uuid.uuid4().hex, plan_id=plan.id, period=PERIOD,
                        unit_id=unit_id, submitted_at=at("2024-07-03 09:00"), rows=[], targets=targets)


@pytest.fixture(scope="module")
def targeted(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("targets") / "ws")
    save_plan(ws.engine, targeted_plan(), origin="import", collective={"各镇"})
    submit(ws, "发改局", {("1", "新开工项目"): (12, None), ("2", "招商引资到位资金"): (60, None),
                       ("2", "新签约项目"): (None, None)})
    submit(ws, "财政局", {("1", "新开工项目"): (999, None)})
    submit(ws, "商务局", {("2", "招商引资到位资金"): (40, None), ("2", "新签约项目"): (6, None)})
    submit(ws, "工信局", {("3", "技改项目"): (5, None), ("3", "单位产值能耗"): (0.6, None)})
    submit(ws, "卫健局", {("5", "医疗纠纷"): (1, None)})
    submit(ws, "民政局", {("6", "养老床位"): (50, "新建养老中心在建")})
    save_plan(ws.engine, targeted_plan(), origin="review", collective={"各镇"})     # version 2
    return ws


@pytest.fixture(scope="module")
def book(targeted):
    return openpyxl.load_workbook(make_report(targeted, PERIOD).path)


# --- the sheet -----------------------------------------------------------------------------------

def test_the_sheet_follows_the_ledger_summary(book):
    assert book.sheetnames == ["总体情况", "台账汇总", "指标完成情况", "滞后事项", "单位报送情况", "未报送单位", "考评"]


def test_one_row_per_target_with_known_answers(book):
    rows = rows_after(book["指标完成情况"], "部分")
    got = [(r["编号"], r["指标"], r["比较"], r["目标值"], r["计量单位"], r["本年累计完成"], r["完成率"], r["完成情况"])
           for r in rows]
    assert got == [
        ("1", "新开工项目", "≥", 10, "个", 12, pytest.approx(1.2), "已达标"),
        ("2", "招商引资到位资金", "≥", 100, "亿元", 40, pytest.approx(0.4), "符合序时"),
        ("2", "新签约项目", "≥", 10, "个", 6, pytest.approx(0.6), "符合序时"),
        ("3", "技改项目", "≥", 20, "个", 5, pytest.approx(0.25), "落后序时"),
        ("3", "单位产值能耗", "≤", 0.5, "吨", 0.6, "超限", "超出限值"),
        ("4", "新建学校", "≥", 2, "所", None, None, "未填报"),
        ("5", "医疗纠纷", "≤", 3, "起", 1, "限值内", "控制在限值内"),
        ("6", "养老床位", "=", 500, "张", 50, pytest.approx(0.1), "落后序时"),
    ]
    first = rows[0]
    assert (first["部分"], first["重点任务"], first["牵头单位"]) == ("一、经济发展", "推进项目A", "发改局")
    assert rows[1]["牵头单位"] == "商务局、发改局"


def test_notes_name_co_leads_and_carry_the_leads_words(book):
    notes = [r["说明"] for r in rows_after(book["指标完成情况"], "部分")]
    assert notes[1] == "各牵头单位填报：商务局 40亿元；发改局 60亿元"
    assert notes[2] == "牵头单位未填报：发改局"
    assert notes[7] == "新建养老中心在建"
    assert notes[0] is None and notes[5] is None


def test_rows_are_coloured_like_the_statuses(book):
    sheet = book["指标完成情况"]
    head = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "部分")
    colours = [{fill(c) for c in sheet[r]} for r in range(head + 1, head + 9)]
    assert colours == [{GREEN}, {None}, {None}, {YELLOW}, {RED}, {GREY}, {GREEN}, {RED}]


def test_numbers_are_numbers_and_rates_are_percentages(book):
    sheet = book["指标完成情况"]
    row = next(r for r in sheet.iter_rows() if r[4].value == "新开工项目")
    target, completed, rate = row[6], row[8], row[9]
    assert [(c.value, c.data_type) for c in (target, completed, rate)] == [(10, "n"), (12, "n"), (1.2, "n")]
    assert rate.number_format == "0.0%"


def test_subtitle_legend_and_print_setup(book):
    sheet = book["指标完成情况"]
    assert sheet["A1"].value == "量化指标完成情况表"
    assert "量化指标 8 项：已达标 2 项，符合序时 2 项，落后序时 3 项（其中超出限值 1 项），未填报 1 项。" in sheet["A2"].value
    legend = sheet.cell(sheet.max_row, 1).value
    assert "序时进度 50.0% 减 20 个百分点（30.0%）为符合序时" in legend and "“≤”类指标看是否控制在限值内" in legend
    assert (sheet.page_setup.orientation, str(sheet.page_setup.paperSize), sheet.page_setup.fitToHeight) == ("landscape", "9", 0)
    assert sheet.print_title_rows == "$3:$3" and sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:L11"
    assert sheet.oddFooter.center.text == "— &P —"


def test_overview_counts_targets(book):
    sheet = book["总体情况"]
    assert "量化指标 8 项：已达标 2 项，符合序时 2 项" in sheet["A5"].value
    heading = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "四、量化指标完成情况")
    assert "完成率与序时进度（50.0%）比较" in sheet.cell(heading + 1, 1).value
    table = {r["完成情况"]: (r["项数"], r["占比"]) for r in rows_after(sheet, "完成情况", col=2)}
    assert table == {"已达标": (2, 0.25), "符合序时": (2, 0.25), "落后序时": (3, 0.375), "未填报": (1, 0.125),
                     "合计": (8, 1)}
    colour = {sheet.cell(r, 2).value: fill(sheet.cell(r, 2)) for r in range(heading + 3, heading + 7)}
    assert colour == {"已达标": GREEN, "符合序时": None, "落后序时": YELLOW, "未填报": GREY}


def test_summary_counts_targets(targeted):
    summary = build.consolidate(targeted, PERIOD).summary()
    assert summary["targets"] == {"total": 8, "counts": {
        "met": {"label": "已达标", "count": 2}, "on_pace": {"label": "符合序时", "count": 2},
        "behind": {"label": "落后序时", "count": 3}, "unreported": {"label": "未填报", "count": 1}}}


@pytest.mark.slow
def test_cli_report_prints_the_target_line(targeted):
    from click.testing import CliRunner
    from ledger.cli import cli
    result = CliRunner().invoke(cli, ["-w", str(targeted.root), "report", "--period", PERIOD])
    assert result.exit_code == 0, result.output
    assert "量化指标 8 项：已达标 2 项" in result.output


# --- the rules -----------------------------------------------------------------------------------

class Item:
    def __init__(self, lead, *targets):
        self.id, self.lead, self.targets = 1, list(lead), list(targets)
        self.target_ids = list(range(1, len(targets) + 1))


@pytest.mark.parametrize("comparator, value, reported, standing, completed, serious", [
    ("≥", 10, {"A": 10}, MET, 10, False),
    ("≥", 10, {"A": 3}, ON_PACE, 3, False),          # 30 % = 50 % - 20 points: still on pace
    ("≥", 10, {"A": 2.9}, BEHIND, 2.9, False),
    ("≥", 10, {"A": 1.9}, BEHIND, 1.9, True),        # more than 30 points behind
    ("≈", 10, {"A": 9.9}, ON_PACE, 9.9, False),
    ("=", 10, {"A": 11}, MET, 11, False),
    ("≥", 10, {"A": 8, "B": 4}, ON_PACE, 4, False),  # co-leads: the lowest
    ("≤", 5, {"A": 4, "B": 6}, BEHIND, 6, True),     # co-leads under a limit: the highest
    ("≤", 5, {"A": 5}, MET, 5, False),
    ("≥", 0, {"A": 0}, MET, 0, False),               # a zero target has no rate
    ("≥", 10, {"A": None}, UNREPORTED, None, False),
    ("≥", 10, {"C": 99}, UNREPORTED, None, False),   # not a lead unit: ignored
])
def test_standing_of_one_target(comparator, value, reported, standing, completed, serious):
    target = Target("指标", value, "个", comparator, "count")
    by_unit = {u: Achievement(1, u, v) for u, v in reported.items()}
    result = assess(Item(["A", "B"], target), target, 1, by_unit, pace=0.5, tolerance=20)
    assert (result.standing, result.completed, result.serious) == (standing, completed, serious)
    if comparator != "≤" and completed and value:
        assert result.rate == pytest.approx(completed / value)


@pytest.mark.parametrize("kind, value, reported, standing, serious", [
    ("growth", 6, 6.5, MET, False),
    ("growth", 6, 5.5, BEHIND, False),      # a rate is not judged against 序时进度 (50 % here)
    ("share", 51, 30, BEHIND, True),        # below 70 % of the target level
    ("reduction", 8.5, 9, MET, False),
])
def test_rates_are_judged_against_the_target_not_the_pace(kind, value, reported, standing, serious):
    target = Target("指标", value, "%", "≥", kind)
    result = assess(Item(["A"], target), target, 1, {"A": Achievement(1, "A", reported)}, pace=0.5, tolerance=20)
    assert (result.standing, result.serious) == (standing, serious)


def test_counts_and_sentence():
    limit, floor = Target("能耗", 1, "吨", "≤", "amount"), Target("项目", 4, "个", "≥", "count")
    item = Item(["A"], limit, floor)
    results = assess_targets([item], [Achievement(1, "A", 2), Achievement(2, "A", 1)], pace=0.5, tolerance=20)
    assert [r.standing for r in results] == [BEHIND, BEHIND]
    assert count_standings(results) == {MET: 0, ON_PACE: 0, BEHIND: 2, UNREPORTED: 0}
    assert sentence(results) == "量化指标 2 项：已达标 0 项，符合序时 0 项，落后序时 2 项（其中超出限值 1 项），未填报 0 项。"
