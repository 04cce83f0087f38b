"""Old Word (.doc) and WPS (.wps) notices: converted to .docx through LibreOffice, then read as Word.

LibreOffice runs headless with a private profile in a temporary folder (so it neither collides with
an office user's open LibreOffice nor leaves a profile behind) and under a time limit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ledger.errors import PlanImportError

TIMEOUT_SECONDS = 120


# Where LibreOffice installs itself when its folder is not on PATH (Windows, macOS).
INSTALLED = (r"C:\Program Files\LibreOffice\program\soffice.exe",
             r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
             "/Applications/LibreOffice.app/Contents/MacOS/soffice")


def soffice() -> str | None:
    """The LibreOffice program, when it is installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return found or next((p for p in INSTALLED if os.path.isfile(p)), None)


def read_legacy(path: Path) -> str:
    from ledger.plan.wordfile import read_docx

    program = soffice()
    kind = "WPS 文字文件" if path.suffix.lower() == ".wps" else "旧版 Word 文件"   # (also a .docx that is one)
    if program is None:
        raise PlanImportError(
            f"无法读取“{path.name}”（{kind}）：需要安装 LibreOffice 才能自动转换；"
            "也可以在 Word 或 WPS 中将其另存为 .docx 后再导入")
    with tempfile.TemporaryDirectory(prefix="ledger-convert-") as tmp:
        tmp_dir = Path(tmp)
        suffix = ".wps" if path.suffix.lower() == ".wps" else ".doc"
        source = tmp_dir / f"notice{suffix}"                # a plain name: LibreOffice mangles some
        shutil.copyfile(path, source)
        out = tmp_dir / "out"
        command = [program, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "docx", "--outdir", str(out), str(source)]
        try:
            _run(command)
        except subprocess.TimeoutExpired:
            raise PlanImportError(f"转换“{path.name}”（{kind}）超时（{TIMEOUT_SECONDS} 秒）："
                                  "请在 Word 或 WPS 中将其另存为 .docx 后再导入") from None
        except OSError as exc:
            raise PlanImportError(f"无法启动 LibreOffice 转换“{path.name}”（{exc.strerror or exc}）："
                                  "请在 Word 或 WPS 中将其另存为 .docx 后再导入") from None
        converted = out / "notice.docx"
        if not converted.is_file():
            raise PlanImportError(f"LibreOffice 无法转换“{path.name}”（{kind}，可能已损坏或已加密）："
                                  "请在 Word 或 WPS 中将其另存为 .docx 后再导入")
        try:
            return read_docx(converted)
        except PlanImportError:
            raise PlanImportError(f"LibreOffice 转换“{path.name}”（{kind}）后无法读取："
                                  "请在 Word 或 WPS 中将其另存为 .docx 后再导入") from None


def _run(command: list[str]) -> None:
    """Run LibreOffice in its own process group, and end the whole group when it overruns."""
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=TIMEOUT_SECONDS)
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
