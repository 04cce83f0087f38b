"""The 总体情况 sheet: totals and shares by status, reporting rates, sections, changes, a chart,
and the standing of the plan's quantitative targets when it has any.

One column grid serves every block of the sheet: A 序号/编号, B 名称, C and on numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.period import label, schedule_share
from ledger.plan.parts import part_groups
import ledger.report.targets as targets
from ledger.report.columns import ReportColumn, kinds, values
from ledger.report.merge import UNREPORTED, count_changes, count_statuses, share
from ledger.report.sheets import (STANDING_FILL, date_text, header_row, percent_text, print_setup, status_fill,
                                  row_height, section_label, time_text, title_rows, write_row)
from ledger.statuses import AHEAD, DONE, LAGGING, NOT_STARTED, ON_PACE, SEVERELY_LAGGING, Vocabulary
from ledger.xlsx import BODY_FONT, HEAD_FONT

if TYPE_CHECKING:
    from ledger.report.model import Consolidated

SHEET = "总体情况"
CHART_COLOURS = {DONE: "#70AD47", AHEAD: "#A9D18E", ON_PACE: "#5B9BD5", LAGGING: "#FFC000",
                 SEVERELY_LAGGING: "#C00000", NOT_STARTED: "#BDD7EE"}     # by meaning
UNREPORTED_COLOUR = "#A6A6A6"
CHART_ROWS = 13          # rows kept free beside the status table for the chart
CHANGE_COLUMNS = (   # a row: a change of an item since the last period (its width is the table's above)
    ReportColumn("编号", 0, "center", lambda c: c.now.item.number),
    ReportColumn("重点任务", 0, "wrap", lambda c: c.now.item.title),
    ReportColumn("牵头单位", 0, "wrap", lambda c: "、".join(c.now.item.lead)),
    ReportColumn("上期状态", 0, "center", lambda c: c.before.status),
    ReportColumn("本期状态", 0, "center", lambda c: c.now.status),
    ReportColumn("上期进度(%)", 0, "int", lambda c: c.before.percent),
    ReportColumn("本期进度(%)", 0, "int", lambda c: c.now.percent),
    ReportColumn("变化", 0, "wrap", lambda c: "、".join(c.kinds)),
)


def write_overview(wb, fmt: dict, report: Consolidated, title: str):
    sheet = wb.add_worksheet(SHEET)
    widths = [8, 26, 14] + [10] * max(7, len(report.counts))
    for c, w in enumerate(widths):
        sheet.set_column(c, c, w)
    row = title_rows(sheet, fmt, len(widths), title, _subtitle(report))
    row = _heading(sheet, fmt, row + 1, "一、总体情况")
    row = _paragraph(sheet, fmt, row, widths, _overall_text(report))
    row = _status_table(wb, sheet, fmt, report, row + 1)
    # 分部分情况 starts a page, so its table prints whole under its header (a sheet repeats one
    # header only, and this sheet holds several tables)
    sheet.set_h_pagebreaks([row + 1])
    row = _heading(sheet, fmt, row + 1, "二、分部分情况")
    row = _section_table(sheet, fmt, report, row, widths)
    row = _heading(sheet, fmt, row + 1, f"三、与上期（{label(report.previous_period)}）比较")
    row = _paragraph(sheet, fmt, row, widths, _changes_text(report))
    row = _change_table(sheet, fmt, report, row, widths)
    if report.targets:
        row = _heading(sheet, fmt, row + 1, "四、量化指标完成情况")
        row = _paragraph(sheet, fmt, row, widths, _targets_text(report))
        row = _standing_table(sheet, fmt, report, row)
    print_setup(sheet, row - 1, len(widths) - 1)
    return sheet


def _subtitle(report: Consolidated) -> str:
    as_of = time_text(report.status.as_of) or "尚无报送"
    return (f"数据截至：{as_of}　　报送截止：{date_text(report.status.deadline)}　　"
            f"序时进度：{percent_text(schedule_share(report.period))}　　第 {report.plan.version} 版计划")


def _heading(sheet, fmt: dict, row: int, text: str) -> int:
    sheet.write_string(row, 0, text, fmt["h1"])
    sheet.set_row(row, 26)
    return row + 1


def _paragraph(sheet, fmt: dict, row: int, widths: list[float], text: str) -> int:
    sheet.merge_range(row, 0, row, len(widths) - 1, text, fmt["text"])
    sheet.set_row(row, row_height([text], [sum(widths)]))
    return row + 1


def _overall_text(report: Consolidated) -> str:
    total, counts = len(report.merged), report.counts
    parts = [f"{s} {n} 项，占 {percent_text(share(n, total))}" for s, n in counts.items() if n]
    text = f"共有重点任务 {total} 项：{'；'.join(parts)}。{report.status.totals.sentence()}"
    running = sum(1 for n in report.streaks.values() if n >= 2)
    if running:
        text += f"连续两个月及以上滞后的任务 {running} 项，详见“滞后事项”。"
    if report.targets:
        text += targets.sentence(report.targets)
    if report.status.deadlines and report.status.deadlines.sentence():
        text += report.status.deadlines.sentence().rstrip("。") + "，详见“逾期与到期”。"
    if report.no_submissions:
        text = f"{label(report.period)}尚无单位报送，全部任务按未报送统计。" + text
    return text + report.revision_text()


def _status_table(wb, sheet, fmt: dict, report: Consolidated, row: int) -> int:
    """序号 · 完成状态 · 项数 · 占比 with a total row, and the chart beside it."""
    counts, total = report.counts, len(report.merged)
    header_row(sheet, fmt, row, (("序号", 8), ("完成状态", 26), ("项数", 14), ("占比", 10)))
    for n, (status, count) in enumerate(counts.items(), start=1):
        write_row(sheet, fmt, row + n, (n, status, count, share(count, total)),
                  ("int", "center", "int", "pct"), status_fill(status, report.vocabulary))
    last = row + len(counts) + 1
    write_row(sheet, fmt, last, ("", "合计", total, 1.0 if total else 0.0), ("int", "center", "int", "pct"))
    end = max(last + 1, row + CHART_ROWS)
    _chart(wb, sheet, row, counts, report.vocabulary, _pixels(sheet, row, end) - 2 * CHART_MARGIN)
    return end


CHART_MARGIN = 4        # pixels between the chart and the rows reserved for it, above and below


def _pixels(sheet, first: int, end: int) -> int:
    """The height of rows ``first`` to ``end - 1`` as written, in pixels (xlsxwriter keeps row heights
    in pixels; a row not set has the default height)."""
    return sum((sheet.row_sizes.get(r) or [None])[0] or sheet.default_row_height for r in range(first, end))


def _chart(wb, sheet, row: int, counts: dict[str, int], vocabulary: Vocabulary, height: int) -> None:
    """The chart beside the status table, no taller than the rows kept for it: it never crosses the
    page break that follows them."""
    statuses = list(counts)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({
        "name": "任务数",
        "categories": [SHEET, row + 1, 1, row + len(statuses), 1],
        "values": [SHEET, row + 1, 2, row + len(statuses), 2],
        "points": [{"fill": {"color": _colour(s, vocabulary)}} for s in statuses],
        "data_labels": {"value": True, "font": {"name": BODY_FONT, "size": 11}},
    })
    chart.set_title({"name": "各状态任务数", "name_font": {"name": HEAD_FONT, "size": 12, "bold": False}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"name": BODY_FONT, "size": 11}})
    chart.set_y_axis({"min": 0, "num_format": "0", "major_unit": max(1, -(-max(counts.values()) // 5)),
                      "num_font": {"name": BODY_FONT, "size": 11}})
    chart.set_size({"width": 360, "height": min(300, height)})
    sheet.insert_chart(row, 5, chart, {"x_offset": 8, "y_offset": CHART_MARGIN})


def _colour(status: str, vocabulary: Vocabulary) -> str:
    if status == UNREPORTED:
        return UNREPORTED_COLOUR
    return CHART_COLOURS.get(vocabulary.meaning(status), CHART_COLOURS[ON_PACE])


def _section_table(sheet, fmt: dict, report: Consolidated, row: int, widths: list[float]) -> int:
    statuses = list(report.counts)
    header_row(sheet, fmt, row, [("序号", widths[0]), ("部分", widths[1]), ("任务数", widths[2]),
                                 *((s, 10) for s in statuses)])
    groups = part_groups(report.merged.values(), lambda m: m.item)    # by top part (一、/二、)
    kinds = ("center", "wrap", "int", *("int" for _ in statuses))
    for n, (part, items) in enumerate(groups, start=1):
        counts = count_statuses(items, report.vocabulary)
        values = (part.number or str(n), section_label("", part.title), len(items), *(counts.get(s, 0) for s in statuses))
        write_row(sheet, fmt, row + n, values, kinds, widths=widths)
    return row + len(groups) + 1


def _targets_text(report: Consolidated) -> str:
    pace = schedule_share(report.period)
    return (targets.sentence(report.targets) + f"完成率与序时进度（{percent_text(pace)}）比较，"
            f"落后不超过 {report.lag_tolerance} 个百分点的为符合序时；详见“指标完成情况”。")


def _standing_table(sheet, fmt: dict, report: Consolidated, row: int) -> int:
    """序号 · 完成情况 · 项数 · 占比 of the targets, with a total row."""
    counts, total = report.target_counts, len(report.targets)
    header_row(sheet, fmt, row, (("序号", 8), ("完成情况", 26), ("项数", 14), ("占比", 10)))
    kinds = ("int", "center", "int", "pct")
    for n, standing in enumerate(targets.STANDINGS, start=1):
        values = (n, targets.LABELS[standing], counts[standing], share(counts[standing], total))
        write_row(sheet, fmt, row + n, values, kinds, STANDING_FILL.get(standing))
    last = row + len(targets.STANDINGS) + 1
    write_row(sheet, fmt, last, ("", "合计", total, 1.0 if total else 0.0), kinds)
    return last + 1


def _changes_text(report: Consolidated) -> str:
    before = label(report.previous_period)
    if report.previous is None:
        return f"上期（{before}）无报送数据，未作比较。"
    counts = count_changes(report.changes)
    text = "与上期相比：" + "，".join(f"{k} {n} 项" for k, n in counts.items()) + "。"
    return text if report.changes else text + "各项任务状态与上期相同。"


def _change_table(sheet, fmt: dict, report: Consolidated, row: int, widths: list[float]) -> int:
    if not report.changes:
        return row
    header_row(sheet, fmt, row, list(zip((c.header for c in CHANGE_COLUMNS), widths)))
    for n, change in enumerate(report.changes, start=1):
        write_row(sheet, fmt, row + n, values(CHANGE_COLUMNS, change), kinds(CHANGE_COLUMNS),
                  status_fill(change.now.status, change.now.vocabulary), widths)
    return row + len(report.changes) + 1
