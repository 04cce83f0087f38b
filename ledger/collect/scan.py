"""What the inbox holds: files ready to collect, files still being written, and entries never read.

The inbox is walked without following anything: a symbolic link, a FIFO, a socket, a device, or a
folder named like a workbook is never opened or copied (what a link points to may be anything on
the machine, and opening a FIFO blocks); each is reported with the reason, for the office to sort
out. Folders are walked (departments' mail clients save attachments in sub-folders); links to
folders are not.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ledger.collect.names import WORKBOOK_SUFFIXES, display_name

_KINDS = (   # (test, what it is)
    (stat.S_ISLNK, "符号链接（快捷方式）"),
    (stat.S_ISFIFO, "命名管道"),
    (stat.S_ISSOCK, "套接字"),
    (stat.S_ISCHR, "设备文件"),
    (stat.S_ISBLK, "设备文件"),
)


@dataclass
class Refused:
    """An inbox entry that is not a regular file (or is a folder named like a workbook)."""

    name: str
    reason: str


@dataclass
class InboxScan:
    ready: list[tuple[Path, str]] = field(default_factory=list)    # (path, name relative to inbox/)
    pending: list[str] = field(default_factory=list)              # still being written
    refused: list[Refused] = field(default_factory=list)


def scan_inbox(inbox: Path, settle_seconds: float, now: datetime, settled: frozenset[str] = frozenset()) -> InboxScan:
    """Walk the inbox (never through a link); lock files, hidden files and our README are skipped.

    ``settled`` names files ledger itself put there whole (a web upload renamed into place): they
    are ready at once, whatever their modification time.
    """
    scan = InboxScan()
    if inbox.is_dir() and not inbox.is_symlink():
        _walk(Path(inbox), Path(inbox), settle_seconds, now.timestamp(), scan, settled)
    scan.ready.sort(key=lambda pn: (pn[0].lstat().st_mtime_ns, pn[1]))
    scan.pending.sort()
    scan.refused.sort(key=lambda r: r.name)
    return scan


def _walk(folder: Path, inbox: Path, settle: float, now: float, scan: InboxScan, settled: frozenset[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return                          # a folder we may not list: nothing in it can be collected
    for entry in entries:
        path = Path(entry.path)
        relative = path.relative_to(inbox)
        if skipped(relative):
            continue
        name = display_name(relative.as_posix())
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue                    # gone since the folder was listed
        if stat.S_ISDIR(st.st_mode):
            if entry.name.lower().endswith(WORKBOOK_SUFFIXES):
                scan.refused.append(Refused(name, "是一个文件夹，名称却像工作簿"))
            else:
                _walk(path, inbox, settle, now, scan, settled)
        elif stat.S_ISREG(st.st_mode):
            ready = now - st.st_mtime >= settle or name in settled
            (scan.ready.append((path, name)) if ready else scan.pending.append(name))
        else:
            kind = next((what for test, what in _KINDS if test(st.st_mode)), "特殊文件")
            scan.refused.append(Refused(name, f"是{kind}，不是普通文件"))


def skipped(relative: Path) -> bool:
    """Office lock files (~$x.xlsx), hidden files and folders (our temporaries too), our README."""
    parts = relative.parts
    return (any(p.startswith(".") for p in parts) or relative.name.startswith("~$")
            or relative.as_posix() == "README.md" or relative.name.startswith(".~lock."))
