"""Durability on disk: flushing files and folders, and sweeping what a crash left half-written.

Every output ledger writes goes through a temporary name that starts with ``TEMP_PREFIX`` beside
its destination and is renamed into place (``ledger.xlsx.atomic_output``). A crash can leave such
a temporary behind; ``sweep_temporaries`` removes them, and is called under the workspace lock at
the start of each run that writes into a folder, so no other ledger process can be writing them.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from pathlib import Path
from typing import Iterable

TEMP_PREFIX = ".tmp-"     # files and folders being written; never a finished output
OLD_PREFIX = ".old-"      # a folder swapped out, about to be removed


def fsync_file(path: Path) -> None:
    """Flush a file's content to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename or link into it) to the disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return                       # Windows: folders cannot be opened; NTFS journals renames itself
    try:
        os.fsync(fd)
    except OSError:
        pass                         # some file systems refuse fsync on a folder; nothing more to do
    finally:
        os.close(fd)


def _load_syncfs():
    """Linux's syncfs(2): flush one whole file system (its journal commits once for everything)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs()


def sync_folders(folders: Iterable[Path]) -> None:
    """Flush the entries of several folders (links and renames into them) to the disk.

    Collect links each accepted file into its unit's folder, so a batch touches a folder a file:
    one fsync each costs a journal commit each. Where Linux offers syncfs, one call per file system
    makes every one of them durable at once (and whatever else is pending there); elsewhere, or
    when it fails, each folder is fsynced.
    """
    by_device: dict[int, list[Path]] = {}
    for folder in folders:
        try:
            by_device.setdefault(os.stat(folder).st_dev, []).append(folder)
        except OSError:
            fsync_dir(folder)            # gone or unreadable: fsync_dir says nothing either
    for group in by_device.values():
        if not _sync_file_system(group[0]):
            for folder in group:
                fsync_dir(folder)


def _sync_file_system(folder: Path) -> bool:
    if _syncfs is None:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        return _syncfs(fd) == 0
    finally:
        os.close(fd)


def is_temporary(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) or name.startswith(OLD_PREFIX)


def sweep_temporaries(folder: Path, recursive: bool = True) -> list[Path]:
    """Remove the temporaries a crashed run left in ``folder``; return what was removed.

    Call only under the workspace lock: then no live ledger process is writing them.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir() or folder.is_symlink():
        return removed
    for entry in list(os.scandir(folder)):
        path = Path(entry.path)
        if is_temporary(entry.name):
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
            except OSError:
                pass                 # held open (Windows) or not ours to remove: try again next run
        elif recursive and entry.is_dir(follow_symlinks=False):
            removed.extend(sweep_temporaries(path, recursive=True))
    return removed
