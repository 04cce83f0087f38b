"""Names collect makes on disk and shows: within file-system limits, and always valid text.

A returned file is stored under a name made from the file itself (the start of its sha256 and its
original name), so a rerun after a crash reuses the copy it made instead of adding another. Every
name component stays within the 255 bytes file systems allow (ext4, NTFS in UTF-16 units, which
UTF-8 bytes always bound), with room left for the temporary prefix of a half-written copy.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from ledger.xlsx import safe_name

NAME_BYTES = 255 - 32        # a component we make; leaves room for ``.tmp-`` and a random part
SUFFIX_BYTES = 16            # a longer "extension" is not one: it is cut with the rest of the name
HASH_CHARS = 16              # of the sha256 in a stored name: unique among a workspace's files
# Names a spreadsheet client gives a workbook (Excel, WPS, LibreOffice; templates and macro-enabled
# ones included): the one list the inbox walk, the safety gate and web upload names go by.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".ods", ".et", ".ett")


def fit_name(stem: str, suffix: str = "", limit: int = NAME_BYTES) -> str:
    """``stem + suffix`` cut (in whole characters) so that it takes at most ``limit`` UTF-8 bytes."""
    room = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore").rstrip(" .")
    return cut + suffix


def _suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix if len(suffix.encode("utf-8")) <= SUFFIX_BYTES else ""


def stored_name(sha256: str, original: str) -> str:
    """The name of a returned file's copy in archive/ or outbox/returns/: ``<sha256 start>_<name>``."""
    base = PurePosixPath(original).name
    suffix = _suffix(base)
    stem = base[: len(base) - len(suffix)] if suffix else base
    return fit_name(f"{sha256[:HASH_CHARS]}_{safe_name(stem, '')}".rstrip("_"), suffix)


def folder_name(text: str, fallback: str) -> str:
    """A folder named after a unit (or a file), usable on Windows too and within the byte limit."""
    return fit_name(safe_name(text, fallback)) or fallback


def display_name(raw: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as surrogates) shown as ``\\xff``,
    and no invisible character (``visible``)."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return visible(raw)


# Unicode categories a file name never needs and that can disguise one: controls (Cc), format
# characters (Cf: the bidirectional overrides and isolates U+202A-202E, U+2066-2069, marks U+200E/F,
# U+061C, zero-width characters) and line or paragraph separators (Zl, Zp).
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp"))


def visible(text: str) -> str:
    """``text`` without control, bidirectional or other invisible characters: a name written as
    报表 + U+202E + ``xcod.xlsx`` reads 报表xcod.xlsx, as it really is, not 报表xslx.docx."""
    return "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)


# A file uploaded through a unit's link enters the inbox as ``网页上传_<unit>_<time>_<hex>_<name>``.
UPLOAD_PREFIX = "网页上传"
_UPLOADED = re.compile(rf"^{UPLOAD_PREFIX}_.*?_\d{{8}}-\d{{6}}_[0-9a-f]{{6}}_(.+)$", re.S)


def person_name(raw: str) -> str:
    """A file's name as the person who sent it named it: an upload's inbox prefix left off."""
    name = display_name(PurePosixPath(raw).name)
    match = _UPLOADED.match(name)
    return match.group(1) if match else name
