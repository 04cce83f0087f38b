"""Shared Excel output helpers: atomic writes and the government-document cell formats."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ledger.errors import OutputError

BODY_FONT = "仿宋_GB2312"   # legacy name kept by most county PCs; clients fall back to 仿宋
HEAD_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"


def text_width(text: str) -> int:
    """Display width in Excel character units: CJK characters (3 bytes in UTF-8) take two."""
    return (len(text.encode("utf-8")) + len(text)) // 2


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"无法写入“{path.parent}”：{exc.strerror or exc}") from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~umask())   # mkstemp makes files private; outputs are shared
        os.replace(tmp_path, path)
    except OSError as exc:
        raise OutputError(f"无法写入“{path}”：{exc.strerror or exc}") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def formats(wb) -> dict:
    """The cell formats every ledger workbook uses, created once per workbook."""
    base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
    return {
        "title": wb.add_format({"font_name": TITLE_FONT, "font_size": 18, "align": "center", "valign": "vcenter"}),
        "subtitle": wb.add_format({**base, "font_size": 12}),
        "header": wb.add_format({"font_name": HEAD_FONT, "font_size": 11, "bold": True, "align": "center",
                                 "valign": "vcenter", "text_wrap": True, "border": 1, "bg_color": "#D9D9D9"}),
        "text": wb.add_format({**base}),
        "wrap": wb.add_format({**base, "border": 1}),
        "center": wb.add_format({**base, "border": 1, "align": "center"}),
        "input": wb.add_format({**base, "border": 1, "bg_color": "#FFF2CC", "locked": False}),
        "input_center": wb.add_format({**base, "border": 1, "bg_color": "#FFF2CC", "locked": False, "align": "center"}),
        "carried": wb.add_format({**base, "border": 1, "bg_color": "#E2EFDA", "locked": False, "italic": True}),
        "carried_center": wb.add_format({**base, "border": 1, "bg_color": "#E2EFDA", "locked": False,
                                         "italic": True, "align": "center"}),
        "error": wb.add_format({**base, "border": 2, "border_color": "#C00000", "bg_color": "#FFC7CE", "locked": False}),
        "percent": wb.add_format({**base, "border": 1, "align": "center", "num_format": "0.0%"}),
        "number": wb.add_format({**base, "border": 1, "align": "center", "num_format": "0.##"}),
    }
