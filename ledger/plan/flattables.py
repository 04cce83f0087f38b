"""Task tables flattened into text, rendered as the canonical item lines of :mod:`ledger.plan.tables`.

A table copied out of a web page, a PDF or a spreadsheet arrives as rows of cells separated by
`` | ``, tabs or wide spaces, or as one cell per line; its header names the columns in any order
(序号, 任务, 牵头单位, 责任单位, 配合单位, 责任领导, 完成时限 …, a word broken over two lines), a group
label may stand between rows or in a first column that spans rows, a row may miss a cell, a cell
may wrap onto a line of its own, the header may repeat on every page.
"""

from __future__ import annotations

import re

from ledger.plan.numbering import PART, cn_number
from ledger.plan.roles import is_deadline, is_person, is_time_limit, looks_like_unit
from ledger.plan.tables import (DIGITS, ROLES, column_roles, header_roles, merged_header, rendered_rows, sub_header,
                                table_columns)
from ledger.plan.textlines import WHITESPACE, Line
from ledger.plan.units import normalise_unit, split_list

# A horizontal rule between a Markdown table's header and rows: |---|:---|.
TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$")
# Cells of a row flattened with | or tabs.
CELL_SPLIT = re.compile(r"\s*\|\s*")
LOOSE_SPLIT = re.compile(r"\s{2,}|\u3000+")
# A header cell of a flattened table: short, and naming a column.
HEADER_CELL_MAX = 12
# A group label other than 一、: （一）产业发展, 第一部分 产业发展, 第一篇 ….
GROUP_LABEL = re.compile(r"^(?:[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]{1,3}(?:部分|篇|章))\s*\S"
                         r"|^[^。；;，,：:]{2,30}[（(]\s*(?:共\s*)?\d{1,3}\s*(?:项|个|条)\s*[）)]$")   # 产业发展（5项）
# Lines that end a flattened table: 附件2, 抄送, a date.
TABLE_END = re.compile(r"^(?:附件\s*\d*\s*$|抄送|抄报|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")


def piped_tables(lines: list[Line]) -> list[Line]:
    """Rows written ``序号 | 任务 | 牵头单位`` (tab- or wide-space-separated too) as canonical lines.

    A table that goes on after a page's end (a footer, a running title between) without its
    header takes the columns of the header above it when its rows continue the numbering.
    """
    out: list[Line] = []
    i = 0
    last: tuple[list[str], bool, int] | None = None      # the latest table's header, mode, last number
    while i < len(lines):
        loose = next((mode for mode in (False, True) if _is_header(_cells(lines[i].text, mode))), None)
        header, j = None, i + 1
        if loose is not None:
            header = _cells(lines[i].text, loose)
            if j < len(lines) and sub_header(_cells(lines[j].text, loose)):   # 责任单位 over 牵头 | 配合
                header, j = merged_header(header, _cells(lines[j].text, loose)), j + 1
        elif last is not None and _continues_table(_cells(lines[i].text, last[1]), last):
            header, loose, j = last[0], last[1], i
        if header is not None:
            rows, numbers, j = _piped_rows(lines, j, header, loose)
            if len(rows) > 1:
                out += _rendered(rows, numbers)
                last = (header, loose, max((_serial(r[_number_at(header)]) for r in rows[1:]
                                            if _number_at(header) < len(r)), default=0))
                i = j
                continue
        cells = _cells(lines[i].text)
        filled = [c for c in cells if c]
        if not cells or filled:                  # an empty row ( |  |  | ) is dropped
            out.append(Line(filled[0], lines[i].no) if len(filled) == 1 else lines[i])   # 标题 |  |  |
        i += 1
    return out


def _piped_rows(lines: list[Line], j: int, header: list[str], loose: bool) -> tuple[list[list[str]], list[int], int]:
    """The rows of a piped table from line j on (the header first), their line numbers, where it ends."""
    rows, numbers = [list(header)], []
    roles = header_roles(header) or {}
    title, number = roles.get("title", 1), roles.get("number")
    while j < len(lines):
        text = lines[j].text
        if len(_cells(text, loose)) >= 2:
            cells = _cells(text, loose)
            if _rest_of_row(rows, cells, len(header), number):
                rows[-1] = rows[-1][:-1] + [rows[-1][-1] + cells[0]] + cells[1:]
            else:
                for row in _group_split(cells, len(header)):
                    rows.append(row)
                    numbers.append(lines[j].no)
        elif text.strip() and not TABLE_RULE.match(text):
            if not _row_follows(lines, j + 1, loose):
                break
            if _group_label(text) or (len(rows) < 2 and _short_label(text)):   # 一、产业发展 between rows
                rows.append([text.strip()] * len(header))     # a heading row across the table
                numbers.append(lines[j].no)
            elif len(rows) < 2:
                break
            elif title < len(rows[-1]):       # a cell wrapped onto a line of its own
                rows[-1][title] += text.strip()
        j += 1
    return rows, numbers, j


def _rest_of_row(rows: list[list[str]], cells: list[str], width: int, number: int | None) -> bool:
    """Cells that finish the row above, broken at a line inside one of its cells: the row above is
    short, this one starts with no number, and together they make the header's width."""
    if number != 0 or len(rows) < 2 or DIGITS.match(cells[0] or "x"):
        return False
    above = rows[-1]
    return len(above) < width and bool(DIGITS.match(above[0] or "")) and len(above) + len(cells) - 1 == width


def _number_at(header: list[str]) -> int:
    return (header_roles(header) or {}).get("number", 0)


def _continues_table(cells: list[str], last: tuple[list[str], bool, int]) -> bool:
    """A row with the latest table's width whose number follows its last: the table goes on."""
    header, _, number = last
    at = _number_at(header)
    return number > 0 and abs(len(cells) - len(header)) <= 1 and at < len(cells) \
        and _serial(cells[at]) == number + 1


def _group_label(text: str) -> bool:
    """A group label standing alone between a table's rows: 一、产业发展 / （一）产业发展 / 第一部分 … /
    产业发展（5项）."""
    text = text.strip()
    return bool(PART.read(text) or GROUP_LABEL.match(text)) and len(text) <= 40 \
        and not re.search(r"[。；;]", text[:-1])


def _short_label(text: str) -> bool:
    """A short line with no sentence in it: right after the header, it can only be a group label."""
    text = text.strip()
    return len(text) <= 30 and not re.search(r"[。；;，,：:]", text) and not looks_like_unit(normalise_unit(text))


def _group_split(cells: list[str], width: int) -> list[list[str]]:
    """A row one cell wider than the header whose first cell is a group label (一、产业发展 | 1 | …):
    the label as a row of its own, then the row; an empty first cell there is dropped. Any other
    row as it is."""
    if len(cells) == width + 1 and DIGITS.match(cells[1]):
        if _group_label(cells[0]):
            return [[cells[0]] * width, cells[1:]]
        if not cells[0]:                 # the label's column left empty in the group's next rows
            return [cells[1:]]
    return [cells]


def _is_header(cells: list[str]) -> bool:
    """A row of short column names that name a task table's columns."""
    return len(cells) >= 2 and all(len(c) <= HEADER_CELL_MAX + 4 for c in cells) and bool(header_roles(cells))


def _row_follows(lines: list[Line], j: int, loose: bool) -> bool:
    """True when the next non-empty line is a table row again."""
    while j < len(lines) and not lines[j].text.strip():
        j += 1
    return j < len(lines) and len(_cells(lines[j].text, loose)) >= 2


def _cells(text: str, loose: bool = False) -> list[str]:
    """The cells of a flattened row; ``loose`` also splits on runs of spaces (rows copied from a PDF)."""
    if loose:
        return [c for c in LOOSE_SPLIT.split(text.strip()) if c] if LOOSE_SPLIT.search(text.strip()) else []
    if "|" in text:
        text = text.strip()
        if text.startswith("|") and text.endswith("|"):      # a Markdown row's borders
            text = text[1:-1]
        return [c.strip() for c in CELL_SPLIT.split(text)]   # (a leading | is an empty first cell)
    if "\t" in text:                              # empty cells count: the columns stay aligned
        return [c.strip() for c in text.rstrip("\r\n").split("\t")]
    return []


def _rendered(rows: list[list[str]], numbers: list[int]) -> list[Line]:
    out: list[Line] = []
    columns = tuple(table_columns(rows[0]))
    for (row_lines, fields), no in zip(rendered_rows(rows) or [], numbers):
        for text in row_lines:
            item = bool(re.match(r"^\d{1,5}\. ", text))
            out.append(Line(text, no, table=item, fields=tuple(fields) if item else (),
                            columns=columns if item else ()))
    return out


def cell_tables(lines: list[Line]) -> list[Line]:
    """Tables flattened to one cell per line: a header of column words, then rows of cells."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        header, j = _header(lines, i)
        if header:
            rows, numbers, k = _cell_rows(lines, j, header)
            if rows:
                out += _rendered([header] + rows, numbers)
                i = k
                continue
        out.append(lines[i])
        i += 1
    return out


def _header_word(text: str) -> bool:
    word = WHITESPACE.sub("", text)
    return len(word) <= HEADER_CELL_MAX and any(w in word for words in ROLES.values() for w in words) \
        and not re.search(r"[。；;，,：:]", word)


def _unknown_header(text: str) -> bool:
    """A short word that could name a column: no sentence, no number, no unit's or person's name."""
    word = WHITESPACE.sub("", text)
    return 2 <= len(word) <= 8 and bool(re.fullmatch(r"[\u4e00-\u9fff（）()%％]+", word)) \
        and not looks_like_unit(normalise_unit(word)) and not is_person(word)


def _header(lines: list[Line], i: int) -> tuple[list[str], int]:
    """The header cells starting at line i (a word broken over two lines joined), and the next index."""
    cells: list[str] = []
    j = i
    while j < len(lines) and len(cells) < 12:
        text = lines[j].text
        after = lines[j + 1].text if j + 1 < len(lines) else ""
        if _header_word(text):
            cells.append(text)
            j += 1
        elif after and len(text) <= 4 and _header_word(text + after) and not _header_word(after):
            cells.append(text + after)     # 牵头 / 单位, 责任 / 领导: one word broken over two lines
            j += 2
        elif cells and _unknown_header(text) and _header_word(after):
            cells.append(text)             # 资金来源 between column words: a column no role names ("other")
            j += 1
        else:
            break
    number = next((k for k, c in enumerate(cells) if k and re.sub(r"\s", "", c) in ROLES["number"]), 0)
    cells = cells[number:]             # a caption's last words (…任务分解表) before 序号 are no column
    if len(cells) >= 2 and header_roles(cells) and len(set(cells)) == len(cells):
        return cells, j
    return [], i


def _cell_rows(lines: list[Line], j: int, header: list[str]) -> tuple[list[list[str]], list[int], int]:
    """Rows after a one-cell-per-line header: each starts at its 序号 when the table has one.

    A short line where a row should start is a group label: the 类别 cell of the rows below when
    the table has that column before 序号, else a heading row. The header's column count, not the
    line breaks, says where a cell ends: a cell may hold one unit a line (:func:`_fit`).
    """
    roles, width = header_roles(header) or {}, len(header)
    columns = column_roles(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    number = roles.get("number")
    section = roles.get("section")
    leading = 1 if section is not None and number is not None and section < number else 0
    while j < len(lines) and not TABLE_END.match(lines[j].text):
        start = j
        if number is None:
            cells = [line.text for line in lines[start:start + width]]
            j = start + len(cells)
        elif not DIGITS.match(lines[j].text):
            repeated, after = _header(lines, j)
            if repeated:                         # the header again, on the next page
                j = after
                continue
            if not (PART.read(lines[j].text) or len(lines[j].text) <= 30):
                break
            rows.append([lines[j].text] * width if not leading else [lines[j].text] + [""] * (width - 1))
            numbers.append(lines[j].no)
            j += 1
            continue
        else:
            j += 1
            while j < len(lines) and not TABLE_END.match(lines[j].text) and \
                    not _ends_row(lines, start, j, leading, roles, columns):
                j += 1
            cells = [""] * leading + [line.text for line in lines[start:j]]
        rows.append(_fit(cells, width, roles, columns))
        numbers.append(lines[start].no)
    return rows, numbers, j


# A row of a one-cell-per-line table may run this many lines past the header's width (units one a line).
MAX_EXTRA_LINES = 12


def _ends_row(lines: list[Line], start: int, j: int, leading: int, roles: dict[str, int],
              columns: list[str]) -> bool:
    """Whether line j no longer belongs to the row that opens at line ``start`` (its 序号).

    A number opens the next row once the row has its cells, or before when it follows this row's
    number and a task's text comes after it (a figure inside a short row is its 形象进度 cell). Past
    its width a row goes on while lines are units, names, time limits or short phrases — not a
    heading, a repeated header, or a group label the row has no empty last cell for.
    """
    text, count, width = lines[j].text, j - start, len(columns) - leading
    if DIGITS.match(text):
        return count >= width or (_serial(text) == _serial(lines[start].text) + 1 and _task_follows(lines, j + 1))
    if count < width:
        return False
    if count >= width + MAX_EXTRA_LINES or not _extra_line(text) or PART.read(text) or _header(lines, j)[0]:
        return True
    row = [""] * leading + [line.text for line in lines[start:j]]
    return _label_before_row(lines, j) and not _fills_last(row, text, roles, columns)


def _serial(text: str) -> int:
    m = DIGITS.match(text)
    return (int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1))) if m else 0


def _task_follows(lines: list[Line], j: int) -> bool:
    """The line after a number is a task's text (the number opens a row), not the next cell of a
    row (形象进度 30 then 是否达序 是)."""
    if j >= len(lines):
        return False
    text = lines[j].text
    return not (PERCENT.match(text) or ON_PACE.match(text) or DIGITS.match(text) or _only_units(text)
                or is_deadline(text) or is_person(normalise_unit(text)))


def _extra_line(text: str) -> bool:
    """A line past a row's width that still belongs to it: a unit, a person, a time limit, a short phrase."""
    name = normalise_unit(text)
    return looks_like_unit(name) or is_person(name) or is_deadline(text) or len(text) <= 20


def _fills_last(cells: list[str], line: str, roles: dict[str, int], columns: list[str]) -> bool:
    """A short line after a full row that is the row's last cell, not the next group's label: the
    row leaves its last column (推进情况, 说明 …) empty and the line fits there."""
    width = len(columns)
    return columns[-1] != "section" and not _fit(cells, width, roles, columns)[-1] \
        and _fits(columns[-1], [line]) > 0


def _label_before_row(lines: list[Line], j: int) -> bool:
    """A short line just before a 序号 line that names no unit: a group label, not a cell."""
    return j + 1 < len(lines) and bool(DIGITS.match(lines[j + 1].text)) and len(lines[j].text) <= 30 \
        and not looks_like_unit(normalise_unit(lines[j].text)) and not is_deadline(lines[j].text)


def _fit(cells: list[str], width: int, roles: dict[str, int], columns: list[str] | None = None) -> list[str]:
    """Lines of one row into the header's cells: the split that best fits each column's role
    (units in unit columns, names in 责任领导, a time limit in 完成时限, text in the task column),
    so three units on three lines are one cell and a cell left empty is found wherever it stands."""
    columns = columns or [next((r for r, i in roles.items() if i == k), "other") for k in range(width)]
    if len(cells) == width and all(_fits(role, [c]) > MISFIT for role, c in zip(columns, cells)):
        return cells                     # one line a cell, none badly out of place: as written
    lead = next((k for k, c in enumerate(cells) if c), 0)       # a leading empty group cell stays
    if lead:
        return cells[:lead] + _fit(cells[lead:], width - lead, {}, columns[lead:])
    n = len(cells)
    NONE = float("-inf")
    best = [[NONE] * (n + 1) for _ in range(width + 1)]
    cut = [[0] * (n + 1) for _ in range(width + 1)]
    best[0][0] = 0.0
    for c in range(1, width + 1):
        for end in range(n + 1):
            for begin in range(end + 1):
                if best[c - 1][begin] == NONE:
                    continue
                score = best[c - 1][begin] + _fits(columns[c - 1], cells[begin:end])
                if score > best[c][end]:
                    best[c][end], cut[c][end] = score, begin
    out, end = [], n
    for c in range(width, 0, -1):
        begin = cut[c][end]
        out.append("\n".join(cells[begin:end]))
        end = begin
    return [_joined(columns[k], text) for k, text in enumerate(reversed(out))]


def _joined(role: str, text: str) -> str:
    """A cell's lines as one text: units and names a list, other text run on."""
    lines = text.split("\n")
    return "、".join(lines) if role in UNIT_ROLES + ("leaders",) else "".join(lines)


# A line this far out of its column (text where units go, a unit where names or a date go) makes a
# row with as many lines as columns be split again; a unit in a free-text column is no misfit.
MISFIT = -1.5
UNIT_ROLES = ("lead", "support", "either", "place", "paired")
FREE_ROLES = ("title", "text", "target", "progress", "remark", "other", "section", "indicator")
PERCENT = re.compile(r"^\d{1,3}(?:\.\d+)?\s*[%％]?$")
ON_PACE = re.compile(r"^(?:是|否|正常|滞后|超序|达序|未达序|序时|按序|已完成|未完成|推进中|进度正常|进度滞后)")


def _fits(role: str, lines: list[str]) -> float:
    """How well lines fit a column of a role: positive fits, negative does not; an empty cell costs a little."""
    if not lines:                  # a lead or a task is seldom left empty; 配合单位, 说明 often are
        return -3.0 if role in ("lead", "either", "title", "number") else -1.5
    if role == "number":
        return 3.0 if len(lines) == 1 and DIGITS.match(lines[0]) else -10.0
    if role in UNIT_ROLES:
        return sum(2.0 if all(looks_like_unit(normalise_unit(t)) for t in split_list(line) or [line]) else -3.0
                   for line in lines) - (0.1 * (len(lines) - 1) if role == "lead" else 0)
    if role == "leaders":
        return sum(2.0 if all(is_person(normalise_unit(t)) for t in split_list(line) or [line]) else -3.0
                   for line in lines)
    if role == "deadline":
        return (3.0 if is_deadline(lines[0]) or is_time_limit(lines[0]) else -2.0) - 3.0 * (len(lines) - 1)
    if role == "percent":
        return (3.0 if PERCENT.match(lines[0]) else -2.0) - 3.0 * (len(lines) - 1)
    if role == "on_pace":
        return (3.0 if ON_PACE.match(lines[0]) else -2.0) - 3.0 * (len(lines) - 1)
    first = 1.0 if role in ("title", "text") else 0.0     # a row's task is its first text, whatever its ending
    return first + sum(-1.0 if _only_units(line) or is_deadline(line) else 0.5 for line in lines)


def _only_units(line: str) -> bool:
    names = [normalise_unit(t) for t in split_list(line)]
    return bool(names) and all(n and looks_like_unit(n) and len(n) <= 15 for n in names)
