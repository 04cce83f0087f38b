"""Task tables flattened into text, rendered as the canonical item lines of :mod:`ledger.plan.tables`.

A table copied out of a web page, a PDF or a spreadsheet arrives as rows of cells separated by
`` | ``, tabs or wide spaces, or as one cell per line; its header names the columns in any order
(序号, 任务, 牵头单位, 责任单位, 配合单位, 责任领导, 完成时限 …, a word broken over two lines), a group
label may stand between rows or in a first column that spans rows, a row may miss a cell, a cell
may wrap onto a line of its own, the header may repeat on every page.
"""

from __future__ import annotations

import re

from ledger.plan.numbering import PART
from ledger.plan.roles import looks_like_unit
from ledger.plan.tables import (DIGITS, ROLES, header_roles, merged_header, rendered_rows, sub_header,
                                table_columns)
from ledger.plan.textlines import WHITESPACE, Line
from ledger.plan.units import normalise_unit

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
    """Rows written ``序号 | 任务 | 牵头单位`` (tab- or wide-space-separated too) as canonical lines."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        loose = next((mode for mode in (False, True) if _is_header(_cells(lines[i].text, mode))), None)
        if loose is not None:
            rows, numbers, j = [_cells(lines[i].text, loose)], [], i + 1
            if j < len(lines) and sub_header(_cells(lines[j].text, loose)):   # 责任单位 over 牵头 | 配合
                rows[0], j = merged_header(rows[0], _cells(lines[j].text, loose)), j + 1
            title = (header_roles(rows[0]) or {}).get("title", 1)
            while j < len(lines):
                text = lines[j].text
                if len(_cells(text, loose)) >= 2:
                    for row in _group_split(_cells(text, loose), len(rows[0])):
                        rows.append(row)
                        numbers.append(lines[j].no)
                elif text.strip() and not TABLE_RULE.match(text):
                    if not _row_follows(lines, j + 1, loose):
                        break
                    if _group_label(text) or (len(rows) < 2 and _short_label(text)):   # 一、产业发展 between rows
                        rows.append([text.strip()] * len(rows[0]))     # a heading row across the table
                        numbers.append(lines[j].no)
                    elif len(rows) < 2:
                        break
                    elif title < len(rows[-1]):       # a cell wrapped onto a line of its own
                        rows[-1][title] += text.strip()
                j += 1
            if len(rows) > 1:
                out += _rendered(rows, numbers)
                i = j
                continue
        cells = _cells(lines[i].text)
        filled = [c for c in cells if c]
        if not cells or filled:                  # an empty row ( |  |  | ) is dropped
            out.append(Line(filled[0], lines[i].no) if len(filled) == 1 else lines[i])   # 标题 |  |  |
        i += 1
    return out


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


def _header(lines: list[Line], i: int) -> tuple[list[str], int]:
    """The header cells starting at line i (a word broken over two lines joined), and the next index."""
    cells: list[str] = []
    j = i
    while j < len(lines) and len(cells) < 12:
        text = lines[j].text
        if _header_word(text):
            cells.append(text)
            j += 1
        elif j + 1 < len(lines) and len(text) <= 4 and _header_word(text + lines[j + 1].text):
            cells.append(text + lines[j + 1].text)
            j += 2
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
    the table has that column before 序号, else a heading row.
    """
    roles, width = header_roles(header) or {}, len(header)
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
            while j < len(lines) and not DIGITS.match(lines[j].text) and not TABLE_END.match(lines[j].text):
                if j - start >= width - leading and (j - start >= width + 2 - leading or PART.read(lines[j].text)
                                                     or _label_before_row(lines, j) or _header(lines, j)[0]):
                    break
                j += 1
            cells = [""] * leading + [line.text for line in lines[start:j]]
        rows.append(_fit(cells, width, roles))
        numbers.append(lines[start].no)
    return rows, numbers, j


def _label_before_row(lines: list[Line], j: int) -> bool:
    """A short line just before a 序号 line that names no unit: a group label, not a cell."""
    return j + 1 < len(lines) and bool(DIGITS.match(lines[j + 1].text)) and len(lines[j].text) <= 30 \
        and not looks_like_unit(normalise_unit(lines[j].text))


def _fit(cells: list[str], width: int, roles: dict[str, int]) -> list[str]:
    """Cells to the header's width: a cell broken over lines is joined into the task column."""
    if len(cells) <= width:
        return cells + [""] * (width - len(cells))
    title = roles.get("title", roles.get("text", 1))
    extra = len(cells) - width
    return cells[:title] + ["".join(cells[title:title + extra + 1])] + cells[title + extra + 1:]
