"""Backups an office can restore: one dated archive of a workspace, taken while the server and the
scheduler run, and a new workspace made from it.

An archive (``ledger-备份-<YYYYMMDD-HHMMSS>.tar.gz``) holds a consistent snapshot of the database
(SQLite's online backup API; ``pg_dump`` on PostgreSQL), ``ledger.toml``, the workspace secret, and
the folders ``templates/``, ``archive/``, ``outbox/``, ``schedules/`` and ``inbox/`` (uploads
acknowledged but not yet collected), with ``备份清单.json``: every file's size and sha256. Beside it,
``<archive>.sha256`` holds the archive's own checksum (``sha256sum -c`` reads it). The snapshot and
the files are taken under the workspace lock, so no collect run or template issue falls between
them; uploads keep landing meanwhile (a file landing after the snapshot is in the next backup).
An archive is written under a temporary name and renamed when whole.

``restore`` refuses a non-empty folder and an archive whose checksum, listing or members are not
what was written; it extracts into a temporary folder beside the target and renames it into place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Iterator

from ledger.durable import fsync_dir
from ledger.errors import LedgerError, os_reason
from ledger.store import events
from ledger.workspace import CONFIG_NAME, Workspace, set_setting

FORMAT = 1
PREFIX = "ledger-备份-"
SUFFIX = ".tar.gz"
LISTING = "备份清单.json"
SQLITE_NAME = "ledger.db"
DEFAULT_URL = f"sqlite:///{SQLITE_NAME}"
DUMP_NAME = "database.pgdump"
SECRET_NAME = ".ledger-secret"
FOLDERS = ("templates", "archive", "outbox", "schedules", "inbox")
DEFAULT_FOLDER = "backups"
LOCK_WAIT = 120.0           # seconds a backup waits for a running collect or template issue
_NAME = re.compile(rf"^{re.escape(PREFIX)}\d{{8}}-\d{{6}}(-\d+)?{re.escape(SUFFIX)}$")


class BackupError(LedgerError):
    """A backup could not be made or restored."""


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    files: int
    database: str                       # "sqlite" or "postgresql"
    removed: list[Path] = field(default_factory=list)      # older backups beyond --keep

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "size": self.size, "files": self.files,
                "database": self.database, "removed": [str(p) for p in self.removed]}


@dataclass
class RestoreResult:
    root: Path
    files: int
    database: str
    taken_at: datetime
    notes: list[str] = field(default_factory=list)

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """As JSON, the time in ``zone`` (the office's)."""
        return {"root": str(self.root), "files": self.files, "database": self.database,
                "taken_at": self.taken_at.astimezone(zone).isoformat(), "notes": self.notes}


# --- backup ------------------------------------------------------------------------------------
def make_backup(ws: Workspace, to: Path | str | None = None, keep: int | None = None,
                command: str = "backup", now: datetime | None = None) -> BackupResult:
    """Write one archive of the workspace into ``to`` (default ``backups/`` in the workspace);
    with ``keep``, remove the oldest of ledger's backups there beyond that many."""
    now = now or datetime.now(timezone.utc)
    folder = Path(to).expanduser() if to else ws.root / DEFAULT_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"无法创建备份文件夹“{folder}”：{os_reason(exc)}") from None
    target = _free_name(folder, now)
    partial = folder / f".tmp-{target.name}"
    kind = ws.engine.dialect.name
    try:
        with tempfile.TemporaryDirectory(prefix="ledger-backup-") as scratch, ws.lock(timeout=LOCK_WAIT):
            database = _snapshot(ws, Path(scratch))
            entries = [(database.name, database), *_workspace_files(ws, folder)]
            listing = _write_archive(partial, entries, kind, now)
        digest = _sha256(partial)
        os.replace(partial, target)
        (folder / f"{target.name}.sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
        fsync_dir(folder)
    except OSError as exc:
        raise BackupError(f"无法写入备份“{target}”：{os_reason(exc)}") from None
    finally:
        partial.unlink(missing_ok=True)
    result = BackupResult(target, digest, target.stat().st_size, len(listing), kind)
    if keep:
        result.removed = _prune(folder, keep)
    events.record(ws.engine, command, "backup", f"备份工作区：{target.name}（{len(listing)} 个文件）",
                  {"path": str(target), "sha256": digest})
    return result


def _free_name(folder: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"{PREFIX}{stamp}{SUFFIX}", 1
    while path.exists():
        n += 1
        path = folder / f"{PREFIX}{stamp}-{n}{SUFFIX}"
    return path


def _snapshot(ws: Workspace, scratch: Path) -> Path:
    """A consistent copy of the database in ``scratch``: SQLite's online backup (pages copied while
    writers go on, restarted when one writes), or ``pg_dump`` of the server database."""
    engine = ws.engine
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        source = Path(database[len("file:"):] if database.startswith("file:") else database)
        out = scratch / SQLITE_NAME
        src = sqlite3.connect(source)
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return out
    if engine.dialect.name == "postgresql":
        return _pg_dump(ws, scratch / DUMP_NAME)
    raise BackupError(f"暂不支持备份 {engine.dialect.name} 数据库：请用该数据库自带的备份工具备份，"
                      "再单独备份工作区文件夹")


def _pg_dump(ws: Workspace, out: Path) -> Path:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError("未找到 pg_dump：PostgreSQL 数据库的备份需要它（Debian 安装 postgresql-client），"
                          "安装后重试；工作区文件尚未备份")
    url = ws.engine.url
    args = [program, "--format=custom", "--no-owner", f"--file={out}", "--host", url.host or "localhost",
            "--port", str(url.port or 5432), "--username", url.username or "", url.database or ""]
    schema = re.search(r"search_path=([A-Za-z0-9_]+)", str(url.query.get("options", "")))
    if schema:
        args[1:1] = [f"--schema={schema.group(1)}"]
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"pg_dump 未能完成：{exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["未知原因"])[-1]
        raise BackupError(f"pg_dump 未能导出数据库：{last}")
    return out


def _workspace_files(ws: Workspace, backups: Path) -> Iterator[tuple[str, Path]]:
    """(name in the archive, file) of what a workspace needs besides its database; never a link,
    a socket or the backups themselves."""
    for name in (CONFIG_NAME, SECRET_NAME):
        path = ws.root / name
        if path.is_file() and not path.is_symlink():
            yield name, path
    skip = backups.resolve()
    for top in FOLDERS:
        base = ws.root / top
        if not base.is_dir() or base.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink() and (here / d).resolve() != skip)
            for file in sorted(filenames):
                path = here / file
                if path.is_file() and not path.is_symlink() and not file.startswith(".tmp-"):
                    yield path.relative_to(ws.root).as_posix(), path


def _write_archive(target: Path, entries: list[tuple[str, Path]], kind: str, now: datetime) -> list[dict]:
    listing: list[dict] = []
    with open(target, "xb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            for name, path in entries:
                try:
                    data = path.read_bytes()
                except FileNotFoundError:      # collected or swapped since it was listed
                    continue
                listing.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
                _add(tar, name, data, path.stat().st_mtime if path.exists() else now.timestamp())
            head = {"format": FORMAT, "taken_at": now.isoformat(), "database": kind, "files": listing}
            _add(tar, LISTING, json.dumps(head, ensure_ascii=False, indent=1).encode("utf-8"), now.timestamp())
        raw.flush()
        os.fsync(raw.fileno())
    return listing


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600 if name in (CONFIG_NAME, SECRET_NAME) else 0o644
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _prune(folder: Path, keep: int) -> list[Path]:
    ours = sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=lambda p: p.name)
    removed = ours[:-keep] if len(ours) > keep else []
    for path in removed:
        path.unlink(missing_ok=True)
        path.with_name(f"{path.name}.sha256").unlink(missing_ok=True)
    return removed


# --- restore -----------------------------------------------------------------------------------
def restore_backup(archive: Path | str, target: Path | str) -> RestoreResult:
    """A new workspace in ``target`` (absent or empty) from a backup archive, checked first."""
    archive, target = Path(archive).expanduser(), Path(target).expanduser().resolve()
    if not archive.is_file():
        raise BackupError(f"找不到备份文件“{archive}”")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"“{target}”不是空文件夹：恢复只能在新的或空的文件夹中进行，未做任何改动")
    _check_sidecar(archive)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-restore-", dir=target.parent))
    try:
        head = _extract(archive, staging)
        if head["database"] == "postgresql":
            notes = [f"数据库为 PostgreSQL：请先用 pg_restore --no-owner -d 新数据库 {DUMP_NAME} 导入，再把 ledger.toml 的 "
                     "database.url 改为新数据库（恢复的工作区仍指向原数据库，改好之前请勿运行 ledger 命令）"]
        else:
            notes = []
            _check_sqlite(staging / SQLITE_NAME)
            if Workspace(staging).settings.database.url != DEFAULT_URL:     # the restored copy, not the original
                set_setting(staging / CONFIG_NAME, "database.url", DEFAULT_URL)
                notes.append(f"ledger.toml 的 database.url 已改为 {DEFAULT_URL}（恢复出的数据库），原工作区的数据库未受影响")
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if (target / SECRET_NAME).exists():
        os.chmod(target / SECRET_NAME, 0o600)
    os.chmod(target / CONFIG_NAME, 0o600)
    for folder in ("templates", "inbox", "outbox", "schedules"):
        (target / folder).mkdir(exist_ok=True)
    return RestoreResult(target, len(head["files"]), head["database"], datetime.fromisoformat(head["taken_at"]), notes)


def _check_sidecar(archive: Path) -> None:
    sidecar = archive.with_name(f"{archive.name}.sha256")
    if not sidecar.is_file():
        return                       # copied without it: the listing inside is still checked
    expected = sidecar.read_text(encoding="utf-8", errors="replace").split()[:1]
    if not expected or expected[0].lower() != _sha256(archive):
        raise BackupError(f"备份文件“{archive}”与其校验值（{sidecar.name}）不符，文件已损坏或被改动，未做任何恢复")


def _extract(archive: Path, into: Path) -> dict:
    """Extract and check against the listing: only regular files inside ``into``, each the size
    and sha256 written."""
    damaged = f"备份文件“{archive}”已损坏或不是 ledger 的备份，未做任何恢复"
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            if any(not m.isfile() for m in members) or LISTING not in {m.name for m in members}:
                raise BackupError(damaged)
            head = json.loads(tar.extractfile(LISTING).read().decode("utf-8"))
            tar.extractall(into, members=[m for m in members if m.name != LISTING], filter="data")
    except (tarfile.TarError, OSError, EOFError, ValueError, KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError(damaged) from None
    if head.get("format") != FORMAT:
        raise BackupError(f"备份文件“{archive}”的格式（{head.get('format')}）不是本版本 ledger 能恢复的")
    listed = {f["name"]: f for f in head["files"]}
    found = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()}
    if found != set(listed) or CONFIG_NAME not in listed:
        raise BackupError(damaged)
    for name, entry in listed.items():
        path = into / name
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"备份文件“{archive}”中的“{name}”与备份清单不符，文件已损坏，未做任何恢复")
    return head


def _check_sqlite(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        found = "damaged"
    if found != "ok":
        raise BackupError(f"备份中的数据库“{SQLITE_NAME}”已损坏，未做任何恢复")
