"""Placing collected files on disk: copies into archive/ and outbox/returns/, and leaving the inbox.

The inbox run (``intake``) decides what becomes of a file and records it; this module only puts its
bytes where the outcome says, in the order that keeps nothing lost: a copy is made (a hard link
where inbox and destination share a file system: no data copied) under a name made from the file
itself, the destination folders are synced with the batch's commit, and only then is the file
removed from the inbox. Links are never followed.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from ledger.collect.examine import UNIDENTIFIED, open_regular
from ledger.collect.names import fit_name, folder_name, stored_name
from ledger.workspace import Workspace

def archived(ws: Workspace, period: str, unit: str | None, sha256: str, name: str) -> Path:
    """Where an accepted file is kept: ``archive/<period>/<unit>/<sha256 start>_<name>``."""
    return ws.archive_dir / period / folder_name(unit, UNIDENTIFIED) / stored_name(sha256, name)


def returned(ws: Workspace, period: str | None, sha256: str, name: str) -> Path:
    """Where a rejected file is kept, beside its feedback."""
    return returns_folder(ws, period) / stored_name(sha256, name)


def duplicate(ws: Workspace, now: datetime, sha256: str, name: str) -> Path:
    """Where a file already received is kept, by the month it came again."""
    return ws.archive_dir / "duplicates" / now.strftime("%Y-%m") / stored_name(sha256, name)


def returns_folder(ws: Workspace, period: str | None) -> Path:
    """Where rejected files of a period and their feedback go."""
    return ws.outbox_dir / "returns" / (period or UNIDENTIFIED)


def feedback_path(ws: Workspace, period: str | None, unit_or_file: str) -> Path:
    """The feedback workbook for a unit (or, unidentified, for a file): ``<unit>_退回.xlsx``."""
    return returns_folder(ws, period) / fit_name(f"{folder_name(unit_or_file, UNIDENTIFIED)}_退回", ".xlsx")


made_dirs: set[Path] = set()      # destination folders known to exist during this run


def copy_into(source: Path, target: Path) -> bool:
    """Put a copy of ``source`` at ``target``, the source staying where it is; True when made anew.

    The target is named from the file's content, so one already there is this file's copy made by
    a run that stopped before recording it: it is reused. A hard link costs no copying; across file
    systems (or where links are not supported) the bytes are copied to a temporary name, flushed and
    renamed into place. Links are never followed.
    """
    if target.parent not in made_dirs:
        target.parent.mkdir(parents=True, exist_ok=True)
        made_dirs.add(target.parent)
    if os.path.lexists(target):
        if target.is_file() and not target.is_symlink() and target.stat().st_size == source.lstat().st_size:
            return False
        target.unlink()
    try:
        os.link(source, target, follow_symlinks=False)
        return True
    except OSError:
        pass
    tmp = target.with_name(f".tmp-{target.name}")
    with open_regular(source) as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, target)
    return True


def leave_inbox(path: Path, inbox: Path) -> bool:
    """Take a recorded file out of the inbox; False when it must stay (held open elsewhere: Windows
    refuses). Its outcome is recorded, so the next run only removes it."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except PermissionError:
        return False
    _prune_empty_dirs(path.parent, inbox)
    return True


def _prune_empty_dirs(folder: Path, inbox: Path) -> None:
    """Remove sub-folders of the inbox a file came in, once empty (never the inbox itself)."""
    while folder != inbox and inbox in folder.parents and not any(folder.iterdir()):
        try:
            folder.rmdir()
        except OSError:          # someone is using the folder: leave it
            return
        folder = folder.parent
