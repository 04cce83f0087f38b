"""LibreOffice, headless: the one way ledger runs it (converting notices, printing reports, the demo's re-save).

Each run gets a private profile in a temporary folder (so it neither collides with an office user's
open LibreOffice nor leaves a profile behind), a plainly named copy of its input (LibreOffice mangles
some names), and a time limit after which its whole process group is ended.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# Where LibreOffice installs itself when its folder is not on PATH (Windows, macOS).
INSTALLED = (r"C:\Program Files\LibreOffice\program\soffice.exe",
             r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
             "/Applications/LibreOffice.app/Contents/MacOS/soffice")


def soffice() -> str | None:
    """The LibreOffice program, when it is installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return found or next((p for p in INSTALLED if os.path.isfile(p)), None)


@contextmanager
def converted(source: Path, to: str, timeout: float, stem: str = "input",
              program: str | None = None) -> Iterator[Path | None]:
    """Convert ``source`` with LibreOffice (``to`` as for ``--convert-to``, e.g. "pdf", "docx",
    "xlsx:Calc MS Excel 2007 XML"); yield the converted file inside a temporary folder, or None
    when LibreOffice made nothing. Raises ``FileNotFoundError`` when LibreOffice is not installed,
    ``subprocess.TimeoutExpired`` when it overruns, ``OSError`` when it cannot be started.
    """
    program = program or soffice()
    if program is None:
        raise FileNotFoundError("soffice")
    with tempfile.TemporaryDirectory(prefix="ledger-lo-") as tmp:
        tmp_dir = Path(tmp)
        plain = tmp_dir / f"{stem}{source.suffix.lower()}"
        shutil.copyfile(source, plain)
        out = tmp_dir / "out"
        run([program, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless", "--norestore",
             "--nolockcheck", "--convert-to", to, "--outdir", str(out), str(plain)], timeout)
        made = out / f"{stem}.{to.split(':')[0]}"
        yield made if made.is_file() else None


def run(command: list[str], timeout: float) -> None:
    """Run LibreOffice in its own process group, and end the whole group when it overruns."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=timeout)
    except BaseException:
        try:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:                                   # Windows: no process groups of this kind
                process.kill()
        except OSError:
            pass
        process.wait()
        raise
