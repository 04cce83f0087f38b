"""Notice sources: read a plan notice file into plain text, one paragraph (or table row) a line.

One reader per kind of file, chosen by the file's extension:
.txt/.md (UTF-8, GB18030, UTF-16 with or without BOM), .docx (``wordfile``), .pdf with a text
layer (``pdffile``), .doc/.wps through LibreOffice (``convert``), a saved web page, .html
(``htmlfile``) and an office's own Excel task table, .xlsx/.xls (``sheetfile``). Sizes are bounded so a hostile or mistaken file cannot exhaust
the machine.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Callable

from ledger.errors import PlanImportError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
WORD_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
LEGACY_SUFFIXES = (".doc", ".wps")        # converted to .docx through LibreOffice
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED = "请提供 .txt、.md、.docx、.doc、.wps、.pdf、.html 或 .xlsx、.xls 格式的通知"

MAX_FILE_BYTES = 64 * 1024 * 1024         # a notice of thousands of items is a few MB
MAX_TEXT_CHARS = 8_000_000


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"    # the compound file of Word 97–2003 and WPS


def read_notice(path: Path) -> str:
    """The text of the notice at ``path``; raise PlanImportError when it cannot be used."""
    path = Path(path)
    reader = _reader_for(path)
    _check_file(path)
    reader = _by_content(path, reader)
    if _password_protected(path):
        raise PlanImportError(f"文件“{path.name}”设置了打开密码：请在 Word、WPS 或 Excel 中去掉密码（另存一份）后再导入")
    text = reader(path)
    if len(text) > MAX_TEXT_CHARS:
        raise PlanImportError(f"文件“{path.name}”的文字过多（超过 {MAX_TEXT_CHARS // 10000} 万字），不像一份工作要点通知，未导入")
    if not text.strip():
        raise PlanImportError(f"文件为空：“{path.name}”中没有任何文字")
    return text


def _reader_for(path: Path) -> Callable[[Path], str]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text
    if suffix in WORD_SUFFIXES:
        from ledger.plan.wordfile import read_docx
        return read_docx
    if suffix in PDF_SUFFIXES:
        from ledger.plan.pdffile import read_pdf
        return read_pdf
    if suffix in LEGACY_SUFFIXES:
        from ledger.plan.convert import read_legacy
        return read_legacy
    if suffix in SHEET_SUFFIXES:
        from ledger.plan.sheetfile import read_sheet
        return read_sheet
    if suffix in HTML_SUFFIXES:
        from ledger.plan.htmlfile import read_html
        return read_html
    shown = suffix or "（无扩展名）"
    raise PlanImportError(f"不支持的文件类型“{shown}”（{path.name}）：{SUPPORTED}")


def _by_content(path: Path, reader: Callable[[Path], str]) -> Callable[[Path], str]:
    """A Word file whose extension does not match its content (a .docx saved as .doc, or the
    reverse, as offices rename files) goes to the reader of what it is."""
    suffix = path.suffix.lower()
    if suffix not in WORD_SUFFIXES + LEGACY_SUFFIXES:
        return reader
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return reader
    if head.startswith(ZIP_MAGIC) and suffix in LEGACY_SUFFIXES:
        from ledger.plan.wordfile import read_docx
        return read_docx
    if head.startswith(OLE_MAGIC) and suffix in WORD_SUFFIXES:
        from ledger.plan.convert import read_legacy
        return read_legacy
    return reader


def _password_protected(path: Path) -> bool:
    """An Office file saved with an open password (an OLE container holding the encrypted file)."""
    if path.suffix.lower() not in WORD_SUFFIXES + LEGACY_SUFFIXES + SHEET_SUFFIXES:
        return False
    try:
        with path.open("rb") as f:
            if f.read(8) != OLE_MAGIC:
                return False
            f.seek(0)
            import msoffcrypto
            import olefile

            with olefile.OleFileIO(f) as ole:
                if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                    return True
            f.seek(0)
            return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:   # a damaged or unusual container: left to the reader, which names the problem
        return False


def _check_file(path: Path) -> None:
    if not path.exists():
        raise PlanImportError(f"找不到文件：{path}")
    if not path.is_file():
        raise PlanImportError(f"不是文件：{path}，{SUPPORTED}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PlanImportError(f"文件“{path.name}”过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB），"
                              "不像一份工作要点通知：请确认文件是否正确，或删去其中的图片后再导入")


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
