"""A year of a synthetic plan lived as an office lives it, with a revision, a renumbering, a rename and a merge.

Plan version 1 (January):
  一、发展  1 推进A  lead 县甲局  support 县乙局
           2 招商B  lead 县乙局
           3 升级C  lead 县丙局
  二、民生  1 教育D  lead 县丁局  support 县甲局
           2 医疗E  lead 县戊局   target 新建诊所 ≥ 10 个

April, before its templates (review workbook, ``plan load``): B deleted, C renumbered 3 → 2,
D retitled 教育提质D, E's lead 县戊局 → 县丁局, F added (二、3 养老F, lead 县甲局).
June, before its templates ([units.aliases] and ``plan load``): 县丙局 renamed 县丙中心; 县甲局 and
县乙局 merged into 县甲乙局.

Each month every unit returns its template (filled by the schedule below) on the 3rd of the next
month, except: 县丁局 on the 10th in February and July (late), 县戊局 sends nothing for February.
Statuses by item letter and month m: A 序时推进, 已完成 from October; B 滞后 (until deleted);
C 滞后 in months 2–8, else 序时推进; D 序时推进, 已完成 from June; E 严重滞后 in months 3–5, else
序时推进; F 未启动 in April, then 序时推进. 进展 text: "<letter><m>月进展".
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from ledger import layout
from ledger.plan.model import Plan, PlanItem, Section, Target
from ledger.store.plans import load_plan, save_plan
from ledger.workspace import Workspace, init_workspace

CST = timezone(timedelta(hours=8))
YEAR = 2024
PERIODS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
LETTERS = {"推进A": "A", "招商B": "B", "升级C": "C", "教育D": "D", "医疗E": "E"}


def first_plan() -> Plan:
    s1, s2 = Section("一", "发展"), Section("二", "民生")
    items = [
        PlanItem("1", "推进A", "推进A的措施。", "发展", "一", ["县甲局"], ["县乙局"]),
        PlanItem("2", "招商B", "招商B的措施。", "发展", "一", ["县乙局"], []),
        PlanItem("3", "升级C", "升级C的措施。", "发展", "一", ["县丙局"], []),
        PlanItem("1", "教育D", "教育D的措施。", "民生", "二", ["县丁局"], ["县甲局"]),
        PlanItem("2", "医疗E", "医疗E的措施。新建诊所 10 个。", "民生", "二", ["县戊局"], [],
                 targets=[Target("新建诊所", 10, "个", "≥", "count")]),
    ]
    return Plan("某县2024年重点工作", YEAR, items, [s1, s2])


def status_of(letter: str, month: int) -> str:
    if letter == "A":
        return "已完成" if month >= 10 else "序时推进"
    if letter == "B":
        return "滞后"
    if letter == "C":
        return "滞后" if 2 <= month <= 8 else "序时推进"
    if letter == "D":
        return "已完成" if month >= 6 else "序时推进"
    if letter == "E":
        return "严重滞后" if 3 <= month <= 5 else "序时推进"
    return "未启动" if month == 4 else "序时推进"


def arrival(unit: str, month: int) -> datetime | None:
    """When a unit's file for the month reaches the inbox (None: never)."""
    if unit == "县戊局" and month == 2:
        return None
    day = 10 if unit == "县丁局" and month in (2, 7) else 3
    first = datetime(YEAR + month // 12, month % 12 + 1, day, 10, 0, tzinfo=CST)
    return first


class Year:
    """The workspace and what each month's status and report said when they were made."""

    def __init__(self, root: Path):
        self.ws: Workspace = init_workspace(root)
        save_plan(self.ws.engine, first_plan(), origin="import")
        self.letters: dict[int, str] = {i.identity: LETTERS[i.title] for i in load_plan(self.ws.engine).items}
        self.at_the_time: dict[str, dict] = {}
        self.templates: dict[str, Path] = {}
        self.loads: dict[str, str] = {}         # what plan load printed, by month

    def cli(self, *args: str):
        from ledger.cli import cli

        result = CliRunner().invoke(cli, ["-w", str(self.ws.root), *args])
        assert result.exit_code == 0, result.output
        return result

    # --- the plan's changes ----------------------------------------------------------------------
    def revise_in_april(self, tmp: Path) -> str:
        path = self.export(tmp / "april.xlsx")
        wb = openpyxl.load_workbook(path)
        sheet = wb["计划分解"]
        header = [c.value for c in sheet[1]]
        col = {h: header.index(h) + 1 for h in header}
        for row in list(sheet.iter_rows(min_row=2)):
            title = row[col["任务名称"] - 1].value
            if title == "招商B":
                sheet.delete_rows(row[0].row)
        for row in sheet.iter_rows(min_row=2):
            cells = {h: row[i - 1] for h, i in col.items()}
            if cells["任务名称"].value == "升级C":
                cells["编号"].value = "2"
            elif cells["任务名称"].value == "教育D":
                cells["任务名称"].value = "教育提质D"
            elif cells["任务名称"].value == "医疗E":
                cells["牵头单位"].value = "县丁局"
        new = sheet.max_row + 1
        for header_name, value in (("部分序号", "二"), ("所属部分", "民生"), ("编号", "3"), ("任务名称", "养老F"),
                                   ("任务内容", "养老F的措施。"), ("牵头单位", "县甲局")):
            sheet.cell(new, col[header_name], value)
        wb.save(path)
        self.dry_run = self.cli("plan", "load", str(path), "--dry-run").output
        out = self.cli("plan", "load", str(path)).output
        plan = load_plan(self.ws.engine)
        added = next(i for i in plan.items if i.title == "养老F")
        self.letters[added.identity] = "F"
        return out

    def reorganise_in_june(self, tmp: Path) -> str:
        config = self.ws.root / "ledger.toml"
        text = config.read_text(encoding="utf-8").replace(
            "[units.aliases]\n", '[units.aliases]\n"县丙局" = "县丙中心"\n"县甲局" = "县甲乙局"\n"县乙局" = "县甲乙局"\n')
        config.write_text(text, encoding="utf-8")
        self.ws.__dict__.pop("settings", None)
        return self.cli("plan", "load", str(self.export(tmp / "june.xlsx"))).output

    def export(self, path: Path) -> Path:
        from ledger.plan.review import export_review

        return export_review(load_plan(self.ws.engine), path)

    # --- a month -----------------------------------------------------------------------------------
    def issue(self, period: str) -> Path:
        from ledger.template.generate import generate_templates

        result = generate_templates(self.ws, period, workers=1)
        self.templates[period] = result.folder
        return result.folder

    def return_files(self, period: str, tmp: Path) -> None:
        month = int(period[5:])
        plan = load_plan(self.ws.engine)
        by_id = {i.id: i for i in plan.items}
        for path in sorted(self.templates[period].glob(f"{period}_*.xlsx")):
            unit = path.stem.split("_", 1)[1]
            when = arrival(unit, month)
            if when is None:
                continue
            out = self.ws.inbox_dir / f"{unit}{period}台账.xlsx"
            self.fill(path, out, by_id, month)
            os.utime(out, (when.timestamp(), when.timestamp()))

    def fill(self, path: Path, out: Path, by_id: dict, month: int) -> None:
        wb = openpyxl.load_workbook(path)
        sheet = wb[layout.LEDGER_SHEET]
        key_col = layout.column_index("row_key") + 1
        row = layout.FIRST_DATA_ROW
        while (key := sheet.cell(row, key_col).value):
            item_id = int(str(key).split("-")[0])
            letter = self.letters[by_id[item_id].identity]
            status = status_of(letter, month)
            values = {"progress": f"{letter}{month}月进展", "status": status,
                      "percent": {"已完成": 100, "未启动": 0}.get(status, 50),
                      "problems": "资金未到位" if "滞后" in status else "", "next_steps": "继续推进",
                      "person": "张三", "phone": "0533-1234567"}
            for k, v in values.items():
                sheet.cell(row, layout.column_index(k) + 1, v)
            row += 1
        for target_row in range(layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + 5):
            if layout.TARGET_SHEET in wb.sheetnames:
                sheets = wb[layout.TARGET_SHEET]
                if sheets.cell(target_row, layout.column_index("target_key", layout.TARGET_COLUMNS) + 1).value:
                    sheets.cell(target_row, layout.column_index("achieved", layout.TARGET_COLUMNS) + 1, month)
        wb.save(out)

    def collect(self, period: str) -> None:
        from ledger.collect.intake import collect_inbox

        month = int(period[5:])
        now = datetime(YEAR + month // 12, month % 12 + 1, 12, 12, 0, tzinfo=CST)
        result = collect_inbox(self.ws, now=now, workers=1)
        assert not [f for f in result.files if f.outcome != "accepted"], result.files

    def record(self, period: str) -> dict:
        """What the month's status, report and 通报 say, now."""
        return said(self.ws, period)

    def live(self, tmp: Path) -> None:
        for period in PERIODS:
            month = int(period[5:])
            if month == 4:
                self.loads[period] = self.revise_in_april(tmp)
            if month == 6:
                self.loads[period] = self.reorganise_in_june(tmp)
            self.issue(period)
            self.return_files(period, tmp)
            self.collect(period)
            self.at_the_time[period] = self.record(period)


def said(ws: Workspace, period: str) -> dict:
    """A month's status (JSON), report summary, 通报 lines, and every cell of the report workbook."""
    from docx import Document

    from ledger.report import make_report, period_status

    status = period_status(ws, period).to_dict()
    result = make_report(ws, period)
    cells = {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)]
             for sheet in openpyxl.load_workbook(result.path)}
    bulletin = [p.text for p in Document(str(result.bulletin)).paragraphs]
    return {"status": status, "summary": result.report.summary(), "bulletin": bulletin, "cells": cells,
            "file": result.path.name}
