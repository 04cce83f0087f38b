"""The consolidated monthly workbook: 总体情况, 台账汇总, 指标完成情况 (when the plan has targets),
滞后事项, 逾期与到期 (when items have dated 完成时限), 单位报送情况, 未报送单位.

Written with xlsxwriter from a ``Consolidated`` period; the same data gives the same file (the
creation time is the data's as-of time, never the clock).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ledger.period import label, schedule_share
import ledger.report.merge as merge
import ledger.report.targets as targets
from ledger.report.columns import ReportColumn, write_table
from ledger.report.deadlines import DUE_SOON_LABEL, OVERDUE_LABEL
from ledger.report.merge import MergedItem
from ledger.report.overview import write_overview
from ledger.report.sheets import (GREY, RED, status_fill, YELLOW, created_time, date_text, finish_table, fit_columns, new_workbook,
                                  percent_text,
                                  section_label, table_sheet, target_fill, time_text, write_row)
from ledger.report.status import LATE, ON_TIME, UnitStatus

if TYPE_CHECKING:
    from ledger.report.model import Consolidated

class Row(NamedTuple):
    """A row of a task table: its place in the list, the item as merged, its months lagging."""

    n: int
    m: MergedItem
    streak: int = 0


def _part(r: Row) -> str:
    return section_label(r.m.item.section_number, r.m.item.section)


# the office's own columns ([[columns]]) go before the last, 说明
LEDGER_COLUMNS = (
    ReportColumn("部分", 12, "wrap", _part),
    ReportColumn("编号", 6, "center", lambda r: r.m.item.number),
    ReportColumn("重点任务", 20, "wrap", lambda r: r.m.item.title),
    ReportColumn("牵头单位", 12, "wrap", lambda r: "、".join(r.m.item.lead)),
    ReportColumn("完成状态", 9, "center", lambda r: r.m.status),
    ReportColumn("完成进度(%)", 8, "int", lambda r: r.m.percent),
    ReportColumn("牵头单位进展情况", 36, "wrap", lambda r: merge.lead_progress(r.m)),
    ReportColumn("配合单位进展情况", 30, "wrap", lambda r: merge.support_progress(r.m)),
    ReportColumn("存在问题", 22, "wrap", lambda r: merge.problems(r.m)),
    ReportColumn("下步计划", 22, "wrap", lambda r: merge.next_steps(r.m)),
    ReportColumn("说明", 16, "wrap", lambda r: merge.notes(r.m, r.streak)),
)

LAG_COLUMNS = (
    ReportColumn("序号", 6, "int", lambda r: r.n),
    ReportColumn("部分", 12, "wrap", _part),
    ReportColumn("编号", 6, "center", lambda r: r.m.item.number),
    ReportColumn("重点任务", 22, "wrap", lambda r: r.m.item.title),
    ReportColumn("牵头单位", 14, "wrap", lambda r: "、".join(r.m.item.lead)),
    ReportColumn("配合单位", 14, "wrap", lambda r: "、".join(r.m.item.support)),
    ReportColumn("完成状态", 9, "center", lambda r: r.m.status),
    ReportColumn("完成进度(%)", 8, "int", lambda r: r.m.percent),
    ReportColumn("存在问题", 36, "wrap", lambda r: merge.problems(r.m)),
    ReportColumn("连续滞后", 10, "center", lambda r: merge.streak_label(r.streak)),
    ReportColumn("说明", 18, "wrap", lambda r: merge.notes(r.m)),
)

TARGET_SHEET = "指标完成情况"
TARGET_COLUMNS = (("部分", 12), ("编号", 6), ("重点任务", 16), ("牵头单位", 12), ("指标", 22), ("比较", 5),
                  ("目标值", 9), ("计量单位", 7), ("本年累计完成", 10), ("完成率", 9), ("完成情况", 11), ("说明", 24))

DUE_SHEET = "逾期与到期"
DUE_COLUMNS = (      # a row: (n, 逾期未完成 or 下月到期, the item's deadline watch, how long)
    ReportColumn("序号", 6, "int", lambda r: r[0]),
    ReportColumn("类别", 11, "center", lambda r: r[1]),
    ReportColumn("部分", 12, "wrap", lambda r: section_label(r[2].item.section_number, r[2].item.section)),
    ReportColumn("编号", 6, "center", lambda r: r[2].item.number),
    ReportColumn("重点任务", 24, "wrap", lambda r: r[2].item.title),
    ReportColumn("牵头单位", 14, "wrap", lambda r: "、".join(r[2].item.lead)),
    ReportColumn("责任领导", 10, "wrap", lambda r: "、".join(r[2].item.leaders)),
    ReportColumn("完成时限", 14, "wrap", lambda r: f"{r[2].item.deadline_text}（{date_text(r[2].item.deadline)}）"),
    ReportColumn("完成状态", 9, "center", lambda r: r[2].status),
    ReportColumn("说明", 16, "wrap", lambda r: r[3]),
)

MISSING_COLUMNS = (   # a row: (n, the unit's status)
    ReportColumn("序号", 6, "int", lambda r: r[0]),
    ReportColumn("单位", 26, "wrap", lambda r: r[1].unit.name),
    ReportColumn("牵头任务", 9, "int", lambda r: r[1].unit.lead),
    ReportColumn("配合任务", 9, "int", lambda r: r[1].unit.support),
    ReportColumn("情况", 12, "center", lambda r: r[1].label),
    ReportColumn("说明", 60, "wrap", lambda r: r[1].reason() or "未收到报送文件"),
)


def write_workbook(report: Consolidated, path: Path) -> None:
    title = f"{report.plan.title}工作台账汇总（{label(report.period)}）{report.status.final_mark}"
    created = created_time(report.status.as_of, report.status.deadline)
    wb, fmt = new_workbook(path, created, title, report.status.office)
    write_overview(wb, fmt, report, title)
    _ledger_sheet(wb.add_worksheet("台账汇总"), fmt, report)
    if report.targets:
        _targets_sheet(wb.add_worksheet(TARGET_SHEET), fmt, report)
    _lag_sheet(wb.add_worksheet("滞后事项"), fmt, report)
    if any(i.deadline for i in report.plan.items):
        _due_sheet(wb.add_worksheet(DUE_SHEET), fmt, report)
    _units_sheet(wb.add_worksheet("单位报送情况"), fmt, report)
    _missing_sheet(wb.add_worksheet("未报送单位"), fmt, report)
    if report.status.signed_off:
        _signed_off_sheet(wb.add_worksheet(SIGNED_OFF_SHEET), fmt, report)
    if report.scores:
        _scores_sheet(wb.add_worksheet(SCORES_SHEET), fmt, report)
    wb.close()


def _sub(report: Consolidated, text: str) -> str:
    return f"{label(report.period)}　　数据截至：{time_text(report.status.as_of) or '尚无报送'}　　{text}"


OFFICE_KINDS = {"number": "num", "percent": "int", "date": "center", "yesno": "center", "choice": "center",
                "phone": "center"}     # how an office column's values are shown; text wraps


def _ledger_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    counts = report.counts
    text = f"共 {len(report.merged)} 项任务，未报送 {counts[merge.UNREPORTED]} 项"
    office = report.office_columns
    table = (*LEDGER_COLUMNS[:-1], *(_office_column(c) for c in office), LEDGER_COLUMNS[-1])
    rows = [Row(0, m, report.streaks.get(m.item.id, 0)) for m in report.merged.values()]
    write_table(sheet, fmt, "重点任务推进情况汇总表", _sub(report, text), table, rows,
                fill=lambda r: status_fill(r.m.status, r.m.vocabulary), autofilter=True)


def _office_column(c) -> ReportColumn:
    """An office column of ledger.toml ([[columns]]) in the 台账汇总 table."""
    return ReportColumn(c.header, max(c.width, 8), OFFICE_KINDS.get(c.kind, "wrap"),
                        lambda r, key=c.key: merge.office_value(r.m, key))


def _targets_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    """One row per target of the plan: value, 完成率 or whether a limit holds, standing, coloured."""
    results = report.targets
    columns = fit_columns(TARGET_COLUMNS)
    first = table_sheet(sheet, fmt, "量化指标完成情况表", _sub(report, targets.sentence(results)), columns)
    sheet.set_row(first - 2, 36)
    widths = [w for _, w in columns]
    for n, r in enumerate(results):
        values, kinds = _target_cells(r)
        write_row(sheet, fmt, first + n, values, kinds, target_fill(r), widths)
    last = first + len(results) - 1
    finish_table(sheet, first, last, len(widths), autofilter=True)
    legend = _target_legend(report)
    sheet.merge_range(last + 2, 0, last + 2, len(widths) - 1, legend, fmt["text"])
    sheet.set_row(last + 2, 36)
    sheet.print_area(0, 0, last + 2, len(widths) - 1)


def _target_cells(r: targets.TargetResult) -> tuple[tuple, tuple]:
    item, t = r.item, r.target
    if r.is_limit:
        rate, rate_kind = {True: "限值内", False: "超限", None: None}[r.within_limit], "center"
    else:
        rate, rate_kind = r.rate, "pct"
    values = (section_label(item.section_number, item.section), item.number, item.title, "、".join(item.lead),
              t.indicator, t.comparator, t.value, t.unit, r.completed, rate, r.label, targets.notes(r))
    kinds = ("wrap", "center", "wrap", "wrap", "wrap", "center", "num", "center", "num", rate_kind, "center", "wrap")
    return values, kinds


def _target_legend(report: Consolidated) -> str:
    pace = schedule_share(report.period)
    floor = max(pace - report.lag_tolerance / 100, 0)
    return (f"说明：完成率＝本年累计完成÷目标值。完成率达到 100% 为已达标；不低于序时进度 {percent_text(pace)} "
            f"减 {report.lag_tolerance} 个百分点（{percent_text(floor)}）为符合序时；低于的为落后序时，"
            f"落后 {round(targets.SERIOUS_GAP * 100)} 个百分点以上标红。增长率、占比、降幅等比率类指标不按序时进度评价，"
            "达到目标值为已达标，未达到为落后序时。“≤”类指标看是否控制在限值内，超限标红。"
            "共同牵头的指标按最不利的填报值评价（“≥”取最低值，“≤”取最高值）。")


def _lag_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    lagging = report.lagging()
    running = sum(1 for m in lagging if report.streaks.get(m.item.id, 0) >= 2)
    vocabulary = report.vocabulary
    words = sorted(vocabulary.lagging_words(), key=vocabulary.rank)    # the most serious first
    n = {w: sum(1 for m in lagging if vocabulary.canonical(m.status) == w) for w in words}
    text = "，".join(f"{w} {n[w]} 项" for w in words) + f"，其中连续两个月及以上滞后 {running} 项"
    rows = [Row(n + 1, m, report.streaks.get(m.item.id, 1)) for n, m in enumerate(lagging)]
    write_table(sheet, fmt, "滞后事项清单", _sub(report, text), LAG_COLUMNS, rows,
                fill=lambda r: status_fill(r.m.status, r.m.vocabulary), empty="本期无滞后事项。", autofilter=True)


def _due_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    """逾期未完成 items, most overdue first, then those due within the coming month, soonest first."""
    watch = report.status.deadlines
    rows = [(OVERDUE_LABEL, d, f"已逾期 {d.days} 天") for d in watch.overdue] + \
           [(DUE_SOON_LABEL, d, f"还有 {d.days} 天") for d in watch.due_soon]
    text = watch.sentence() or f"截至 {date_text(watch.as_of)}，没有逾期未完成或下月到期的任务"
    write_table(sheet, fmt, "完成时限提醒", _sub(report, text), DUE_COLUMNS,
                [(n + 1, kind, d, note) for n, (kind, d, note) in enumerate(rows)],
                fill=lambda r: RED if r[1] == OVERDUE_LABEL else None, empty="本期没有逾期未完成或下月到期的任务。",
                autofilter=True)


def _unit_columns(statuses: list[str]) -> tuple[tuple[str, float], ...]:
    return (("序号", 6), ("单位", 24), ("牵头任务", 8), ("配合任务", 8),
            *((s, 8) for s in statuses), ("报送时间", 17), ("报送情况", 11))


def _units_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    statuses = [s for s in report.counts if s != merge.UNREPORTED]
    columns = fit_columns(_unit_columns(statuses))
    first = table_sheet(sheet, fmt, "各单位报送情况", _sub(report, report.status.totals.sentence()), columns)
    sheet.set_row(first - 2, 36)
    kinds = ("int", "wrap", "int", "int", *("int" for _ in statuses), "center", "center")
    own = report.unit_status_counts()
    for n, u in enumerate(report.status.units):
        counts = own.get(u.unit.name, {})
        values = (n + 1, u.unit.name, u.unit.lead, u.unit.support,
                  *((counts.get(s, 0) if u.reported else None) for s in statuses),
                  time_text(u.submitted_at), "\n".join(x for x in (u.label, u.correction_text()) if x))
        write_row(sheet, fmt, first + n, values, kinds, _outcome_fill(u), [w for _, w in columns])
    finish_table(sheet, first, first + max(len(report.status.units), 1) - 1, len(columns), autofilter=True)


def _outcome_fill(u: UnitStatus) -> str | None:
    return None if u.outcome == ON_TIME else YELLOW if u.outcome == LATE else GREY


SIGNED_OFF_SHEET = "销号情况"
SIGNED_OFF_COLUMNS = (   # a row: (n, the item signed off)
    ReportColumn("序号", 6, "int", lambda r: r[0]),
    ReportColumn("编号", 6, "center", lambda r: r[1].number),
    ReportColumn("重点任务", 30, "wrap", lambda r: r[1].title),
    ReportColumn("销号日期", 12, "center", lambda r: f"{r[1].at.year}年{r[1].at.month}月{r[1].at.day}日"),
    ReportColumn("销号人", 10, "wrap", lambda r: r[1].by),
    ReportColumn("本月销号", 9, "center", lambda r: "是" if r[1].this_month else ""),
    ReportColumn("佐证材料", 40, "wrap", lambda r: "\n".join(name for name, _ in r[1].evidence)),
)


def _signed_off_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    """Items signed off (已销号) on evidence, with their date and the evidence's files; a file links to
    its copy in archive/evidence/ (the workbook sits in outbox/reports/<period>/)."""
    done = report.status.signed_off
    text = f"累计已销号 {len(done)} 项，其中本月销号 {len(report.status.signed_off_this_month)} 项"
    def link(row: int, item, written: int) -> None:       # one file on one line: a link to its copy
        s = item[1]
        if len(s.evidence) == 1 and written == 1:
            name, path = s.evidence[0]
            sheet.write_url(row, len(SIGNED_OFF_COLUMNS) - 1, f"external:../../../{path}", fmt[(None, "wrap")],
                            string=name)
    write_table(sheet, fmt, "销号情况", _sub(report, text), SIGNED_OFF_COLUMNS, list(enumerate(done, start=1)),
                after=link)


SCORES_SHEET = "考评"
SCORES_COLUMNS = (   # a row: (the unit's score, the base)
    ReportColumn("名次", 6, "int", lambda r: r[0].rank),
    ReportColumn("单位", 24, "wrap", lambda r: r[0].unit),
    ReportColumn("得分", 9, "num", lambda r: r[0].score),
    ReportColumn("扣分合计", 9, "num", lambda r: round(r[0].score - r[1], 4)),
    ReportColumn("扣分（加分）明细", 70, "wrap", lambda r: "\n".join(
        f"{d.reason}{'（' + d.item + '）' if d.item else ''} {d.points:+g}" for d in r[0].deductions) or "无扣分"),
)


def _scores_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    """考评: each unit's score and rank, and every deduction with its reason and what it is about."""
    base = report.scores[0].base
    write_table(sheet, fmt, "各单位考评得分", _sub(report, f"基础分 {base:g} 分，按 ledger.toml [scoring] 扣分"),
                SCORES_COLUMNS, [(sc, base) for sc in report.scores], autofilter=True)


def _missing_sheet(sheet, fmt: dict, report: Consolidated) -> None:
    waiting = report.status.waiting()
    totals = report.status.totals
    # the same words as 总体情况: 未报送 counts units that sent nothing, 退回待重报 those whose file went back
    text = f"尚未完成报送 {len(waiting)} 个单位：退回待重报 {totals.rejected} 个，未报送 {totals.missing} 个"
    write_table(sheet, fmt, "未报送单位名单", _sub(report, text), MISSING_COLUMNS, list(enumerate(waiting, start=1)),
                empty="本期全部单位均已报送。")
