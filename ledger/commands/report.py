"""``ledger status`` and ``ledger report``: who has reported, and the consolidated monthly workbook."""

from __future__ import annotations

import click

from ledger.commands.common import echo_json, echo_table, progress_bar, shorten, workspace_from
from ledger.commands.options import json_option, period_option, span_options
from ledger.period import label
from ledger.report import StatusReport, make_report, period_status, write_reminders
from ledger.report.bulletin import template_path as bulletin_template
from ledger.report.deadlines import DUE_SOON_LABEL, OVERDUE_LABEL
from ledger.report.merge import UNREPORTED, share
from ledger.report.pdf import to_pdf
from ledger.soffice import soffice
from ledger.report.sheets import date_text, percent_text, time_text
from ledger.report.targets import sentence as targets_sentence

@click.command()
@period_option()
@span_options
@click.option("--reminders", is_flag=True, help="同时生成催报名单 outbox/reminders/<月份>/催报名单.xlsx")
@json_option
@click.pass_context
def status(ctx: click.Context, period: str | None, year: str | None, quarter: str | None, reminders: bool,
           as_json: bool) -> None:
    """查看各责任单位某月的报送情况：按时、逾期、退回待重报、未报送。

    示例：

    \b
      ledger status
      ledger status --period 2024-07 --reminders
      ledger status --period 2024-07 --json
      ledger status --year 2024
      ledger status --quarter 2024Q3 --json
    """
    ws = workspace_from(ctx)
    span = _span(year, quarter, period)
    if span is not None:
        _span_status(ws, span, as_json)
        return
    report = period_status(ws, period)
    path = write_reminders(ws, report) if reminders else None
    if as_json:
        echo_json({**report.to_dict(), "reminders": ws.relative(path) if path else None})
        return
    _print_status(report)
    if path:
        click.echo(f"已生成催报名单（{len(report.waiting())} 个单位）：{ws.relative(path)}")


def _print_status(report: StatusReport) -> None:
    click.echo(f"{report.plan.title} · {label(report.period)}报送情况（截止 {date_text(report.deadline)}，"
               f"数据截至 {time_text(report.as_of) or '尚无报送'}）")
    rows = [[u.unit.name, u.unit.lead, u.unit.support, u.label + (f"（{u.review_label}）" if u.review_label else ""),
             time_text(u.submitted_at),
             shorten("；".join(x for x in (u.correction_text(), *(u.rejection.messages if u.rejection else [])) if x), 40)]
            for u in report.units]
    echo_table(["单位", "牵头", "配合", "报送情况", "报送时间", "说明"], rows)
    click.echo(report.totals.sentence())
    if report.locked:
        click.echo(f"{label(report.period)}已锁定（终版）：{report.locked.by}于 {time_text(report.locked.at)} 锁定")
    if report.signed_off:
        click.echo(f"已销号任务 {len(report.signed_off)} 项，其中本月销号 {len(report.signed_off_this_month)} 项："
                   + "；".join(f"{s.number} {s.title}（{s.at.month}月{s.at.day}日）" for s in report.signed_off_this_month))
    _print_deadlines(report)


def _print_deadlines(report: StatusReport, indent: str = "") -> None:
    """The items past their 完成时限 and not 已完成, and those due within the coming month, named."""
    watch = report.deadlines
    if watch is None or not (watch.overdue or watch.due_soon):
        return
    click.echo(indent + watch.sentence())
    for heading, due in ((OVERDUE_LABEL, watch.overdue), (DUE_SOON_LABEL, watch.due_soon)):
        if due:
            click.echo(f"{indent}{heading}（{len(due)} 项）：")
            for d in due:
                click.echo(f"{indent}  {d.line()}")


@click.command()
@period_option()
@span_options
@json_option
@click.option("--pdf/--no-pdf", default=True, help="安装了 LibreOffice 时，同时生成汇总表和督查通报的 PDF（默认生成）")
@click.pass_context
def report(ctx: click.Context, period: str | None, year: str | None, quarter: str | None, as_json: bool,
           pdf: bool) -> None:
    """生成某月工作台账汇总表和督查通报（outbox/reports/<月份>/），供领导审阅。

    --year / --quarter 生成年度、季度汇总表和督查通报（outbox/reports/<年份或季度>/），由已记录的各月按当月汇总组成。

    示例：

    \b
      ledger report
      ledger report --period 2024-07
      ledger report --period 2024-07 --no-pdf
      ledger report --period 2024-07 --json
      ledger report --year 2024
      ledger report --quarter 2024Q3 --json
    """
    ws = workspace_from(ctx)
    span = _span(year, quarter, period)
    if span is not None:
        _span_report(ws, span, as_json, pdf)
        return
    with progress_bar("生成汇总表", as_json) as progress:
        result = make_report(ws, period, progress=progress)
    summary = result.report.summary()
    pdfs = [to_pdf(p) for p in (result.path, result.bulletin)] if pdf and soffice() else []
    if as_json:
        echo_json({**summary, "file": ws.relative(result.path), "bulletin": ws.relative(result.bulletin),
                   "pdf": [ws.relative(p) for p in pdfs if p]})
        return
    if summary["no_submissions"]:
        click.echo(f"提示：{summary['label']}尚无单位报送，汇总表中全部任务按未报送统计")
    click.echo(f"已生成{summary['label']}工作台账汇总表：{ws.relative(result.path)}")
    total = summary["items"]
    parts = [f"{v['label']} {v['count']} 项（{percent_text(share(v['count'], total))}）"
             for v in summary["counts"].values() if v["count"] or v["label"] == UNREPORTED]
    click.echo(f"  任务 {total} 项：" + "，".join(parts))
    click.echo("  " + result.report.status.totals.sentence())
    if result.report.targets:
        click.echo("  " + targets_sentence(result.report.targets))
    _print_deadlines(result.report.status, indent="  ")
    _print_bulletin(ws, result, pdfs, pdf)


def _print_bulletin(ws, result, pdfs: list, asked: bool) -> None:
    """The 督查通报 and the PDFs (or why there are none)."""
    click.echo(f"已生成{label(result.report.period)}督查通报：{ws.relative(result.bulletin)}"
               f"（措辞可在 {ws.relative(bulletin_template(ws))} 中修改）")
    if asked and not soffice():
        click.echo("未安装 LibreOffice，未生成 PDF：可在 Excel、Word 或 WPS 中打开上述文件后打印或另存为 PDF")
    for made in pdfs:
        if made:
            click.echo(f"已生成 PDF：{ws.relative(made)}")
    if pdfs and not all(pdfs):
        click.echo("部分 PDF 未能生成（LibreOffice 转换失败）：可在 Excel、Word 或 WPS 中打开后另存为 PDF")


def _span(year: str | None, quarter: str | None, period: str | None):
    """The year or quarter asked for, or None for one month."""
    if not year and not quarter:
        return None
    if sum(bool(x) for x in (year, quarter, period)) > 1:
        raise click.UsageError("--period、--year、--quarter 只能选一个")
    from ledger.report.span import Span

    return Span.year(year) if year else Span.quarter(quarter)


def _span_status(ws, span, as_json: bool) -> None:
    from ledger.report.span import span_view
    from ledger.report.status import OUTCOME_LABELS

    view = span_view(ws, span)
    if as_json:
        echo_json({"span": span.key, "label": span.title, "months": view.months, "totals": view.unit_totals(),
                   "units": [u.to_dict() for u in view.units]})
        return
    click.echo(f"{view.title} · {span.title}报送情况（已记录 {len(view.months)} 个月）")
    short = {"on_time": "按时", "late": "逾期", "rejected": "退回", "missing": "未报"}
    rows = [[u.name, *("/".join(short[o] + ("*" if name != u.name else "") for o, name in u.months.get(p, []))
                       for p in view.months), percent_text(u.on_time_rate)] for u in view.units]
    echo_table(["单位", *(label(p)[5:] for p in view.months), "按时率"], rows)
    totals = view.unit_totals()
    click.echo("合计：" + "，".join(f"{OUTCOME_LABELS[o]} {n}" for o, n in totals.items()) + "（单位·月）")
    if any(name != u.name for u in view.units for entries in u.months.values() for _, name in entries):
        click.echo("* 以原名称报送（单位更名或合并前）")


def _span_report(ws, span, as_json: bool, pdf: bool) -> None:
    from ledger.report.span_report import make_span_report

    result = make_span_report(ws, span)
    pdfs = [to_pdf(p) for p in (result.path, result.bulletin)] if pdf and soffice() else []
    if as_json:
        echo_json({**result.view.to_dict(), "file": ws.relative(result.path), "bulletin": ws.relative(result.bulletin),
                   "pdf": [ws.relative(p) for p in pdfs if p]})
        return
    view = result.view
    click.echo(f"已生成{span.title}汇总表：{ws.relative(result.path)}（已记录 {len(view.months)} 个月）")
    click.echo(f"  期内完成任务 {len(view.finished())} 项，期末未完成 {len(view.unfinished())} 项")
    click.echo(f"已生成{span.title}督查通报：{ws.relative(result.bulletin)}")
    for made in pdfs:
        if made:
            click.echo(f"已生成 PDF：{ws.relative(made)}")
