"""Flushing folders: one syncfs per file system where Linux has it, one fsync per folder otherwise."""

from __future__ import annotations

import os

from ledger import durable


def folders(tmp_path, n=5):
    made = []
    for k in range(n):
        folder = tmp_path / f"单位{k}"
        folder.mkdir()
        (folder / "台账.xlsx").write_bytes(b"x")
        made.append(folder)
    return made


def test_folders_of_one_file_system_are_flushed_by_one_call(tmp_path, monkeypatch):
    calls, fsynced = [], []
    monkeypatch.setattr(durable, "_syncfs", lambda fd: calls.append(os.fstat(fd).st_dev) or 0)
    monkeypatch.setattr(durable, "fsync_dir", fsynced.append)
    durable.sync_folders(folders(tmp_path))
    assert calls == [os.stat(tmp_path).st_dev] and fsynced == []


def test_without_syncfs_or_when_it_fails_each_folder_is_fsynced(tmp_path, monkeypatch):
    made = folders(tmp_path)
    fsynced = []
    monkeypatch.setattr(durable, "fsync_dir", fsynced.append)
    monkeypatch.setattr(durable, "_syncfs", None)
    durable.sync_folders(made)
    assert sorted(fsynced) == sorted(made)
    fsynced.clear()
    monkeypatch.setattr(durable, "_syncfs", lambda fd: -1)
    durable.sync_folders(made)
    assert sorted(fsynced) == sorted(made)


def test_the_real_call_succeeds_here(tmp_path):
    """On Linux the flush goes through syncfs for real (nothing monkeypatched)."""
    if durable._syncfs is not None:
        assert durable._sync_file_system(tmp_path)
    durable.sync_folders(folders(tmp_path, 2))
