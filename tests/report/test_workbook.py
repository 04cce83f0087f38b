"""The consolidated workbook of the scenario, read back with openpyxl and checked cell by cell."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import datetime, timezone

import openpyxl
import pytest

from ledger.report import build, make_report, report_path
from ledger.report.merge import UNREPORTED
from ledger.report.sheets import GREEN, GREY, RED, YELLOW
from ledger.store.schema import templates
from ledger.workspace import Workspace

SHEETS = ["总体情况", "台账汇总", "滞后事项", "单位报送情况", "未报送单位", "考评"]


@pytest.fixture(scope="module")
def book(shared_scenario):
    result = make_report(shared_scenario, "2024-07")
    return openpyxl.load_workbook(result.path)


def rows_after(sheet, header_col_a: str, col: int = 1) -> list[dict]:
    """The table whose header row has ``header_col_a`` in column ``col``, as dicts, up to a blank row."""
    head = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, col).value == header_col_a)
    headers = [c.value for c in sheet[head]]
    out = []
    for r in range(head + 1, sheet.max_row + 2):
        values = [c.value for c in sheet[r]] if r <= sheet.max_row else []
        if not any(v is not None for v in values):
            break
        out.append({h: v for h, v in zip(headers, values) if h})
    return out


def fill(cell) -> str | None:
    return None if cell.fill.fill_type is None else "#" + cell.fill.fgColor.rgb[-6:]


def test_file_name_and_sheets(shared_scenario, book):
    path = report_path(shared_scenario, "测试县2024年重点工作", "2024-07")
    assert path.name == "测试县2024年重点工作工作台账汇总（2024年7月）.xlsx"
    assert path.parent == shared_scenario.outbox_dir / "reports" / "2024-07"
    assert book.sheetnames == SHEETS


def test_overview_counts_and_shares(book):
    table = {r["完成状态"]: (r["项数"], r["占比"]) for r in rows_after(book["总体情况"], "完成状态", col=2)}
    assert table == {"已完成": (1, pytest.approx(1 / 6)), "超序时": (1, pytest.approx(1 / 6)), "序时推进": (0, 0),
                     "滞后": (1, pytest.approx(1 / 6)), "严重滞后": (1, pytest.approx(1 / 6)), "未启动": (0, 0),
                     UNREPORTED: (2, pytest.approx(2 / 6)), "合计": (6, 1)}


def test_overview_text_and_as_of(book):
    sheet = book["总体情况"]
    assert sheet["A1"].value == "测试县2024年重点工作工作台账汇总（2024年7月）"
    assert sheet["A2"].value.startswith("数据截至：2024年8月6日 01:00　　报送截止：2024年8月5日　　序时进度：58.3%")
    text = sheet["A5"].value
    assert text.startswith("共有重点任务 6 项：已完成 1 项，占 16.7%；超序时 1 项，占 16.7%；")
    assert "未报送 2 项，占 33.3%" in text
    assert "已报送 5 个，报送率 71.4%；其中按时报送 4 个，按时率 57.1%" in text
    assert "连续两个月及以上滞后的任务 1 项" in text


def test_overview_by_section(book):
    table = rows_after(book["总体情况"], "部分", col=2)
    assert [(r["序号"], r["部分"], r["任务数"], r["已完成"], r["滞后"], r["严重滞后"], r["超序时"], r[UNREPORTED])
            for r in table] == [("一", "经济发展", 3, 1, 1, 1, 0, 0), ("二", "民生保障", 3, 0, 0, 0, 1, 2)]


def test_overview_changes_since_last_month(book):
    sheet = book["总体情况"]
    heading = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "三、与上期（2024年6月）比较")
    assert sheet.cell(heading + 1, 1).value == "与上期相比：状态提升 1 项，状态后退 3 项，新增滞后 1 项，新完成 1 项。"
    changes = [(r["编号"], r["上期状态"], r["本期状态"], r["上期进度(%)"], r["本期进度(%)"], r["变化"])
               for r in rows_after(sheet, "编号")]
    assert changes == [("1", "序时推进", "已完成", 70, 100, "状态提升、新完成"),
                       ("2", "序时推进", "滞后", 50, 40, "状态后退、新增滞后"),
                       ("3", "滞后", "严重滞后", 20, 10, "状态后退"),
                       ("6", "超序时", "超序时", 75, 70, "状态后退")]


def test_overview_has_a_status_chart(book):
    assert len(book["总体情况"]._charts) == 1


def test_ledger_rows(book):
    rows = rows_after(book["台账汇总"], "部分")
    assert [(r["编号"], r["完成状态"], r["完成进度(%)"]) for r in rows] == [
        ("1", "已完成", 100), ("2", "滞后", 40), ("3", "严重滞后", 10), ("4", UNREPORTED, None),
        ("5", UNREPORTED, None), ("6", "超序时", 70)]
    first = rows[0]
    assert (first["部分"], first["重点任务"], first["牵头单位"]) == ("一、经济发展", "推进项目A", "发改局")
    assert first["牵头单位进展情况"] == "项目A已竣工"
    assert first["配合单位进展情况"] == "财政局：配合资金拨付"


def test_co_lead_disagreement(book):
    row = rows_after(book["台账汇总"], "部分")[1]
    assert row["牵头单位"] == "商务局、发改局"
    assert row["牵头单位进展情况"] == "商务局：签约1家\n发改局：对接客商3家"
    assert row["存在问题"] == "商务局：资金未到位"
    assert row["说明"] == "牵头单位报送状态不一致：商务局 滞后；发改局 序时推进"


def test_missing_lead_with_support_reported(book):
    row = rows_after(book["台账汇总"], "部分")[3]
    assert (row["完成状态"], row["牵头单位进展情况"]) == (UNREPORTED, None)
    assert row["配合单位进展情况"] == "财政局：配合校舍建设"


def test_formula_looking_text_stays_text(shared_scenario, book):
    sheet = book["台账汇总"]
    cell = next(c for r in sheet.iter_rows() for c in r if c.value == "=1+1")
    assert cell.data_type == "s"
    path = report_path(shared_scenario, "测试县2024年重点工作", "2024-07")
    with zipfile.ZipFile(path) as z:
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_rows_coloured_by_status(book):
    sheet = book["台账汇总"]
    colours = {sheet.cell(r, 5).value: {fill(c) for c in sheet[r]} for r in range(4, 10)}
    assert colours == {"已完成": {GREEN}, "滞后": {YELLOW}, "严重滞后": {RED}, UNREPORTED: {GREY}, "超序时": {GREEN}}
    plain = book["总体情况"]
    row = next(r for r in range(1, plain.max_row + 1) if plain.cell(r, 2).value == "序时推进")
    assert fill(plain.cell(row, 2)) is None


def test_ledger_sheet_filter_and_frozen_header(book):
    sheet = book["台账汇总"]
    assert sheet.auto_filter.ref == "A3:K9"
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"


def test_lagging_items_and_streaks(book):
    rows = rows_after(book["滞后事项"], "序号")
    assert [(r["序号"], r["编号"], r["完成状态"], r["牵头单位"], r["配合单位"], r["存在问题"], r["连续滞后"])
            for r in rows] == [(1, "3", "严重滞后", "工信局", "发改局", "土地指标不足", "连续滞后3个月"),
                               (2, "2", "滞后", "商务局、发改局", None, "商务局：资金未到位", None)]


def test_units_sheet(book):
    rows = {r["单位"]: r for r in rows_after(book["单位报送情况"], "序号")}
    assert list(rows) == ["发改局", "财政局", "商务局", "工信局", "教育局", "卫健局", "民政局"]
    fa = rows["发改局"]
    assert (fa["牵头任务"], fa["配合任务"], fa["已完成"], fa["序时推进"], fa["报送时间"], fa["报送情况"]) == \
        (2, 1, 1, 2, "2024年8月3日 10:00", "按时报送")
    assert (rows["商务局"]["滞后"], rows["商务局"]["报送情况"]) == (1, "逾期报送")
    assert (rows["教育局"]["已完成"], rows["教育局"]["报送情况"]) == (None, "未报送")
    assert rows["卫健局"]["报送情况"] == "退回待重报"


def test_missing_units_sheet(book):
    rows = rows_after(book["未报送单位"], "序号")
    assert [(r["单位"], r["情况"]) for r in rows] == [("卫健局", "退回待重报"), ("教育局", "未报送")]
    assert "I5：“完成状态”不能为空" in rows[0]["说明"]



def test_the_two_unreported_counts_say_what_they_count(book):
    """总体情况 counts units that sent nothing as 未报送 and returned ones as 退回待重报; the
    未报送单位 heading lists both and names each count the same way."""
    heading = book["未报送单位"]["A2"].value
    assert "尚未完成报送 2 个单位：退回待重报 1 个，未报送 1 个" in heading
    overview = "".join(str(c.value) for row in book["总体情况"].iter_rows() for c in row if c.value)
    assert "退回待重报 1 个，未报送 1 个。" in overview


def test_every_sheet_prints_a4_landscape_fitted(book):
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize), setup.fitToHeight) == ("landscape", "9", 0)
        assert setup.fitToWidth in (None, 1)          # 1 is the default, left out of the file
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.oddFooter.center.text == "— &P —"
        if sheet.title != "总体情况":
            assert sheet.print_title_rows == "$3:$3"


def test_same_data_same_file(shared_scenario):
    first = make_report(shared_scenario, "2024-07").path.read_bytes()
    second = make_report(shared_scenario, "2024-07").path.read_bytes()
    assert first == second


def test_progress_is_told_at_each_step(shared_scenario):
    told: list[tuple[int, int]] = []
    make_report(shared_scenario, "2024-07", progress=lambda done, total: told.append((done, total)))
    assert told == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_created_property_is_the_data_time(shared_scenario, book):
    created = book.properties.created.replace(tzinfo=timezone.utc)
    assert created == datetime(2024, 8, 5, 17, 0, tzinfo=timezone.utc)      # 商务局's 2024-08-06 01:00 +08
    with zipfile.ZipFile(report_path(shared_scenario, "测试县2024年重点工作", "2024-07")) as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time[:3] for i in z.infolist()} == {(1980, 1, 31)}       # fixed by xlsxwriter
    assert core.count("2024-08-05T17:00:00Z") == 2                            # created and modified


def test_failed_run_keeps_previous_report(scenario, monkeypatch):
    first = make_report(scenario, "2024-07")
    path = first.path
    before = path.read_bytes()

    def broken(report, tmp):
        tmp.write_bytes(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr("ledger.report.build.write_workbook", broken)
    with pytest.raises(RuntimeError):
        make_report(scenario, "2024-07")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, first.bulletin.name])   # no temporaries


def test_period_without_submissions(scenario):
    with scenario.engine.begin() as conn:
        conn.execute(templates.insert().values(id="t" * 32, plan_id=2, period="2024-08", unit_id=1, layout_version="1",
                                               digest="0" * 64, file_name="x.xlsx"))
    result = make_report(scenario, "2024-08")
    assert result.report.no_submissions
    book = openpyxl.load_workbook(result.path)
    overview = book["总体情况"]
    assert overview["A5"].value.startswith("2024年8月尚无单位报送，全部任务按未报送统计。共有重点任务 6 项：未报送 6 项，占 100.0%")
    assert "数据截至：尚无报送" in overview["A2"].value
    assert {r["完成状态"] for r in rows_after(book["台账汇总"], "部分")} == {UNREPORTED}
    assert len(rows_after(book["未报送单位"], "序号")) == 7
    assert book.properties.created.replace(tzinfo=timezone.utc) == datetime(2024, 9, 5, tzinfo=timezone.utc)


def test_lag_streak_stops_at_first_month_on_schedule(shared_scenario):
    report = build.consolidate(shared_scenario, "2024-07")
    by_number = {report.plan.item(i).number: n for i, n in report.streaks.items()}
    assert by_number == {"2": 1, "3": 3}


def test_renamed_statuses_keep_counts_streaks_and_json_keys(scenario, tmp_path):
    """The office renames 滞后 after three months stored with the old word: nothing is lost."""
    before = build.consolidate(scenario, "2024-07")
    config = scenario.root / "ledger.toml"  # the office edits its [statuses] table
    config.write_text(config.read_text(encoding="utf-8").replace("[statuses]\n", '[statuses]\n"进度滞后" = "lagging"\n'), encoding="utf-8")
    scenario = Workspace(scenario.root)  # settings are read when a workspace opens
    report = build.consolidate(scenario, "2024-07")
    assert [m.item.number for m in report.lagging()] == [m.item.number for m in before.lagging()] == ["3", "2"]
    assert report.streaks == before.streaks
    assert report.counts["进度滞后"] == before.counts["滞后"] == 1 and "滞后" not in report.counts
    counts = report.summary()["counts"]
    assert counts["lagging"] == {"label": "进度滞后", "count": 1, "share": round(1 / 6, 4)}
    assert set(counts) == set(before.summary()["counts"])     # keys are meanings: a rename keeps them
    book = openpyxl.load_workbook(make_report(scenario, "2024-07").path)
    assert "严重滞后 1 项，进度滞后 1 项，其中连续两个月及以上滞后 1 项" in book["滞后事项"]["A2"].value
    lag_rows = rows_after(book["滞后事项"], "序号")
    assert [r["完成状态"] for r in lag_rows] == ["严重滞后", "滞后"]    # as the unit reported it


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_to_pdf(shared_scenario, tmp_path):
    path = make_report(shared_scenario, "2024-07").path
    profile = (tmp_path / "lo-profile").as_uri()
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / path.with_suffix(".pdf").name
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_the_status_chart_stays_within_its_rows_above_the_page_break(book):
    """The chart is no taller than the rows kept for it: page 1 keeps its frame and nothing of the
    chart tops page 2 (issue 25)."""
    sheet = book["总体情况"]
    [chart] = sheet._charts
    [brk] = sheet.row_breaks.brk
    bottom = chart.anchor.to.row if hasattr(chart.anchor, "to") else None
    assert bottom is not None and bottom < brk.id        # 0-based anchor row before the 1-based break row
