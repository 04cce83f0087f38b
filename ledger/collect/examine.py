"""Examine one inbox file: safety gate, identification, validation. Reads only; stores nothing.

Runs in worker processes during a large collect, so it opens its own database engine.

Only what goes wrong while reading the untrusted bytes (the safety gate, the workbook reader) is
the department's file's fault and becomes a finding. Anything else that fails here is ledger's own
fault: the examination carries it (reason and traceback) and collect leaves the file in the inbox
for the office instead of sending it back.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger import layout
from ledger.errors import os_reason
from ledger import codes
from ledger.findings import Finding, Report
from ledger.settings import Settings

UNIDENTIFIED = "未识别"


@dataclass
class Examination:
    """What collect learned about one file, before any outcome is recorded."""

    path: Path
    name: str                       # path relative to inbox/
    size: int
    mtime_ns: int
    sha256: str
    report: Report = field(default_factory=Report)
    template: dict[str, Any] | None = None     # the issued template's record
    unit: str | None = None
    period: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)   # the 指标 rows to store
    feedback_spec: Any = None                  # TemplateSpec with marks, for a feedback workbook
    fault: str | None = None                   # ledger could not judge the file: why (Chinese)
    trace: str | None = None                   # ... and the traceback, for the work log
    upload: dict[str, Any] | None = None       # came through a unit's link: the upload it is bound to

    @property
    def accepted(self) -> bool:
        return self.report.valid and self.template is not None

    def refuse(self, finding: Finding | None = None) -> "Examination":
        """Keep nothing of the workbook (template, rows, 指标 rows, feedback marks); with ``finding``,
        that one finding is all the file is told."""
        if finding is not None:
            self.report.findings[:] = [finding]
        self.template, self.rows, self.targets, self.feedback_spec = None, [], [], None
        return self


class NotARegularFile(OSError):
    """The inbox entry turned out not to be a regular file when opened."""


NO_FOLLOW = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path: Path):
    """A file object on ``path``, never through a symbolic link and only for a regular file."""
    try:
        fd = os.open(path, NO_FOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:         # a symbolic link, refused by O_NOFOLLOW
            raise NotARegularFile(f"{path} is a symbolic link") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(f"{path} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def fingerprint(path: Path) -> tuple[int, int, str]:
    """(size, mtime_ns, sha256) of a file, read in chunks, without following a link."""
    size, mtime_ns, sha, _ = load(path, 0)
    return size, mtime_ns, sha


def load(path: Path, max_bytes: int) -> tuple[int, int, str, bytes | None]:
    """(size, mtime_ns, sha256, the bytes) of a file, without following a link; the bytes only when
    it is at most ``max_bytes`` long (a larger one is hashed in chunks and refused by its size)."""
    h = hashlib.sha256()
    with open_regular(path) as fh:
        st = os.fstat(fh.fileno())
        if 0 < st.st_size <= max_bytes:
            data = fh.read(st.st_size + 1)
            if len(data) <= st.st_size:      # else it grew while read: hashed whole, judged by its size
                return len(data), st.st_mtime_ns, hashlib.sha256(data).hexdigest(), data
            h.update(data)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return st.st_size, st.st_mtime_ns, h.hexdigest(), None


def examine(path: Path, name: str, db_url: str, settings: Settings) -> Examination:
    try:
        size, mtime_ns, sha, data = load(path, _max_bytes(settings))
    except NotARegularFile:
        return Examination(path, name, 0, 0, "", fault="不是普通文件（可能刚被替换为链接或其他特殊文件），未读取")
    except OSError as exc:
        return Examination(path, name, 0, 0, "", fault=f"无法读取文件：{os_reason(exc)}", trace=traceback.format_exc())
    exam = Examination(path, name, size, mtime_ns, sha)
    try:
        _examine(exam, db_url, settings, data)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - ledger's own fault: the file is kept for the office
        internal_fault(exam, exc)
    return exam


def internal_fault(exam: Examination, exc: BaseException) -> Examination:
    """Mark a file ledger failed to judge because of its own error (not the department's)."""
    exam.fault = f"程序内部错误（{type(exc).__name__}），文件未作处理"
    exam.trace = "".join(traceback.format_exception(exc))
    return exam.refuse()


def unreadable(exam: Examination, why: str) -> Examination:
    """Mark a file that could not be read: one finding, nothing else kept."""
    return exam.refuse(codes.FILE_CORRUPT.finding(why=f"（{why}）", value=exam.name))


def _max_bytes(settings: Settings) -> int:
    return int(settings.collect.max_file_mb * 1024 * 1024)


def _examine(exam: Examination, db_url: str, settings: Settings, data: bytes | None = None) -> None:
    """Judge a file: ``data``, when given, are its bytes as hashed (every check reads those)."""
    from ledger.collect.safety import Limits, inspect
    from ledger.collect.reader import PACKAGE_PARTS, read_workbook

    limits = Limits(max_file_bytes=_max_bytes(settings))
    try:                            # reading the untrusted bytes: what fails here is the file's
        inspected = inspect(exam.path, limits, keep=PACKAGE_PARTS, data=data)
        if inspected.problem:
            exam.report.add(inspected.problem)
            return
        read = read_workbook(exam.path, inspected.fmt, inspected.parts, data=data)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - includes panics of the Rust reader (pyo3 PanicException)
        unreadable(exam, type(exc).__name__)
        return
    identity = read.identity
    if identity is None:
        exam.report.add(codes.IDENTITY_MISSING.finding(value=exam.name))
        return
    exam.unit, exam.period = identity.unit, identity.period
    template = _template_checks(exam, identity, db_url)
    if template is None or _period_locked(exam, db_url, settings):
        return
    _validate(exam, read, template, db_url, settings)


def _template_checks(exam: Examination, identity, db_url: str) -> dict[str, Any] | None:
    record = _template(db_url, identity.template_id, identity.period)
    if record is None:
        exam.report.add(codes.TEMPLATE_UNKNOWN.finding(unit=identity.unit, period=identity.period, value=identity.template_id))
        return None
    if (record["unit"], record["period"]) != (identity.unit, identity.period):
        exam.report.add(codes.IDENTITY_MISMATCH.finding(recorded_unit=record["unit"], period=record["period"],
                                                        value=identity.unit))
        return None
    exam.unit, exam.period = record["unit"], record["period"]
    current = _period_version(db_url, record["period"])
    if record["plan_version"] > current:     # a workspace sharing the database issued one since
        _period_version.cache_clear()
        current = _period_version(db_url, record["period"])
    if record["plan_version"] != current:
        exam.report.add(codes.PLAN_SUPERSEDED.finding(version=record["plan_version"], current=current, period=record["period"],
                                                      value=str(record["plan_version"])))
        return None
    return record


def _period_locked(exam: Examination, db_url: str, settings: Settings) -> bool:
    """A file for a month the office locked (``ledger.period_lock``) is refused: the month is final."""
    from ledger.period_lock import locked_finding

    state = _lock_of(db_url, exam.period)
    if state is not None:
        exam.report.add(locked_finding(state, settings))
    return state is not None


def _validate(exam: Examination, read, record: dict[str, Any], db_url: str, settings: Settings) -> None:
    from ledger.collect.validate import validate_ledger

    plan = _plan(db_url, record["plan_version"])
    if exam.unit not in plan.unit_set:
        exam.report.add(codes.UNIT_UNKNOWN.finding(unit=exam.unit, value=exam.unit))
        return
    expected = _expected(record, exam.unit, db_url)
    result = validate_ledger(read, expected, settings)
    exam.report.extend(result.report.findings)
    exam.template = record
    exam.rows = result.rows
    exam.targets = result.targets
    if not result.report.valid:
        exam.feedback_spec = _feedback_spec(read, record, plan, expected, result.report.findings, settings)


def _expected(record: dict[str, Any], unit: str, db_url: str):
    """The template as issued; templates of layout 1 were issued without a 指标 sheet."""
    from ledger.collect.validate import Expected

    version = record["plan_version"]
    targets = _targets_of(db_url, version)[unit] if record["layout_version"] != "1" else []
    expected = Expected(record["id"], record["period"], unit, _rows_of(db_url, version)[unit], record["digest"],
                        targets=targets, layout_version=record["layout_version"],
                        office_columns=layout.office_columns_of(record.get("columns")))
    from ledger.collect.quality import last_rows

    carried = _carried(db_url, version, record["period"]).get(unit)
    expected.last_period, expected.last_rows = last_rows(carried, _identities(db_url, version),
                                                         [(r.item_id, r.role) for r in expected.rows])
    lineages = _evidenced(db_url).get(unit, frozenset())
    by_lineage = _item_ids(db_url, version) if lineages else {}
    expected.evidenced = frozenset(by_lineage[n] for n in lineages if n in by_lineage)
    if targets:
        expected.previous_period, expected.previous = _previous_achieved(carried, record["period"])
    return expected


# What a run asks of the store about a period, asked once a run (collect holds the workspace lock, and
# ``reset_caches`` forgets it before the next run; worker processes are new for every run).

@lru_cache(maxsize=16)
def _carried(db_url: str, version: int, period: str) -> dict:
    """Every unit's last accepted values before the period (``carried_values``), read together."""
    from ledger.store.submissions import carried_values

    return carried_values(_engine(db_url), list(_plan(db_url, version).unit_set), before=period)


@lru_cache(maxsize=4)
def _evidenced(db_url: str) -> dict[str, frozenset[int]]:
    """The items (by lineage) each unit attached evidence to (``ledger.signoff``)."""
    from ledger.signoff import evidenced_by_unit

    return evidenced_by_unit(_engine(db_url))


@lru_cache(maxsize=16)
def _lock_of(db_url: str, period: str):
    from ledger.period_lock import locked

    return locked(_engine(db_url), period)


def _previous_achieved(carried, period: str) -> tuple[str | None, dict[tuple[str, str, str], float]]:
    """The unit's last accepted 本年累计完成值 of the same year, by target (``TargetRow.carry_key``)."""
    if carried is None or carried.period[:4] != period[:4]:
        return None, {}
    return carried.period, {k: v["achieved"] for k, v in carried.targets.items() if v.get("achieved") is not None}


def _feedback_spec(read, record, plan, expected, findings, settings: Settings):
    from ledger.collect.feedback import Returned, mark_rows
    from ledger.template.generate import record_identity, spec_for

    spec = spec_for(settings, plan.title, record_identity(record), expected.rows, targets=expected.targets,
                    office_columns=expected.office_columns)
    ledger = Returned.of(read.ledger_sheet, read.rows, "row_key")
    targets = Returned.of(read.targets.sheet, read.targets.rows, "target_key") if read.targets else None
    return mark_rows(spec, findings, ledger, targets)


def reset_caches() -> None:
    """Forget engines and plans cached by earlier runs in this process.

    A workspace may have been deleted and made again at the same path since (the demo does
    that); worker processes are new for every run and start empty anyway.
    """
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _templates.clear()
    _plan.cache_clear()
    _item_ids.cache_clear()
    _identities.cache_clear()
    _period_version.cache_clear()
    _rows_of.cache_clear()
    _targets_of.cache_clear()
    for cached in (_carried, _evidenced, _lock_of):
        cached.cache_clear()


_engines: dict = {}


def _engine(db_url: str):
    """One engine per database for the life of a collect run."""
    from ledger.store.schema import connect

    if db_url not in _engines:
        _engines[db_url] = connect(db_url)
    return _engines[db_url]


@lru_cache(maxsize=4)
def _identities(db_url: str, version: int) -> dict[int, int]:
    """Item id -> item lineage of a plan version."""
    return {i.id: i.identity for i in _plan(db_url, version).items}


@lru_cache(maxsize=4)
def _item_ids(db_url: str, version: int) -> dict[int, int]:
    """Item lineage -> item id of a plan version."""
    return {line: item_id for item_id, line in _identities(db_url, version).items()}


@lru_cache(maxsize=8)
def _plan(db_url: str, version: int):
    from ledger.store.plans import load_plan

    return load_plan(_engine(db_url), version)


def _template(db_url: str, template_id: str, period: str) -> dict[str, Any] | None:
    """An issued template's record; a period's records are loaded together on first use."""
    from ledger.store.submissions import template_record, template_records

    if period not in _templates:
        _templates[period] = template_records(_engine(db_url), period)
    found = _templates[period].get(template_id)
    return found if found is not None else template_record(_engine(db_url), template_id)


_templates: dict[str, dict[str, dict[str, Any]]] = {}


@lru_cache(maxsize=8)
def _rows_of(db_url: str, version: int):
    """Every unit's template rows of a plan version, each unit's built once per process."""
    from ledger.template.rows import RowsByUnit

    return RowsByUnit(_plan(db_url, version))


@lru_cache(maxsize=8)
def _targets_of(db_url: str, version: int):
    """Every unit's 指标 rows of a plan version, built once per process."""
    from ledger.template.rows import all_unit_targets

    plan = _plan(db_url, version)
    return all_unit_targets(plan, plan.units())


@lru_cache(maxsize=64)
def _period_version(db_url: str, period: str) -> int:
    """The plan version in force for the period: its newest issued templates'. A template of an
    older version is superseded only when that month's templates were issued again since (so
    templates/<period>/ holds the new one); a past month keeps the plan it was issued under.
    Asked once a run and period (collect holds the workspace lock; ``reset_caches`` forgets it)."""
    import sqlalchemy as sa
    from ledger.store import schema as s

    with _engine(db_url).connect() as conn:
        return conn.execute(sa.select(sa.func.max(s.plans.c.version))
                            .join(s.templates, s.templates.c.plan_id == s.plans.c.id)
                            .where(s.templates.c.period == period)).scalar()
