"""``ledger demo``: the whole monthly cycle on a shipped sample notice, with simulated departments.

Two periods are run so that carry-forward, period-over-period changes and consecutive lagging
show up. Departments are simulated the way they behave: most fill in correctly, some are late,
some never report, some make typical mistakes, one fixes its returned file and sends it again,
and one file passes through LibreOffice when it is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from ledger import layout
from ledger.collect.intake import CollectResult, collect_inbox
from ledger.errors import WorkspaceError
from ledger.period import current_period, deadline, label, previous_period, schedule_share
from ledger.importing import import_notice
from ledger.template.generate import generate_templates
from ledger.soffice import converted, soffice
from ledger.workspace import Workspace, init_workspace

SAMPLE_NAME = "示范县2024年重点工作任务.txt"
DEMO_MARKER = ".ledger-demo"          # marks a folder the demo made, so a rerun may rebuild it

# What a simulated department does, by its position among the plan's units.
MISSING = {4, 11}                     # never report
LATE = {3, 9}                         # report after the deadline
MISTAKES = {                          # a typical mistake each
    1: ("status", "进行中", "完成状态填了下拉列表以外的“进行中”"),
    5: ("done60", None, "选了“已完成”，完成进度却填 60"),
    7: ("locked", "（已调整）", "改动了锁定的“工作内容”"),
    8: ("percent", "过半", "完成进度填了文字“过半”"),
}
COPIES = {6}                          # types last month's progress again (照搬上月)
THIN = {10: "按计划推进。"}            # writes nothing but a stock phrase
RESUBMITS = 1                         # fixes its returned file and sends it again
LIBREOFFICE = 2                       # re-saves its file with a spreadsheet program
# What a department did this month, by (month + row): concrete work, each with a figure.
ACTIVITIES = [
    "完成项目选址论证，形成初步方案 1 套", "召开专题调度会 {n} 次，协调解决用地、资金问题 {m} 个",
    "完成招标文件编制，{n} 个标段进入公示", "累计完成投资 {m}00 万元，主体工程完成 {n}0%",
    "组织现场督导 {n} 次，整改问题 {m} 处", "印发实施方案，明确责任分工 {m} 项",
    "开展入户走访 {m}0 户，收集意见建议 {n} 条", "完成设备采购 {n} 批，安装调试 {m} 台",
]
STATUS_CYCLE = ["序时推进", "超序时", "序时推进", "滞后", "已完成", "序时推进", "严重滞后"]


@dataclass
class DemoResult:
    root: Path
    periods: list[str]
    rounds: list[CollectResult] = field(default_factory=list)
    story: list[str] = field(default_factory=list)     # what the simulated departments did
    status_line: str = ""
    reminders: Path | None = None
    report: Path | None = None
    bulletin: Path | None = None
    libreoffice: bool = False
    links: dict[str, str] = field(default_factory=dict)   # unit -> its upload link, for `ledger serve`
    missing: list[str] = field(default_factory=list)      # units that never reported the last period
    office_password: str = ""
    escalated: int = 0                                    # 督办单 issued on the last period


def run_demo(target: Path, echo: Callable[[str], None] = print, use_libreoffice: bool = True,
             db_url: str | None = None) -> DemoResult:
    """Build a fresh workspace at ``target`` and run two monthly cycles in it.

    With ``db_url`` the workspace uses that (server) database, which must hold no plan yet: the
    demo's made-up plan and submissions never mix with an office's real ones.
    """
    from ledger.report import make_report, period_status, write_reminders
    from ledger.supervise.escalate import escalate

    target = Path(target)
    if db_url:
        _check_empty(db_url)
    _clear_previous_demo(target, echo)
    ws = init_workspace(target, db_url=db_url)
    (target / DEMO_MARKER).write_text("ledger demo\n", encoding="utf-8")
    this = previous_period(current_period(ws.settings.office.timezone))
    periods = [previous_period(this), this]
    notice = target / SAMPLE_NAME.replace("2024", this[:4])
    text = resources.files("ledger.data").joinpath("sample_notice.txt").read_text(encoding="utf-8")
    notice.write_text(text.replace("2024", this[:4]), encoding="utf-8")   # the plan of the demo's year
    summary = import_notice(ws, notice)
    echo(f"① 导入计划：{summary.title}，任务 {summary.items} 项，责任单位 {len(summary.units)} 个")
    result = DemoResult(ws.root, periods, libreoffice=use_libreoffice and soffice() is not None)
    _first_period(ws, periods[0], result, echo)
    _second_period(ws, periods[1], result, echo)
    status = period_status(ws, periods[1])
    result.status_line = status.totals.sentence()
    result.reminders = write_reminders(ws, status, command="demo")
    result.escalated = len(escalate(ws, periods[1], command="demo").issued)     # 督办单, before the 考评
    made = make_report(ws, periods[1], command="demo")
    result.report, result.bulletin = made.path, made.bulletin
    make_report(ws, periods[0], command="demo")
    _prepare_web(ws, periods[1], status, result)
    return result


DEMO_PASSWORD = "demo"


def _prepare_web(ws: Workspace, period: str, status, result: DemoResult) -> None:
    """Ready the workspace for `ledger serve`: the office's password (the demo's own, told to the
    user) and every unit's link, so the month can go on in a browser."""
    from ledger.links import unit_links
    from ledger.report.status import MISSING as NOT_REPORTED

    ws.set_setting("serve.office_password", DEMO_PASSWORD)
    result.office_password = DEMO_PASSWORD
    result.links = {link.unit: link.url for link in unit_links(ws, period, command="demo").links}
    result.missing = [u.unit.name for u in status.units if u.outcome == NOT_REPORTED]


def _check_empty(db_url: str) -> None:
    """Refuse a database that already holds a plan (a real one, or an earlier demo's)."""
    import sqlalchemy as sa

    from ledger.store import schema
    from ledger.store.faults import describe

    engine = schema.connect(db_url)
    try:
        with engine.connect() as conn:
            plans = conn.execute(sa.select(sa.func.count()).select_from(schema.plans)).scalar()
    finally:
        engine.dispose()
    if plans:
        raise WorkspaceError(f"数据库“{describe(engine.url)['where']}”中已有 {plans} 版计划，为免与真实数据混在一起，"
                             "演示只在空数据库中运行：请新建一个空库后用 ledger demo --db 指定它")


def _clear_previous_demo(target: Path, echo) -> None:
    """A folder made by an earlier demo is rebuilt; anything else is never touched."""
    if not target.exists() or not any(target.iterdir()):
        return
    if not (target / DEMO_MARKER).is_file():
        raise WorkspaceError(f"“{target}” 已存在且不是演示目录，为免覆盖未做改动：请指定其他目录，例如 ledger demo demo2")
    shutil.rmtree(target)
    echo(f"已清空上次的演示目录 {target}")


def _first_period(ws: Workspace, period: str, result: DemoResult, echo) -> None:
    """An uneventful month: everyone reports on time, two items lag."""
    templates = generate_templates(ws, period, command="demo")
    due = _deadline_at(ws, period)
    for n, f in enumerate(templates.files):
        status = "滞后" if n in (3, 6) else STATUS_CYCLE[n % 3]
        _fill(f.path, ws.inbox_dir / f.path.name, period, status)
        _touch(ws.inbox_dir / f.path.name, due - timedelta(days=2, hours=n % 5))
    round_ = collect_inbox(ws, command="demo", now=due + timedelta(days=1))
    result.rounds.append(round_)
    echo(f"② {label(period)}：下发模板 {len(templates.files)} 个，按时收回 {round_.totals['accepted']} 个")


def _second_period(ws: Workspace, period: str, result: DemoResult, echo) -> None:
    templates = generate_templates(ws, period, command="demo")
    echo(f"③ {label(period)}：下发模板 {len(templates.files)} 个（已带入上月报送内容）：{ws.relative(templates.folder)}/")
    due = _deadline_at(ws, period)
    units = [f.unit for f in templates.files]
    for n, f in enumerate(templates.files):
        _simulate(ws, n, f.unit, f.path, period, due, result)
    first = collect_inbox(ws, command="demo", now=due + timedelta(days=3))
    result.rounds.append(first)
    t = first.totals
    echo(f"④ 第一次收取：接收 {t['accepted']} 个，退回 {t['rejected']} 个（已生成退回意见）")
    fixed = _resubmit(ws, units[RESUBMITS], period, due)
    result.story.append(f"{units[RESUBMITS]}：按退回意见改正后重新报送")
    second = collect_inbox(ws, command="demo", now=due + timedelta(days=4))
    result.rounds.append(second)
    echo(f"⑤ 第二次收取：{fixed.name} → {'已接收' if second.totals['accepted'] else '仍有问题'}")


def _simulate(ws: Workspace, n: int, unit: str, template: Path, period: str, due: datetime, result: DemoResult) -> None:
    if n in MISSING:
        result.story.append(f"{unit}：未报送")
        return
    name = f"{unit.removeprefix('县')}{int(period[5:])}月台账(1).xlsx" if n % 2 else template.name
    target = ws.inbox_dir / name
    status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
    mistake = MISTAKES.get(n)
    _fill(template, target, period, status, mistake, copy=n in COPIES, thin=THIN.get(n))
    if mistake:
        result.story.append(f"{unit}：{mistake[2]}")
    if n in COPIES:
        result.story.append(f"{unit}：照搬上月的进展情况")
    if n in THIN:
        result.story.append(f"{unit}：进展情况只写了“{THIN[n]}”")
    if n == LIBREOFFICE and result.libreoffice:
        result.story.append(f"{unit}：用电子表格软件（LibreOffice）另存后报送" if _resave(target)
                            else f"{unit}：LibreOffice 另存未成功，按原文件报送")
    when = due + timedelta(days=2) if n in LATE else due - timedelta(days=1 + n % 4)
    if n in LATE:
        result.story.append(f"{unit}：逾期报送")
    _touch(target, when)


def _progress(period: str, row: int, title: str, copy: bool = False, thin: str | None = None) -> str:
    """A row's 本月进展情况: this month's own work, last month's text again (``copy``) or a stock phrase."""
    if thin:
        return thin
    when = previous_period(period) if copy else period
    month = int(when[5:])
    activity = ACTIVITIES[(month + row) % len(ACTIVITIES)].format(n=1 + (month + row) % 4, m=2 + (month * row) % 7)
    return f"{label(when)}，围绕“{title}”{activity}。"


def _fill(template: Path, out: Path, period: str, status: str, mistake: tuple | None = None,
          copy: bool = False, thin: str | None = None) -> None:
    """Type this month's progress into every task row, as a department would."""
    import openpyxl

    pace = round(schedule_share(period) * 100)
    percent = {"已完成": 100, "超序时": min(100, pace + 8), "滞后": max(0, pace - 20),
               "严重滞后": max(0, pace - 40)}.get(status, pace)
    wb = openpyxl.load_workbook(template)
    sheet = wb[layout.LEDGER_SHEET]
    col = {c.key: layout.column_index(c.key) + 1 for c in layout.COLUMNS}
    for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1):
        title = sheet.cell(row=row, column=col["title"]).value
        if not title:
            continue
        values = {"progress": _progress(period, row, title, copy, thin), "status": status,
                  "percent": percent, "next_steps": "继续抓好落实。", "person": "李明", "phone": "0533-6123456",
                  "problems": "项目审批手续办理较慢，资金尚未到位。" if status in ("滞后", "严重滞后") else None}
        for key, value in values.items():
            sheet.cell(row=row, column=col[key], value=value)
    if mistake:
        _mistake(sheet, col, mistake)
    if layout.TARGET_SHEET in wb.sheetnames:
        _fill_targets(wb[layout.TARGET_SHEET], pace, status)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def _fill_targets(sheet, pace: int, status: str) -> None:
    """本年累计完成值 in step with the unit's status: on pace, ahead, or behind by its lag."""
    col = {c.key: layout.column_index(c.key, layout.TARGET_COLUMNS) + 1 for c in layout.TARGET_COLUMNS}
    share = {"已完成": 1.0, "超序时": (pace + 15) / 100, "滞后": (pace - 25) / 100,
             "严重滞后": (pace - 45) / 100}.get(status, pace / 100)
    for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1):
        target, comparator = sheet.cell(row=row, column=col["target"]).value, sheet.cell(row=row, column=col["comparator"]).value
        if not isinstance(target, (int, float)):
            continue
        value = target * (0.9 if comparator == "≤" else max(share, 0.05))
        sheet.cell(row=row, column=col["achieved"], value=round(value, 1))
        sheet.cell(row=row, column=col["note"], value="按月统计口径累计。")


def _mistake(sheet, col: dict[str, int], mistake: tuple) -> None:
    kind, value, _ = mistake
    row = layout.FIRST_DATA_ROW
    if kind == "status":
        sheet.cell(row=row, column=col["status"], value=value)
    elif kind == "done60":
        sheet.cell(row=row, column=col["status"], value="已完成")
        sheet.cell(row=row, column=col["percent"], value=60)
    elif kind == "locked":
        cell = sheet.cell(row=row, column=col["text"])
        cell.value = f"{cell.value}{value}"
    elif kind == "percent":
        sheet.cell(row=row, column=col["percent"], value=value)


def _resubmit(ws: Workspace, unit: str, period: str, due: datetime) -> Path:
    """The unit corrects the highlighted cells in its feedback workbook and sends that file back."""
    import openpyxl

    from ledger.collect.placement import feedback_path

    feedback = feedback_path(ws, period, unit)
    wb = openpyxl.load_workbook(feedback)
    sheet = wb[layout.LEDGER_SHEET]
    status_col = layout.column_index("status") + 1
    for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row=row, column=status_col).value == MISTAKES[RESUBMITS][1]:
            sheet.cell(row=row, column=status_col, value="序时推进")
    fixed = ws.inbox_dir / f"{unit}-修改后.xlsx"
    wb.save(fixed)
    _touch(fixed, due + timedelta(days=3, hours=5))
    return fixed


def _deadline_at(ws: Workspace, period: str) -> datetime:
    """The reporting deadline as the end of its day, in the office's time zone."""
    day = deadline(period, ws.settings.office.deadline_day)
    return datetime.combine(day, time(18, 0), ZoneInfo(ws.settings.office.timezone))


def _touch(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def _resave(path: Path) -> bool:
    """Open and save a workbook with LibreOffice headless, as a department using it would; False
    when LibreOffice could not (the demo then sends the file as it was)."""
    try:
        with converted(path, "xlsx:Calc MS Excel 2007 XML", 120) as resaved:
            if resaved is None:
                return False
            shutil.copyfile(resaved, path)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return True
