"""The review workbook 计划分解表.xlsx: export a plan for the office to check, load it back.

One declaration of the review columns serves both directions, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from ledger.contacts import Contact, contact_problems
from ledger.errors import PlanImportError
from ledger.plan.model import Plan, PlanItem, Target, sections_of
from ledger.plan.parts import path_text, read_path
from ledger.plan.targets import extract_targets
from ledger.plan.units import split_units
from ledger.xlsx import atomic_output, formats

SHEET = "计划分解"
TARGET_SHEET = "指标"
GUIDE_SHEET = "说明"
UNIT_SHEET = "单位"
UNIT_HEADERS = ("单位", "联系人", "手机", "邮箱")
SEP = "、"
HEADER_ROW = 0  # 0-based; data from the next row
IDENTITY = "任务标识"


@dataclass(frozen=True)
class ReviewColumn:
    header: str
    width: float
    get: Callable[[PlanItem], str]
    required: bool = False
    since: str = ""       # absent from workbooks exported before this column existed: not required
    hidden: bool = False  # written but not shown: the item's identity


def _join(names: list[str]) -> str:
    return SEP.join(names)


ITEM_COLUMNS = (
    ReviewColumn("上级部分", 22, lambda i: path_text(i.parents), since="上级部分"),
    ReviewColumn("部分序号", 8, lambda i: i.section_number),
    ReviewColumn("所属部分", 22, lambda i: i.section),
    ReviewColumn("编号", 8, lambda i: i.number, required=True),
    ReviewColumn("任务名称", 24, lambda i: i.title, required=True),
    ReviewColumn("任务内容", 70, lambda i: i.text),
    ReviewColumn("牵头单位", 26, lambda i: _join(i.lead)),
    ReviewColumn("配合单位", 26, lambda i: _join(i.support)),
    ReviewColumn("责任领导", 12, lambda i: _join(i.leaders)),
    ReviewColumn("完成时限", 14, lambda i: i.deadline_text, since="完成时限"),
    # the item across plan versions: plan load matches rows by it, never by 编号 (a new row has none)
    ReviewColumn(IDENTITY, 8, lambda i: str(i.identity or ""), since=IDENTITY, hidden=True),
)
TARGET_HEADERS = ("部分序号", "任务编号", "指标", "目标值", "单位", "比较", "类型", "原文")
COMPARATORS = ("≥", "≤", "≈", "=")
KINDS = ("count", "amount", "growth", "share", "reduction")

GUIDE = [
    "计划分解表使用说明",
    "1. “计划分解”工作表每行一项任务，可直接修改任务名称、任务内容、牵头单位、配合单位、责任领导、完成时限。",
    "2. 多个单位之间用顿号“、”分隔；牵头单位中列第一位的为汇总（牵头）单位。“责任领导”只填人名，单位请填在牵头或配合单位中。",
    "3. 可新增行（须填写编号和任务名称，编号不得重复），也可删除整行：删除的任务，其“指标”行随之删除。",
    "   “完成时限”照通知原文填写，如“2024年6月底”“年底前”“持续推进”，能换算成日期的用于逾期提醒。",
    "4. “指标”工作表每行一个量化指标，按“部分序号”和“任务编号”对应任务（任务有上级部分时，“部分序号”连同上级部分的序号，"
    "如“二（一）”）；比较一栏填 ≥、≤、≈ 或 =。",
    "   “上级部分”是任务所属部分之上的各级标题，每行一级，如“一、产业发展”；同名的部分在不同上级部分之下互不相同。",
    "   隐藏的“任务标识”列记录每项任务的身份：改编号、改名称、换牵头单位都不影响其历史；新增的行不填，复制行时请清空该列。",
    "5. 不要修改表头；改好后保存，运行 ledger plan load <文件> 导入为新版本计划。",
    "6. “单位”工作表每行一位联系人（联系人、手机、邮箱），同一单位可有多行；催报消息发往这里的手机和邮箱。"
    "导回时，表中列出的单位的联系人以本表为准。",
]


def export_review(plan: Plan, path: Path, contacts: dict[str, list[Contact]] | None = None) -> Path:
    """Write the review workbook atomically and return its path; with ``contacts`` (by unit), a 单位
    sheet lists the plan's units and their contacts too."""
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        fmt = formats(wb)
        _write_items(wb, fmt, plan)
        _write_targets(wb, fmt, plan)
        if contacts is not None:
            _write_units(wb, fmt, plan, contacts)
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
        ws.set_column(c, c, col.width, None, {"hidden": True} if col.hidden else {})
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
            ws.write_string(r, 0, item.path_numbers, fmt["wrap"])
            ws.write_string(r, 1, item.number, fmt["wrap"])
            ws.write_string(r, 2, t.indicator, fmt["wrap"])
            ws.write_number(r, 3, t.value, fmt["wrap"])
            for c, value in enumerate((t.unit, t.comparator, t.kind, t.source), start=4):
                ws.write_string(r, c, value, fmt["wrap"])
            r += 1
    column = TARGET_HEADERS.index("比较")
    ws.data_validation(HEADER_ROW + 1, column, 100000, column, {"validate": "list", "source": list(COMPARATORS)})
    _print_setup(ws, len(TARGET_HEADERS))


def _write_units(wb, fmt, plan: Plan, contacts: dict[str, list[Contact]]) -> None:
    """One row per contact (a unit without any: one row with its name only); phones as text."""
    ws = wb.add_worksheet(UNIT_SHEET)
    for c, header in enumerate(UNIT_HEADERS):
        ws.set_column(c, c, (30, 12, 16, 32)[c])
        ws.write_string(HEADER_ROW, c, header, fmt["header"])
    named = list(dict.fromkeys([u for i in plan.items for u in (*i.lead, *i.support)]
                               + [u for u, cs in contacts.items() if cs]))
    r = HEADER_ROW + 1
    for unit in named:
        for contact in contacts.get(unit) or [Contact()]:
            for c, value in enumerate((unit, contact.name, contact.phone, contact.email)):
                ws.write_string(r, c, value, fmt["wrap"])
            r += 1
    _print_setup(ws, len(UNIT_HEADERS))


def read_units(path: Path) -> dict[str, list[Contact]] | None:
    """The 单位 sheet's contacts by unit (a unit listed with no contact: an empty list), or None when
    the workbook has no such sheet. A phone or e-mail that cannot be right is refused, naming its cell;
    a row without a unit continues the unit above it."""
    from openpyxl.utils import get_column_letter

    found = _find_sheet(_read_sheets(path), UNIT_SHEET, list(UNIT_HEADERS), path, required=False,
                        skip=SHEET)
    if not found:
        return None
    name, rows = found
    index = _header_index([str(v or "").strip() for v in rows[0]] if rows else [], list(UNIT_HEADERS), name)
    out: dict[str, list[Contact]] = {}
    problems: list[str] = []
    unit = ""
    for n, row in enumerate(rows[1:], start=HEADER_ROW + 2):
        values = {h: _cell(row, index, h) for h in UNIT_HEADERS}
        unit = " ".join(values["单位"].split()) or unit
        contact, wrong = contact_problems(values["联系人"], values["手机"], values["邮箱"])
        if contact and not unit:
            wrong.setdefault("unit", "没有填写单位")
        for field, why in wrong.items():
            header = {"name": "联系人", "phone": "手机", "email": "邮箱", "unit": "单位"}[field]
            problems.append(f"“{name}”工作表 {get_column_letter(index[header] + 1)}{n}：{why}")
        if unit:
            out.setdefault(unit, [])
        if contact and unit and not wrong:
            out[unit].append(contact)
    if problems:
        more = f"（另有 {len(problems) - 3} 处问题）" if len(problems) > 3 else ""
        raise PlanImportError("计划分解表的单位联系人有误，未导入：" + "；".join(problems[:3]) + more)
    return out


def _print_setup(ws, ncols: int) -> None:
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C— &P —")
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW, ncols - 1)


def load_review(path: Path, year: int | None = None, previous: Plan | None = None,
                unit_endings: list[str] | tuple[str, ...] = ()) -> Plan:
    """Read an edited review workbook into a Plan; refuse a malformed one, naming the rows.

    ``year`` is the plan's year (年底前 → its 31 December). ``previous`` is the plan the workbook
    was exported from: 指标 rows of items deleted since are dropped with it, and a workbook from
    before the 完成时限 column keeps the deadlines it had. What the office should check rather than
    fix is put in ``plan.notes``. ``unit_endings`` are the office's extra organisational endings,
    which tell a unit typed into 责任领导 from a person's name.
    """
    sheets = _read_sheets(path)
    name, rows = _find_sheet(sheets, SHEET, [c.header for c in ITEM_COLUMNS if not c.since], path)
    header = [str(v or "").strip() for v in rows[0]] if rows else []
    index = _header_index(header, [c.header for c in ITEM_COLUMNS if not c.since], name)
    index.update({c.header: header.index(c.header) for c in ITEM_COLUMNS if c.since and c.header in header})
    earlier = _by_key(previous.items) if previous else {}
    items, problems, notes = _read_items(rows[1:], index, year, earlier, tuple(unit_endings))
    found = _find_sheet(sheets, TARGET_SHEET, list(TARGET_HEADERS), path, required=False, skip=name)
    if found:
        tname, target_rows = found
        tindex = _header_index([str(v or "").strip() for v in target_rows[0]], list(TARGET_HEADERS), tname)
        by_key = _by_key(items)
        problems += _read_targets(target_rows[1:], tindex, by_key, set(earlier), tname, notes)
    else:                       # no 指标 sheet at all (not an emptied one): read targets from the text
        for item in items:
            item.targets = extract_targets(item.text)
    if problems:
        more = f"（另有 {len(problems) - 3} 处问题）" if len(problems) > 3 else ""
        raise PlanImportError("计划分解表有误，未导入：" + "；".join(problems[:3]) + more)
    if not items:
        raise PlanImportError(f"计划分解表“{path.name}”中没有任务行，未导入")
    plan = Plan(title=_title(sheets) or path.stem, year=year, items=items, sections=sections_of(items))
    plan.notes = notes
    return plan


def _read_sheets(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's rows by name, in workbook order."""
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    from ledger.xlsx import safe_openpyxl

    openpyxl = safe_openpyxl()
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:   # e.g. ledger.toml
        raise PlanImportError(f"无法读取计划分解表“{path.name}”：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）") from None
    try:
        return {name: [tuple(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
    finally:
        wb.close()


def _find_sheet(sheets: dict[str, list[tuple]], name: str, headers: list[str], path: Path,
                required: bool = True, skip: str = "") -> tuple[str, list[tuple]] | None:
    """The sheet of that name, or else the one sheet whose header row has the expected headers
    (a renamed sheet); None when there is none and it is not required."""
    if name in sheets:
        return name, sheets[name]
    renamed = [n for n, rows in sheets.items()
               if n != skip and rows and set(headers) <= {str(v or "").strip() for v in rows[HEADER_ROW]}]
    if len(renamed) == 1:
        return renamed[0], sheets[renamed[0]]
    if len(renamed) > 1:
        raise PlanImportError(f"计划分解表“{path.name}”中有 {len(renamed)} 个工作表（{'、'.join(renamed)}）"
                              f"都像“{name}”工作表：请只保留一个，并命名为“{name}”")
    if required:
        raise PlanImportError(f"计划分解表“{path.name}”缺少“{name}”工作表（其他工作表也没有它的表头）："
                              "请使用 ledger plan export 导出的文件")
    return None


def _title(sheets: dict[str, list[tuple]]) -> str | None:
    rows = sheets.get(GUIDE_SHEET)
    return str(rows[0][0]).strip() if rows and rows[0] and rows[0][0] else None


def _header_index(header: list[str], expected: list[str], sheet: str) -> dict[str, int]:
    missing = [h for h in expected if h not in header]
    if missing:
        raise PlanImportError(f"“{sheet}”工作表第 {HEADER_ROW + 1} 行缺少表头“{missing[0]}”，请不要修改表头")
    return {h: header.index(h) for h in expected}


def _cell(row: tuple, index: dict[str, int], header: str) -> str:
    if header not in index:         # an optional column the workbook does not have
        return ""
    i = index[header]
    value = row[i] if i < len(row) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_items(rows: list[tuple], index: dict[str, int], year: int | None,
                earlier: dict[str, PlanItem], endings: tuple[str, ...] = ()) -> tuple[list[PlanItem], list[str], list]:
    items, problems, notes, seen = [], [], [], {}
    for n, row in enumerate(rows, start=HEADER_ROW + 2):
        values = {c.header: _cell(row, index, c.header) for c in ITEM_COLUMNS}
        if not any(values.values()):
            continue
        before = earlier.get(_item_key(values["部分序号"], values["编号"]))
        parents = read_path(values["上级部分"]) if "上级部分" in index else list(getattr(before, "parents", []))
        key = _item_key("".join(p.number for p in parents) + values["部分序号"], values["编号"])
        before = earlier.get(key, before)
        problems += _check_item_row(n, values, key, seen)
        lead = split_units(values["牵头单位"])
        leaders = split_units(values["责任领导"])
        units_as_leaders = [name for name in leaders if looks_like_unit(name, endings)]
        if units_as_leaders:
            problem, note = _leader_units(n, values["编号"], units_as_leaders, bool(lead))
            problems += [problem] if problem else []
            notes += [note] if note else []
        deadline_text = values["完成时限"] if "完成时限" in index else getattr(before, "deadline_text", "")
        items.append(PlanItem(
            number=values["编号"], title=values["任务名称"], text=values["任务内容"] or values["任务名称"],
            section=values["所属部分"], section_number=values["部分序号"], parents=parents, lead=lead,
            support=[u for u in split_units(values["配合单位"]) if u not in lead],
            leaders=leaders, deadline_text=deadline_text, deadline=deadline_date(deadline_text, year),
            identity=_identity(values[IDENTITY])))
    return items, problems, notes


def _identity(text: str) -> int | None:
    """The hidden identity of a row exported from a stored plan; None for a row the office added."""
    return int(text) if text.isdigit() else None


def _leader_units(n: int, number: str, names: list[str], has_lead: bool) -> tuple[str | None, object | None]:
    """A unit typed into 责任领导: refused when the item has no lead unit (it would go to nobody),
    a note when it has one."""
    shown = "、".join(f"“{x}”" for x in names)
    if not has_lead:
        return (f"第 {n} 行“责任领导”中的{shown}是单位而不是人名，而“牵头单位”为空："
                "请把单位移到“牵头单位”（或“配合单位”）中，“责任领导”只填人名"), None
    from ledger.plan.importer import Note

    return None, Note("leader_is_unit", None, "、".join(names),
                      f"计划分解表第 {n} 行“责任领导”中的{shown}像是单位而不是人名：如是单位，请移到牵头或配合单位中",
                      number)


def looks_like_unit(name: str, endings: tuple[str, ...] = ()) -> bool:
    """A name with an organisational ending (局, 委, 中心, 街道 …), by the parser's vocabulary."""
    try:
        from ledger.plan.vocabulary import vocabulary     # the parser's single vocabulary
        return vocabulary(endings).is_unit_like(name)
    except ImportError:                                 # before the vocabulary module existed
        from ledger.plan.units import UNIT_ENDING
        return bool(UNIT_ENDING.search(name))


def deadline_date(text: str, year: int | None):
    """The date a 完成时限 gives (the parser's reading), or None."""
    if not text:
        return None
    try:
        from ledger.plan.deadlines import deadline_date as read
    except ImportError:                                 # before the parser read deadlines
        return None
    return read(text, year)


def _item_key(section_number: str, number: str) -> str:
    """Items are numbered within a plan, or within a part (一是 … in narrative plans); the numerals
    of the whole part path tell apart items numbered again in each part (一（一） 1, 二（一） 1)."""
    return f"{section_number} {number}".strip()


def _by_key(items: list[PlanItem]) -> dict[str, PlanItem]:
    """Items by their key; an item also by its section alone (a workbook from before 上级部分)."""
    out = {_item_key(i.path_numbers, i.number): i for i in items}
    for i in items:
        out.setdefault(_item_key(i.section_number, i.number), i)
    return out


def _check_item_row(n: int, values: dict[str, str], key: str, seen: dict[str, int]) -> list[str]:
    problems = []
    for col in ITEM_COLUMNS:
        if col.required and not values[col.header]:
            problems.append(f"第 {n} 行“{col.header}”为空")
    if values["编号"] and key in seen:
        problems.append(f"第 {n} 行编号“{key}”与第 {seen[key]} 行重复")
    seen.setdefault(key, n)
    return problems


def _read_targets(rows: list[tuple], index: dict[str, int], items: dict[str, PlanItem], deleted: set[str],
                  sheet: str, notes: list) -> list[str]:
    """Targets onto their items. A row of an item the office deleted from 计划分解 (it was in the
    plan the workbook came from) goes with its item, and a note says so; any other unknown item
    is an error."""
    from ledger.plan.importer import Note

    problems, dropped = [], {}
    for n, row in enumerate(rows, start=HEADER_ROW + 2):
        values = {h: _cell(row, index, h) for h in TARGET_HEADERS}
        if not any(values.values()):
            continue
        key = _item_key(values["部分序号"], values["任务编号"])
        if key not in items and key in deleted:
            dropped.setdefault(key, []).append((n, values["指标"]))
            continue
        target, problem = _parse_target(n, values, items, sheet)
        if problem:
            problems.append(problem)
        elif target:
            items[key].targets.append(target)
    for key, rows_of in dropped.items():
        shown = "、".join(f"第 {n} 行“{name}”" for n, name in rows_of)
        notes.append(Note("target_dropped", None, "、".join(name for _, name in rows_of),
                          f"任务“{key}”已从“{SHEET}”中删除，其在“{sheet}”工作表的指标（{shown}）随之删除",
                          key.split(" ")[-1]))
    return problems


def _parse_target(n: int, v: dict[str, str], items: dict[str, PlanItem],
                  sheet: str = TARGET_SHEET) -> tuple[Target | None, str | None]:
    where = f"“{sheet}”工作表第 {n} 行"
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
