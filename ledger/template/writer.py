"""Write one unit's ledger workbook with xlsxwriter: guide, 台账, 指标 (when the unit leads items
with targets) and the hidden identity sheet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import xlsxwriter

from ledger import layout
from ledger.kinds import Context, kind_of
from ledger.period import label
from ledger.statuses import DEFAULT_VOCABULARY, DONE, Vocabulary
from ledger.template.identity import Identity
from ledger.template.rows import TargetRow, TemplateRow
from ledger.xlsx import fit_columns, formats, text_width

MAX_ROWS_VALIDATED = 2000   # validations reach past the rows so pasted rows are checked too
LINE_HEIGHT = 14.5
# A department's 台账 has 16 columns: to print at 9 pt on A4 landscape every column but the 序号
# narrows, none below two Chinese characters a line; the text wraps and the rows grow instead.
TEMPLATE_NARROW = 6
TEMPLATE_MIN_WIDTH = 5


@dataclass
class TemplateSpec:
    """Everything one workbook needs; picklable so workers in other processes can write it."""

    identity: Identity
    plan_title: str
    unit: str
    period: str
    deadline: date
    office_name: str
    office_contact: str
    office_phone: str
    statuses: list[str]
    password: str
    rows: list[TemplateRow]
    carried_from: str | None = None          # period the carried values come from
    status_help: dict[str, str] = field(default_factory=dict)
    problems: list = field(default_factory=list)   # findings: makes this a feedback workbook
    targets: list[TargetRow] = field(default_factory=list)   # the 指标 sheet; none: no sheet
    vocabulary: Vocabulary = DEFAULT_VOCABULARY              # what each of ``statuses`` means
    office_columns: tuple[layout.Column, ...] = ()           # ledger.toml [[columns]], after the layout's

    @property
    def columns(self) -> tuple[layout.Column, ...]:
        return layout.COLUMNS + tuple(self.office_columns)


def write_template(spec: TemplateSpec, path: Path, front: Callable[[Any, dict, TemplateSpec], None] | None = None) -> None:
    """The unit's workbook; ``front(wb, fmt, spec)`` writes sheets before the guide (collect's 问题清单 of a
    feedback workbook: the template package does not know collect)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, "in_memory": True})
    fmt = formats(wb)
    if front is not None:
        front(wb, fmt, spec)
    _guide_sheet(wb, fmt, spec)
    _ledger_sheet(wb, fmt, spec)
    if spec.targets:
        _target_sheet(wb, fmt, spec)
    _meta_sheet(wb, spec)
    for name, value in spec.identity.properties().items():
        wb.set_custom_property(name, value)
    wb.define_name(layout.DEFINED_NAME, f'="{spec.identity.encode()}"')
    wb.set_properties({"title": f"{spec.plan_title}工作台账（{label(spec.period)}）", "author": spec.office_name,
                       "company": spec.office_name, "comments": "由 ledger 生成，请勿删除隐藏信息"})
    wb.close()


def title_of(spec: TemplateSpec) -> str:
    return f"{spec.plan_title}工作台账（{label(spec.period)}）"


GUIDE_ROOM = 80     # characters a line of the guide's 90-wide column holds as printed, with room to spare


def _guide_sheet(wb, fmt, spec: TemplateSpec) -> None:
    ws = wb.add_worksheet(layout.GUIDE_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 90)
    # the title wraps within the page rather than running past its edges: 18 pt takes the room of
    # about 1.6 body characters a character
    title = title_of(spec)
    ws.merge_range(0, 0, 0, 1, title, fmt["title"])
    ws.set_row(0, 40 + 26 * (math.ceil(text_width(title) * 1.7 / GUIDE_ROOM) - 1))
    lines = _guide_lines(spec)
    for n, (key, value) in enumerate(lines, start=2):
        ws.write_string(n, 0, key, fmt["header"])
        ws.write_string(n, 1, value, fmt["wrap"])
        ws.set_row(n, max(22, LINE_HEIGHT * sum(math.ceil(max(text_width(part), 1) / GUIDE_ROOM)
                                                for part in value.split("\n")) + 8))
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.protect(spec.password or "", {"select_locked_cells": True})


def _guide_lines(spec: TemplateSpec) -> list[tuple[str, str]]:
    d = spec.deadline
    contact = "，".join(x for x in (spec.office_name, spec.office_contact, spec.office_phone) if x)
    vocabulary = spec.vocabulary
    statuses = "；".join(f"{s}：{spec.status_help.get(s) or vocabulary.help(s)}".rstrip("：") for s in spec.statuses)
    lagging = "或".join(f"“{w}”" for w in vocabulary.lagging_words())
    lines = [
        ("填报单位", spec.unit),
        ("报送月份", label(spec.period)),
        ("报送时限", f"请于 {d.year}年{d.month}月{d.day}日 前报送"),
        ("填报方法", "在“台账”工作表的黄色单元格中填写：本月进展情况（必填）、完成状态（下拉选择，必填）、"
                     "完成进度（0–100 的整数，必填）、存在问题、下步计划、责任人、联系电话、备注。"
                     "灰白色单元格为计划内容，已锁定，请勿修改。"),
        ("完成状态说明", statuses),
        ("填报要求", f"选择{lagging}的，须填写“存在问题”；选择“{vocabulary.word(DONE)}”的，完成进度应为 100。"
                     "请勿增删行、修改表头或重命名工作表；文件可以改名，保存为 .xlsx 格式后报送。"),
        ("联系方式", contact or "请联系督查室"),
    ]
    if spec.office_columns:
        lines.insert(4, ("增设栏目", "本期台账还须填写：" + "；".join(
            c.header + (f"（{c.help}）" if c.help else "") + ("，必填" if c.required else "")
            + (f"，完成状态为{'或'.join(f'“{w}”' for w in vocabulary.words_of(*c.required_if))}时必填"
               if c.required_if else "") for c in spec.office_columns)
            + "。填写要求见单元格的输入提示。"))
    if spec.targets:
        lines.insert(5, ("指标填报", f"“{layout.TARGET_SHEET}”工作表列出本单位牵头任务的 {len(spec.targets)} 项量化指标："
                                   "请在黄色单元格填写本年累计完成值（从本年1月1日起累计，只填数字，不带单位，"
                                   "单位见“计量单位”列）和说明；指标、目标值已锁定，请勿修改。"))
    if spec.carried_from:
        lines.insert(4, ("上期内容", f"绿色斜体单元格为 {label(spec.carried_from)} 已报送的内容，请在此基础上更新。"))
    return lines


def _ledger_sheet(wb, fmt, spec: TemplateSpec) -> None:
    info = f"填报单位：{spec.unit}　　报送月份：{label(spec.period)}　　报送时限：{spec.deadline.month}月{spec.deadline.day}日前"
    ws = _data_sheet(wb, fmt, layout.LEDGER_SHEET, spec.columns, spec.rows, title_of(spec), info)
    if not spec.problems:
        ws.activate()
    _validations(ws, spec)
    _protect(ws, spec)


def _target_sheet(wb, fmt, spec: TemplateSpec) -> None:
    title = f"{spec.plan_title}量化指标填报表（{label(spec.period)}）"
    info = (f"填报单位：{spec.unit}　　报送月份：{label(spec.period)}　　"
            "本年累计完成值：从本年1月1日起累计，只填数字，单位见“计量单位”列")
    ws = _data_sheet(wb, fmt, layout.TARGET_SHEET, layout.TARGET_COLUMNS, spec.targets, title, info)
    _target_validations(ws)
    _protect(ws, spec)


def _data_sheet(wb, fmt, name: str, columns: tuple[layout.Column, ...], rows: list, title: str, info: str):
    """Title, info line, header and one row per template row, laid out by ``columns``."""
    ws = wb.add_worksheet(name)
    ncols = len(columns)
    ws.merge_range(0, 0, 0, ncols - 1, title, fmt["title"])
    ws.set_row(0, 36)
    ws.merge_range(1, 0, 1, ncols - 1, info, fmt["subtitle"])
    widths = print_widths(columns)
    for c, col in enumerate(columns):
        ws.set_column(c, c, widths[c], None, {"hidden": col.hidden})
        ws.write_string(layout.HEADER_ROW - 1, c, col.header, fmt["header"])
    ws.set_row(layout.HEADER_ROW - 1, max(30, LINE_HEIGHT * max(
        _lines(col.header, widths[c]) for c, col in enumerate(columns) if not col.hidden) + 6))
    cells = _cells(columns, widths)
    for r, row in enumerate(rows, start=layout.FIRST_DATA_ROW - 1):
        _write_row(ws, fmt, r, row, cells)
    _print_setup(ws, ncols, layout.FIRST_DATA_ROW - 2 + max(len(rows), 1))
    return ws


def print_widths(columns: tuple[layout.Column, ...]) -> list[float]:
    """Each column's width as written: the visible ones fitted to the A4 landscape width."""
    shown = [c for c in columns if not c.hidden]
    keep = frozenset(n for n, c in enumerate(shown) if c.keep_width)
    visible = iter(w for _, w in fit_columns([(c.header, c.width) for c in shown], TEMPLATE_NARROW,
                                             TEMPLATE_MIN_WIDTH, keep=keep))
    return [col.width if col.hidden else next(visible) for col in columns]


def _room(width: float) -> int:
    """Width units a wrapped line of a column holds, counted in whole Chinese characters."""
    return max((int(width) - 1) // 2 * 2, 2)


def _lines(text: str, width: float) -> int:
    room = _room(width)
    return sum(-(-max(text_width(part), 1) // room) for part in text.split("\n"))


def _protect(ws, spec: TemplateSpec) -> None:
    ws.protect(spec.password or "", {
        "select_locked_cells": False, "select_unlocked_cells": True,
        "format_rows": True, "format_columns": True, "autofilter": True, "sort": False,
    })


@dataclass(frozen=True)
class _Cell:
    """How one column is written: precomputed once per sheet, used for every row."""

    index: int
    key: str
    input: bool
    measured: bool     # counts towards the row height
    width: float       # the column's width as written
    plain: str         # format names: locked, input, carried over from last period
    typed: str
    carried: str


# Kinds whose typed digits are text, not a number: an 11-digit mobile would print as 1E+10.
TEXT_CELLS = frozenset({layout.PHONE})


def _cells(columns: tuple[layout.Column, ...], widths: list[float]) -> list[_Cell]:
    out = []
    for c, col in enumerate(columns):
        wrap = kind_of(col).wrap
        centred = "_text" if col.kind in TEXT_CELLS else "" if wrap else "_center"
        # narrowed, even a status or a phone number may wrap: every visible column is measured
        out.append(_Cell(c, col.key, col.input, not col.hidden, widths[c], "wrap" if wrap else "center",
                         "input" + centred, "carried" + centred))
    return out


def _write_row(ws, fmt, r: int, row: TemplateRow | TargetRow, cells: list[_Cell]) -> None:
    lines = 1
    for cell in cells:
        value, style = _cell_value(row, cell)
        if row.marks and cell.key in row.marks:
            style = "error" if cell.key in row.errors else "warning"
            ws.write_comment(r, cell.index, row.marks[cell.key], {"author": "ledger", "x_scale": 3, "y_scale": 2})
        if value is None or value == "":
            ws.write_blank(r, cell.index, None, fmt[style])
        elif isinstance(value, str):
            ws.write_string(r, cell.index, value, fmt[style])
            if cell.measured:
                lines = max(lines, _lines(value, cell.width))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, cell.index, value, fmt[style])
        else:
            ws.write_string(r, cell.index, str(value), fmt[style])
    ws.set_row(r, min(409, max(30, LINE_HEIGHT * lines + 6)))
    note = getattr(row, "note", "")
    if note and "progress" not in row.marks:
        ws.write_comment(r, layout.column_index("progress"), note,
                         {"author": "ledger", "x_scale": 3, "y_scale": 2.5, "font_name": "宋体"})


def _cell_value(row: TemplateRow | TargetRow, cell: _Cell) -> tuple[object, str]:
    """The value of a cell and the name of its format."""
    if not cell.input:
        return row.cells[cell.key], cell.plain
    fixed = getattr(row, "fixed", None)
    if fixed and cell.key in fixed and not row.typed:      # an item signed off (已销号): nothing to ask
        return fixed[cell.key], cell.plain
    if row.typed:
        return row.typed.get(cell.key), cell.typed
    value = row.carried.get(cell.key)
    return value, (cell.carried if value not in (None, "") else cell.typed)


def _validations(ws, spec: TemplateSpec) -> None:
    _column_validations(ws, spec.columns, Context(tuple(spec.statuses)))


def _target_validations(ws) -> None:
    _column_validations(ws, layout.TARGET_COLUMNS, Context())


def _column_validations(ws, columns: tuple[layout.Column, ...], ctx: Context) -> None:
    """Each input column's data validation and input prompt, as its kind declares them."""
    first = layout.FIRST_DATA_ROW - 1
    last = first + MAX_ROWS_VALIDATED
    for index, col in enumerate(columns):
        options = kind_of(col).validation(col, ctx) if col.input else None
        if options:
            ws.data_validation(first, index, last, index, options)


def _print_setup(ws, ncols: int, last_row: int) -> None:
    header = layout.HEADER_ROW - 1
    ws.freeze_panes(layout.FIRST_DATA_ROW - 1, 0)
    ws.repeat_rows(header)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C— &P —")
    ws.autofilter(header, 0, last_row, ncols - 1)


def _meta_sheet(wb, spec: TemplateSpec) -> None:
    ws = wb.add_worksheet(layout.META_SHEET)
    for n, (key, value) in enumerate(spec.identity.properties().items()):
        ws.write_string(n, 0, key)
        ws.write_string(n, 1, value)
    ws.hide()
    ws.protect(spec.password or "")
