"""Task tables (重点工作任务分解表), turned into the notice's canonical text.

Many notices list their tasks as a table — 序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位 |
责任领导 | 完成时限 — with heading rows merged across the table or a 类别 column. Tables come from
Word documents, or flattened into text (see :mod:`ledger.plan.layout`). Each row is rendered as the
text form the parser already reads (``1. 任务。措施（牵头单位：A，配合单位：B）`` then
``责任领导：…`` and ``完成时限：…`` lines), so one parser serves paragraphs and tables alike.
"""

from __future__ import annotations

import re

from ledger.plan.numbering import PART   # a part heading as the parser reads it: 一、…
from ledger.plan.vocabulary import DEADLINE, EITHER, LABELS, LEAD, PEOPLE_LABEL, SUPPORT

CHINESE_NUMERALS = "一二三四五六七八九十"

def _words(role: str) -> tuple[str, ...]:
    """The label words of a role (one vocabulary for labels in text and column headers)."""
    return tuple(sorted((w for w, r in LABELS.items() if r == role and len(w) > 2), key=len, reverse=True))


# Header words of each column role, in the order a header cell is tried against them. A 责任单位
# column ("either") leads when alone and supports when a 牵头单位 column is there too.
ROLES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号"),
    "section": ("类别", "领域", "板块", "部分", "方面"),
    "deadline": _words(DEADLINE) + ("时限",),
    "leaders": ("责任领导", "牵头领导", "分管领导", "分管县领导", "分管市领导", "县级领导", "市级领导",
                "联系领导", "牵头负责领导", "责任人"),
    "support": _words(SUPPORT),
    "lead": _words(LEAD),
    "either": _words(EITHER),
    "indicator": ("指标名称", "主要指标", "预期指标", "指标"),
    "title": ("重点任务", "主要任务", "工作任务", "任务名称", "重点工作", "工作要点", "目标任务", "预期目标",
              "项目名称", "实事项目", "民生实事", "任务", "目标", "事项"),
    "text": ("具体措施", "工作措施", "主要措施", "具体举措", "工作举措", "主要举措", "推进措施", "工作内容",
             "任务内容", "具体内容", "建设内容", "主要内容", "工作目标", "目标要求"),
}
PEOPLE_HEADER = re.compile(PEOPLE_LABEL)
UNIT_LABELS = (("lead", "牵头单位"), ("either", "责任单位"), ("support", "配合单位"))
DIGITS = re.compile(r"^\s*(\d{1,5})\s*[.．、]?\s*$")


def header_roles(cells: list[str]) -> dict[str, int] | None:
    """Column index of each role, when the row is the header of a task table; else None."""
    found: dict[str, int] = {}
    for index, text in enumerate(cells):
        word = re.sub(r"[\s（()）/、]", "", text)     # 牵头（责任）单位 reads as 牵头责任单位
        if "leaders" not in found and PEOPLE_HEADER.fullmatch(word):
            role = "leaders"                           # 牵头县领导, 联系市领导 …: the labels' own pattern
        else:
            role = next((r for r, words in ROLES.items() if r not in found and any(w in word for w in words)), None)
        if role:
            found[role] = index
    if ("title" in found or "text" in found or "indicator" in found) and ("lead" in found or "either" in found):
        return found
    return None


def table_lines(rows: list[list[str]]) -> list[str] | None:
    """The canonical lines of a task table given as rows of cell texts, or None if it is none."""
    rendered = table_rows(rows)
    return None if rendered is None else [line for row in rendered for line in row]


def table_rows(rows: list[list[str]]) -> list[list[str]] | None:
    """The canonical lines of each row after the header (a list per row), or None if no task table."""
    if not rows:
        return None
    roles = header_roles(rows[0])
    if roles is None:
        return None
    state = {"section": None, "parts": 0, "number": 0}
    return [[] if header_roles(cells) else _row_lines(_aligned(cells, roles, len(rows[0])), roles, state)
            for cells in rows[1:]]                       # (a header repeated on each page is skipped)


def _aligned(cells: list[str], roles: dict[str, int], width: int) -> list[str]:
    """A row missing its group cell (merged across rows, lost when flattened) gets it back empty."""
    section = roles.get("section")
    if len(cells) < width and section is not None and section < len(cells) \
            and DIGITS.match(cells[section] or "") and roles.get("number") == section + 1:
        return cells[:section] + [""] + cells[section:]
    return cells


def _row_lines(cells: list[str], roles: dict[str, int], state: dict) -> list[str]:
    filled = [c for c in cells if c.strip()]
    if len(set(filled)) == 1 and (len(filled) > 1 or PART.read(filled[0].strip())):
        return [_heading(filled[0], state)]               # a heading row, merged across the table
    lines = []
    section = _cell(cells, roles, "section")
    if section and section != state["section"]:
        state["section"] = section
        lines.append(_heading(section, state))
    item = _item_line(cells, roles, state)
    if item:
        lines.append(item)
        if _cell(cells, roles, "leaders"):
            lines.append(f"责任领导：{'、'.join(people(_cell(cells, roles, 'leaders')))}")
        if _cell(cells, roles, "deadline"):
            lines.append(f"完成时限：{_cell(cells, roles, 'deadline')}")
    return lines


def _heading(text: str, state: dict) -> str:
    state["number"] = 0
    text = " ".join(text.split())
    if PART.read(text):
        state["parts"] += 1
        return text
    state["parts"] += 1
    return f"{_numeral(state['parts'])}、{text}"


def _item_line(cells: list[str], roles: dict[str, int], state: dict) -> str | None:
    title, text = _cell(cells, roles, "title"), _cell(cells, roles, "text")
    indicator = _cell(cells, roles, "indicator")
    if indicator:                            # 指标 | 预期目标: 地区生产总值 | 增长6%左右
        title = indicator + title if title and not title.startswith(indicator) else (title or indicator)
    if not (title or text):
        return None
    number = DIGITS.match(_cell(cells, roles, "number") or "")
    state["number"] = int(number.group(1)) if number else state["number"] + 1
    body = "。".join(p.rstrip("。；;") for p in (title, text) if p) + "。"
    units = []
    for role, label in UNIT_LABELS:
        if _cell(cells, roles, role):
            units.append(f"{label}：{_cell(cells, roles, role)}")
    note = f"（{'，'.join(units)}）" if units else ""
    return f"{state['number']}. {body}{note}"


def people(text: str) -> list[str]:
    """Names in a 责任领导 cell: 王红、李明 / 王红 李明 / 王 红 / 王 红李 明 (each surname spaced off)."""
    chunks = text.split()
    if len(chunks) >= 2 and len(chunks[0]) == 1 and all(re.fullmatch(r"[\u4e00-\u9fff]+", c) for c in chunks):
        joined, starts, at = "".join(chunks), [], 0
        for chunk in chunks[:-1]:              # the character before each space is a surname
            at += len(chunk)
            starts.append(at - 1)
        starts[0] = 0
        bounds = starts + [len(joined)]
        return [joined[a:b] for a, b in zip(bounds, bounds[1:]) if joined[a:b]]
    return [c for chunk in chunks for c in re.split(r"[、，,；;]", chunk) if c]


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
