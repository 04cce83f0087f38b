"""Plain-text notices (.txt, .md): the bytes decoded whatever the encoding an office saved them in.

UTF-8 with or without BOM, UTF-16 with or without BOM (told by its zero bytes), else GB18030. The
same decoding serves the web pages and HTML tables other readers take in.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ledger.errors import PlanImportError
from ledger.plan.formats import NoticeFormat


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise PlanImportError(f"无法读取文件“{path.name}”：没有读取权限") from None
    except OSError:
        raise PlanImportError(f"无法读取文件“{path.name}”：文件被占用或已损坏") from None


def read_text(path: Path) -> str:
    return decode(path, read_bytes(path))


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with BOM, or without: told by its zero bytes), else GB18030."""
    for encoding in _candidates(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raise PlanImportError(f"无法识别文件“{path.name}”的文字编码：请另存为 UTF-8 编码的 .txt 后再导入")


def _candidates(data: bytes) -> tuple[str, ...]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    guessed = _utf16_without_bom(data)
    if guessed:
        return (guessed, "utf-8", "gb18030")
    return ("utf-8-sig", "gb18030")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a BOM: ASCII characters (digits, line ends, spaces) leave a zero byte
    beside them, on the odd bytes for little-endian and on the even ones for big-endian (a few
    Chinese characters, 一 U+4E00, have one on the other side). UTF-8 and GB18030 text has none."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 2 and odd >= 4 * even:
        return "utf-16-le"
    if even >= 2 and even >= 4 * odd:
        return "utf-16-be"
    return None


FORMAT = NoticeFormat("文本文件", (".txt", ".md", ".markdown"), read_text, shown=(".txt", ".md"))
