"""Notice sources: read a plan notice file (.txt, .md, .docx) into plain text, one paragraph a line."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from ledger.errors import PlanImportError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
WORD_SUFFIX = ".docx"
SUPPORTED = "请提供 .txt、.md 或 .docx 格式的通知"


def read_notice(path: Path) -> str:
    """The text of the notice at ``path``; raise PlanImportError when it cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + (WORD_SUFFIX,):
        raise PlanImportError(_unsupported_message(path, suffix))
    _check_file(path)
    text = _read_docx(path) if suffix == WORD_SUFFIX else _decode(path, _read_bytes(path))
    if not text.strip():
        raise PlanImportError(f"文件为空：“{path.name}”中没有任何文字")
    return text


def _unsupported_message(path: Path, suffix: str) -> str:
    if suffix == ".doc":
        return f"不支持旧版 Word 文件“{path.name}”：请在 Word 中另存为 .docx 后再导入"
    shown = suffix or "（无扩展名）"
    return f"不支持的文件类型“{shown}”（{path.name}）：{SUPPORTED}"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise PlanImportError(f"找不到文件：{path}")
    if not path.is_file():
        raise PlanImportError(f"不是文件：{path}，{SUPPORTED}")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise PlanImportError(f"无法读取文件“{path.name}”：没有读取权限") from None
    except OSError:
        raise PlanImportError(f"无法读取文件“{path.name}”：文件被占用或已损坏") from None


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 for legacy Windows files."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanImportError(f"无法识别文件“{path.name}”的文字编码：请另存为 UTF-8 编码的 .txt 后再导入")


def _read_docx(path: Path) -> str:
    """Paragraphs and table cells in document order, each paragraph a line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
        return "\n".join(_lines_of(document))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        raise PlanImportError(
            f"无法读取 Word 文件“{path.name}”：文件已损坏、已加密或不是有效的 .docx") from None
    except PermissionError:
        raise PlanImportError(f"无法读取文件“{path.name}”：没有读取权限") from None


def _lines_of(container) -> list[str]:
    """Lines of a document or table cell: paragraphs, then each table's cells row by row."""
    from docx.table import Table

    lines: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(block.text)
    return lines


def _table_lines(table) -> list[str]:
    from ledger.plan.tables import table_lines

    tasks = table_lines([[cell.text for cell in row.cells] for row in table.rows])
    if tasks is not None:          # a task table (分解表): its rows in the notice's text form
        return tasks
    lines, seen = [], set()  # the set holds the cell elements, so each keeps one proxy
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(cell._tc)
            lines.extend(_lines_of(cell))
    return lines
