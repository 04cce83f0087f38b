"""Shared Excel output helpers: atomic writes and the government-document cell formats."""

from __future__ import annotations

import errno
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from ledger.durable import TEMP_PREFIX, fsync_dir, fsync_file
from ledger.errors import DiskFullError, LedgerError, OutputError, os_reason

BODY_FONT = "仿宋_GB2312"   # legacy name kept by most county PCs; clients fall back to 仿宋
HEAD_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"


def safe_openpyxl():
    """openpyxl, once it is sure to parse XML through defusedxml (entities and DTDs refused); an
    ImportError otherwise. Loaded on first use: it takes a good part of a second to import."""
    import openpyxl
    import openpyxl.xml.functions

    parser = getattr(openpyxl.xml.functions, "iterparse", None)
    if not openpyxl.xml.DEFUSEDXML or not getattr(parser, "__module__", "").startswith("defusedxml"):
        raise ImportError(
            "ledger reads workbooks with openpyxl only through defusedxml: install "
            "defusedxml and do not set OPENPYXL_DEFUSEDXML to anything but 'True'"
        )
    return openpyxl


# Characters Windows forbids in file names, and control characters.
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def safe_name(text: str, fallback: str) -> str:
    """Text usable as a file or folder name on Windows too (forbidden characters replaced, 80 at most)."""
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))    # no bidi override
    return _UNSAFE_NAME.sub("_", text).strip(" .")[:80].rstrip(" .") or fallback


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK characters (3 bytes in UTF-8) take two."""
    return (len(text.encode("utf-8")) + len(text)) // 2


# Widths (Excel character units, each column plus its padding) that print across A4 landscape at no
# less than 85 % scale, so the 11 pt body text prints at 9 pt or more (fitted to the width only).
PRINT_WIDTH = 126
COLUMN_PADDING = 0.7
NARROW = 10          # numbers, statuses, short codes: kept as they are
MIN_WIDTH = 8        # a text column narrowed no further (four Chinese characters a line)


def fit_columns(columns: Sequence[tuple[str, float]], narrow: float = NARROW,
                minimum: float = MIN_WIDTH, keep: frozenset[int] = frozenset()) -> tuple[tuple[str, float], ...]:
    """``(header, width)`` columns with those wider than ``narrow`` narrowed in proportion (to
    ``minimum`` at the least) to fit ``PRINT_WIDTH``: text wraps onto more lines rather than
    printing small. Columns at the indexes in ``keep`` (a phone number, a status word) keep
    their width: they must not wrap."""
    total = sum(w + COLUMN_PADDING for _, w in columns)
    if total <= PRINT_WIDTH:
        return tuple(columns)
    kept = [w <= narrow or n in keep for n, (_, w) in enumerate(columns)]
    fixed = sum(w for (_, w), k in zip(columns, kept) if k)
    wide = sum(w for (_, w), k in zip(columns, kept) if not k)
    scale = max(PRINT_WIDTH - COLUMN_PADDING * len(columns) - fixed, 1) / wide
    return tuple((h, w if k else max(minimum, math.floor(w * scale * 2) / 2)) for (h, w), k in zip(columns, kept))


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    The file is flushed to the disk before the rename and the folder after it, so a power cut
    leaves the previous output or the new one, never an empty file; a failure leaves the previous.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(exc, path.parent) from None
    tmp_path = Path(tmp)
    try:
        with writing(path):
            yield tmp_path
            os.chmod(tmp_path, 0o666 & ~umask())   # mkstemp makes files private; outputs are shared
            fsync_file(tmp_path)
            os.replace(tmp_path, path)
            fsync_dir(path.parent)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failure of the operating system while writing ``path`` into one Chinese ``OutputError``.

    xlsxwriter leaves its ZipFile open when a write fails (a full disk); closed later by the garbage
    collector it would write again and print a ``ZipFile.__del__`` traceback, so it is closed here
    without writing. The same holds when the write is interrupted (Ctrl-C).
    """
    try:
        yield
    except LedgerError:
        raise
    except BaseException as exc:
        _abandon_zip_files(exc)
        cause = _os_error(exc)
        if cause is None:
            raise
        raise output_error(cause, path) from None


def output_error(exc: OSError, path: Path) -> OutputError:
    """The users' error for a failed write of ``path``: a full disk is named as such."""
    if exc.errno in _DISK_FULL:
        return DiskFullError(f"磁盘空间不足：无法写入“{path}”")
    return OutputError(f"无法写入“{path}”：{os_reason(exc)}")


_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _os_error(exc: BaseException | None) -> OSError | None:
    """The OSError behind an exception (xlsxwriter wraps it in FileCreateError), if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError):
            return exc
        inner = next((a for a in exc.args if isinstance(a, OSError)), None) if exc.args else None
        if inner is not None:
            return inner
        exc = exc.__cause__ or exc.__context__
    return None


def _abandon_zip_files(exc: BaseException | None) -> None:
    """Close, without writing, every ZipFile the failed write left open in the traceback's frames."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile):
                    _abandon(value)
            tb = tb.tb_next
        exc = exc.__cause__ or exc.__context__


def _abandon(archive: zipfile.ZipFile) -> None:
    archive._didModify = False      # nothing more to write: close() only closes the file
    archive._writing = False
    try:
        archive.close()
    except (OSError, ValueError):
        pass


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_BASE = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
_INPUT = {**_BASE, "border": 1, "bg_color": "#FFF2CC", "locked": False}
_CARRIED = {**_BASE, "border": 1, "bg_color": "#E2EFDA", "locked": False, "italic": True}

# The cell formats of ledger workbooks, by name.
FORMATS: dict[str, dict] = {
    "title": {"font_name": TITLE_FONT, "font_size": 18, "align": "center", "valign": "vcenter", "text_wrap": True},
    "subtitle": {**_BASE, "font_size": 12},
    "header": {"font_name": HEAD_FONT, "font_size": 11, "bold": True, "align": "center", "valign": "vcenter",
               "text_wrap": True, "border": 1, "bg_color": "#D9D9D9"},
    "text": dict(_BASE),
    "wrap": {**_BASE, "border": 1},
    "center": {**_BASE, "border": 1, "align": "center"},
    "input": _INPUT,
    "input_center": {**_INPUT, "align": "center"},
    "carried": _CARRIED,
    "carried_center": {**_CARRIED, "align": "center"},
    "input_text": {**_INPUT, "align": "center", "num_format": "@"},       # digits typed stay text
    "carried_text": {**_CARRIED, "align": "center", "num_format": "@"},
    "error": {**_BASE, "border": 2, "border_color": "#C00000", "bg_color": "#FFC7CE", "locked": False},
    "warning": {**_BASE, "border": 2, "border_color": "#BF8F00", "bg_color": "#FFE699", "locked": False},
    "percent": {**_BASE, "border": 1, "align": "center", "num_format": "0.0%"},
    "number": {**_BASE, "border": 1, "align": "center", "num_format": "0.##"},
}


class _Formats(dict):
    """Formats of one workbook, each added the first time it is used (each costs the writer time)."""

    def __init__(self, wb) -> None:
        super().__init__()
        self.wb = wb

    def __missing__(self, name: str):
        self[name] = self.wb.add_format(FORMATS[name])
        return self[name]


def formats(wb) -> dict:
    """The named cell formats of a workbook (see ``FORMATS``), created on first use."""
    return _Formats(wb)
