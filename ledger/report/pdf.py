"""Print-ready PDFs of the report's files through LibreOffice, when it is installed.

The whole workbook is converted as one document, so its page numbers (``— &P —`` footers with no
fixed first page number) run on from sheet to sheet as in a stapled copy.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ledger.plan.convert import soffice
from ledger.xlsx import atomic_output

TIMEOUT_SECONDS = 180


def to_pdf(source: Path, target: Path | None = None) -> Path | None:
    """Write ``source`` (.xlsx or .docx) as a PDF beside it (or at ``target``); None when
    LibreOffice is not installed or cannot convert it."""
    program = soffice()
    if program is None:
        return None
    target = target or source.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="ledger-pdf-") as tmp:
        tmp_dir = Path(tmp)
        plain = tmp_dir / f"report{source.suffix.lower()}"     # a plain name: LibreOffice mangles some
        shutil.copyfile(source, plain)
        out = tmp_dir / "out"
        command = [program, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), str(plain)]
        try:
            subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        made = out / "report.pdf"
        if not made.is_file():
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(target) as tmp:
            shutil.copyfile(made, tmp)
    return target
