"""The inbox walk: ready, still being written, and entries never read (links, FIFOs, sockets, odd folders)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timezone

from ledger.collect.scan import scan_inbox
from tests.conftest import age


def test_entries_are_sorted_into_ready_pending_and_refused(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "附件").mkdir(parents=True)
    age(_write(inbox / "附件" / "a.xlsx"))
    _write(inbox / "new.xlsx")                                # just written: not settled
    age(_write(inbox / "~$a.xlsx"))                           # Office lock file
    age(_write(inbox / ".tmp-x.xlsx"))                        # a temporary
    (inbox / "link.xlsx").symlink_to(tmp_path / "elsewhere.xlsx")
    os.mkfifo(inbox / "fifo.xlsx")
    (inbox / "book.xlsx").mkdir()
    age(_write(inbox / "book.xlsx" / "inside.xlsx"))          # not walked into
    (tmp_path / "outside").mkdir()
    age(_write(tmp_path / "outside" / "b.xlsx"))
    (inbox / "linked-folder").symlink_to(tmp_path / "outside", target_is_directory=True)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "s.xlsx"))
    try:
        scan = scan_inbox(inbox, 2.0, datetime.now(timezone.utc))
    finally:
        sock.close()
    assert [name for _, name in scan.ready] == ["附件/a.xlsx"]
    assert scan.pending == ["new.xlsx"]
    refused = {r.name: r.reason for r in scan.refused}
    assert set(refused) == {"book.xlsx", "fifo.xlsx", "link.xlsx", "linked-folder", "s.xlsx"}
    assert "符号链接" in refused["link.xlsx"] and "符号链接" in refused["linked-folder"]
    assert "命名管道" in refused["fifo.xlsx"] and "套接字" in refused["s.xlsx"] and "文件夹" in refused["book.xlsx"]


def test_an_undecodable_name_is_listed_escaped(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    raw = os.fsencode(inbox) + b"/\xff.xlsx"
    with open(raw, "wb") as fh:
        fh.write(b"x")
    age(__import__("pathlib").Path(os.fsdecode(raw)))
    scan = scan_inbox(inbox, 2.0, datetime.now(timezone.utc))
    [(path, name)] = scan.ready
    assert name == "\\xff.xlsx" and os.fsencode(path) == raw


def _write(path):
    path.write_bytes(b"x")
    return path
