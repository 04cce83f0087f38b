"""Word notices (.docx): paragraphs and tables in document order, with Word's own list numbering.

Numbering that Word generates (a list style, numPr → abstractNum) is not in a paragraph's text;
it is rendered here from the numbering definitions — ``1.``, ``（一）``, ``①`` — so the parser sees
the numbers the reader of the notice sees.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import PlanImportError
from ledger.plan.formats import ZIP_MAGIC, NoticeFormat
from ledger.plan.tables import column_roles, header_row, pipe_lines, table_lines
from ledger.plan.vocabulary import PROGRESS_ROLES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_UNPACKED_BYTES = 512 * 1024 * 1024    # a zip bomb is refused before it is parsed
DIGITS = "零一二三四五六七八九"
LEGAL = "零壹贰叁肆伍陆柒捌玖"


def read_docx(path: Path) -> str:
    """Paragraphs and table cells in document order, each paragraph a line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    broken = f"无法读取 Word 文件“{path.name}”：文件已损坏、已加密或不是有效的 .docx"
    try:
        check_unpacked_size(path)
        document = docx.Document(str(path))
        return "\n".join(_lines_of(document, Numbering.of(document)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        raise PlanImportError(broken) from None
    except PermissionError:
        raise PlanImportError(f"无法读取文件“{path.name}”：没有读取权限") from None
    except OSError:
        raise PlanImportError(broken) from None


def check_unpacked_size(path: Path, kind: str = "Word 文件") -> None:
    """Refuse an Office file (a zip) whose parts would unpack past MAX_UNPACKED_BYTES."""
    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise PlanImportError(f"{kind}“{path.name}”解压后过大，不像一份工作要点通知，未导入")


def _lines_of(container, numbering: "Numbering") -> list[str]:
    """Lines of a document or table cell: paragraphs (with their list numbers) and tables."""
    from docx.table import Table

    lines: list[str] = []
    for block in _blocks(container):
        if isinstance(block, Table):
            lines.extend(_table_lines(block, numbering))
        else:
            text = paragraph_text(block._p)
            lines.append(numbering.label(block) + text if text.strip() else text)
    return lines


def _blocks(container):
    """Paragraphs and tables in document order, including those inside block-level content
    controls (w:sdt) and custom XML, which python-docx's ``iter_inner_content`` passes over."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = getattr(container, "element", None)     # a Document: its body; a table cell: the cell
    element = body.body if body is not None and hasattr(body, "body") else container._element

    def walk(node):
        for child in node:
            if child.tag == f"{W}p":
                yield Paragraph(child, container)
            elif child.tag == f"{W}tbl":
                yield Table(child, container)
            elif child.tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    yield from walk(content)
            elif child.tag == f"{W}customXml":
                yield from walk(child)

    yield from walk(element)


# Text inside these is not part of the paragraph as read: deleted or moved-away revisions, and
# drawings (a text box's own paragraphs; AlternateContent repeats it in a fallback).
SKIPPED = {f"{W}del", f"{W}moveFrom", f"{W}txbxContent", f"{W}drawing", f"{W}pict", f"{W}object",
           "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}
TEXT_OF = {f"{W}tab": " ", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-", f"{W}softHyphen": ""}


def paragraph_text(p) -> str:
    """A paragraph's text as Word shows it with revisions accepted: runs directly in it and those
    wrapped in insertions, smart tags, custom XML, content controls, fields and hyperlinks (which
    python-docx's ``Paragraph.text`` leaves out), a line break as a new line."""
    out: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag == f"{W}t":
                out.append(child.text or "")
            elif tag in TEXT_OF:
                out.append(TEXT_OF[tag])
            elif tag != f"{W}pPr":
                walk(child)

    walk(p)
    return "".join(out)


def _table_lines(table, numbering: "Numbering") -> list[str]:
    rows: list[list[tuple[object, str]]] = []
    texts: dict[object, str] = {}
    for row in table.rows:
        cells = []
        for cell in row.cells:          # a merged cell is returned once per grid column it spans
            if cell._tc not in texts:
                texts[cell._tc] = "\n".join(_lines_of(cell, numbering))
            cells.append((cell._tc, texts[cell._tc]))
        rows.append(cells)
    texts_of = [[text for _, text in cells] for cells in rows]
    start = header_row(texts_of)        # a title row merged across the table may come first
    if start is not None and any(role in PROGRESS_ROLES for role in column_roles(texts_of[start])):
        return pipe_lines(texts_of) or []   # a 推进情况表: as rows, so its progress cells reach the items
    tasks = table_lines(texts_of[start:]) if start is not None else None
    if tasks is not None:               # a task table (分解表): its rows in the notice's text form
        return _plain(rows[:start]) + tasks
    return _plain(rows)


def _plain(rows: list[list[tuple[object, str]]]) -> list[str]:
    """Each cell's lines once (a merged cell spans grid columns and rows), row by row."""
    lines, seen = [], set()
    for cells in rows:
        for tc, text in cells:
            if tc not in seen:
                seen.add(tc)
                lines.extend(text.split("\n"))
    return lines


@dataclass
class Level:
    start: int
    fmt: str       # w:numFmt: decimal, chineseCounting, bullet ...
    text: str      # w:lvlText: "%1." "（%1）" "%1、"
    legal: bool = False   # w:isLgl: every level's number shown in Arabic digits (1.1, not 一.1)


class Numbering:
    """The document's list definitions and the running counters of each list."""

    def __init__(self, abstract: dict[str, dict[int, Level]], nums: dict[str, tuple[str, dict[int, int]]],
                 styles: dict[str, tuple[str, int]]):
        self.abstract = abstract
        self.nums = nums                  # numId -> (abstractNumId, {ilvl: startOverride})
        self.styles = styles              # paragraph style id -> (numId, ilvl)
        self.counters: dict[str, dict[int, int]] = {}
        self.restarted: set[str] = set()

    @classmethod
    def of(cls, document) -> "Numbering":
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return cls({}, {}, {})
        abstract = {a.get(f"{W}abstractNumId"): _levels(a) for a in root.iter(f"{W}abstractNum")}
        nums = {}
        for num in root.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            overrides = {}
            for override in num.iter(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                if start is not None:
                    overrides[int(override.get(f"{W}ilvl", "0"))] = int(start.get(f"{W}val", "1"))
            if ref is not None:
                nums[num.get(f"{W}numId")] = (ref.get(f"{W}val"), overrides)
        return cls(abstract, nums, _style_numbering(document))

    def label(self, paragraph) -> str:
        """The list number Word shows before the paragraph, or "" (bullets and plain paragraphs)."""
        num_id, ilvl = self._num_pr(paragraph)
        if num_id is None or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.restarted:          # a list restarted by its own startOverride
            self.restarted.add(num_id)
            for lvl, start in overrides.items():
                counters[lvl] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt in ("bullet", "none"):
            return ""
        text = level.text
        for lvl in range(8, -1, -1):
            if f"%{lvl + 1}" in text:
                known = levels.get(lvl, Level(1, "decimal", ""))
                value = counters.get(lvl, known.start)
                fmt = level.fmt if lvl == ilvl else known.fmt
                text = text.replace(f"%{lvl + 1}", format_number(value, "decimal" if level.legal else fmt))
        return text + " " if text and text[-1].isascii() and not text[-1].isspace() else text

    def _num_pr(self, paragraph) -> tuple[str | None, int]:
        ppr = paragraph._p.pPr
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        style = self.styles.get(paragraph._p.style or "", (None, 0))
        if num_pr is None:
            return style
        num_id = num_pr.find(f"{W}numId")
        ilvl = num_pr.find(f"{W}ilvl")
        return (num_id.get(f"{W}val") if num_id is not None else style[0],
                int(ilvl.get(f"{W}val")) if ilvl is not None else style[1])


def _levels(abstract) -> dict[int, Level]:
    levels = {}
    for lvl in abstract.iter(f"{W}lvl"):
        start, fmt, text = lvl.find(f"{W}start"), lvl.find(f"{W}numFmt"), lvl.find(f"{W}lvlText")
        levels[int(lvl.get(f"{W}ilvl", "0"))] = Level(
            int(start.get(f"{W}val", "1")) if start is not None else 1,
            fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
            text.get(f"{W}val", "") if text is not None else "",
            _on(lvl.find(f"{W}isLgl")))
    return levels


def _on(flag) -> bool:
    """A Word on/off element: present and not switched off by w:val."""
    return flag is not None and flag.get(f"{W}val", "1") not in ("0", "false", "off")


def _style_numbering(document) -> dict[str, tuple[str, int]]:
    """Paragraph styles that carry numbering (a 标题 style numbered 一、), following basedOn."""
    own: dict[str, tuple[str | None, int | None]] = {}
    based: dict[str, str] = {}
    for style in document.styles.element.iter(f"{W}style"):
        sid = style.get(f"{W}styleId")
        parent = style.find(f"{W}basedOn")
        if parent is not None:
            based[sid] = parent.get(f"{W}val")
        num_pr = style.find(f"{W}pPr/{W}numPr")
        if num_pr is not None:
            num_id, ilvl = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
            own[sid] = (num_id.get(f"{W}val") if num_id is not None else None,
                        int(ilvl.get(f"{W}val")) if ilvl is not None else None)
    out = {}
    for sid in set(own) | set(based):
        num_id, ilvl, seen, current = None, None, set(), sid
        while current and current not in seen:
            seen.add(current)
            found = own.get(current, (None, None))
            num_id = num_id if num_id is not None else found[0]
            ilvl = ilvl if ilvl is not None else found[1]
            current = based.get(current)
        if num_id is not None:
            out[sid] = (num_id, ilvl or 0)
    return out


def format_number(n: int, fmt: str) -> str:
    """A list counter as Word shows it in the given w:numFmt."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "japaneseCounting"):
        return chinese_numeral(n)
    if fmt == "chineseLegalSimplified":
        return "".join(LEGAL[DIGITS.index(c)] if c in DIGITS else {"十": "拾", "百": "佰", "千": "仟"}.get(c, c)
                       for c in chinese_numeral(n))
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) - ord("0") + 0xFF10) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五, 1200 -> 一千二百 (up to 9999)."""
    if n <= 0 or n > 9999:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out[1:] if out.startswith("一十") else out


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


FORMAT = NoticeFormat("Word 文件", (".docx",), read_docx, magic=(ZIP_MAGIC,), family="word",
                      may_be_encrypted=True)
