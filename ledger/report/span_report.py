"""The year's (or quarter's) workbook and its 督查通报, written from a ``SpanView``.

outbox/reports/<2024 or 2024Q3>/<title>工作台账年度汇总（2024年）.xlsx and …年度督查通报（2024年）.docx;
the 通报's wording is the workspace's ``templates/年度通报模板.md`` (written on first use), like the
monthly one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger.durable import sweep_temporaries
from ledger.period import label
from ledger.report import bulletin, official
from ledger.report.sheets import (created_time, finish_table, fit_columns, new_workbook, percent_text, table_sheet,
                                  write_row)
from ledger.report.span import Span, SpanView, span_view
from ledger.report.status import LATE, MISSING, ON_TIME, REJECTED
from ledger.store import events
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output, safe_name

SPAN_TEMPLATE_NAME = "年度通报模板.md"

DEFAULT_SPAN_TEMPLATE = """\
# {计划名称}落实情况{期间}督查通报

{报送范围}：

按照工作安排，{发文单位}对{期间}{计划名称}落实情况进行了汇总。现将有关情况通报如下。

## 一、总体情况
{总体情况}

## 二、任务完成情况
{完成情况}
{已完成任务}

## 三、未完成任务
{未完成情况}
{未完成任务}

## 四、各单位报送情况
{报送情况}
{报送不及时单位}

## 五、下步工作要求
一是对未完成任务逐项明确完成时限和责任人，加快推进。
二是对多次滞后、多次逾期报送的单位加强督办，压实责任。

> {发文单位}
> {落款日期}
"""


@dataclass
class SpanResult:
    view: SpanView
    path: Path
    bulletin: Path


def span_paths(ws: Workspace, title: str, span: Span) -> tuple[Path, Path]:
    name = safe_name(title, "工作台账")
    folder = ws.outbox_dir / "reports" / span.key
    kind = "年度" if len(span.months) == 12 else "季度"
    return (folder / f"{name}工作台账{kind}汇总（{span.title}）.xlsx",
            folder / f"{name}{kind}督查通报（{span.title}）.docx")


def make_span_report(ws: Workspace, span: Span, command: str = "report") -> SpanResult:
    """The span's workbook and 通报, written atomically; the run is logged."""
    view = span_view(ws, span)
    path, notice = span_paths(ws, view.title, span)
    lines = bulletin.fill(read_span_template(ws), span_fields(view, ws.settings.office.name))
    with ws.lock():
        sweep_temporaries(ws.outbox_dir / "reports")
        with ws.engine.begin() as conn, atomic_output(path) as tmp:
            write_span_workbook(view, tmp, ws.settings.office.name)
            with atomic_output(notice) as tmp_notice:
                official.write_document(tmp_notice, lines, f"{view.title}落实情况{span.title}督查通报",
                                        ws.settings.office.name)
                events.record(conn, command, "report-span", f"{span.title}汇总：{len(view.months)} 个月",
                              {"span": span.key, "months": view.months, "file": ws.relative(path)})
        for output in (path, notice):
            output.with_suffix(".pdf").unlink(missing_ok=True)
    return SpanResult(view, path, notice)


def read_span_template(ws: Workspace) -> str:
    path = ws.templates_dir / SPAN_TEMPLATE_NAME
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEFAULT_SPAN_TEMPLATE, encoding="utf-8")
    return path.read_text(encoding="utf-8-sig")


def span_fields(view: SpanView, office: str) -> dict[str, str | list[str]]:
    totals, finished, unfinished = view.unit_totals(), view.finished(), view.unfinished()
    last = view.last
    expected = sum(totals.values())
    return {
        "计划名称": view.title, "期间": view.span.title, "发文单位": office or "督查室", "报送范围": "各责任单位",
        "落款日期": label(view.months[-1]),
        "总体情况": (f"{view.span.title}共汇总 {len(view.months)} 个月（{label(view.months[0])}至{label(view.months[-1])}）。"
                 f"截至{label(view.months[-1])}，{view.title}共有重点任务 {len(last.merged)} 项，"
                 f"已完成 {sum(1 for m in last.merged.values() if last.vocabulary.meaning(m.status) == 'done')} 项。"),
        "完成情况": f"{view.span.title}内完成任务 {len(finished)} 项：",
        "已完成任务": [f"{t.label} {t.title}（{label(t.done_in)}完成，牵头单位：{'、'.join(t.lead) or '未明确'}）"
                    for t in finished],
        "未完成情况": f"截至{label(view.months[-1])}，尚未完成的任务 {len(unfinished)} 项：",
        "未完成任务": [f"{t.label} {t.title}：{t.last_status}" + (f"，滞后 {t.lagged} 个月" if t.lagged else "")
                    + (f"。存在问题：{t.last_problems}" if t.last_problems else "") for t in unfinished],
        "报送情况": (f"各单位应报送 {expected} 单位·月，按时报送 {totals[ON_TIME]}，逾期报送 {totals[LATE]}，"
                 f"退回待重报 {totals[REJECTED]}，未报送 {totals[MISSING]}；按时率 "
                 f"{percent_text(totals[ON_TIME] / expected if expected else 0)}。"),
        "报送不及时单位": [f"{u.name}：逾期 {u.count(LATE)} 次，未报送 {u.count(MISSING)} 次，退回 {u.count(REJECTED)} 次"
                     for u in view.units if u.count(LATE) or u.count(MISSING) or u.count(REJECTED)],
    }


def write_span_workbook(view: SpanView, path: Path, office: str) -> None:
    last = view.last
    title = f"{view.title}工作台账{view.span.title}汇总"
    wb, fmt = new_workbook(path, created_time(last.status.as_of, last.status.deadline), title, office)
    _trend(wb, fmt, view)
    _tasks(wb, fmt, view)
    _units(wb, fmt, view)
    _completion(wb, fmt, view)
    wb.close()


def _trend(wb, fmt, view: SpanView) -> None:
    sheet = wb.add_worksheet("逐月趋势")
    statuses = [s for s in view.last.statuses]
    columns = fit_columns((("月份", 12), ("计划版本", 8), ("任务", 8), *((s, 8) for s in statuses), ("未报送", 8),
                           ("按时报送单位", 10), ("逾期", 8), ("退回", 8), ("未报送单位", 10)))
    first = table_sheet(sheet, fmt, f"{view.span.title}逐月情况", "各月数字取自当月汇总", columns)
    trend = view.month_totals()
    for n, (month, report) in enumerate(zip(trend, (view.reports[p] for p in view.months))):
        counts = report.counts
        totals = month["units"]
        write_row(sheet, fmt, first + n, (month["label"], month["plan_version"], month["items"],
                                          *(counts.get(s, 0) for s in statuses), counts.get("未报送", 0),
                                          totals["on_time"], totals["late"], totals["rejected"], totals["missing"]),
                  ("center", "int", "int", *("int" for _ in statuses), "int", "int", "int", "int", "int"))
    last_row = first + len(trend) - 1
    finish_table(sheet, first, last_row, len(columns))
    chart = wb.add_chart({"type": "line"})
    for c, s in enumerate([*statuses, "未报送"], start=3):
        chart.add_series({"name": [sheet.name, first - 1, c], "categories": [sheet.name, first, 0, last_row, 0],
                          "values": [sheet.name, first, c, last_row, c]})
    chart.set_title({"name": "各月任务状态"})
    sheet.insert_chart(last_row + 2, 0, chart)


def _tasks(wb, fmt, view: SpanView) -> None:
    sheet = wb.add_worksheet("任务完成情况")
    columns = fit_columns((("编号", 8), ("任务", 30), ("牵头单位", 20), ("完成月份", 12), ("期末状态", 10),
                           ("滞后月数", 8), ("存在问题", 40)))
    first = table_sheet(sheet, fmt, f"{view.span.title}任务完成情况", "按任务身份跨计划版本统计（改编号、改名称不影响）", columns)
    row = first
    widths = [w for _, w in columns]
    for t in view.tasks:
        row += write_row(sheet, fmt, row, (t.label, t.title, "、".join(t.lead), label(t.done_in) if t.done_in else "",
                                           t.last_status, t.lagged, t.last_problems),
                         ("center", "wrap", "wrap", "center", "center", "int", "wrap"), widths=widths)
    finish_table(sheet, first, max(row - 1, first), len(columns), autofilter=True)


def _units(wb, fmt, view: SpanView) -> None:
    sheet = wb.add_worksheet("各单位报送")
    columns = fit_columns((("单位", 20), *((label(p)[5:], 10) for p in view.months), ("按时", 6), ("逾期", 6),
                           ("退回", 6), ("未报送", 6), ("按时率", 8)))
    first = table_sheet(sheet, fmt, f"{view.span.title}各单位报送情况", "单位按现名列出；更名、合并前的报送注明原名", columns)
    widths = [w for _, w in columns]
    row = first
    for u in view.units:
        cells = [u.cell(p) for p in view.months]
        row += write_row(sheet, fmt, row, (u.name, *cells, u.count(ON_TIME), u.count(LATE), u.count(REJECTED),
                                           u.count(MISSING), u.on_time_rate),
                         ("wrap", *("center" for _ in cells), "int", "int", "int", "int", "pct"), widths=widths)
    finish_table(sheet, first, max(row - 1, first), len(columns), autofilter=True)


def _completion(wb, fmt, view: SpanView) -> None:
    sheet = wb.add_worksheet("分部分与牵头单位")
    columns = fit_columns((("部分或牵头单位", 30), ("任务", 8), ("已完成", 8), ("完成率", 8)))
    first = table_sheet(sheet, fmt, f"{view.span.title}完成情况（截至{label(view.months[-1])}）", "", columns)
    row = first
    for entry in [*view.by_part(), *view.by_lead()]:
        name = entry.get("part") or entry.get("unit")
        row += write_row(sheet, fmt, row, (name, entry["items"], entry["done"],
                                           entry["done"] / entry["items"] if entry["items"] else 0),
                         ("wrap", "int", "int", "pct"))
    finish_table(sheet, first, max(row - 1, first), len(columns))
