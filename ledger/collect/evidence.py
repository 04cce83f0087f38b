"""Evidence (佐证材料) for a finished item: checked by its content, then archived.

A unit's file is taken only when it is what its name says: a PDF (``%PDF-``), a JPEG or PNG image
(their signatures), or a Word/Excel document (a zip whose parts say so), within ``[review]
max_evidence_mb``. An .exe named .pdf, a macro document, an encrypted one, a zip bomb or XML with
entity declarations is refused with the reason, as the safety gate does for workbooks (its zip
checks are reused). An accepted file goes to ``archive/evidence/<item>/<sha256 start>_<name>``
(written beside, fsynced, renamed), then its row is recorded (``ledger.signoff``).
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ledger.collect import safety
from ledger.collect.names import fit_name
from ledger.durable import fsync_dir, fsync_file
from ledger.signoff import ItemSignoff, SignoffError, evidence_target, record_evidence
from ledger.workspace import Workspace
from ledger.xlsx import safe_name

KINDS = {".pdf": "PDF 文件", ".jpg": "JPG 图片", ".jpeg": "JPG 图片", ".png": "PNG 图片",
         ".docx": "Word 文档（.docx）", ".xlsx": "Excel 工作簿（.xlsx）"}
ACCEPTED = "PDF、JPG、PNG、DOCX、XLSX"
_SIGNATURES = {".pdf": (b"%PDF-",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
               ".png": (b"\x89PNG\r\n\x1a\n",), ".docx": safety._ZIP_MAGIC, ".xlsx": safety._ZIP_MAGIC}
_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_WHAT = ((b"MZ", "Windows 可执行程序"), (b"\x7fELF", "可执行程序"), (b"%PDF-", "PDF 文件"),
         (b"\xff\xd8\xff", "JPG 图片"), (b"\x89PNG", "PNG 图片"), (b"PK\x03\x04", "压缩包或 Office 文档"),
         (safety._OLE_MAGIC, "旧版 Office 文档（.doc/.xls）"), (b"Rar!", "RAR 压缩包"), (b"7z\xbc\xaf", "7z 压缩包"))


def evidence_name(raw: str) -> str:
    """The file's own name made harmless (last path component, no control or forbidden characters)."""
    base = "".join(ch for ch in (raw or "") if ch.isprintable()).replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    suffix = PurePosixPath(base).suffix.lower()
    stem = safe_name(base[: len(base) - len(suffix)] if suffix else base, "佐证材料").lstrip(".~$ ") or "佐证材料"
    return fit_name(stem, suffix, limit=150)


def check_evidence(path: Path, name: str, max_bytes: int) -> str | None:
    """None when the file may be kept as evidence; otherwise why not, in one Chinese sentence."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in KINDS:
        return f"只接收 {ACCEPTED} 文件，“{name}”不是这几种格式"
    size = path.stat().st_size
    if size == 0:
        return "文件为空（0 字节），可能是上传时中断，请重新选择文件"
    if size > max_bytes:
        return f"文件过大（{size / 1048576:.1f} MB），佐证材料每个不超过 {max_bytes / 1048576:g} MB"
    with path.open("rb") as fh:
        head = fh.read(16)
    if not head.startswith(_SIGNATURES[suffix]):
        what = next((label for magic, label in _WHAT if head.startswith(magic)), "无法识别的内容")
        return f"文件内容不是{KINDS[suffix]}（实为{what}），不予接收"
    if suffix in _MAIN_PART:
        return _check_document(path, suffix, max_bytes)
    return None


def _check_document(path: Path, suffix: str, max_bytes: int) -> str | None:
    limits = safety.Limits(max_file_bytes=max_bytes)
    try:
        if safety._count_marker(safety._File(path), safety._CENTRAL_HEADER, limits.max_entries) > limits.max_entries:
            return f"文件内部数据异常（部件数超过上限 {limits.max_entries} 个），出于安全原因不予接收"
        with path.open("rb") as fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
            names = [i.filename.lower() for i in infos]
            if any(i.flag_bits & 0x1 for i in infos):
                return "文件已加密，请取消密码后重新上传"
            if _MAIN_PART[suffix] not in names:
                return f"文件内容不是{KINDS[suffix]}，不予接收"
            types = safety._read_head(fh, zf, "[Content_Types].xml").lower()
            if (any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names)
                    or any(m in types for m in safety._MACRO_CONTENT_TYPES)):
                return "文件包含宏，出于安全原因不予接收：请另存为不含宏的 .docx 或 .xlsx（或 PDF）后上传"
            safety._check_directory(infos, path.stat().st_size, limits)
            safety._check_members(fh, infos, limits)
    except safety._Reject as reject:
        if reject.code == "file-zip-bomb":
            return f"文件内部数据异常（{reject.details.get('reason', '')}），出于安全原因不予接收"
        if reject.code == "file-xml-entity":
            return "文件含有不允许的 XML 声明（DOCTYPE/ENTITY），出于安全原因不予接收"
        return f"文件已损坏，无法作为{KINDS[suffix]}读取"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return f"文件已损坏，无法作为{KINDS[suffix]}读取"
    return None


@dataclass
class Added:
    item: ItemSignoff
    file_name: str
    stored_path: Path


def add_evidence(ws: Workspace, unit: str, number: str, source: Path, name: str, by: str) -> Added:
    """Check and archive a unit's evidence for its finished item; raise SignoffError with the reason
    (nothing is kept then)."""
    vocabulary = ws.settings.vocabulary
    item, unit_id = evidence_target(ws.engine, vocabulary, unit, number)
    name = evidence_name(name)
    why = check_evidence(source, name, int(ws.settings.review.max_evidence_mb * 1048576))
    if why:
        raise SignoffError(f"佐证材料“{name}”未被接收：{why}")
    digest = _sha256(source)
    folder = ws.archive_dir / "evidence" / safe_name(item.number, "任务")
    target = folder / fit_name(f"{digest[:12]}_{Path(name).stem}", Path(name).suffix.lower(), limit=180)
    folder.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        staging = folder / f".tmp-{digest[:12]}-{os.getpid()}"
        try:
            with source.open("rb") as src, staging.open("xb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
            fsync_file(staging)
            os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)
        fsync_dir(folder)
    with ws.engine.begin() as conn:
        record_evidence(conn, item.number, unit_id, unit, by, name, ws.relative(target), digest, source.stat().st_size,
                        lineage=item.identity)
    return Added(item, name, target)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
