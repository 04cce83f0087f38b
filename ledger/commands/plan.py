"""``ledger plan``: import a notice, show it, export it for review and load the review back."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.commands.common import (echo_json, echo_table, local_iso, local_text, office_zone, progress_bar, shorten,
                                    workspace_from)
from ledger.commands.options import json_option
from ledger.importing import import_notice, preview_plan, store_plan
from ledger.plan.importer import ImportSummary, item_to_dict
from ledger.plan.parts import part_label
from ledger.plan.review import export_review, load_review, read_units
from ledger.store.plans import load_plan, plan_versions

EXPORT_NAME = "计划分解表.xlsx"


@click.group()
def plan() -> None:
    """计划：导入工作要点通知、查看、导出审核表并导回。

    示例：

    \b
      ledger plan import 2024年工作要点.docx
      ledger plan show
      ledger plan export
      ledger plan load outbox/计划分解表.xlsx
      ledger plan versions
    """


@plan.command("import")
@click.argument("file", metavar="文件", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", metavar="标题", help="计划标题（默认从通知中读取）")
@json_option
@click.option("--dry-run", is_flag=True, help="只显示将要导入的内容，不保存")
@click.option("--progress-period", metavar="月份",
              help="表格中的推进情况、形象进度、是否达序等列作为该月（YYYY-MM）各牵头单位的报送保存（标为导入）")
@click.pass_context
def import_(ctx: click.Context, file: Path, title: str | None, as_json: bool, dry_run: bool,
            progress_period: str | None) -> None:
    """从通知文件（.txt、.md、.docx、.doc、.wps、.pdf、.html、.xlsx、.xls）导入计划，生成新版本。

    已有推进情况表（含上月进展）的，加 --progress-period 可同时保存该月各牵头单位的进展，
    下月模板带出、首次报告与之对比，无需重新填写。

    示例：

    \b
      ledger plan import 2024年工作要点.docx
      ledger plan import 通知.pdf --dry-run
      ledger plan import 通知.txt --title "2024年重点工作" --json
      ledger plan import 推进表.xlsx --progress-period 2024-06
    """
    ws = workspace_from(ctx)
    with progress_bar("导入计划", as_json) as progress:
        summary = import_notice(ws, file, title=title, dry_run=dry_run, progress=progress,
                                progress_period=progress_period)
    _print_summary(summary, as_json, "已导入")


def _print_summary(summary: ImportSummary, as_json: bool, verb: str) -> None:
    if as_json:
        data = summary.to_dict()
        if summary.dry_run and summary.plan is not None:
            data["plan"] = [item_to_dict(i) | {"fields": [vars(f) for f in i.fields]} for i in summary.plan.items]
        echo_json(data)
        return
    if summary.dry_run:
        click.echo(f"演练（未保存）：若导入，将成为第 {summary.version} 版计划：{summary.title}")
        _print_columns(summary)
        if summary.changes is None:          # a first plan: every item is new
            _print_items(summary.plan.items if summary.plan else [])
    else:
        click.echo(f"{verb}第 {summary.version} 版计划：{summary.title}")
    click.echo(f"  部分 {summary.sections} 个，任务 {summary.items} 项，责任单位 {len(summary.units)} 个，量化指标 {summary.targets} 个")
    if summary.unassigned:
        click.echo(f"  未明确责任单位的任务 {len(summary.unassigned)} 项：{'、'.join(summary.unassigned)}（可在计划分解表中补充）")
    if summary.collective:
        click.echo(f"  集体名称 {len(summary.collective)} 个：{'、'.join(summary.collective)}（可在 ledger.toml 的 [units.groups] 中展开为具体单位）")
    if summary.new_units:
        click.echo(f"  新增单位 {len(summary.new_units)} 个：{'、'.join(summary.new_units)}")
    _print_changes(summary)
    if summary.progress_kept:
        verb = "将保存" if summary.dry_run else "已保存"
        click.echo(f"  {verb} {summary.progress_period} 的进展：{summary.progress_kept} 个牵头单位的报送（来源：导入）")
    _print_notes(summary)
    if summary.dry_run:
        click.echo("以上为演练结果，未保存任何内容；确认无误后去掉 --dry-run 再运行一次即可导入")


def _print_changes(summary: ImportSummary) -> None:
    """What the version changes from the previous one (items matched by identity, never by number)."""
    diff = summary.changes
    if diff is None:
        return
    if diff.empty:
        click.echo(f"与第 {diff.previous_version} 版相比：内容未变")
        return
    click.echo(f"与第 {diff.previous_version} 版相比：{diff.counts_text()}")
    for line in diff.lines():
        click.echo(f"  {line}")


def _print_columns(summary: ImportSummary) -> None:
    """Which column of each task table was read as what, so a wrong mapping is seen before storing."""
    for n, columns in enumerate(summary.tables, start=1):
        number = f" {n}" if len(summary.tables) > 1 else ""
        click.echo(f"表格{number}各列的读法：")
        echo_table(["表头", "读作"], [[c["header"], c["read_as"]] for c in columns])


def _print_notes(summary: ImportSummary) -> None:
    """What needs the office's eye, each with where it is in the notice."""
    if not summary.notes:
        click.echo("  未发现需要核对的地方")
        return
    click.echo(f"需要核对的地方 {len(summary.notes)} 处（可在计划分解表中修改后 ledger plan load）：")
    for note in summary.notes:
        where = f"第 {note.line} 行  " if note.line else ""
        item = f"任务 {note.item}：" if note.item and note.item not in note.message else ""
        snippet = f"　原文：“{shorten(note.snippet, 40)}”" if note.snippet and note.snippet not in note.message else ""
        click.echo(f"  {where}{item}{note.message}{snippet}")


def _print_items(items) -> None:
    rows = [[part_label(i), i.number, shorten(i.title, 20), shorten("、".join(i.lead), 24) or "（未明确）",
             shorten("、".join(i.support), 20), shorten("、".join(i.leaders), 10), shorten(i.deadline_text, 12)]
            for i in items]
    echo_table(["部分", "编号", "任务", "牵头单位", "配合单位", "责任领导", "完成时限"], rows)

@plan.command()
@json_option
@click.option("--version", "version", type=int, metavar="版本号", help="查看指定版本（默认当前版本）")
@click.pass_context
def show(ctx: click.Context, as_json: bool, version: int | None) -> None:
    """列出当前计划的任务及责任单位。

    示例：

    \b
      ledger plan show
      ledger plan show --version 1
      ledger plan show --json
    """
    stored = load_plan(workspace_from(ctx).engine, version)
    if as_json:
        echo_json({"version": stored.version, "title": stored.title,
                   "items": [item_to_dict(i, i.id) for i in stored.items]})
        return
    click.echo(f"第 {stored.version} 版计划：{stored.title}（{len(stored.items)} 项任务）")
    _print_items(stored.items)


@plan.command()
@click.option("-o", "--output", metavar="文件", type=click.Path(dir_okay=False, path_type=Path),
              help=f"输出文件（默认 outbox/{EXPORT_NAME}）")
@json_option
@click.pass_context
def export(ctx: click.Context, output: Path | None, as_json: bool) -> None:
    """导出计划分解表（Excel），供审核修改。

    示例：

    \b
      ledger plan export
      ledger plan export -o 审核/计划分解表.xlsx
    """
    ws = workspace_from(ctx)
    stored = load_plan(ws.engine)
    from ledger.store.contacts import unit_contacts

    path = export_review(stored, output or ws.outbox_dir / EXPORT_NAME, contacts=unit_contacts(ws.engine))
    if as_json:
        echo_json({"version": stored.version, "title": stored.title, "items": len(stored.items),
                   "file": ws.relative(path)})
        return
    click.echo(f"已导出第 {stored.version} 版计划（{len(stored.items)} 项任务）：{path}")
    click.echo("修改后运行：ledger plan load <文件>")


@plan.command()
@click.argument("file", metavar="文件", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@click.option("--dry-run", is_flag=True, help="只显示将要导回的内容，不保存")
@click.pass_context
def load(ctx: click.Context, file: Path, as_json: bool, dry_run: bool) -> None:
    """导回审核后的计划分解表，生成新版本计划。

    示例：

    \b
      ledger plan load outbox/计划分解表.xlsx --dry-run
      ledger plan load outbox/计划分解表.xlsx
    """
    from ledger.errors import PlanImportError, PlanNotFoundError

    ws = workspace_from(ctx)
    if not file.is_file():
        raise PlanImportError(f"找不到文件：{file}")
    try:
        current = load_plan(ws.engine)
    except PlanNotFoundError:
        current = None
    reviewed = load_review(file, year=current.year if current else None, previous=current,
                           unit_endings=getattr(ws.settings.units, "unit_endings", None) or ())
    contacts = read_units(file)      # checked before anything is stored
    if dry_run:
        summary = preview_plan(ws, reviewed)
    else:
        summary = store_plan(ws, reviewed, origin="review", source=file, command="plan load")
        if contacts is not None:
            from ledger.store.contacts import load_contacts

            unknown = load_contacts(ws.engine, contacts)
            if unknown and not as_json:
                click.echo(f"注意：“单位”工作表中的{'、'.join(unknown)}不是已知的单位，其联系人未导入")
    _print_summary(summary, as_json, "已导回")


ORIGIN_LABELS = {"import": "导入通知", "review": "导回分解表"}


@plan.command()
@json_option
@click.pass_context
def versions(ctx: click.Context, as_json: bool) -> None:
    """列出所有计划版本（时间为办公室所在时区，与 ledger log 一致）。

    示例：

    \b
      ledger plan versions
      ledger plan versions --json
    """
    ws = workspace_from(ctx)
    zone = office_zone(ws)
    found = plan_versions(ws.engine)
    if as_json:
        echo_json({"timezone": zone.key, "versions": [
            {"version": v["version"], "title": v["title"], "origin": v["origin"], "source_name": v["source_name"],
             "created_at": local_iso(v["created_at"], zone)} for v in found]})
        return
    rows = [[v["version"], v["title"], ORIGIN_LABELS.get(v["origin"], v["origin"]), v["source_name"] or "",
             local_text(v["created_at"], zone)] for v in found]
    echo_table(["版本", "标题", "来源", "文件", "时间"], rows)
