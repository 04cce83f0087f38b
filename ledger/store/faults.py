"""Database faults in the users' language: the one place DBAPI errors become ``DatabaseError``s.

``connect`` hooks ``translate`` into every engine (SQLAlchemy's ``handle_error`` event, which also
sees failures while connecting), so a fault raises a one-line Chinese ``LedgerError`` naming the
database, never the SQL statement, its parameters or a link. Errors that are ours (a constraint, a
wrong statement) are left alone: they are bugs, shown as internal errors.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa

from ledger.errors import (DatabaseAuthError, DatabaseBusyError, DatabaseCorruptError, DatabaseDriverError,
                           DatabaseError, DatabaseReadOnlyError, DatabaseUnreachableError, DiskFullError,
                           SettingsError)

CORRUPT = ("数据库文件“{where}”已损坏，无法读取：请把这个文件改名保留（如 {name}.损坏），"
           "再把最近的备份副本复制为“{name}”后重试")
# (class, words any of which in the driver's message (lower case) or MySQL error codes, message)
FAULTS: list[tuple[type[DatabaseError], tuple[str, ...], tuple[int, ...], str]] = [
    (DatabaseCorruptError, ("file is not a database", "disk image is malformed", "malformed database schema",
                            "file is encrypted"), (),
     CORRUPT),
    (DiskFullError, ("database or disk is full", "no space left on device", "could not extend file",
                     "disk full"), (1021, 1114),
     "磁盘空间不足：无法写入数据库“{where}”，请清理“{folder}”所在的磁盘后重试"),
    (DiskFullError, ("disk i/o error",), (),
     "读写数据库“{where}”时磁盘出错（多为磁盘空间不足）：请检查“{folder}”所在磁盘的剩余空间后重试"),
    (DatabaseReadOnlyError, ("readonly database", "read-only transaction", "read-only mode",
                             "--read-only option"), (1290, 1836),
     "数据库“{where}”是只读的，无法写入：{unwritable}"),
    (DatabaseReadOnlyError, ("permission denied", "command denied"), (1142,),
     "数据库“{where}”拒绝写入：ledger.toml 中 database.url 所用的数据库用户没有建表或写入的权限，请让数据库管理员授权"),
    (DatabaseBusyError, ("database is locked", "database table is locked", "database is busy",
                         "lock timeout", "could not obtain lock", "deadlock detected"), (1205, 1213),
     "数据库“{where}”正被其他程序占用，等待超时：请稍后重试（如有数据库工具打开着它，请先关闭）"),
    (DatabaseReadOnlyError, ("unable to open database file",), (),
     "无法打开数据库“{where}”：{why}，请检查后重试"),
    (DatabaseAuthError, ("password authentication failed", "authentication failed", "access denied",
                         "no password supplied"), (1044, 1045),
     "数据库服务器“{where}”拒绝登录：用户名或密码不对，请改正 ledger.toml 中的 database.url"),
    (DatabaseUnreachableError, ("database \"", "unknown database"), (1049,),
     "数据库服务器上没有数据库“{database}”：请先建好这个库，或改正 ledger.toml 中的 database.url"),
    (DatabaseUnreachableError, ("could not connect", "connection refused", "could not translate host name",
                                "name or service not known", "timeout expired", "timed out", "no route to host",
                                "server closed the connection", "can't connect", "connection to server",
                                "lost connection", "network is unreachable"), (2002, 2003, 2005, 2006, 2013),
     "无法连接数据库服务器“{where}”：请检查网络、数据库服务是否在运行，以及 ledger.toml 中 database.url 的主机和端口"),
]

# Python driver module -> what to install, for the message when it is missing.
DRIVERS = {"psycopg2": "psycopg2-binary", "psycopg": "psycopg[binary]", "pymysql": "PyMySQL",
           "MySQLdb": "mysqlclient", "pyodbc": "pyodbc", "oracledb": "oracledb", "cx_Oracle": "cx_Oracle",
           "pymssql": "pymssql", "asyncpg": "asyncpg", "pg8000": "pg8000", "mysql": "mysql-connector-python"}


def describe(url: sa.URL) -> dict[str, str]:
    """Where the database is, in words a message can show (never the password)."""
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        database = database[len("file:"):] if database.startswith("file:") else database   # a URI filename
        path = Path(database)
        shown = str(path) if database and database != ":memory:" else "内存数据库"
        return {"where": shown, "name": path.name or shown, "folder": str(path.parent), "database": shown,
                "why": _why_unopened(path), "unwritable": _unwritable(path)}
    host = url.host or "localhost"
    where = f"{host}:{url.port}/{url.database or ''}" if url.port else f"{host}/{url.database or ''}"
    return {"where": where, "name": url.database or "", "folder": where, "database": url.database or "",
            "why": "无法访问", "unwritable": "请检查数据库服务器是否处于只读状态后重试"}


def _why_unopened(path: Path) -> str:
    """Why SQLite could not open a database file (it says only "unable to open")."""
    folder = path.parent
    if not folder.is_dir():
        return f"文件夹“{folder}”不存在"
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"文件夹“{folder}”所在的磁盘是只读的（数据库需要在旁边写入日志文件）"
    except (AttributeError, OSError):       # no statvfs on Windows
        pass
    for journal in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if journal.exists() and not os.access(journal, os.R_OK | os.W_OK):
            return f"没有读写文件“{journal}”的权限（请恢复它与“{path.name}”相同的所有者和权限）"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        return f"没有读写该文件或文件夹“{folder}”的权限"
    return f"文件夹“{folder}”不可用（没有权限或磁盘为只读）"


def _unwritable(path: Path) -> str:
    """Which of a SQLite database's files is not writable, by name: the database, its write-ahead
    log (``-wal``) and shared memory (``-shm``), whose folder must take new ones. A ``-wal`` left
    read-only by a backup tool or a wrong chown keeps every write failing after the rest is mended."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"文件夹“{folder}”所在的磁盘是只读的，请让它可写后重试"
    except (AttributeError, OSError):       # no statvfs on Windows
        pass
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and not os.access(file, os.W_OK):
            return f"文件“{file}”不可写，请恢复它的写入权限（与“{path.name}”相同的所有者和权限）后重试"
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return f"文件夹“{folder}”不可写，请恢复它的写入权限后重试"
    return f"请检查该文件、同名的 -wal 和 -shm 文件以及文件夹“{folder}”的写入权限（或磁盘是否只读）后重试"


def translate(exc: BaseException, url: sa.URL) -> DatabaseError | None:
    """The users' error for a driver's exception, or None when it is not a fault of the system."""
    if isinstance(exc, sa.exc.StatementError):
        exc = exc.orig if exc.orig is not None else exc
    if _is_ours(exc):
        return None
    text = str(exc).lower()
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    for cls, words, codes, message in FAULTS:
        if code in codes or any(w in text for w in words):
            return cls(message.format(**describe(url)))
    return None


def _is_ours(exc: BaseException) -> bool:
    """Constraint violations and malformed statements are bugs of ours, not faults of the system."""
    names = {type(c).__name__ for c in type(exc).__mro__}
    text = str(exc).lower()
    return bool(names & {"IntegrityError", "ProgrammingError", "NotSupportedError", "DataError"}) and \
        not any(w in text for w in _NOT_OURS)


# Words that make even a "programming" error a fault of the system: the server refuses the user.
_NOT_OURS = ("read-only", "permission denied", "command denied")


def on_error(context: sa.engine.ExceptionContext) -> BaseException | None:
    """SQLAlchemy's ``handle_error`` hook: raise the translated error instead of the driver's."""
    engine = context.engine
    if engine is None or context.original_exception is None:
        return None
    error = translate(context.original_exception, engine.url)
    if isinstance(error, DatabaseReadOnlyError) and engine.dialect.name == "sqlite":
        # SQLite keeps a file it opened read-only as it was: connections made during the fault are
        # dropped, so writes recover by themselves once the files are writable again (no restart).
        context.invalidate_pool_on_disconnect = True
        context.is_disconnect = True
    return error


def missing_driver(exc: BaseException, url_text: str) -> DatabaseError | SettingsError:
    """The error for a URL whose driver (or dialect) cannot be loaded."""
    if isinstance(exc, ImportError) and exc.name:
        top = exc.name.split(".")[0]
        package = DRIVERS.get(top, top)
        return DatabaseDriverError(f"缺少数据库驱动：连接 ledger.toml 中 database.url 所指的数据库需要先安装 {package}"
                                   f"（在命令行运行 pip install \"{package}\"）")
    scheme = re.match(r"^([A-Za-z0-9_+.-]+)://", url_text)
    name = scheme.group(1) if scheme else ""
    return SettingsError(f"ledger.toml 中 database.url 的数据库类型“{name}”无法识别：应如 sqlite:///ledger.db"
                         "、postgresql+psycopg2://用户@主机/库名 或 mysql+pymysql://用户@主机/库名")


def bad_url() -> SettingsError:
    return SettingsError("ledger.toml 中 database.url 不是有效的数据库地址：应如 sqlite:///ledger.db"
                         " 或 postgresql+psycopg2://用户@主机/库名")
