"""Feedback to a department: its workbook with offending cells highlighted, and a 问题清单 sheet.

The feedback workbook is the unit's own template rebuilt with the values it typed, so it keeps
the identification, protection and validation and can be corrected and sent back as it is.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from ledger import layout
from ledger.normalise import clean_text
from ledger import codes
from ledger.findings import Finding
from ledger.xlsx import atomic_output, formats, text_width

PROBLEM_SHEET = "问题清单"
PROBLEM_HEADERS = ("序号", "单元格", "列", "填写内容", "问题", "修改方法", "级别")
PROBLEM_WIDTHS = (6, 9, 12, 16, 38, 32, 6)     # within sheets.PRINT_WIDTH: printed at 9 pt or more


def problem_sheet(wb, fmt, spec) -> None:
    """The 问题清单 sheet, first and active, listing every finding."""
    ws = wb.add_worksheet(PROBLEM_SHEET)
    ws.activate()
    n_errors = sum(1 for f in spec.problems if f.is_error)
    ws.merge_range(0, 0, 0, len(PROBLEM_HEADERS) - 1, "台账退回修改意见", fmt["title"])
    ws.merge_range(1, 0, 1, len(PROBLEM_HEADERS) - 1,
                   f"填报单位：{spec.unit}　　共 {n_errors} 处错误须修改后重新报送（标红单元格）；提示（标黄单元格）仅供核对，可不修改。"
                   f"请直接在本文件{_sheets(spec)}工作表中修改，保存后重新报送。", fmt["subtitle"])
    ws.set_row(1, 36)
    for c, (header, width) in enumerate(zip(PROBLEM_HEADERS, PROBLEM_WIDTHS)):
        ws.set_column(c, c, width)
        ws.write_string(2, c, header, fmt["header"])
    for r, finding in enumerate(spec.problems, start=3):
        _problem_row(ws, fmt, r, finding)
    ws.repeat_rows(2)
    ws.freeze_panes(3, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&C— &P —")


def _sheets(spec) -> str:
    return "“台账”“指标”" if getattr(spec, "targets", None) else "“台账”"


def _problem_row(ws, fmt, r: int, f: Finding) -> None:
    problem, fix = f.problem, f.fix
    value = typed_text(f.value)
    cell = f"{f.sheet}!{f.cell}" if f.cell and f.sheet and f.sheet != layout.LEDGER_SHEET else f.cell or ""
    cells = (str(r - 2), cell, f.column or "", value, problem, fix, "错误" if f.is_error else "提示")
    lines = 1
    for c, text in enumerate(cells):
        ws.write_string(r, c, text, fmt["wrap"])
        lines = max(lines, math.ceil(text_width(text) / (PROBLEM_WIDTHS[c] - 1)))
    ws.set_row(r, min(409, 15 * lines + 6))


def typed_text(value: Any) -> str:
    """A value as the unit typed it: 150 for the 150.0 a workbook reader hands back."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Returned:
    """What a unit typed in one sheet of its returned file: values by row key, and each row's key."""

    sheet: str | None
    values: dict[str, dict[str, Any]]    # row key -> values as read
    keys: dict[int, str]                 # 1-based worksheet row -> row key

    @classmethod
    def of(cls, sheet: str | None, rows: list, key: str) -> "Returned":
        keys = {r.number: clean_text(r.values.get(key)) for r in rows}
        return cls(sheet, {keys[r.number]: r.values for r in rows}, keys)


def mark_rows(spec, findings: list[Finding], ledger: Returned, targets: Returned | None = None):
    """A copy of the template spec carrying the unit's values and the cells to highlight.

    ``ledger`` and ``targets`` are what the unit typed in the 台账 and 指标 sheets; findings are
    put on the row of the sheet they name, so a finding located by row lands on the right task.
    """
    spec = copy.deepcopy(spec)
    target_sheet = targets.sheet if targets else None
    inputs = layout.INPUT_COLUMNS + tuple(spec.office_columns)     # the office columns it was issued with
    keys = {c.key for c in inputs}
    _mark(spec.rows, "row_key", inputs, ledger,
          [f for f in findings if f.sheet != target_sheet and f.field in keys])
    if targets:
        _mark(spec.targets, "target_key", layout.TARGET_INPUT_COLUMNS, targets,
              [f for f in findings if f.sheet == target_sheet and f.field in layout.TARGET_BY_KEY])
    spec.problems = list(findings)
    return spec


def _mark(rows: list, key: str, inputs: tuple[layout.Column, ...], returned: Returned, findings: list[Finding]) -> None:
    by_key = {r.cells[key]: r for r in rows}
    for row_key, values in returned.values.items():
        if row_key in by_key:
            by_key[row_key].typed = {c.key: values.get(c.key) for c in inputs}
    for f in findings:
        row = by_key.get(returned.keys.get(f.row or -1, ""))
        if row is not None:
            row.marks[f.field] = _comment(row.marks.get(f.field), f)
            if f.is_error:
                row.errors.add(f.field)     # red; a cell with warnings only is amber


def _comment(previous: str | None, f: Finding) -> str:
    text = f.message
    if f.code == codes.PLAN_CELL_CHANGED.code:
        text += f"（本文件已恢复原内容；您改为：“{f.value}”）"
    return f"{previous}\n{text}" if previous else text


def write_problem_list(path: Path, title: str, findings: list[Finding]) -> Path:
    """A workbook holding only the 问题清单, for files that could not be identified."""
    class _Spec:  # the two attributes problem_sheet reads
        unit = title
        problems = findings

    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        problem_sheet(wb, formats(wb), _Spec)
        wb.close()
    return path
