"""PDF notices with a text layer, read through pdfplumber; a scanned PDF is told apart and refused.

pdfplumber (pdfminer.six) places each character by its position on the page, so quotation marks
and numbers set in another font stay where they are printed; pypdf's text order put “” pairs at the
start of a line ("3“”家以上"), which broke targets and titles.

A PDF has no paragraphs, only printed lines: a line that runs to the right margin is a paragraph
wrapped by the printer, and is joined with the next line when that one starts at the left margin
(a new paragraph is indented, 首行缩进, or follows a short line) — across page breaks too, once
the page-number footer is dropped. The parser then sees paragraphs, as from a Word file.
"""

from __future__ import annotations

import logging
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import PlanImportError
from ledger.plan.formats import NoticeFormat

MAX_PAGES = 2000
MIN_WRAP_CHARS = 20      # a printer wraps text blocks at least this many characters wide
# A page number printed in the footer of a government document: "- 3 -", "— 12 —".
PAGE_NUMBER = re.compile(r"^\s*[-—–－]\s*\d{1,4}\s*[-—–－]\s*$")
# A line that starts something new even right after a full line: a numbered item or heading, or
# a label (责任单位：…, 完成时限：…). A paragraph that happens to fill its last line is not joined
# with what follows it. (A bracketed note, （牵头单位：…）, belongs to the sentence before it.)
STARTS_ANEW = re.compile(
    r"^[\s#*>•·]*(?:\d{1,4}\s*[.．、)）﹒]|[（(]\s*[一二三四五六七八九十\d]{1,4}\s*[)）]|[一二三四五六七八九十百]{1,4}\s*[、.．]"
    r"|[①-⑳]|第[一二三四五六七八九十百\d]{1,4}[条章节部分项]|[一二三四五六七八九十]是|[\u4e00-\u9fff]{2,8}\s*[：:])")


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
            pages = [_page_lines(page) for page in pdf.pages]
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
    lines = [line for page in pages for line in page if not PAGE_NUMBER.match(line.text)]
    if not any(line.text.strip() for line in lines):
        raise PlanImportError(
            f"PDF 文件“{path.name}”没有文字层（可能是扫描件或图片）：本工具不做文字识别，"
            "请提供 Word 或文字版 PDF，或先用 OCR 软件转成文字后再导入")
    return "\n".join(paragraphs(lines))


@dataclass
class PrintedLine:
    text: str
    x0: float      # left and right edge on the page, in points
    x1: float
    size: float    # a character's width: the median over the line


def _page_lines(page) -> list[PrintedLine]:
    out = []
    for line in page.extract_text_lines(return_chars=True):
        widths = [c["x1"] - c["x0"] for c in line["chars"] if c["x1"] > c["x0"]]
        out.append(PrintedLine(line["text"].rstrip(), line["x0"], line["x1"], statistics.median(widths or [10.0])))
    return out


def paragraphs(lines: list[PrintedLine]) -> list[str]:
    """Printed lines joined into paragraphs where the printer wrapped them (see the module note)."""
    if not lines:
        return []
    left = _percentile([l.x0 for l in lines], 0.1)
    right = _percentile([l.x1 for l in lines], 0.9)
    full = [bool(l.text) and l.x1 >= right - 1.5 * l.size and right - left >= MIN_WRAP_CHARS * l.size
            for l in lines]                 # short lines only (a list, a form): nothing was wrapped
    out: list[str] = []
    wrapped = False
    for line, is_full in zip(lines, full):
        if wrapped and line.x0 <= left + line.size / 2 and line.text and not STARTS_ANEW.match(line.text):
            out[-1] = _join(out[-1], line.text.lstrip())
        else:
            out.append(line.text)
        wrapped = is_full
    return out


def _join(head: str, tail: str) -> str:
    """Latin words keep a space between them; Chinese text has none."""
    if head[-1:].isascii() and head[-1:].isalnum() and tail[:1].isascii() and tail[:1].isalnum():
        return f"{head} {tail}"
    return head + tail


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def _encrypted(exc: BaseException) -> bool:
    """A PDF that needs a password (pdfplumber wraps pdfminer's error in its own)."""
    causes = [exc, *getattr(exc, "args", ())]
    return any(type(c).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError") for c in causes)


FORMAT = NoticeFormat("PDF 文件", (".pdf",), read_pdf)
