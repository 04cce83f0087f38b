"""Safety gate for returned workbooks: decide, before any parser runs, whether a file is safe to read.

Workbooks come back from departments and are untrusted. This module looks at the bytes only:
file size, what the content is (not what the extension claims), passwords, macros, zip bombs
and XML entity declarations. Zip members are inflated here with our own hard caps, so neither
declared sizes nor a third-party decompressor are trusted. Collect reads workbooks with calamine
and defusedxml, never openpyxl (``ledger.xlsx.safe_openpyxl`` guards the office's own workbooks).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

import msoffcrypto
import olefile

from ledger import codes
from ledger.collect.names import WORKBOOK_SUFFIXES
from ledger.findings import Finding

__all__ = ["Inspected", "Limits", "detect_format", "inspect", "inspect_file"]


@dataclass(frozen=True)
class Limits:
    """Bounds a returned file must stay within before it is handed to a parser."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_entries: int = 1000
    max_part_bytes: int = 64 * 1024 * 1024      # uncompressed, one zip member
    max_total_bytes: int = 256 * 1024 * 1024    # uncompressed, all members
    max_ratio: float = 200.0                     # uncompressed/compressed, per member and total
    min_ratio_bytes: int = 1024 * 1024           # ratios are judged from this uncompressed size on


_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CENTRAL_HEADER = b"PK\x01\x02"
_LOCAL_HEADER = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
_ENTITY_MARKERS = tuple(word.encode(enc) for word in ("<!doctype", "<!entity")
                        for enc in ("ascii", "utf-16-le", "utf-16-be"))
_DECLARATION_STARTS = (b"<!", b"<\x00!")   # "<!" in UTF-8, and within both UTF-16 spellings
_MARKER_TAIL = max(map(len, _ENTITY_MARKERS)) - 1   # bytes kept so a marker split across chunks is seen
_SNIFF_BYTES = 64            # bytes looked at to tell an XML member from a binary one
_HEAD_CAP = 1024 * 1024      # bytes read of [Content_Types].xml / mimetype to tell the format
_CHUNK = 64 * 1024
_WHOLE = 1024 * 1024         # members declared at most this size are inflated in one step
_KB, _MB = 1024, 1024 * 1024


class _Reject(Exception):
    """Internal: the file is refused with this finding code (details fill the message)."""

    def __init__(self, code: str, **details: str) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def finding(self, path: Path) -> Finding:
        return codes.code(self.code).finding(value=path.name, **self.details)


@dataclass(frozen=True)
class _Content:
    fmt: str | None        # what detect_format reports
    workbook_like: bool    # a spreadsheet, maybe a broken one (else: some other kind of file)
    macro: bool = False    # VBA project, Excel 4 macro sheets, ODF Basic or scripts


@dataclass(frozen=True)
class Inspected:
    """What the gate found: a problem, or the format by content and the members asked to be kept
    (inflated under the same caps and scanned like every member, so a reader need not open the
    package again)."""

    problem: Finding | None
    fmt: str | None = None
    parts: dict[str, bytes] | None = None


@dataclass(frozen=True)
class _File:
    """The file judged: its path (its name and suffix) and, when the caller has read it, its bytes.
    Then every check reads those bytes, the very ones the caller hashed and will hand to the reader:
    nothing swapped on the disk in between is judged instead."""

    path: Path
    data: bytes | None = None

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else self.path.open("rb")

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size


# --- public API -----------------------------------------------------------------------------------

def detect_format(path: Path) -> str | None:
    """Format by content: "xlsx", "xlsm", "ods", "xls", "encrypted", or None.

    Macros in .xls/.ods and the size limits are judged by ``inspect_file`` only: call it first on
    untrusted files. Reads only small, capped parts of the file.
    """
    path = Path(path)
    try:
        return _content(_File(path)).fmt
    except _Reject:
        return None


def inspect_file(path: Path, limits: Limits = Limits()) -> Finding | None:
    """None when the file is safe to hand to a parser; otherwise one ERROR finding."""
    return inspect(path, limits).problem


def inspect(path: Path, limits: Limits = Limits(), keep: frozenset[str] = frozenset(),
            data: bytes | None = None) -> Inspected:
    """``inspect_file`` and ``detect_format`` in one pass over the file, keeping the bytes of the
    zip members named in ``keep`` (exact names; the last of a repeated name, as zipfile reads it).
    ``data``: the file's bytes, when the caller has read them (the file is then not opened here)."""
    path = Path(path)
    file = _File(path, data)
    try:
        _check_size(file, limits)
        if _magic(file).startswith(_ZIP_MAGIC):
            fmt, parts = _check_zip(file, limits, keep)
            return Inspected(None, fmt, parts)
        content = _content(file)
        _check_kind(content)
        return Inspected(None, content.fmt, {})
    except _Reject as reject:
        return Inspected(reject.finding(path))


# --- what the content is --------------------------------------------------------------------------

def _magic(file: _File) -> bytes:
    with file.open() as fh:
        return fh.read(len(_OLE_MAGIC))


def _content(file: _File) -> _Content:
    magic = _magic(file)
    with _corrupt_on_error():
        if magic.startswith(_ZIP_MAGIC):
            with file.open() as fh, zipfile.ZipFile(fh) as zf:
                return _zip_content(file.path, fh, zf)
        if magic == _OLE_MAGIC:
            return _ole_content(file)
    return _Content(None, file.path.suffix.lower() in WORKBOOK_SUFFIXES)


def _check_kind(content: _Content) -> None:
    """Refuse what is encrypted, not a spreadsheet, macro-enabled or broken, in that order."""
    if content.fmt == "encrypted":
        raise _Reject("file-encrypted")
    if content.fmt is None and not content.workbook_like:
        raise _Reject("file-unsupported")
    if content.macro:
        raise _Reject("file-macro")
    if content.fmt is None:
        raise _Reject("file-corrupt", why="")


def _zip_content(path: Path, fh: BinaryIO, zf: zipfile.ZipFile) -> _Content:
    if any(info.flag_bits & 0x1 for info in zf.infolist()):
        return _Content("encrypted", True)
    names = [name.lower() for name in zf.namelist()]
    mimetype = _read_head(fh, zf, "mimetype").strip()
    if mimetype == _ODS_MIMETYPE:
        return _Content("ods", True, any(n.startswith(("basic/", "scripts/")) for n in names))
    types = _read_head(fh, zf, "[Content_Types].xml").lower()
    macro = (any(n.rsplit("/", 1)[-1] == "vbaproject.bin" or "macrosheets/" in n for n in names)
             or any(marker in types for marker in _MACRO_CONTENT_TYPES))
    if "xl/workbook.xml" in names:
        return _Content("xlsm" if macro else "xlsx", True, macro)
    other = bool(mimetype) or "xl/workbook.bin" in names or (
        bool(types) and b"spreadsheetml" not in types and b"ms-excel" not in types)
    claims = any(n.startswith("xl/") for n in names) or path.suffix.lower() in WORKBOOK_SUFFIXES
    return _Content(None, claims and not other, macro)


def _ole_content(file: _File) -> _Content:
    with olefile.OleFileIO(file.data if file.data is not None else str(file.path)) as ole:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            return _Content("encrypted", True)
        if not ole.exists("Workbook"):
            return _Content(None, False)
        macro = ole.exists("_VBA_PROJECT_CUR")
    with file.open() as fh:
        encrypted = msoffcrypto.OfficeFile(fh).is_encrypted()
    return _Content("encrypted" if encrypted else "xls", True, macro)


def _read_head(fh: BinaryIO, zf: zipfile.ZipFile, name: str) -> bytes:
    """Up to _HEAD_CAP uncompressed bytes of a member (b"" when absent)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return b""
    head = bytearray()
    for chunk in _member_chunks(fh, info):
        head += chunk
        if len(head) >= _HEAD_CAP:
            break
    return bytes(head[:_HEAD_CAP])


# --- zip: size, directory, streamed members -------------------------------------------------------

def _check_size(file: _File, limits: Limits) -> None:
    size = file.size
    if size == 0:
        raise _Reject("file-empty")
    if size > limits.max_file_bytes:
        raise _Reject("file-too-large", size=_human(size), limit=_human(limits.max_file_bytes))


def _check_zip(file: _File, limits: Limits, keep: frozenset[str] = frozenset()) -> tuple[str | None, dict[str, bytes]]:
    """The format of a zip package that passes every check, and the bytes of its members in ``keep``."""
    # Bound the directory before zipfile builds one object per entry.
    if _count_marker(file, _CENTRAL_HEADER, limits.max_entries) > limits.max_entries:
        raise _Reject("file-zip-bomb", reason=f"部件数超过上限 {limits.max_entries} 个")
    with _corrupt_on_error(), file.open() as fh, zipfile.ZipFile(fh) as zf:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise _Reject("file-zip-bomb", reason=f"包含 {len(infos)} 个部件，上限 {limits.max_entries} 个")
        content = _zip_content(file.path, fh, zf)
        _check_kind(content)
        _check_directory(infos, file.size, limits)
        return content.fmt, _check_members(fh, infos, limits, keep)


def _count_marker(file: _File, marker: bytes, stop: int) -> int:
    """Occurrences of marker in the file, counting stops once past stop."""
    if file.data is not None:
        return file.data.count(marker)
    count, tail = 0, b""
    with file.open() as fh:
        for chunk in iter(lambda: fh.read(_MB), b""):
            data = tail + chunk
            count += data.count(marker)
            tail = data[-(len(marker) - 1):]
            if count > stop:
                break
    return count


def _check_directory(infos: list[zipfile.ZipInfo], file_size: int, limits: Limits) -> None:
    """Judge declared sizes from the central directory (streaming verifies them later)."""
    total = compressed = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Reject("file-corrupt", why="")   # Office and ODF packages only store or deflate
        if info.file_size > limits.max_part_bytes:
            raise _Reject("file-zip-bomb", reason=f"单个部件解压后 {_human(info.file_size)}，"
                                                  f"上限 {_human(limits.max_part_bytes)}")
        if _ratio_exceeded(info.file_size, info.compress_size, limits):
            raise _Reject("file-zip-bomb", reason="压缩比异常")
        total += info.file_size
        compressed += info.compress_size
    if total > limits.max_total_bytes:
        raise _Reject("file-zip-bomb", reason=f"解压后共 {_human(total)}，上限 {_human(limits.max_total_bytes)}")
    if _ratio_exceeded(total, compressed, limits):
        raise _Reject("file-zip-bomb", reason="压缩比异常")
    if compressed > file_size:
        raise _Reject("file-zip-bomb", reason="部件数据相互重叠")


def _ratio_exceeded(size: int, compressed: int, limits: Limits) -> bool:
    return size >= limits.min_ratio_bytes and size > limits.max_ratio * max(compressed, 1)


def _check_members(fh: BinaryIO, infos: list[zipfile.ZipInfo], limits: Limits,
                   keep: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Inflate every member with hard caps: verify sizes and CRC, scan XML for entity declarations;
    return the bytes of the members named in ``keep``."""
    total, kept = 0, {}
    for info in infos:
        if info.file_size <= _WHOLE:          # most members: in one step, bounded by their declared size
            data = _small_member(fh, info)
            total += len(data)
            if total > limits.max_total_bytes:
                raise _Reject("file-zip-bomb", reason=f"解压后超过 {_human(limits.max_total_bytes)}")
            if zlib.crc32(data) != info.CRC:
                raise _Reject("file-corrupt", why="")
            if _looks_like_xml(data) and _declares_entities(data):
                raise _Reject("file-xml-entity")
            if info.filename in keep:
                kept[info.filename] = data
            continue
        cap = min(info.file_size, limits.max_part_bytes)
        size, crc, scan = 0, 0, _EntityScan()
        chunks: list[bytes] | None = [] if info.filename in keep else None
        for chunk in _member_chunks(fh, info):
            size += len(chunk)
            total += len(chunk)
            if size > cap:
                raise _Reject("file-zip-bomb", reason="实际解压数据超过声明大小")
            if total > limits.max_total_bytes:
                raise _Reject("file-zip-bomb", reason=f"解压后超过 {_human(limits.max_total_bytes)}")
            crc = zlib.crc32(chunk, crc)
            scan.feed(chunk)
            if chunks is not None:
                chunks.append(chunk)
        scan.close()
        if size != info.file_size or crc != info.CRC:
            raise _Reject("file-corrupt", why="")
        if chunks is not None:
            kept[info.filename] = b"".join(chunks)
    return kept


def _seek_data(fh: BinaryIO, info: zipfile.ZipInfo) -> None:
    """Put ``fh`` at a member's data, past its local header."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or not header.startswith(_LOCAL_HEADER):
        raise _Reject("file-corrupt", why="")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)


def _small_member(fh: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """A member declared at most ``_WHOLE`` bytes, whole: inflating stops one byte past its declared
    size, so a member that inflates to more is refused having cost no more than that."""
    _seek_data(fh, info)
    raw = fh.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise _Reject("file-corrupt", why="")   # truncated member
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        data = inflater.decompress(raw, info.file_size + 1)
        if len(data) <= info.file_size and not inflater.eof:
            raise _Reject("file-corrupt", why="")   # the stream ends early
    else:
        raise _Reject("file-corrupt", why="")
    if len(data) > info.file_size:
        raise _Reject("file-zip-bomb", reason="实际解压数据超过声明大小")
    if len(data) != info.file_size:
        raise _Reject("file-corrupt", why="")
    return data


def _member_chunks(fh: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's uncompressed bytes, chunk by chunk, read from its local header on."""
    _seek_data(fh, info)
    raw = _raw_chunks(fh, info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        yield from raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        yield from _inflate(raw)
    else:
        raise _Reject("file-corrupt", why="")


def _raw_chunks(fh: BinaryIO, size: int) -> Iterator[bytes]:
    left = size
    while left:
        chunk = fh.read(min(_CHUNK, left))
        if not chunk:
            raise _Reject("file-corrupt", why="")   # truncated member
        left -= len(chunk)
        yield chunk


def _inflate(raw: Iterator[bytes]) -> Iterator[bytes]:
    """Raw deflate, never more than _CHUNK bytes of output per step."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for chunk in raw:
        while chunk and not inflater.eof:
            out = inflater.decompress(chunk, _CHUNK)
            if not out and len(inflater.unconsumed_tail) == len(chunk):
                raise _Reject("file-corrupt", why="")   # no progress: never loop on a stuck stream
            yield out
            chunk = inflater.unconsumed_tail
        if inflater.eof:
            break
    yield inflater.flush()   # at most what the inflater still holds (bounded by its window)
    if not inflater.eof:
        raise _Reject("file-corrupt", why="")


class _EntityScan:
    """Finds <!DOCTYPE / <!ENTITY (any case, UTF-8 or UTF-16) in a member that is XML."""

    def __init__(self) -> None:
        self._head = b""
        self._xml: bool | None = None
        self._tail = b""

    def feed(self, data: bytes) -> None:
        if self._xml is None:
            self._head += data
            if len(self._head) < _SNIFF_BYTES:
                return
            data, self._head = self._head, b""
            self._xml = _looks_like_xml(data)
        if self._xml:
            self._scan(data)

    def close(self) -> None:
        if self._xml is None and _looks_like_xml(self._head):
            self._scan(self._head)

    def _scan(self, data: bytes) -> None:
        window = self._tail + data
        if _declares_entities(window):
            raise _Reject("file-xml-entity")
        self._tail = window[-_MARKER_TAIL:]


def _declares_entities(data: bytes) -> bool:
    """<!DOCTYPE or <!ENTITY in any case, UTF-8 or UTF-16. A "!" is rare in a workbook's XML (and
    is one byte, 0x21, in both): only where there is one are "<!" and then the markers looked for."""
    return (b"!" in data and any(start in data for start in _DECLARATION_STARTS)
            and any(marker in data.lower() for marker in _ENTITY_MARKERS))


def _looks_like_xml(head: bytes) -> bool:
    """XML starts with "<" after an optional byte-order mark and whitespace (UTF-8 or UTF-16)."""
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").startswith(b"<")


# --- helpers --------------------------------------------------------------------------------------

@contextmanager
def _corrupt_on_error() -> Iterator[None]:
    """Any failure while reading untrusted bytes means the file is corrupt."""
    try:
        yield
    except _Reject:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser may break in any way on hostile input
        raise _Reject("file-corrupt", why="") from exc


def _human(size: int) -> str:
    if size < _KB:
        return f"{size} 字节"
    value, unit = (size / _MB, "MB") if size >= _MB else (size / _KB, "KB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"
