"""What a notice reader declares about itself: the files it reads, and how their content is told.

Each reader module (``textfile``, ``wordfile``, ``convert``, ``pdffile``, ``htmlfile``, ``sheetfile``)
declares one :class:`NoticeFormat` as ``FORMAT``; :mod:`ledger.plan.sources` asks that list which
reader takes a file, and builds its "unsupported format" message from it. Adding a format is a new
module with a ``FORMAT`` and one line in ``sources.FORMATS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class NoticeFormat:
    """A kind of notice file: its suffixes, its reader, and what its first bytes look like."""

    name: str                                   # what the file is, in Chinese: Word 文件
    suffixes: tuple[str, ...]                   # lower case, with the dot: (".docx",)
    read: Callable[[Path], str]                 # the file's text, one paragraph (or table row) a line
    magic: tuple[bytes, ...] = ()               # the first bytes of such a file, when they tell it
    family: str = ""                            # formats renamed into each other (.doc ↔ .docx): content decides
    may_be_encrypted: bool = False              # an Office file that may carry an open password
    shown: tuple[str, ...] = ()                 # the suffixes the office is told of (default: all)

    @property
    def named(self) -> tuple[str, ...]:
        """The suffixes named to the office in the list of supported formats."""
        return self.shown or self.suffixes

    def handles(self, suffix: str) -> bool:
        return suffix.lower() in self.suffixes

    def sniffs(self, head: bytes) -> bool:
        """True when the file's first bytes are this format's."""
        return any(head.startswith(m) for m in self.magic)


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"    # the compound file of Word 97–2003, Excel 97–2003 and WPS
