"""Backups an office can restore (issue 25): taken during a burst of uploads through the real
server, restored elsewhere, every period's status and report are those of the source at the
snapshot; a damaged archive and a non-empty folder are refused; --keep keeps the latest."""

from __future__ import annotations

import json
import tarfile
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ledger import backup as backup_module
from ledger.backup import BackupError, make_backup, restore_backup
from ledger.cli import cli
from ledger.report import period_status
from ledger.report.build import consolidate
from ledger.template.generate import generate_templates
from ledger.workspace import Workspace
from tests.web.conftest import PERIOD, LiveServer, form_key, served  # noqa: F401 - the fixture
from tests.web.test_security import XLSX, good

PERIODS = (PERIOD, "2024-08")


def _state(ws: Workspace) -> dict:
    return {p: (period_status(ws, p).to_dict(), consolidate(ws, p)) for p in PERIODS}


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_backup_taken_during_uploads_restores_every_periods_status_and_report(served, tmp_path, monkeypatch):
    ws = served.ws
    generate_templates(ws, "2024-08")
    at_snapshot: dict = {}
    real = backup_module._snapshot

    def snapshot(workspace, scratch):            # the source as the snapshot saw it (collect waits on the lock)
        made = real(workspace, scratch)
        at_snapshot.update(_state(workspace))
        return made

    monkeypatch.setattr(backup_module, "_snapshot", snapshot)
    units = list(served.links)
    with LiveServer(ws) as server:
        with httpx.Client(base_url=server.url, follow_redirects=True, timeout=60) as c:
            keys = {u: form_key(c.get(served.links[u]).text) for u in units}
            sent: list[int] = []

            def burst(unit: str, n: int) -> None:
                for i in range(n):
                    response = c.post(f"{served.base(unit)}/upload", data={"form_key": keys[unit]},
                                      files={"file": ("台账.xlsx", good(served, unit, tmp_path, tag=f"{i}"), XLSX)})
                    sent.append(response.status_code)

            threads = [threading.Thread(target=burst, args=(u, 4)) for u in units]
            for t in threads:
                t.start()
            while len(sent) < len(units) and any(t.is_alive() for t in threads):
                time.sleep(0.05)                 # the burst is under way
            result = make_backup(ws, tmp_path / "备份")
            assert any(t.is_alive() for t in threads), "the backup was taken during the burst"
            for t in threads:
                t.join(120)
    assert sent == [200] * 4 * len(units)
    assert at_snapshot, "the snapshot was taken"
    restored = restore_backup(result.path, tmp_path / "恢复")
    copy = Workspace(restored.root)
    assert _state(copy) == at_snapshot
    assert _state(ws) != at_snapshot            # the source went on after the snapshot
    for period in PERIODS:                      # and the commands say the same
        out = CliRunner().invoke(cli, ["-w", str(copy.root), "status", "--period", period, "--json"])
        assert out.exit_code == 0, out.output
        assert {k: v for k, v in json.loads(out.output).items() if k not in ("schema_version", "reminders")} == \
            json.loads(json.dumps(at_snapshot[period][0], default=str, ensure_ascii=False))
    assert (copy.root / ".ledger-secret").read_bytes() == (ws.root / ".ledger-secret").read_bytes()
    assert sorted(p.name for p in (copy.templates_dir / PERIOD).iterdir()) == \
        sorted(p.name for p in (ws.templates_dir / PERIOD).iterdir())


def test_a_damaged_archive_or_a_non_empty_folder_is_refused(served, tmp_path):
    result = make_backup(served.ws, tmp_path / "备份")
    busy = tmp_path / "有文件"
    busy.mkdir()
    (busy / "x.txt").write_text("x")
    with pytest.raises(BackupError, match="不是空文件夹"):
        restore_backup(result.path, busy)
    damaged = bytearray(result.path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    result.path.write_bytes(bytes(damaged))
    with pytest.raises(BackupError, match="校验值"):
        restore_backup(result.path, tmp_path / "新")
    result.path.with_name(result.path.name + ".sha256").unlink()      # copied without its checksum
    with pytest.raises(BackupError, match="已损坏"):
        restore_backup(result.path, tmp_path / "新")
    assert not (tmp_path / "新").exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_an_archive_with_a_link_or_a_path_outside_is_refused(served, tmp_path):
    evil = tmp_path / "ledger-备份-20240101-000000.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, __import__("io").BytesIO(b"x"))
        link = tarfile.TarInfo("ledger.toml")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(BackupError, match="已损坏或不是 ledger 的备份"):
        restore_backup(evil, tmp_path / "新")
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "新").exists()


def test_keep_leaves_the_latest_backups(served, tmp_path):
    from datetime import datetime, timezone

    folder = tmp_path / "备份"
    made = [make_backup(served.ws, folder, keep=2, now=datetime(2024, 9, d, 2, tzinfo=timezone.utc)) for d in (1, 8, 15)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [made[1].path.name, made[1].path.name + ".sha256", made[2].path.name, made[2].path.name + ".sha256"])
    assert made[2].removed == [made[0].path]


def test_the_commands_back_up_and_restore(served, tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["-w", str(served.ws.root), "backup", "--to", str(tmp_path / "备份")])
    assert out.exit_code == 0 and out.output.startswith("已备份：") and "校验值：" in out.output
    [archive] = (tmp_path / "备份").glob("*.tar.gz")
    out = runner.invoke(cli, ["restore", str(archive), str(tmp_path / "恢复")])
    assert out.exit_code == 0 and out.output.startswith(f"已恢复到 {tmp_path / '恢复'}")
    again = runner.invoke(cli, ["restore", str(archive), str(tmp_path / "恢复")])
    assert again.exit_code == 1 and again.output.startswith("错误：") and "不是空文件夹" in again.output
