"""Task tables (重点工作任务分解表) in Word notices, turned into the notice's canonical text.

Many notices list their tasks as a table — 序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位 |
责任领导 | 完成时限 — with heading rows merged across the table or a 类别 column. Each row is
rendered as the text form the parser already reads (``1. 任务。措施（牵头单位：A，配合单位：B）``),
so one parser serves paragraphs and tables alike.
"""

from __future__ import annotations

import re

from ledger.plan.parse import PART_HEADING   # a part heading as the parser reads it: 一、…

CHINESE_NUMERALS = "一二三四五六七八九十"

# Header words of each column role, most specific first.
ROLES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号"),
    "section": ("类别", "领域", "板块", "部分", "方面"),
    "title": ("重点任务", "主要任务", "工作任务", "任务名称", "重点工作", "工作要点", "任务"),
    "text": ("具体措施", "工作措施", "主要措施", "工作内容", "任务内容", "具体内容", "工作目标", "目标任务"),
    "lead": ("牵头单位", "牵头部门", "责任单位", "责任部门", "主责单位", "承办单位"),
    "support": ("配合单位", "配合部门", "参与单位", "协办单位", "协同单位"),
    "leaders": ("责任领导", "牵头领导", "分管领导", "县级领导", "市级领导"),
}
DIGITS = re.compile(r"^\s*(\d{1,3})\s*[.．、]?\s*$")


def header_roles(cells: list[str]) -> dict[str, int] | None:
    """Column index of each role, when the row is the header of a task table; else None."""
    found: dict[str, int] = {}
    for index, text in enumerate(cells):
        word = "".join(text.split())
        role = next((r for r, words in ROLES.items() if r not in found and any(w in word for w in words)), None)
        if role:
            found[role] = index
    if ("title" in found or "text" in found) and "lead" in found:
        return found
    return None


def table_lines(rows: list[list[str]]) -> list[str] | None:
    """The canonical lines of a task table given as rows of cell texts, or None if it is none."""
    if not rows:
        return None
    roles = header_roles(rows[0])
    if roles is None:
        return None
    lines: list[str] = []
    state = {"section": None, "parts": 0, "number": 0}
    for cells in rows[1:]:
        lines.extend(_row_lines(cells, roles, state))
    return lines


def _row_lines(cells: list[str], roles: dict[str, int], state: dict) -> list[str]:
    filled = [c for c in cells if c.strip()]
    if len(set(filled)) == 1 and (len(filled) > 1 or PART_HEADING.match(filled[0].strip())):
        return [_heading(filled[0], state)]               # a heading row, merged across the table
    lines = []
    section = _cell(cells, roles, "section")
    if section and section != state["section"]:
        state["section"] = section
        lines.append(_heading(section, state))
    item = _item_line(cells, roles, state)
    if item:
        lines.append(item)
        leaders = _cell(cells, roles, "leaders")
        if leaders:
            lines.append(f"责任领导：{leaders}")
    return lines


def _heading(text: str, state: dict) -> str:
    state["number"] = 0
    text = " ".join(text.split())
    if PART_HEADING.match(text):
        state["parts"] += 1
        return text
    state["parts"] += 1
    return f"{_numeral(state['parts'])}、{text}"


def _item_line(cells: list[str], roles: dict[str, int], state: dict) -> str | None:
    title, text = _cell(cells, roles, "title"), _cell(cells, roles, "text")
    if not (title or text):
        return None
    number = DIGITS.match(_cell(cells, roles, "number") or "")
    state["number"] = int(number.group(1)) if number else state["number"] + 1
    body = "。".join(p.rstrip("。；;") for p in (title, text) if p) + "。"
    units = []
    for role, label in (("lead", "牵头单位"), ("support", "配合单位")):
        if _cell(cells, roles, role):
            units.append(f"{label}：{_cell(cells, roles, role)}")
    note = f"（{'，'.join(units)}）" if units else ""
    return f"{state['number']}. {body}{note}"


def _cell(cells: list[str], roles: dict[str, int], role: str) -> str:
    index = roles.get(role)
    if index is None or index >= len(cells):
        return ""
    return " ".join(cells[index].split())


def _numeral(n: int) -> str:
    """1 -> 一, 12 -> 十二, 21 -> 二十一 (up to 99)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")


# Excel task tables: rendered as " | " rows for the parser (see ledger.plan.sheetfile).
CELL_SEPARATOR = " | "
HEADER_SEARCH_ROWS = 10      # an Excel table's header may follow a title and notes


def header_row(rows: list[list[str]], search: int = HEADER_SEARCH_ROWS) -> int | None:
    """Index of the task table's header among the first ``search`` rows, or None."""
    for index, cells in enumerate(rows[:search]):
        if header_roles(cells) is not None:
            return index
    return None


def pipe_lines(rows: list[list[str]]) -> list[str] | None:
    """A task table as `` | `` text: its header row, then each non-empty row; None when it is none.

    Rows above the header (a title, a note) are kept as plain lines before it; cells are put on
    one line each and a ``|`` typed in a cell becomes a full-width ｜ so it cannot split the cell.
    """
    start = header_row(rows)
    if start is None:
        return None
    header, body = list(rows[start]), rows[start + 1:]
    if body and _sub_header(body[0]):       # 责任单位 over 牵头单位 | 配合单位: one header of both rows
        below = list(body[0]) + [""] * (len(header) - len(body[0]))
        header = [_flat(b) or _flat(h) for h, b in zip(header + [""] * (len(below) - len(header)), below)]
        body = body[1:]
    width = max((i + 1 for i, text in enumerate(header) if _flat(text)), default=0)
    lines = [" ".join(_flat(c) for c in cells if _flat(c)) for cells in rows[:start]]
    lines = [line for line in lines if line]
    for cells in [header, *body]:
        flat = [_flat(c) for c in list(cells)[:width]]
        while flat and not flat[-1]:        # trailing empty cells: the row simply ends early
            flat.pop()
        if flat:
            lines.append(CELL_SEPARATOR.join(flat))
    return lines


def _sub_header(cells: list[str]) -> bool:
    """A second header row: every filled cell is a column name (牵头单位, 配合单位, 责任领导 …)."""
    filled = [_flat(c) for c in cells if _flat(c)]
    return bool(filled) and all(len(text) <= 8 and any(w in text for words in ROLES.values() for w in words)
                                for text in filled)


def _flat(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "｜")
