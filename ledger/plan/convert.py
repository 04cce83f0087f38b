"""Old Word (.doc) and WPS (.wps) notices: converted to .docx through LibreOffice, then read as Word.

LibreOffice runs as ``ledger.soffice`` runs it: headless, a private profile, a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ledger.errors import PlanImportError
from ledger.plan.formats import OLE_MAGIC, NoticeFormat
from ledger.plan.wordfile import read_docx
from ledger.soffice import converted as lo_converted
from ledger.soffice import soffice

TIMEOUT_SECONDS = 120


def read_legacy(path: Path) -> str:
    kind = "WPS 文字文件" if path.suffix.lower() == ".wps" else "旧版 Word 文件"   # (also a .docx that is one)
    program = soffice()
    if program is None:
        raise PlanImportError(
            f"无法读取“{path.name}”（{kind}）：需要安装 LibreOffice 才能自动转换；"
            "也可以在 Word 或 WPS 中将其另存为 .docx 后再导入")
    suffix = ".wps" if path.suffix.lower() == ".wps" else ".doc"
    with tempfile.TemporaryDirectory(prefix="ledger-convert-") as tmp:
        source = Path(tmp) / f"notice{suffix}"               # a .docx named .doc converts as a .doc
        shutil.copyfile(path, source)
        try:
            with lo_converted(source, "docx", TIMEOUT_SECONDS, stem="notice", program=program) as converted:
                return _read_converted(path, kind, converted)
        except subprocess.TimeoutExpired:
            raise PlanImportError(f"转换“{path.name}”（{kind}）超时（{TIMEOUT_SECONDS} 秒）："
                                  "请在 Word 或 WPS 中将其另存为 .docx 后再导入") from None
        except OSError as exc:
            raise PlanImportError(f"无法启动 LibreOffice 转换“{path.name}”（{exc.strerror or exc}）："
                                  "请在 Word 或 WPS 中将其另存为 .docx 后再导入") from None


def _read_converted(path: Path, kind: str, converted: Path | None) -> str:
    if converted is None:
        raise PlanImportError(f"LibreOffice 无法转换“{path.name}”（{kind}，可能已损坏或已加密）："
                              "请在 Word 或 WPS 中将其另存为 .docx 后再导入")
    try:
        return read_docx(converted)
    except PlanImportError:
        raise PlanImportError(f"LibreOffice 转换“{path.name}”（{kind}）后无法读取："
                              "请在 Word 或 WPS 中将其另存为 .docx 后再导入") from None


FORMAT = NoticeFormat("旧版 Word 或 WPS 文件", (".doc", ".wps"), read_legacy, magic=(OLE_MAGIC,), family="word",
                      may_be_encrypted=True)
