"""Fatal errors: one base class, narrow subclasses, each carrying a Chinese message for users.

Anything that is not fatal (a wrong cell in a department's workbook) is a Finding, not an
exception; see ``ledger.findings``.
"""


class LedgerError(Exception):
    """Base of every fatal ledger error; ``str(err)`` is a one-line Chinese message."""


class WorkspaceError(LedgerError):
    """No workspace, or a workspace that cannot be created or used."""


class SettingsError(LedgerError):
    """``ledger.toml`` has an unknown key or a bad value."""


class PlanImportError(LedgerError):
    """A plan notice or review workbook cannot be read or yields no items."""


class PlanNotFoundError(LedgerError):
    """No plan has been imported into the workspace yet."""


class PeriodError(LedgerError):
    """A period is not of the form YYYY-MM."""


class UnitNotFoundError(LedgerError):
    """A named unit is not responsible for any item of the current plan."""


class LockedError(LedgerError):
    """Another ledger process holds the workspace lock."""


class OutputError(LedgerError):
    """An output file or folder cannot be written."""


class DiskFullError(OutputError):
    """The disk holding an output (or the database) has no space left."""


class ScheduleError(LedgerError):
    """A schedule file is invalid."""


class DatabaseError(LedgerError):
    """The database cannot be used; the subclasses say why (``ledger.store.faults`` translates)."""


class DatabaseCorruptError(DatabaseError):
    """The database file is damaged or is not a database."""


class DatabaseReadOnlyError(DatabaseError):
    """The database (or the folder holding it) cannot be written."""


class DatabaseBusyError(DatabaseError):
    """Another program holds the database longer than we wait."""


class DatabaseUnreachableError(DatabaseError):
    """A server database cannot be reached, or the named database does not exist there."""


class DatabaseAuthError(DatabaseError):
    """A server database refuses the user name or password."""


class DatabaseDriverError(DatabaseError):
    """The Python driver for the database URL is not installed."""


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, in words an office user reads (the system's own as a fallback)."""
    import errno

    reasons = {
        errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "磁盘为只读", errno.ENOTDIR: "路径中有同名文件占用了文件夹的位置",
        errno.EEXIST: "已有同名文件", errno.ENOENT: "路径不存在", errno.EISDIR: "这是一个文件夹",
        errno.EBUSY: "正被其他程序占用",
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))
