"""Print-ready PDFs of the report's files through LibreOffice, when it is installed.

The whole workbook is converted as one document, so its page numbers (``— &P —`` footers with no
fixed first page number) run on from sheet to sheet as in a stapled copy.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ledger.soffice import converted
from ledger.xlsx import atomic_output

TIMEOUT_SECONDS = 180


def to_pdf(source: Path, target: Path | None = None) -> Path | None:
    """Write ``source`` (.xlsx or .docx) as a PDF beside it (or at ``target``); None when
    LibreOffice is not installed or cannot convert it."""
    target = target or source.with_suffix(".pdf")
    try:
        with converted(source, "pdf", TIMEOUT_SECONDS, stem="report") as made:
            if made is None:
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(target) as tmp:
                shutil.copyfile(made, tmp)
    except (OSError, subprocess.TimeoutExpired):        # not installed, not startable, or overran
        return None
    return target
