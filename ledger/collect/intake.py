"""``collect``: every file in inbox/ ends in exactly one recorded outcome, and leaves the inbox.

Order of work for a file, so that a crash at any point loses and duplicates nothing:
1. examine it (read only; in worker processes when there are many files);
2. link or copy it to its destination (archive/ or outbox/returns/), write any feedback;
3. record its outcome (the ``intake`` table is the per-file log: sha256, size, original name,
   findings) and, for an accepted file, the submission, in a transaction shared by a batch of files;
4. once that transaction commits, remove the batch's files from inbox/.
A crash before 4 leaves the files in the inbox with nothing stored; a crash during 4 is
recognised on the next run (same name, size, mtime and sha256 already recorded) and only the
removal is redone.
"""

from __future__ import annotations

import os
import shutil
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from ledger.collect.examine import UNIDENTIFIED, Examination, examine, fingerprint, reset_caches, unreadable
from ledger.collect.feedback import write_problem_list
from ledger.findings import ERROR, Finding
from ledger.store import events
from ledger.store.submissions import known_sha256, record_intake, save_submission, seen_sha256
from ledger.template.writer import write_template
from ledger.workers import worker_pool
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output, safe_name

ACCEPTED, REJECTED, DUPLICATE, PENDING = "accepted", "rejected", "duplicate", "pending"
OUTCOME_LABELS = {ACCEPTED: "已接收", REJECTED: "已退回", DUPLICATE: "重复报送", PENDING: "等待写入完成"}
PARALLEL_FROM = 16


@dataclass
class FileOutcome:
    file: str
    outcome: str
    unit: str | None = None
    period: str | None = None
    findings: list[Finding] = field(default_factory=list)
    stored: str | None = None
    feedback: str | None = None

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if not f.is_error)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "outcome": self.outcome, "unit": self.unit, "period": self.period,
                "errors": self.errors, "warnings": self.warnings, "stored": self.stored,
                "feedback": self.feedback, "findings": [f.to_dict() for f in self.findings]}


@dataclass
class CollectResult:
    files: list[FileOutcome]
    dry_run: bool = False

    @property
    def totals(self) -> dict[str, int]:
        counts = {k: 0 for k in (ACCEPTED, REJECTED, DUPLICATE, PENDING)}
        for f in self.files:
            counts[f.outcome] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "totals": self.totals, "files": [f.to_dict() for f in self.files]}


# Test hook: called with a step name between the steps of finishing a file (crash injection).
_step_hook: Callable[[str], None] = lambda step: None


def collect_inbox(ws: Workspace, dry_run: bool = False, command: str = "collect",
                  now: datetime | None = None, workers: int | None = None) -> CollectResult:
    """Give every settled file in the inbox its one outcome (or, with dry_run, report it only)."""
    now = now or datetime.now(timezone.utc)
    reset_caches()
    _made_dirs.clear()
    with ws.lock():
        candidates, pending = scan_inbox(ws.inbox_dir, ws.settings.collect.settle_seconds, now)
        outcomes = [FileOutcome(name, PENDING) for name in pending]
        known = known_sha256(ws.engine) if candidates else set()
        with _Batch(ws) as batch:
            for exam in _examine_all(ws, candidates, workers):
                outcomes.append(_finish(batch, exam, dry_run, now, known))
        result = CollectResult(outcomes, dry_run)
        if not dry_run and candidates:
            events.record(ws.engine, command, "collect", _summary(result),
                          {**result.totals, "files": [[f.file, f.outcome] for f in result.files]})
    return result


def _summary(result: CollectResult) -> str:
    t = result.totals
    return f"接收 {t[ACCEPTED]} 个，退回 {t[REJECTED]} 个，重复 {t[DUPLICATE]} 个"


def scan_inbox(inbox: Path, settle_seconds: float, now: datetime) -> tuple[list[tuple[Path, str]], list[str]]:
    """(files ready to collect, files still being written); skips lock files and hidden files."""
    ready, pending = [], []
    if not inbox.is_dir():
        return ready, pending
    for path in sorted(inbox.rglob("*")):
        name = path.relative_to(inbox).as_posix()
        if not path.is_file() or _skipped(path.relative_to(inbox)):
            continue
        age = now.timestamp() - path.stat().st_mtime
        (ready.append((path, name)) if age >= settle_seconds else pending.append(name))
    ready.sort(key=lambda pn: (pn[0].stat().st_mtime_ns, pn[1]))
    return ready, pending


def _skipped(relative: Path) -> bool:
    """Office lock files (~$x.xlsx), hidden files and folders, our README and temporary copies."""
    parts = relative.parts
    return (any(p.startswith(".") for p in parts) or relative.name.startswith("~$")
            or relative.as_posix() == "README.md" or relative.name.startswith(".~lock."))


IN_FLIGHT_PER_WORKER = 4    # chunks queued per worker: bounds memory whatever the inbox holds
CHUNK = 8                   # files a worker examines per task


def _examine_all(ws: Workspace, candidates: list[tuple[Path, str]], workers: int | None) -> Iterator[Examination]:
    """Examinations in inbox order; in worker processes when there are many files."""
    settings, url = ws.settings, ws.db_url
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(candidates) < PARALLEL_FROM:
        for path, name in candidates:
            yield examine(path, name, url, settings)
        return
    chunks = deque(candidates[i:i + CHUNK] for i in range(0, len(candidates), CHUNK))
    with worker_pool(workers) as pool:
        pending: deque = deque()
        while chunks or pending:
            while chunks and len(pending) < workers * IN_FLIGHT_PER_WORKER:
                chunk = chunks.popleft()
                pending.append((chunk, pool.submit(_examine_chunk, chunk, url, settings)))
            chunk, future = pending.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool:       # a file killed its worker: find it, and go on alone
                for lost in [chunk, *(c for c, _ in pending), *chunks]:
                    yield from (_examine_isolated(path, name, url, settings) for path, name in lost)
                return


def _examine_chunk(chunk: list[tuple[Path, str]], url: str, settings) -> list[Examination]:
    return [examine(path, name, url, settings) for path, name in chunk]


def _examine_isolated(path: Path, name: str, url: str, settings) -> Examination:
    """Examine one file in a process of its own, so a file that crashes its reader is only rejected."""
    with worker_pool(1) as pool:
        try:
            return pool.submit(_examine_chunk, [(path, name)], url, settings).result()[0]
        except BrokenProcessPool:
            size, mtime_ns, sha = fingerprint(path)
            return unreadable(Examination(path, name, size, mtime_ns, sha), "读取时程序异常退出")


class _Batch:
    """Outcomes recorded in one transaction; their files leave the inbox only once it commits.

    A crash before the commit leaves every file of the batch in the inbox with nothing stored.
    """

    SIZE = 32

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.conn = None
        self.leaving: list[Path] = []

    def __enter__(self) -> "_Batch":
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.commit()
        elif self.conn is not None:
            self.conn.rollback()
            self.conn.close()

    @property
    def connection(self):
        if self.conn is None:
            self.conn = self.ws.engine.connect()
            self.conn.begin()
        return self.conn

    def recorded(self, path: Path) -> None:
        _step_hook("recorded")
        self.leaving.append(path)
        if len(self.leaving) >= self.SIZE:
            self.commit()

    def commit(self) -> None:
        if self.conn is not None:
            self.conn.commit()
            self.conn.close()
            self.conn = None
        _step_hook("committed")
        for path in self.leaving:
            _remove(path, self.ws.inbox_dir)
        self.leaving.clear()


def _finish(batch: _Batch, exam: Examination, dry_run: bool, now: datetime, known: set[str]) -> FileOutcome:
    ws = batch.ws
    prior = seen_sha256(batch.connection, exam.sha256) if exam.sha256 in known else None
    known.add(exam.sha256)
    if prior and prior["original_name"] == exam.name and prior["inbox_mtime_ns"] == exam.mtime_ns:
        return _resume(ws, exam, prior, dry_run)     # recorded before a crash; only the removal is left
    if prior:
        return _duplicate(batch, exam, prior, dry_run, now)
    if dry_run:
        return _outcome(exam, ACCEPTED if exam.accepted else REJECTED)
    return _accept(batch, exam, now) if exam.accepted else _reject(batch, exam, now)


def _outcome(exam: Examination, outcome: str, **kw: Any) -> FileOutcome:
    return FileOutcome(exam.name, outcome, exam.unit, exam.period, list(exam.report.findings), **kw)


def _stamp(now: datetime, exam: Examination) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S')}_{exam.sha256[:8]}_{Path(exam.name).name}"


def _accept(batch: _Batch, exam: Examination, now: datetime) -> FileOutcome:
    ws = batch.ws
    target = ws.archive_dir / exam.period / safe_name(exam.unit, UNIDENTIFIED) / _stamp(now, exam)
    _copy_atomic(exam.path, target)
    _step_hook("copied")
    submitted_at = min(datetime.fromtimestamp(exam.mtime_ns / 1e9, timezone.utc), now)
    conn, unit_id = batch.connection, exam.template["unit_id"]
    intake_id = _record(conn, ws, exam, ACCEPTED, now, unit_id, stored=target)
    save_submission(conn, intake_id=intake_id, template_id=exam.template["id"], plan_id=exam.template["plan_id"],
                    period=exam.period, unit_id=unit_id, submitted_at=submitted_at, rows=exam.rows,
                    targets=exam.targets)
    batch.recorded(exam.path)
    return _outcome(exam, ACCEPTED, stored=ws.relative(target))


def _reject(batch: _Batch, exam: Examination, now: datetime) -> FileOutcome:
    ws = batch.ws
    target = returns_folder(ws, exam.period) / _stamp(now, exam)
    _copy_atomic(exam.path, target)
    feedback = _write_feedback(ws, exam)
    _step_hook("copied")
    unit_id = (exam.template or {}).get("unit_id")
    _record(batch.connection, ws, exam, REJECTED, now, unit_id, stored=target, feedback=feedback)
    batch.recorded(exam.path)
    return _outcome(exam, REJECTED, stored=ws.relative(target), feedback=ws.relative(feedback))


def returns_folder(ws: Workspace, period: str | None) -> Path:
    """Where rejected files of a period and their feedback go."""
    return ws.outbox_dir / "returns" / (period or UNIDENTIFIED)


def feedback_path(ws: Workspace, period: str | None, unit_or_file: str) -> Path:
    """The feedback workbook for a unit (or, unidentified, for a file): ``<unit>_退回.xlsx``."""
    return returns_folder(ws, period) / f"{safe_name(unit_or_file, UNIDENTIFIED)}_退回.xlsx"


def _write_feedback(ws: Workspace, exam: Examination) -> Path:
    path = feedback_path(ws, exam.period, exam.unit or Path(exam.name).stem)
    if exam.feedback_spec is None:
        return write_problem_list(path, exam.unit or Path(exam.name).name, exam.report.findings)
    with atomic_output(path) as tmp:
        write_template(exam.feedback_spec, tmp)
    return path


def _duplicate(batch: _Batch, exam: Examination, prior: dict, dry_run: bool, now: datetime) -> FileOutcome:
    when = prior["received_at"].strftime("%Y-%m-%d %H:%M") if prior.get("received_at") else ""
    note = Finding("file-duplicate", "warning", f"与 {when} 收到的“{prior['original_name']}”内容完全相同，按重复报送处理，未重复入库", value=exam.name)
    exam.report.findings[:] = [note]
    if dry_run:
        return _outcome(exam, DUPLICATE)
    ws = batch.ws
    target = ws.archive_dir / "duplicates" / now.strftime("%Y-%m") / _stamp(now, exam)
    _copy_atomic(exam.path, target)
    _record(batch.connection, ws, exam, DUPLICATE, now, prior.get("unit_id"), stored=target,
            period=prior.get("period"), template_id=prior.get("template_id"))
    batch.recorded(exam.path)
    return _outcome(exam, DUPLICATE, stored=ws.relative(target))


def _resume(ws: Workspace, exam: Examination, prior: dict, dry_run: bool) -> FileOutcome:
    if not dry_run:
        _remove(exam.path, ws.inbox_dir)
    return FileOutcome(exam.name, prior["outcome"], exam.unit, exam.period, [], prior.get("stored_path"), prior.get("feedback_path"))


def _record(conn, ws: Workspace, exam: Examination, outcome: str, now: datetime, unit_id, *, stored: Path,
            feedback: Path | None = None, period: str | None = None, template_id: str | None = None) -> int:
    findings = exam.report.findings
    return record_intake(
        conn, sha256=exam.sha256, size=exam.size, original_name=exam.name, inbox_mtime_ns=exam.mtime_ns,
        received_at=now, outcome=outcome, period=period or exam.period, unit_id=unit_id,
        template_id=template_id or (exam.template or {}).get("id"), stored_path=ws.relative(stored),
        feedback_path=ws.relative(feedback) if feedback else None,
        errors=sum(1 for f in findings if f.severity == ERROR),
        warnings=sum(1 for f in findings if f.severity != ERROR), findings=[f.to_dict() for f in findings])


_made_dirs: set[Path] = set()      # destination folders known to exist during this run


def _copy_atomic(source: Path, target: Path) -> None:
    """Put a copy of ``source`` at ``target``, the source staying where it is.

    A hard link costs no copying; across file systems (or where links are not supported) the
    bytes are copied to a temporary name, flushed and renamed into place.
    """
    if target.parent not in _made_dirs:
        target.parent.mkdir(parents=True, exist_ok=True)
        _made_dirs.add(target.parent)
    try:
        os.link(source, target)
        return
    except FileExistsError:          # left by a run that crashed before recording: replace it
        target.unlink()
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    except OSError:
        pass
    tmp = target.with_name(f".tmp-{target.name}")
    shutil.copyfile(source, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def _remove(path: Path, inbox: Path) -> None:
    """Take a recorded file out of the inbox. One held open elsewhere (Windows refuses) stays;
    its outcome is recorded, so the next run only removes it."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except PermissionError:
        return
    _prune_empty_dirs(path.parent, inbox)


def _prune_empty_dirs(folder: Path, inbox: Path) -> None:
    """Remove sub-folders of the inbox a file came in, once empty (never the inbox itself)."""
    while folder != inbox and inbox in folder.parents and not any(folder.iterdir()):
        try:
            folder.rmdir()
        except OSError:          # someone is using the folder: leave it
            return
        folder = folder.parent
