"""Workspaces: the folder that holds ledger.toml, the working folders and the database.

Commands find a workspace from an explicit path, then ``LEDGER_WORKSPACE``, then the current
folder and its parents. Writes happen under the workspace lock.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from filelock import FileLock, Timeout

from ledger.errors import LockedError, WorkspaceError, os_reason
from ledger.settings import Settings, load_settings
from ledger.store.schema import connect

CONFIG_NAME = "ledger.toml"
LOCK_NAME = ".ledger.lock"
FOLDERS = ("templates", "inbox", "outbox", "schedules")
ENV_VAR = "LEDGER_WORKSPACE"

FOLDER_READMES = {
    "templates": "# templates/\n\n`ledger templates` 生成的各单位月度台账模板，按月份分文件夹存放（如 `2024-07/`）。\n"
                 "Generated templates, one folder per period. Generated content is not tracked by git.\n",
    "inbox": "# inbox/\n\n各单位报回的台账放入此文件夹，`ledger collect` 会逐个校验并移走。\n"
             "Returned workbooks land here; `ledger collect` moves every file out with one recorded outcome.\n",
    "outbox": "# outbox/\n\n退回意见（returns/）、催报名单（reminders/）和汇总表（reports/）。\n"
              "Feedback workbooks, reminder lists and consolidated reports.\n",
    "schedules": "# schedules/\n\n定时任务定义（*.toml），`ledger schedule list` 查看。\n"
                 "Job definitions for `ledger schedule`.\n",
}


@dataclass
class Workspace:
    """A ledger workspace rooted at ``root``."""

    root: Path

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.root / CONFIG_NAME)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox_dir(self) -> Path:
        return self.root / "outbox"

    @property
    def schedules_dir(self) -> Path:
        return self.root / "schedules"

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive"

    @property
    def db_url(self) -> str:
        url = self.settings.database.url
        prefix = "sqlite:///"
        relative = url[len(prefix):]
        if url.startswith(prefix) and relative and not relative.startswith(("/", "file:")):
            return prefix + str((self.root / url[len(prefix):]).resolve())
        return url

    @cached_property
    def engine(self) -> sa.Engine:
        return connect(self.db_url)

    def relative(self, path: Path) -> str:
        """A path as shown to users and stored: relative to the workspace where possible."""
        try:
            return Path(os.path.abspath(path)).relative_to(self._resolved_root).as_posix()
        except ValueError:
            return str(path)

    @cached_property
    def _resolved_root(self) -> Path:
        return self.root.resolve()

    def set_setting(self, dotted: str, value: str | int | float | bool) -> None:
        """Set one key of this workspace's ledger.toml (see ``set_setting``); read again on next use."""
        set_setting(self.root / CONFIG_NAME, dotted, value)
        self.__dict__.pop("settings", None)

    @contextmanager
    def lock(self, timeout: float = 0) -> Iterator[None]:
        """Hold the workspace lock; another holder makes this raise LockedError."""
        lock = FileLock(str(self.root / LOCK_NAME))
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise LockedError("另一个 ledger 进程（手动命令或定时任务）正在使用此工作区，请稍后再试") from None
        try:
            yield
        finally:
            lock.release()


def find_workspace(explicit: Path | str | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace named explicitly, by LEDGER_WORKSPACE, or containing the current folder."""
    named = explicit or os.environ.get(ENV_VAR)
    if named:
        root = Path(named).expanduser().resolve()
        if root.name == CONFIG_NAME and not root.is_dir():    # the settings file itself was named
            root = root.parent
        if not (root / CONFIG_NAME).is_file():
            raise WorkspaceError(f"“{root}” 不是 ledger 工作区（缺少 {CONFIG_NAME}），可先运行 ledger init {named}")
        return Workspace(root)
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return Workspace(folder)
    raise WorkspaceError("当前目录不在任何 ledger 工作区中：请先运行 ledger init，或用 -w 指定工作区")


def default_database_url(root: Path) -> str | None:
    """The database of a new workspace when none is named: None keeps the SQLite file of ledger.toml.

    A seam for the test suite, which points every new workspace at a server database of its own.
    """
    return None


def init_workspace(path: Path | str, db_url: str | None = None) -> Workspace:
    """Create a workspace; refuse when the folder already holds one.

    With ``db_url`` the workspace uses that database (written into ledger.toml): it is reached and
    migrated first, so a server that cannot be used leaves no half-made folder behind. Another
    workspace may already use the same database; both then share its plans and submissions.
    """
    root = Path(path).expanduser().resolve()
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"“{root}” 已经是 ledger 工作区，未做任何改动")
    db_url = db_url or default_database_url(root)
    if db_url:
        connect(db_url).dispose()    # reachable, and its tables made, before any file is written
    try:
        root.mkdir(parents=True, exist_ok=True)
        for name in FOLDERS:
            (root / name).mkdir(exist_ok=True)
            readme = root / name / "README.md"
            if not readme.exists():
                readme.write_text(FOLDER_READMES[name], encoding="utf-8")
        _copy_default(root / "schedules" / "monthly.toml", "monthly.toml")
        _copy_default(root / CONFIG_NAME, "ledger.toml")
        if db_url:
            set_setting(root / CONFIG_NAME, "database.url", db_url)
    except OSError as exc:
        raise WorkspaceError(f"无法创建工作区“{root}”：{os_reason(exc)}") from None
    workspace = Workspace(root)
    workspace.engine  # creates and migrates the database
    return workspace


def set_setting(config: Path, dotted: str, value: str | int | float | bool) -> None:
    """Set ``section.key`` in a ledger.toml laid out as ledger writes it (one ``key = value`` line
    per key under its ``[section]``): the line is rewritten, the value as JSON writes it (a valid
    TOML string, number or boolean). For new workspaces and the demo; a key not found is an error."""
    section, key = dotted.rsplit(".", 1)
    lines = config.read_text(encoding="utf-8").splitlines()
    current = ""
    for i, line in enumerate(lines):
        if line.startswith("["):
            current = line.strip().strip("[]").strip()
        elif current == section and line.split("=", 1)[0].strip() == key and "=" in line:
            lines[i] = f"{key} = {json.dumps(value, ensure_ascii=False)}"
            if value and _secret_key(dotted, value):
                protect(config)              # before the secret is written into it
            config.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return
    raise WorkspaceError(f"{config} 中没有 {dotted} 这一项")


def _secret_key(dotted: str, value: object) -> bool:
    """Whether a setting's value is a secret: a password, or a database URL carrying one."""
    return "password" in dotted or (dotted == "database.url" and isinstance(value, str) and
                                    bool(re.match(r"^[^:/]+://[^/@]*:[^/@]*@", value)))


def protect(config: Path) -> bool:
    """Make a settings file readable by its owner only (it holds a password); True when it was not.
    On Windows the mode bits mean nothing and the folder's ACL decides."""
    try:
        if os.name == "nt" or config.stat().st_mode & 0o077 == 0:
            return False
        os.chmod(config, 0o600)
        return True
    except OSError:
        return False


def holds_secret(ws: "Workspace") -> bool:
    settings = ws.settings
    return bool(settings.serve.office_password) or _secret_key("database.url", settings.database.url or "")


def _copy_default(target: Path, name: str) -> None:
    if target.exists():
        return
    source = resources.files("ledger.data").joinpath(name)
    if source.is_file():
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
