"""Faults of the system reach users as one Chinese line: database faults, a full disk, Ctrl-C, kills.

Database faults are translated in one place (``ledger.store.faults``, hooked into every engine);
the CLI adds the exit code. Each CLI test asserts the exact line a user reads.
"""

from __future__ import annotations

import errno
import gc
import io
import re
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.durable import is_temporary
from ledger.errors import (DatabaseAuthError, DatabaseBusyError, DatabaseCorruptError, DatabaseReadOnlyError,
                           DatabaseUnreachableError, DiskFullError)
from ledger.store.faults import translate

SQLITE = sa.make_url("sqlite:////srv/ws/ledger.db")
SERVER = sa.make_url("postgresql+psycopg2://office:s3cret@10.0.0.5:5432/ledger")


def driver_error(name: str, *args):
    """An exception shaped like a driver's (the drivers are not installed here)."""
    return type(name, (Exception,), {})(*args)


@pytest.mark.parametrize("exc, url, cls, line", [
    (sqlite3.DatabaseError("file is not a database"), SQLITE, DatabaseCorruptError,
     "数据库文件“/srv/ws/ledger.db”已损坏，无法读取：请把这个文件改名保留（如 ledger.db.损坏），"
     "再把最近的备份副本复制为“ledger.db”后重试"),
    (sqlite3.DatabaseError("database disk image is malformed"), SQLITE, DatabaseCorruptError, None),
    (sqlite3.OperationalError("attempt to write a readonly database"), SQLITE, DatabaseReadOnlyError,
     "数据库“/srv/ws/ledger.db”是只读的，无法写入：请检查该文件、同名的 -wal 和 -shm 文件以及文件夹“/srv/ws”的写入权限（或磁盘是否只读）后重试"),
    (sqlite3.OperationalError("unable to open database file"), SQLITE, DatabaseReadOnlyError,
     "无法打开数据库“/srv/ws/ledger.db”：文件夹“/srv/ws”不存在，请检查后重试"),
    (sqlite3.OperationalError("database is locked"), SQLITE, DatabaseBusyError,
     "数据库“/srv/ws/ledger.db”正被其他程序占用，等待超时：请稍后重试（如有数据库工具打开着它，请先关闭）"),
    (sqlite3.OperationalError("database or disk is full"), SQLITE, DiskFullError,
     "磁盘空间不足：无法写入数据库“/srv/ws/ledger.db”，请清理“/srv/ws”所在的磁盘后重试"),
    (sqlite3.OperationalError("disk I/O error"), SQLITE, DiskFullError,
     "读写数据库“/srv/ws/ledger.db”时磁盘出错（多为磁盘空间不足）：请检查“/srv/ws”所在磁盘的剩余空间后重试"),
    (driver_error("OperationalError", 'connection to server at "10.0.0.5", port 5432 failed: Connection refused\n'
                  "\tIs the server running on that host and accepting TCP/IP connections?"), SERVER,
     DatabaseUnreachableError,
     "无法连接数据库服务器“10.0.0.5:5432/ledger”：请检查网络、数据库服务是否在运行，以及 ledger.toml 中 database.url 的主机和端口"),
    (driver_error("OperationalError", 'connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
                  'password authentication failed for user "office"'), SERVER, DatabaseAuthError,
     "数据库服务器“10.0.0.5:5432/ledger”拒绝登录：用户名或密码不对，请改正 ledger.toml 中的 database.url"),
    (driver_error("OperationalError", 'connection to server at "10.0.0.5", port 5432 failed: FATAL:  '
                  'database "ledger" does not exist'), SERVER, DatabaseUnreachableError,
     "数据库服务器上没有数据库“ledger”：请先建好这个库，或改正 ledger.toml 中的 database.url"),
    (driver_error("OperationalError", 1045, "Access denied for user 'office'@'10.0.0.9' (using password: YES)"),
     SERVER, DatabaseAuthError, None),
    (driver_error("OperationalError", 2003, "Can't connect to MySQL server on '10.0.0.5' ([Errno 111] refused)"),
     SERVER, DatabaseUnreachableError, None),
    (driver_error("OperationalError", 1205, "Lock wait timeout exceeded; try restarting transaction"),
     SERVER, DatabaseBusyError, None),
    (driver_error("InternalError", "cannot execute INSERT in a read-only transaction"), SERVER,
     DatabaseReadOnlyError, None),
    (driver_error("ProgrammingError", "permission denied for schema public"), SERVER, DatabaseReadOnlyError,
     "数据库“10.0.0.5:5432/ledger”拒绝写入：ledger.toml 中 database.url 所用的数据库用户没有建表或写入的权限，"
     "请让数据库管理员授权"),
])
def test_database_faults_are_translated(exc, url, cls, line):
    found = translate(exc, url)
    assert type(found) is cls
    if line is not None:
        assert str(found) == line
    assert "s3cret" not in str(found) and "SQL" not in str(found) and "http" not in str(found)


@pytest.mark.parametrize("exc", [sqlite3.IntegrityError("UNIQUE constraint failed: templates.id"),
                                 sqlite3.ProgrammingError("Incorrect number of bindings supplied"),
                                 ValueError("a bug of ours")])
def test_our_own_errors_are_not_blamed_on_the_system(exc):
    assert translate(exc, SQLITE) is None


@pytest.mark.sqlite_only
def test_a_busy_database_is_reported_as_busy(workspace):
    from ledger.store import events

    engine = workspace.engine
    engine.dispose()
    sa.event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=50"))  # after ours
    holder = sqlite3.connect(workspace.root / "ledger.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseBusyError) as err:
            events.record(engine, "test", "busy")
    finally:
        holder.rollback()
        holder.close()
    assert str(err.value) == (f"数据库“{workspace.root / 'ledger.db'}”正被其他程序占用，等待超时："
                              "请稍后重试（如有数据库工具打开着它，请先关闭）")


def run(*args):
    return CliRunner().invoke(cli, list(args), env={})


def set_database_url(root: Path, url: str) -> None:
    config = root / "ledger.toml"
    text = re.sub(r'(?m)^url = ".*"$', f'url = "{url}"', config.read_text(encoding="utf-8"), count=1)
    config.write_text(text, encoding="utf-8")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("damage", ["header", "page"])
def test_a_corrupt_database_is_noticed_even_with_an_empty_inbox(workspace, damage):
    workspace.engine.dispose()
    db = workspace.root / "ledger.db"
    data = bytearray(db.read_bytes())
    start = 0 if damage == "header" else 4096 * 3         # the file header, or a table's page
    data[start:start + 2000] = b"\x55" * 2000
    db.write_bytes(bytes(data))
    result = run("-w", str(workspace.root), "collect")
    assert result.exit_code == 1
    assert result.output == (f"错误：数据库文件“{db}”已损坏，无法读取：请把这个文件改名保留（如 ledger.db.损坏），"
                             "再把最近的备份副本复制为“ledger.db”后重试\n")


@pytest.mark.sqlite_only
def test_a_read_only_database_is_one_line_without_sql(planned):
    db = planned.root / "ledger.db"
    set_database_url(planned.root, f"sqlite:///file:{db}?mode=ro&uri=true")
    result = run("-w", str(planned.root), "templates", "--period", "2024-07")
    assert result.exit_code == 1
    assert result.output == (f"错误：数据库“{db}”是只读的，无法写入：请检查该文件、同名的 -wal 和 -shm 文件以及文件夹“{db.parent}”"
                             "的写入权限（或磁盘是否只读）后重试\n")
    assert not list((planned.templates_dir).glob("2024-07*"))


@pytest.mark.skipif(sys.modules.get("psycopg2") is not None or __import__("importlib").util.find_spec("psycopg2"),
                    reason="psycopg2 is installed")
def test_a_missing_driver_says_what_to_install(workspace):
    set_database_url(workspace.root, "postgresql+psycopg2://office:s3cret@127.0.0.1:9/ledger")
    result = run("-w", str(workspace.root), "log")
    assert result.exit_code == 1
    assert result.output == ("错误：缺少数据库驱动：连接 ledger.toml 中 database.url 所指的数据库需要先安装 psycopg2-binary"
                             "（在命令行运行 pip install \"psycopg2-binary\"）\n")


def test_an_unknown_kind_of_database_is_a_settings_error(workspace):
    set_database_url(workspace.root, "nosuchdb://office@host/ledger")
    result = run("-w", str(workspace.root), "log")
    assert result.exit_code == 1
    assert result.output.startswith("错误：ledger.toml 中 database.url 的数据库类型“nosuchdb”无法识别")


def mount(*args: str) -> bool:
    """Mount as the test asks, where it may (root on Linux); False elsewhere: the test skips."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=10)


@pytest.fixture
def read_only_mount(tmp_path):
    """A read-only view of a folder (a bind mount; needs root, else the test is skipped)."""
    source, view = tmp_path / "source", tmp_path / "view"
    source.mkdir()
    view.mkdir()
    if not mount("--bind", str(source), str(view)):
        pytest.skip("cannot mount here")
    try:
        yield source, view
    finally:
        unmount(view)


@pytest.mark.sqlite_only
def test_a_workspace_on_a_read_only_disk_is_one_line(read_only_mount):
    from ledger.workspace import init_workspace

    source, view = read_only_mount
    init_workspace(source / "ws").engine.dispose()
    if not mount("-o", "remount,bind,ro", str(view)):
        pytest.skip("cannot remount read-only here")
    result = run("-w", str(view / "ws"), "collect")
    assert result.exit_code == 1
    assert result.output == (f"错误：无法打开数据库“{view / 'ws' / 'ledger.db'}”：文件夹“{view / 'ws'}”所在的磁盘是只读的"
                             "（数据库需要在旁边写入日志文件），请检查后重试\n")


# --- a full disk while a workbook is written ---------------------------------------------------

class _FullDisk(io.RawIOBase):
    """A file on a disk with ``budget`` bytes free: once full, every write fails, as on a real disk."""

    def __init__(self, path, budget: int):
        self.file, self.budget = open(path, "wb"), budget

    def writable(self):
        return True

    def write(self, data):
        if len(data) > self.budget:
            self.budget = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.budget -= len(data)
        return self.file.write(data)

    def tell(self):
        return self.file.tell()

    def close(self):
        self.file.close()
        super().close()


class _FullDiskZip(zipfile.ZipFile):
    def __init__(self, file, *args, **kwargs):
        super().__init__(_FullDisk(file, 2000), *args, **kwargs)


@pytest.fixture
def issued(planned):
    from ledger.template.generate import generate_templates

    generate_templates(planned, "2024-07", workers=1)
    return planned


def report_files(ws):
    folder = ws.outbox_dir / "reports"
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_full_disk_keeps_the_previous_report_and_leaves_nothing_open(issued, monkeypatch):
    from ledger.report.build import make_report

    planned = issued
    first = make_report(planned, "2024-07")
    before = report_files(planned)
    monkeypatch.setattr("xlsxwriter.workbook.ZipFile", _FullDiskZip)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(DiskFullError) as err:
        make_report(planned, "2024-07")
    assert str(err.value) == f"磁盘空间不足：无法写入“{first.path}”"
    del err
    gc.collect()
    assert unraisable == []                       # no ZipFile.__del__ writing to the full disk again
    assert report_files(planned) == before        # the previous report intact, no temporaries


FULL_DISK_CLI = r"""
import sys
sys.path.insert(0, sys.argv[2])
import xlsxwriter.workbook
from tests.test_faults import _FullDiskZip
xlsxwriter.workbook.ZipFile = _FullDiskZip
from ledger.cli import main
sys.argv = ["ledger", "-w", sys.argv[1], "report", "--period", "2024-07"]
main()
"""


@pytest.mark.slow
def test_a_full_disk_is_one_line_on_stderr(issued):
    from ledger.report.build import report_path

    planned = issued
    path = report_path(planned, "测试县2024年工作要点", "2024-07")
    done = subprocess.run([sys.executable, "-c", FULL_DISK_CLI, str(planned.root), str(Path(__file__).parents[1])],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == f"错误：磁盘空间不足：无法写入“{path}”\n"
    assert done.stdout == ""


@pytest.fixture
def tiny_disk(issued):
    """outbox/reports on a 4 KB tmpfs (needs root, else the test is skipped)."""
    reports = issued.outbox_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    if not mount("-t", "tmpfs", "-o", "size=4k", "tmpfs", str(reports)):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield issued
    finally:
        unmount(reports)


def test_a_really_full_disk_is_one_line_and_leaves_nothing(tiny_disk, monkeypatch):
    from ledger.report.build import make_report, report_path

    path = report_path(tiny_disk, "测试县2024年工作要点", "2024-07")
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    result = run("-w", str(tiny_disk.root), "report", "--period", "2024-07")
    code, output = result.exit_code, result.output
    del result                                    # it holds the traceback, and so the failed writer
    gc.collect()
    assert code == 1
    assert output == f"错误：磁盘空间不足：无法写入“{path}”\n"
    assert unraisable == []
    assert [p for p in (tiny_disk.outbox_dir / "reports").rglob("*") if p.is_file()] == []


@pytest.mark.sqlite_only
def test_a_database_on_a_full_disk_is_one_line(workspace, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if not mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)):
        pytest.skip("cannot mount a tmpfs here")
    try:
        set_database_url(workspace.root, f"sqlite:///{disk / 'ledger.db'}")
        result = run("-w", str(workspace.root), "log")
        assert result.exit_code == 1
        assert result.output == f"错误：磁盘空间不足：无法写入数据库“{disk / 'ledger.db'}”，请清理“{disk}”所在的磁盘后重试\n"
    finally:
        unmount(disk)


# --- Ctrl-C ------------------------------------------------------------------------------------

def test_ctrl_c_is_one_line_saying_what_state_things_are_in(planned, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("ledger.commands.templates.generate_templates", interrupted)
    result = run("-w", str(planned.root), "templates", "--period", "2024-07")
    assert result.exit_code == 130
    assert result.output == "已中断：已下发的模板要么保持原样、要么已整份换成登记过的新模板；可重新运行 ledger templates\n"


CTRL_C_WITH_WORKERS = r"""
import os, signal, sys, threading, time
from ledger.template import generate

generate.PARALLEL_FROM = 1
real_write, real_all = generate.write_template, generate._write_workbooks

def slow(spec, path):                  # workers take a while, so Ctrl-C finds them busy
    time.sleep(0.4)
    real_write(spec, path)

def with_workers(run, units, workers, progress=None):
    threading.Timer(0.6, lambda: os.killpg(os.getpgid(0), signal.SIGINT)).start()   # Ctrl-C: the whole group
    return real_all(run, units, 2, progress)

generate.write_template, generate._write_workbooks = slow, with_workers
from ledger.cli import main
sys.argv = ["ledger", "-w", sys.argv[1], "templates", "--period", "2024-07"]
main()
"""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX process groups")
def test_ctrl_c_with_workers_is_one_line_and_leaves_no_template(planned):
    done = subprocess.run([sys.executable, "-c", CTRL_C_WITH_WORKERS, str(planned.root)], capture_output=True,
                          text=True, timeout=60, start_new_session=True)
    assert done.returncode == 130
    assert done.stderr == "已中断：已下发的模板要么保持原样、要么已整份换成登记过的新模板；可重新运行 ledger templates\n"
    assert not (planned.templates_dir / "2024-07").exists()
    from ledger.template.generate import generate_templates
    generate_templates(planned, "2024-07", workers=1)       # the next run sweeps whatever a worker left
    assert [p for p in planned.templates_dir.rglob("*") if is_temporary(p.name)] == []


# --- the consolidated report killed at each step -----------------------------------------------

KILL_REPORT = r"""
import os, signal, sys
from pathlib import Path
from ledger.report import build
from ledger.workspace import Workspace

step = sys.argv[2]
kill = lambda: os.kill(os.getpid(), signal.SIGKILL)
build._step_hook = lambda at: kill() if at == step else None
if step == "writing":                      # the new workbook fully written, not yet renamed into place
    real = build.write_workbook
    def write(report, path):
        real(report, path)
        kill()
    build.write_workbook = write
build.make_report(Workspace(Path(sys.argv[1])), "2024-07")
"""


@pytest.mark.slow
@pytest.mark.parametrize("step", ["writing", "written", "renamed"])
def test_a_killed_report_keeps_a_whole_workbook_and_the_next_run_sweeps(issued, step):
    from ledger.report.build import make_report

    planned = issued
    first = make_report(planned, "2024-07")
    before = first.path.read_bytes()
    done = subprocess.run([sys.executable, "-c", KILL_REPORT, str(planned.root), step],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    if step != "renamed":
        assert first.path.read_bytes() == before
    with zipfile.ZipFile(first.path) as archive:          # a whole workbook either way
        assert archive.testzip() is None
    make_report(planned, "2024-07")
    assert [p for p in (planned.outbox_dir / "reports").rglob("*") if is_temporary(p.name)] == []


@pytest.mark.sqlite_only
def test_a_read_only_database_keeps_the_previous_report_and_reminders(issued):
    from ledger.report.build import make_report
    from ledger.report.status import period_status, write_reminders
    from ledger.store.schema import connect
    from ledger.workspace import Workspace

    make_report(issued, "2024-07")
    write_reminders(issued, period_status(issued, "2024-07"))
    before = {**report_files(issued), **{p: p.read_bytes() for p in (issued.outbox_dir / "reminders").rglob("*.xlsx")}}
    read_only = Workspace(issued.root)
    read_only.__dict__["engine"] = connect(f"sqlite:///file:{issued.root / 'ledger.db'}?mode=ro&uri=true")
    with pytest.raises(DatabaseReadOnlyError):
        make_report(read_only, "2024-07")
    with pytest.raises(DatabaseReadOnlyError):
        write_reminders(read_only, period_status(read_only, "2024-07"))
    after = {**report_files(issued), **{p: p.read_bytes() for p in (issued.outbox_dir / "reminders").rglob("*.xlsx")}}
    assert after == before           # byte for byte, and no temporaries beside them


# --- the CLI's last line of defence ------------------------------------------------------------

@pytest.mark.parametrize("exc, line, code", [
    (OSError(errno.ENOSPC, "No space left on device", "/srv/ws/templates/x.xlsx"),
     "错误：磁盘空间不足：无法写入“/srv/ws/templates/x.xlsx”", 1),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/ws/outbox"), "错误：无法读写“/srv/ws/outbox”：没有权限", 1),
    (OSError(errno.EROFS, "Read-only file system", "/srv/ws/inbox/a.xlsx"),
     "错误：无法读写“/srv/ws/inbox/a.xlsx”：磁盘为只读", 1),
    (sa.exc.OperationalError("INSERT INTO templates (id, plan_id) VALUES (?, ?)", ("abc", 1),
                             sqlite3.OperationalError("too many SQL variables")),
     "数据库出错：too many SQL variables（设置 LEDGER_DEBUG=1 可查看详细信息）", 3),
])
def test_faults_that_reach_the_cli_untranslated_are_still_one_line(planned, monkeypatch, exc, line, code):
    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr("ledger.commands.templates.generate_templates", fail)
    result = run("-w", str(planned.root), "templates", "--period", "2024-07")
    assert result.exit_code == code
    assert result.output == line + "\n"
