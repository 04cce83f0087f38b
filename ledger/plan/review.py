"""The review workbook 计划分解表.xlsx: export a plan for the office to check, load it back.

One declaration of the review columns serves both directions, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from ledger.errors import PlanImportError
from ledger.plan.model import Plan, PlanItem, Target, sections_of
from ledger.plan.targets import extract_targets
from ledger.plan.units import split_units
from ledger.xlsx import atomic_output, formats

SHEET = "计划分解"
TARGET_SHEET = "指标"
GUIDE_SHEET = "说明"
SEP = "、"
HEADER_ROW = 0  # 0-based; data from the next row


@dataclass(frozen=True)
class ReviewColumn:
    header: str
    width: float
    get: Callable[[PlanItem], str]
    required: bool = False


def _join(names: list[str]) -> str:
    return SEP.join(names)


ITEM_COLUMNS = (
    ReviewColumn("部分序号", 8, lambda i: i.section_number),
    ReviewColumn("所属部分", 22, lambda i: i.section),
    ReviewColumn("编号", 8, lambda i: i.number, required=True),
    ReviewColumn("任务名称", 24, lambda i: i.title, required=True),
    ReviewColumn("任务内容", 70, lambda i: i.text),
    ReviewColumn("牵头单位", 26, lambda i: _join(i.lead)),
    ReviewColumn("配合单位", 26, lambda i: _join(i.support)),
    ReviewColumn("责任领导", 12, lambda i: _join(i.leaders)),
)
TARGET_HEADERS = ("部分序号", "任务编号", "指标", "目标值", "单位", "比较", "类型", "原文")
COMPARATORS = ("≥", "≤", "≈", "=")
KINDS = ("count", "amount", "growth", "share", "reduction")

GUIDE = [
    "计划分解表使用说明",
    "1. “计划分解”工作表每行一项任务，可直接修改任务名称、任务内容、牵头单位、配合单位。",
    "2. 多个单位之间用顿号“、”分隔；牵头单位中列第一位的为汇总（牵头）单位。",
    "3. 可新增行（须填写编号和任务名称，编号不得重复），也可删除整行。",
    "4. “指标”工作表每行一个量化指标，按“部分序号”和“任务编号”对应任务；比较一栏填 ≥、≤、≈ 或 =。",
    "5. 不要修改表头；改好后保存，运行 ledger plan load <文件> 导入为新版本计划。",
]


def export_review(plan: Plan, path: Path) -> Path:
    """Write the review workbook atomically and return its path."""
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        fmt = formats(wb)
        _write_items(wb, fmt, plan)
        _write_targets(wb, fmt, plan)
        _write_guide(wb, fmt, plan)
        wb.close()
    return path


def _write_guide(wb, fmt, plan: Plan) -> None:
    ws = wb.add_worksheet(GUIDE_SHEET)
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, f"{plan.title}", fmt["title"])
    for n, line in enumerate(GUIDE, start=2):
        ws.write_string(n, 0, line, fmt["text"])


def _write_items(wb, fmt, plan: Plan) -> None:
    ws = wb.add_worksheet(SHEET)
    for c, col in enumerate(ITEM_COLUMNS):
        ws.set_column(c, c, col.width)
        ws.write_string(HEADER_ROW, c, col.header, fmt["header"])
    for r, item in enumerate(plan.items, start=HEADER_ROW + 1):
        for c, col in enumerate(ITEM_COLUMNS):
            ws.write_string(r, c, col.get(item), fmt["wrap"])
    _print_setup(ws, len(ITEM_COLUMNS))


def _write_targets(wb, fmt, plan: Plan) -> None:
    ws = wb.add_worksheet(TARGET_SHEET)
    for c, header in enumerate(TARGET_HEADERS):
        ws.set_column(c, c, (8, 10, 30, 10, 8, 6, 10, 40)[c])
        ws.write_string(HEADER_ROW, c, header, fmt["header"])
    r = HEADER_ROW + 1
    for item in plan.items:
        for t in item.targets:
            ws.write_string(r, 0, item.section_number, fmt["wrap"])
            ws.write_string(r, 1, item.number, fmt["wrap"])
            ws.write_string(r, 2, t.indicator, fmt["wrap"])
            ws.write_number(r, 3, t.value, fmt["wrap"])
            for c, value in enumerate((t.unit, t.comparator, t.kind, t.source), start=4):
                ws.write_string(r, c, value, fmt["wrap"])
            r += 1
    column = TARGET_HEADERS.index("比较")
    ws.data_validation(HEADER_ROW + 1, column, 100000, column, {"validate": "list", "source": list(COMPARATORS)})
    _print_setup(ws, len(TARGET_HEADERS))


def _print_setup(ws, ncols: int) -> None:
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C— &P —")
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW, ncols - 1)


def load_review(path: Path) -> Plan:
    """Read an edited review workbook into a Plan; refuse a malformed one, naming the rows."""
    rows = _read_sheet(path, SHEET, required=True)
    header = [str(v or "").strip() for v in rows[0]] if rows else []
    index = _header_index(header, [c.header for c in ITEM_COLUMNS], SHEET)
    items, problems = _read_items(rows[1:], index)
    target_rows = _read_sheet(path, TARGET_SHEET, required=False)
    if target_rows:
        tindex = _header_index([str(v or "").strip() for v in target_rows[0]], list(TARGET_HEADERS), TARGET_SHEET)
        problems += _read_targets(target_rows[1:], tindex, {_item_key(i.section_number, i.number): i for i in items})
    else:                       # no 指标 sheet at all (not an emptied one): read targets from the text
        for item in items:
            item.targets = extract_targets(item.text)
    if problems:
        more = f"（另有 {len(problems) - 3} 处问题）" if len(problems) > 3 else ""
        raise PlanImportError("计划分解表有误，未导入：" + "；".join(problems[:3]) + more)
    if not items:
        raise PlanImportError(f"计划分解表“{path.name}”中没有任务行，未导入")
    return Plan(title=_read_title(path) or path.stem, year=None, items=items, sections=sections_of(items))


def _read_sheet(path: Path, name: str, required: bool) -> list[tuple]:
    import openpyxl
    from zipfile import BadZipFile

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise PlanImportError(f"无法读取计划分解表“{path.name}”：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）") from None
    try:
        if name not in wb.sheetnames:
            if required:
                raise PlanImportError(f"计划分解表“{path.name}”缺少“{name}”工作表，请使用 ledger plan export 导出的文件")
            return []
        return [tuple(r) for r in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()


def _read_title(path: Path) -> str | None:
    rows = _read_sheet(path, GUIDE_SHEET, required=False)
    return str(rows[0][0]).strip() if rows and rows[0] and rows[0][0] else None


def _header_index(header: list[str], expected: list[str], sheet: str) -> dict[str, int]:
    missing = [h for h in expected if h not in header]
    if missing:
        raise PlanImportError(f"“{sheet}”工作表第 {HEADER_ROW + 1} 行缺少表头“{missing[0]}”，请不要修改表头")
    return {h: header.index(h) for h in expected}


def _cell(row: tuple, index: dict[str, int], header: str) -> str:
    i = index[header]
    value = row[i] if i < len(row) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_items(rows: list[tuple], index: dict[str, int]) -> tuple[list[PlanItem], list[str]]:
    items, problems, seen = [], [], {}
    for n, row in enumerate(rows, start=HEADER_ROW + 2):
        values = {c.header: _cell(row, index, c.header) for c in ITEM_COLUMNS}
        if not any(values.values()):
            continue
        problems += _check_item_row(n, values, seen)
        lead = split_units(values["牵头单位"])
        items.append(PlanItem(
            number=values["编号"], title=values["任务名称"], text=values["任务内容"] or values["任务名称"],
            section=values["所属部分"], section_number=values["部分序号"], lead=lead,
            support=[u for u in split_units(values["配合单位"]) if u not in lead],
            leaders=split_units(values["责任领导"])))
    return items, problems


def _item_key(section_number: str, number: str) -> str:
    """Items are numbered within a plan, or within a part (一是 … in narrative plans)."""
    return f"{section_number} {number}".strip()


def _check_item_row(n: int, values: dict[str, str], seen: dict[str, int]) -> list[str]:
    problems = []
    for col in ITEM_COLUMNS:
        if col.required and not values[col.header]:
            problems.append(f"第 {n} 行“{col.header}”为空")
    key = _item_key(values["部分序号"], values["编号"])
    if values["编号"] and key in seen:
        problems.append(f"第 {n} 行编号“{key}”与第 {seen[key]} 行重复")
    seen.setdefault(key, n)
    return problems


def _read_targets(rows: list[tuple], index: dict[str, int], items: dict[str, PlanItem]) -> list[str]:
    problems = []
    for n, row in enumerate(rows, start=HEADER_ROW + 2):
        values = {h: _cell(row, index, h) for h in TARGET_HEADERS}
        if not any(values.values()):
            continue
        target, problem = _parse_target(n, values, items)
        if problem:
            problems.append(problem)
        elif target:
            items[_item_key(values["部分序号"], values["任务编号"])].targets.append(target)
    return problems


def _parse_target(n: int, v: dict[str, str], items: dict[str, PlanItem]) -> tuple[Target | None, str | None]:
    where = f"“指标”工作表第 {n} 行"
    if _item_key(v["部分序号"], v["任务编号"]) not in items:
        return None, f"{where}任务“{_item_key(v['部分序号'], v['任务编号'])}”不在计划分解表中"
    if not v["指标"]:
        return None, f"{where}“指标”为空"
    try:
        value = float(v["目标值"].replace(",", ""))
    except ValueError:
        return None, f"{where}“目标值”应为数字，现为“{v['目标值']}”"
    comparator = v["比较"] or "="
    if comparator not in COMPARATORS:
        return None, f"{where}“比较”应为 ≥、≤、≈ 或 =，现为“{comparator}”"
    kind = v["类型"] if v["类型"] in KINDS else ("growth" if v["单位"] == "%" else "count")
    return Target(v["指标"], value, v["单位"], comparator, kind, v["原文"]), None




def review_values(plan: Plan) -> list[dict[str, Any]]:
    """The review rows as dictionaries (for tests and --json)."""
    return [{c.header: c.get(item) for c in ITEM_COLUMNS} for item in plan.items]
