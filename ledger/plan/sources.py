"""Notice sources: read a plan notice file into plain text, one paragraph (or table row) a line.

The reader is the one of the formats in :data:`FORMATS` that handles the file's suffix (each reader
module declares its own :class:`~ledger.plan.formats.NoticeFormat`): .txt/.md (``textfile``),
.docx (``wordfile``), .doc/.wps through LibreOffice (``convert``), .pdf with a text layer
(``pdffile``), a saved web page (``htmlfile``) and an office's own Excel task table (``sheetfile``).
A Word file whose content is the other Word format (offices rename files) goes to that format's
reader. Sizes are bounded so a hostile or mistaken file cannot exhaust the machine.
"""

from __future__ import annotations

from pathlib import Path

from ledger.errors import PlanImportError
from ledger.plan import convert, htmlfile, pdffile, sheetfile, textfile, wordfile
from ledger.plan.formats import OLE_MAGIC, NoticeFormat

# Every format a notice may come in, in the order the office is told of them.
FORMATS: tuple[NoticeFormat, ...] = (textfile.FORMAT, wordfile.FORMAT, convert.FORMAT, pdffile.FORMAT,
                                     htmlfile.FORMAT, sheetfile.FORMAT)

MAX_FILE_BYTES = 64 * 1024 * 1024         # a notice of thousands of items is a few MB
MAX_TEXT_CHARS = 8_000_000


def supported() -> str:
    """The formats a notice may come in, as the office is told: 请提供 .txt、.md、… 格式的通知."""
    suffixes = [s for f in FORMATS for s in f.named]
    return f"请提供 {'、'.join(suffixes[:-1])} 或 {suffixes[-1]} 格式的通知"


def read_notice(path: Path) -> str:
    """The text of the notice at ``path``; raise PlanImportError when it cannot be used."""
    path = Path(path)
    kind = format_for(path)
    _check_file(path)
    kind = _by_content(path, kind)
    if kind.may_be_encrypted and _password_protected(path):
        raise PlanImportError(f"文件“{path.name}”设置了打开密码：请在 Word、WPS 或 Excel 中去掉密码（另存一份）后再导入")
    text = kind.read(path)
    if len(text) > MAX_TEXT_CHARS:
        raise PlanImportError(f"文件“{path.name}”的文字过多（超过 {MAX_TEXT_CHARS // 10000} 万字），不像一份工作要点通知，未导入")
    if not text.strip():
        raise PlanImportError(f"文件为空：“{path.name}”中没有任何文字")
    return text


def format_for(path: Path) -> NoticeFormat:
    """The format that handles the file's suffix; PlanImportError naming the supported ones if none."""
    suffix = path.suffix.lower()
    found = next((f for f in FORMATS if f.handles(suffix)), None)
    if found is None:
        shown = suffix or "（无扩展名）"
        raise PlanImportError(f"不支持的文件类型“{shown}”（{path.name}）：{supported()}")
    return found


def _by_content(path: Path, kind: NoticeFormat) -> NoticeFormat:
    """A file whose extension does not match its content (a .docx saved as .doc, or the reverse,
    as offices rename files) goes to the format of its family whose first bytes it has."""
    if not kind.family or not kind.magic:
        return kind
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return kind
    if kind.sniffs(head):
        return kind
    return next((f for f in FORMATS if f.family == kind.family and f is not kind and f.sniffs(head)), kind)


def _password_protected(path: Path) -> bool:
    """An Office file saved with an open password (an OLE container holding the encrypted file)."""
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
        raise PlanImportError(f"不是文件：{path}，{supported()}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PlanImportError(f"文件“{path.name}”过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB），"
                              "不像一份工作要点通知：请确认文件是否正确，或删去其中的图片后再导入")
