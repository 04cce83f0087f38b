"""PDF notices with a text layer, read through pdfplumber; a scanned PDF is told apart and refused.

pdfplumber (pdfminer.six) places each character by its position on the page, so quotation marks
and numbers set in another font stay where they are printed; pypdf's text order put “” pairs at the
start of a line ("3“”家以上"), which broke targets and titles.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ledger.errors import PlanImportError

MAX_PAGES = 2000
# A page number printed in the footer of a government document: "- 3 -", "— 12 —".
PAGE_NUMBER = re.compile(r"^\s*[-—–－]\s*\d{1,4}\s*[-—–－]\s*$")


def read_pdf(path: Path) -> str:
    """The text of every page, page after page; page-number footers are dropped."""
    import pdfplumber

    for name in ("pdfminer", "pdfplumber"):     # warnings about odd fonts are not the user's business
        logging.getLogger(name).setLevel(logging.ERROR)
    broken = f"无法读取 PDF 文件“{path.name}”：文件已损坏或不是有效的 PDF"
    try:
        with pdfplumber.open(str(path)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise PlanImportError(f"PDF 文件“{path.name}”超过 {MAX_PAGES} 页，不像一份工作要点通知，未导入")
            pages = [page.extract_text() or "" for page in pdf.pages]
    except PlanImportError:
        raise
    except PermissionError:
        raise PlanImportError(f"无法读取文件“{path.name}”：没有读取权限") from None
    except Exception as exc:   # pdfminer raises assorted errors on malformed input; the content is untrusted
        if _encrypted(exc):
            raise PlanImportError(f"PDF 文件“{path.name}”已加密：请提供未加密的文件，或 Word 版本的通知") from None
        if isinstance(exc, (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                            AssertionError)) or type(exc).__module__.startswith(("pdfminer", "pdfplumber")):
            raise PlanImportError(broken) from None
        raise
    if not any(p.strip() for p in pages):
        raise PlanImportError(
            f"PDF 文件“{path.name}”没有文字层（可能是扫描件或图片）：本工具不做文字识别，"
            "请提供 Word 或文字版 PDF，或先用 OCR 软件转成文字后再导入")
    lines = []
    for page in pages:
        lines.extend(line.rstrip() for line in page.splitlines() if not PAGE_NUMBER.match(line))
    return "\n".join(lines)


def _encrypted(exc: BaseException) -> bool:
    """A PDF that needs a password (pdfplumber wraps pdfminer's error in its own)."""
    causes = [exc, *getattr(exc, "args", ())]
    return any(type(c).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError") for c in causes)
