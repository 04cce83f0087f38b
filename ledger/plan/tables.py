"""Task tables (重点工作任务分解表), turned into the notice's canonical text.

Many notices list their tasks as a table — 序号 | 重点任务 | 具体措施 | 牵头单位 | 配合单位 |
责任领导 | 完成时限 — with heading rows merged across the table or a 类别 column. Tables come from
Word documents, or flattened into text (see :mod:`ledger.plan.layout`). Each row is rendered as the
text form the parser already reads (``1. 任务。措施（牵头单位：A，配合单位：B）`` then
``责任领导：…`` and ``完成时限：…`` lines), so one parser serves paragraphs and tables alike.
"""

from __future__ import annotations

import re

from ledger.plan.model import ItemField, TableColumn
from ledger.plan.numbering import BRACKET, CHAPTER, PART, cn_number   # headings: 一、/（一）/第一部分
from ledger.plan.roles import spaced_units
from ledger.plan.vocabulary import FIELD_ROLES, PEOPLE_LABEL, ROLES

CHINESE_NUMERALS = "一二三四五六七八九十"

PEOPLE_HEADER = re.compile(PEOPLE_LABEL)
UNIT_LABELS = (("lead", "牵头单位"), ("either", "责任单位"), ("support", "配合单位"), ("place", "责任科室"))
# A 序号 cell: 12 / 12. / 十二 / 十二、 / （12） — the number alone.
DIGITS = re.compile(r"^\s*[（(]?\s*(\d{1,5}|[一二三四五六七八九十百]{1,5})\s*[）)]?\s*[.．、]?\s*$")


def header_roles(cells: list[str]) -> dict[str, int] | None:
    """Column index of each role, when the row is the header of a task table; else None."""
    columns = column_roles(cells)
    found: dict[str, int] = {}
    for index, role in enumerate(columns):
        if role != "other":
            found.setdefault(role, index)
    if ("title" in found or "text" in found or "indicator" in found) and (
            "lead" in found or "either" in found or "paired" in found or "place" in found):
        return found
    return None


def column_roles(cells: list[str]) -> list[str]:
    """The role of each column of a header row ("other" for a column no role names).

    A role is given once, except 责任领导-like columns (分管领导, 牵头市领导, 项目责任人 all name
    people). A task column standing before 序号 (工作任务 | 序号 | 具体要求 | …) is the group
    label of the rows below it, filled on its group's first row only.
    """
    found: dict[str, int] = {}
    columns: list[str] = []
    for index, text in enumerate(cells):
        if "paired" not in found and _paired(text):
            found["paired"] = index                    # 主办单位/协办单位: 县工信局/县财政局
            columns.append("paired")
            continue
        bare = re.sub(r"[\s/、]", "", re.sub(r"[（(][^（()）]*[）)]\s*$", "", text))   # 牵头单位（责任人）
        word = re.sub(r"[\s（()）/、]", "", text)     # 牵头（责任）单位 reads as 牵头责任单位
        role = _role(bare, found) or _role(word, found) or _another_leader(bare, found)
        if role:
            found.setdefault(role, index)
        columns.append(role or "other")
    if "target" in found and not {"title", "text", "indicator"} & set(found):
        columns[found["target"]] = "title"            # 年度目标 | 牵头单位: the target is the task
    number = found.get("number")
    if number and columns[0] == "title" and "text" in found and "section" not in found:
        columns[0] = "section"                         # 工作任务 | 序号 | 具体要求: the group column
    return columns


def _another_leader(word: str, found: dict[str, int]) -> str | None:
    """A second column of people (分管领导 beside 牵头市领导): leaders too."""
    if "leaders" in found and (PEOPLE_HEADER.fullmatch(word) or any(w in word for w in ROLES["leaders"])):
        return "leaders"
    return None


def _role(word: str, found: dict[str, int]) -> str | None:
    if not word:
        return None
    if "leaders" not in found and PEOPLE_HEADER.fullmatch(word):
        return "leaders"                               # 牵头县领导, 联系市领导 …: the labels' own pattern
    order = list(ROLES)
    if re.search(r"单位|部门|主体", word):               # 牵头单位及责任人: a unit column first of all
        order = ["lead", "support", "either"] + order
    return next((r for r in order if r not in found and any(w in word for w in ROLES[r])), None)


def _paired(text: str) -> bool:
    """A header naming lead and support units in one column: 主办单位/协办单位, 牵头单位/配合单位."""
    halves = [re.sub(r"\s", "", h) for h in re.split(r"[/／]", text)]
    return len(halves) == 2 and any(w in halves[0] for w in ROLES["lead"]) and \
        any(w in halves[1] for w in ROLES["support"])


def table_lines(rows: list[list[str]]) -> list[str] | None:
    """The canonical lines of a task table given as rows of cell texts, or None if it is none."""
    rendered = table_rows(rows)
    return None if rendered is None else [line for row in rendered for line in row]


def table_rows(rows: list[list[str]]) -> list[list[str]] | None:
    """The canonical lines of each row after the header (a list per row), or None if no task table."""
    rendered = rendered_rows(rows)
    return None if rendered is None else [lines for lines, _ in rendered]


def rendered_rows(rows: list[list[str]]) -> list[tuple[list[str], list[ItemField]]] | None:
    """Each row after the header as (its canonical lines, the fields of its other columns: 推进情况,
    形象进度, 说明 …), or None if the rows are no task table."""
    if not rows:
        return None
    roles = header_roles(rows[0])
    if roles is None:
        return None
    columns = column_roles(rows[0])
    state = {"section": None, "parts": 0, "number": 0, "columns": columns}
    out = []
    for cells in rows[1:]:
        if header_roles(cells):                          # (a header repeated on each page is skipped)
            out.append(([], []))
            continue
        cells = _aligned(cells, roles, len(rows[0]))
        lines = _row_lines(cells, roles, state)
        out.append((lines, _fields(rows[0], columns, cells) if _is_item(lines) else []))
    return out


def _fields(header: list[str], columns: list[str], cells: list[str]) -> list[ItemField]:
    """The row's filled cells in columns that are not the plan's (推进情况, 说明, other …)."""
    return [ItemField(" ".join(header[i].split()), role, " ".join(cells[i].split()))
            for i, role in enumerate(columns) if role in FIELD_ROLES and i < len(cells) and cells[i].strip()]


def table_columns(header: list[str]) -> list[TableColumn]:
    """What each column of a task table's header is read as, for the office to check."""
    return [TableColumn(" ".join(text.split()), role) for text, role in zip(header, column_roles(header))]


def _is_item(lines: list[str]) -> bool:
    return any(re.match(r"^\d{1,5}\. ", line) for line in lines)


def _aligned(cells: list[str], roles: dict[str, int], width: int) -> list[str]:
    """A row missing its group cell (merged across rows, lost when flattened) gets it back empty."""
    section = roles.get("section")
    if len(cells) < width and section is not None and section < len(cells) \
            and DIGITS.match(cells[section] or "") and roles.get("number") == section + 1:
        return cells[:section] + [""] + cells[section:]
    return cells


def _row_lines(cells: list[str], roles: dict[str, int], state: dict) -> list[str]:
    filled = [c for c in cells if c.strip()]
    if len(set(filled)) == 1 and (len(filled) > 1 or _numbered_heading(filled[0].strip())
                                  or _label_cell(cells, roles)):
        return [_heading(filled[0], state)]               # a heading row, merged across the table
    lines = []
    section = _cell(cells, roles, "section")
    if section and section != state["section"]:
        state["section"] = section
        lines.append(_heading(section, state))
    item = _item_line(cells, roles, state)
    if item:
        lines.append(item)
        names = [n for i, role in enumerate(state.get("columns", [])) if role == "leaders"
                 for n in people(_cell(cells, {"leaders": i}, "leaders"))] or \
            people(_cell(cells, roles, "leaders"))
        if names:
            lines.append(f"责任领导：{'、'.join(dict.fromkeys(names))}")
        if _cell(cells, roles, "deadline"):
            lines.append(f"完成时限：{_cell(cells, roles, 'deadline')}")
    return lines


def _heading(text: str, state: dict) -> str:
    state["number"] = 0
    text = " ".join(text.split())
    if _numbered_heading(text):
        state["parts"] += 1
        return text
    state["parts"] += 1
    return f"{_numeral(state['parts'])}、{text}"


def _label_cell(cells: list[str], roles: dict[str, int]) -> bool:
    """A row whose one filled cell is the first, outside the task columns, and no number: a group
    label (产业发展（5项）) whose merged cell kept its text in the first column only."""
    first = cells[0].strip() if cells else ""
    task_columns = {roles.get("title"), roles.get("text"), roles.get("indicator")}
    return bool(first) and 0 not in task_columns and not DIGITS.match(first) and len(first) <= 30 \
        and not any(c.strip() for c in cells[1:])


def _value(numeral: str) -> int:
    return int(numeral) if numeral.isdigit() else cn_number(numeral)


def _numbered_heading(text: str) -> bool:
    """A group label numbered as a heading (一、 / （一） / 第一部分), kept as written."""
    return bool(PART.read(text) or BRACKET.read(text) or CHAPTER.read(text))


def _item_line(cells: list[str], roles: dict[str, int], state: dict) -> str | None:
    title, text = _cell(cells, roles, "title"), _cell(cells, roles, "text")
    indicator = _cell(cells, roles, "indicator")
    if indicator:                            # 指标 | 预期目标: 地区生产总值 | 增长6%左右
        title = indicator + title if title and not title.startswith(indicator) else (title or indicator)
    if not (title or text):
        return None
    number = DIGITS.match(_cell(cells, roles, "number") or "")
    state["number"] = _value(number.group(1)) if number else state["number"] + 1
    target = _cell(cells, roles, "target")         # 全年目标: part of the task's text (its 指标 come from it)
    body = "。".join(p.rstrip("。；;") for p in (title, text, target) if p) + "。"
    units = []
    paired = _cell(cells, roles, "paired")
    halves = re.split(r"\s*[/／]\s*", paired, maxsplit=1) + [""]
    lead, support = halves[0], halves[1]
    for role, label in UNIT_LABELS:
        cell = _cell(cells, roles, role) or {"lead": lead, "support": support}.get(role, "")
        if cell:
            units.append(f"{label}：{spaced_units(cell) or cell}")     # 县财政局 县住建局: two units
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
    if body and sub_header(body[0]):        # 责任单位 over 牵头单位 | 配合单位: one header of both rows
        header, body = merged_header(header, body[0]), body[1:]
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


def merged_header(header: list[str], below: list[str]) -> list[str]:
    """A header over two rows as one: a cell of the lower row names its column, else the upper's."""
    width = max(len(header), len(below))
    header, below = list(header) + [""] * (width - len(header)), list(below) + [""] * (width - len(below))
    return [_flat(b) or _flat(h) for h, b in zip(header, below)]


def sub_header(cells: list[str]) -> bool:
    """A second header row: every filled cell is a column name (牵头单位, 配合单位, 责任领导 …)."""
    filled = [_flat(c) for c in cells if _flat(c)]
    return bool(filled) and all(len(text) <= 8 and any(w in text for words in ROLES.values() for w in words)
                                for text in filled)


def _flat(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "｜")
