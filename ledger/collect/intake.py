"""``collect``: every file in inbox/ ends in exactly one recorded outcome, and leaves the inbox.

Order of work for a file, so that a crash at any point loses and duplicates nothing:
1. examine it (read only; in worker processes when there are many files);
2. link or copy it to its destination (archive/ or outbox/returns/), named from the file itself
   (sha256 and original name) so that a rerun reuses the copy; write any feedback;
3. record its outcome (the ``intake`` table is the per-file log: sha256, size, original name,
   findings) and, for an accepted file, the submission, in a transaction shared by a batch of files
   together with the run's entry in the work log;
4. sync the destination folders, commit durably, then remove the batch's files from inbox/.
A crash before 4 leaves the files in the inbox with nothing stored (and copies a rerun reuses); a
crash during 4 is recognised on the next run (same name, mtime and sha256 already recorded, whatever
the outcome) and only the removal is redone. Half-written temporaries are swept at the start of a run.

A file ledger cannot handle because of its own fault (an error of ours while judging it, a copy
that fails) is "held": it stays in the inbox, nothing is stored for it, the traceback goes to the
work log, and the office is told; the run goes on with the other files. Entries that are not
regular files (links, FIFOs, ...) are never read and are held too.

Workspaces sharing a server database (``ledger.store.guard``): the batch transaction first takes
the database's intake lock, and the duplicate check is made inside it for every file, so a file
another workspace took in moments ago is a duplicate here. The database itself keeps one current
submission per unit and period; a writer that skipped the lock and won that race makes our file
its duplicate (the recording is undone in a savepoint), never a crash.

A month the office locks (``ledger.period_lock``) while a run is under way (``ledger serve`` collects
in the background while the office clicks 锁定): examination refuses a file for a locked month, but a
file examined before the lock may be recorded after it. So the lock is asked again in the
transaction that records the file (``_Batch.lock_of``), and such a file is refused just as
examination refuses one.
"""

from __future__ import annotations

import os
import traceback
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ledger.collect.examine import Examination, examine, fingerprint, reset_caches, unreadable
from ledger.collect import late
from ledger.collect import placement
from ledger.collect.names import display_name, person_name
from ledger.collect.placement import feedback_path
from ledger.collect.scan import scan_inbox
from ledger.durable import fsync_file, sweep_temporaries, sync_folders
from ledger.errors import DatabaseError, LedgerError, os_reason
from ledger import codes
from ledger.findings import ERROR, Finding
from ledger.localtime import local_text
from ledger.period_lock import LockState, locked, locked_finding
from ledger.progress import Progress, report
from ledger import layout
from ledger.store import escalations, events
from ledger.store import schema as s
from ledger.store.links import attach_outcome, waiting_uploads
from ledger.store.guard import file_savepoint, hold_period_locks, is_server, lock_intake, store_once
from ledger.store.submissions import (durable_commits, known_sha256, record_intake, recorded_instance,
                                      save_submission, seen_sha256)
from ledger.workers import fewer_collections, worker_pool
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output

ACCEPTED, REJECTED, DUPLICATE, PENDING, HELD = "accepted", "rejected", "duplicate", "pending", "held"
OUTCOME_LABELS = {ACCEPTED: "已接收", REJECTED: "已退回", DUPLICATE: "重复报送", PENDING: "等待写入完成",
                  HELD: "需督查室处理"}
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
    resumed: bool = False           # recorded by an earlier run that stopped before removing it
    left_in_inbox: bool = False     # recorded, but could not be removed (held open elsewhere)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if not f.is_error)

    def to_dict(self) -> dict[str, Any]:
        return {"file": display_name(self.file), "outcome": self.outcome, "unit": self.unit, "period": self.period,
                "errors": self.errors, "warnings": self.warnings, "stored": self.stored,
                "feedback": self.feedback, "resumed": self.resumed, "left_in_inbox": self.left_in_inbox,
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class CollectResult:
    files: list[FileOutcome]
    dry_run: bool = False

    @property
    def totals(self) -> dict[str, int]:
        """New outcomes by kind; files an earlier run recorded and this one only removed are ``resumed``."""
        counts = {k: 0 for k in (ACCEPTED, REJECTED, DUPLICATE, PENDING, HELD)}
        counts["resumed"] = 0
        for f in self.files:
            counts["resumed" if f.resumed else f.outcome] += 1
        return counts

    @property
    def needs_attention(self) -> list[FileOutcome]:
        """Files the office must look at: held ones, and recorded ones that could not leave the inbox."""
        return [f for f in self.files if f.outcome == HELD or f.left_in_inbox]

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "totals": self.totals, "needs_attention": len(self.needs_attention),
                "files": [f.to_dict() for f in self.files]}


# Test hook: called with a step name between the steps of finishing a file (crash injection).
_step_hook: Callable[[str], None] = lambda step: None


def collect_inbox(ws: Workspace, dry_run: bool = False, command: str = "collect",
                  now: datetime | None = None, workers: int | None = None,
                  progress: Progress = None) -> CollectResult:
    """Give every settled file in the inbox its one outcome (or, with dry_run, report it only).

    ``progress(done, total)`` is told as each settled file gets its outcome.
    """
    now = now or datetime.now(timezone.utc)
    reset_caches()
    placement.made_dirs.clear()
    with ws.lock(), fewer_collections():
        if not dry_run:
            for folder in (ws.archive_dir, ws.outbox_dir / "returns"):
                sweep_temporaries(folder)
        # Files units uploaded through their links are whole when they appear: no settle time. Each
        # is recorded before it enters the inbox, so reading the records again after the scan binds
        # every upload the scan found, even one that arrived in between.
        settled = frozenset(waiting_uploads(ws.engine))
        scan = scan_inbox(ws.inbox_dir, ws.settings.collect.settle_seconds, now, settled)
        bound = waiting_uploads(ws.engine) if scan.ready else {}
        outcomes = [FileOutcome(name, PENDING) for name in scan.pending]
        outcomes += [_refused(r.name, r.reason) for r in scan.refused]
        known = known_sha256(ws.engine) if scan.ready else set()
        with _Batch(ws, command, dry_run, outcomes) as batch:
            ready = sorted(scan.ready, key=lambda entry: bound[entry[1]]["id"] if entry[1] in bound else 0)   # uploads in the order received
            for done, exam in enumerate(_examine_all(ws, ready, workers), start=1):
                exam.upload = _bound_upload(bound, exam)
                batch.add(_finish_safely(batch, exam, dry_run, now, known))
                report(progress, done, len(scan.ready))
    return CollectResult(outcomes, dry_run)


def _bound_upload(bound: dict[str, dict], exam: Examination) -> dict | None:
    """The upload a file is bound to: the same name and the same bytes (a file someone replaced in
    the inbox since is not the unit's upload)."""
    upload = bound.get(exam.name)
    return upload if upload is not None and upload["sha256"] == exam.sha256 else None


def _refused(name: str, reason: str) -> FileOutcome:
    finding = codes.ENTRY_NOT_FILE.finding(name=name, reason=reason, value=name)
    return FileOutcome(name, HELD, findings=[finding])


def summary(outcomes: list[FileOutcome]) -> str:
    """One line for the work log: what this run recorded, apart from what it finished for an earlier run."""
    t = CollectResult(outcomes).totals
    text = f"接收 {t[ACCEPTED]} 个，退回 {t[REJECTED]} 个，重复 {t[DUPLICATE]} 个"
    if t["resumed"]:
        text += f"；完成上次中断的收尾 {t['resumed']} 个（此前已记录，不重复计入）"
    if t[HELD]:
        text += f"；需督查室处理 {t[HELD]} 个"
    return text


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

    The run's entry in the work log is written (and then rewritten) in the same transactions, so
    the log shows exactly what was recorded, even when a run stops half-way. A crash before the
    commit leaves every file of the batch in the inbox with nothing stored.
    """

    SIZE = 64

    def __init__(self, ws: Workspace, command: str, dry_run: bool, outcomes: list[FileOutcome]) -> None:
        self.ws, self.command, self.dry_run, self.outcomes = ws, command, dry_run, outcomes
        self.conn = None
        self._durable = None
        self.leaving: list[list] = []          # [path, its outcome] of files recorded in this batch
        self.placed: list[Path] = []           # copies and feedback made for the file being finished
        self.touched: set[Path] = set()        # folders a file was linked or renamed into
        self.event_id: int | None = None
        self.listed: list[list[str]] = []      # the work log entry's files: one per outcome not pending
        self.scanned = 0                       # outcomes looked at for ``listed``
        self.logged = 0                        # files the work log entry covers
        self.earlier = late.Earlier(shared=is_server(ws.engine))    # units with a submission, by period
        self.locks: dict[str, LockState | None] = {}    # periods' lock state, as the open transaction read it

    def __enter__(self) -> "_Batch":
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.commit()
        elif self.conn is not None:
            self._close(commit=False)

    @property
    def connection(self):
        if self.conn is None:
            self.conn = self.ws.engine.connect()
            self._durable = durable_commits(self.conn)
            self._durable.__enter__()
            lock_intake(self.conn)       # a server shared by workspaces: one intake transaction at a time
            hold_period_locks(self.conn)
        return self.conn

    def lock_of(self, period: str) -> LockState | None:
        """Whether ``period`` is locked now, read once a transaction: the lock cannot change before
        the transaction ends. On SQLite the transaction holds the write lock from its start (begun
        IMMEDIATE by ``file_savepoint``, which every recording runs in), so a lock written elsewhere
        was committed before our read or waits for our commit; on PostgreSQL ``hold_period_locks``
        does the same. Cleared when the transaction ends (``_close``)."""
        if period not in self.locks:
            self.locks[period] = locked(self.connection, period)
        return self.locks[period]

    def recorded(self, path: Path) -> None:
        _step_hook("recorded")
        self.leaving.append([path, None])

    def add(self, outcome: FileOutcome) -> None:
        """A file's outcome is known (and recorded, if it leaves the inbox); commit a full batch."""
        self.outcomes.append(outcome)
        if self.leaving and self.leaving[-1][1] is None:
            self.leaving[-1][1] = outcome
        if len(self.leaving) >= self.SIZE:
            self.commit()

    def fault(self, outcome: FileOutcome, trace: str | None) -> None:
        """Put a held file's reason and traceback in the work log (with the batch)."""
        if not self.dry_run:
            reason = outcome.findings[0].message if outcome.findings else ""
            events.record(self.connection, self.command, "collect-fault", f"{outcome.file}：{reason}",
                          {"file": outcome.file, "reason": reason, "traceback": trace})

    def commit(self) -> None:
        self._log_run()
        if self.conn is not None:
            sync_folders(self.touched)           # the copies are on the disk before their records
            self.touched.clear()
            _step_hook("synced")
            self._close(commit=True)
        _step_hook("committed")
        for path, outcome in self.leaving:
            if not placement.leave_inbox(path, self.ws.inbox_dir) and outcome is not None:
                outcome.left_in_inbox = True
            _step_hook("removed")
        self.leaving.clear()

    def _close(self, commit: bool) -> None:
        try:
            self.conn.commit() if commit else self.conn.rollback()
            self._durable.__exit__(None, None, None)
        finally:
            self.conn.close()
            self.conn = self._durable = None
            self.locks.clear()

    def _log_run(self) -> None:
        """Write or update this run's work log entry when there is something new to say. The list of
        files grows by the outcomes added since the last time (a run rewrites its entry every batch)."""
        if self.dry_run:
            return
        self.listed += [[display_name(f.file), f.outcome, *(["resumed"] if f.resumed else [])]
                        for f in self.outcomes[self.scanned:] if f.outcome != PENDING]
        self.scanned = len(self.outcomes)
        if len(self.listed) == self.logged:
            return
        detail = {**CollectResult(self.outcomes).totals, "files": self.listed}
        if self.event_id is None:
            self.event_id = events.record(self.connection, self.command, "collect", summary(self.outcomes), detail)
        else:
            events.update(self.connection, self.event_id, summary(self.outcomes), detail)
        self.logged = len(self.listed)


RECORDING_FAULT = "记录本文件的结果时程序出错（不是报送单位的问题）"


class _Held(Exception):
    """A file could not be handled because of something other than its content; it stays in the inbox."""

    def __init__(self, reason: str, trace: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.trace = reason, trace


def _finish_safely(batch: _Batch, exam: Examination, dry_run: bool, now: datetime, known: set[str]) -> FileOutcome:
    """The file's outcome; a fault of ours (or of the disk) holds the file for the office instead."""
    if exam.fault:
        return _hold(batch, exam, exam.fault, exam.trace)
    if dry_run:
        try:
            return _finish(batch, exam, dry_run, now, known)
        except _Held as held:
            return _hold(batch, exam, held.reason, held.trace)
    leaving, batch.placed = len(batch.leaving), []
    try:
        with file_savepoint(batch.connection):
            return _finish(batch, exam, dry_run, now, known)
    except _Held as held:
        reason, trace = held.reason, held.trace
    except DatabaseError:
        raise                       # the database itself failed: every file waits for the next run
    except Exception as exc:  # noqa: BLE001 - recording this file failed: a fault of ours, not the file's
        reason, trace = RECORDING_FAULT, "".join(traceback.format_exception(exc))
    # What this file wrote to the database is undone with its savepoint; undo its copies too.
    for path in batch.placed:
        path.unlink(missing_ok=True)
    del batch.leaving[leaving:]
    known.discard(exam.sha256)
    return _hold(batch, exam, reason, trace)


def _hold(batch: _Batch, exam: Examination, reason: str, trace: str | None) -> FileOutcome:
    held = codes.FILE_HELD.finding(reason=reason, value=display_name(exam.name))
    outcome = FileOutcome(exam.name, HELD, exam.unit, exam.period, [held])
    batch.fault(outcome, trace)
    return outcome


def _finish(batch: _Batch, exam: Examination, dry_run: bool, now: datetime, known: set[str]) -> FileOutcome:
    ws = batch.ws
    if exam.sha256 in known or is_server(ws.engine):    # on a shared server, another workspace may know it
        mine = recorded_instance(batch.connection, exam.sha256, exam.name, exam.mtime_ns)
        if mine:
            return _resume(ws, exam, mine, dry_run)     # recorded before a crash; only the removal is left
        prior = seen_sha256(batch.connection, exam.sha256)
        if prior:
            known.add(exam.sha256)
            return _duplicate(batch, exam, prior, dry_run, now)
    known.add(exam.sha256)
    # A month locked since examination refuses the file first, as examination itself would have.
    locked_meanwhile = not dry_run and exam.accepted and _locked_meanwhile(batch, exam)
    if exam.upload and exam.template and exam.template["unit_id"] != exam.upload["unit_id"]:
        _other_units_workbook(batch, exam, dry_run)
    if dry_run:
        return _outcome(exam, ACCEPTED if exam.accepted else REJECTED)
    if locked_meanwhile or not exam.accepted:
        return _reject(batch, exam, now)
    verdict = _late_verdict(batch, exam, now)       # a month already reported: ledger.collect.late
    if verdict.kind == late.SAME:
        return _duplicate(batch, exam, late.earlier_intake(batch.connection, verdict), False, now, note=verdict.finding)
    if verdict.finding is not None:
        exam.report.add(verdict.finding)
    if verdict.kind == late.REFUSE:
        return _reject(batch, exam, now)
    return _accept(batch, exam, now, verdict)


def _locked_meanwhile(batch: _Batch, exam: Examination) -> bool:
    """Whether the office locked the file's month since it was examined; if so the file is refused
    as examination refuses a file for a locked month (``examine._period_locked``): that one finding,
    nothing of the workbook kept, so its feedback is the problem list. Asked before anything of it
    is stored, a late correction included."""
    state = batch.lock_of(exam.period)
    if state is None:
        return False
    exam.refuse(locked_finding(state, batch.ws.settings))
    return True


def _late_verdict(batch: _Batch, exam: Examination, now: datetime) -> late.Verdict:
    return late.judge(batch.connection, batch.ws.settings, period=exam.period, unit_id=exam.template["unit_id"],
                      arrived=_arrival(exam, now), rows=exam.rows, targets=exam.targets, name=display_name(exam.name),
                      known=batch.earlier)


def _arrival(exam: Examination, now: datetime) -> datetime:
    """When the file came: an upload's recorded receipt (exact), else the file's time in inbox/."""
    if exam.upload is not None:
        return exam.upload["received_at"]
    return min(datetime.fromtimestamp(exam.mtime_ns / 1e9, timezone.utc), now)


def _other_units_workbook(batch: _Batch, exam: Examination, dry_run: bool) -> None:
    """A workbook of another unit uploaded with this unit's link: refused, logged, and told to the
    uploader in its own name (nothing of the other unit's is stored, or shown on its page)."""
    other, uploader = exam.unit, exam.upload["unit"]
    exam.refuse(codes.UPLOAD_OTHER_UNIT.finding(other=other, uploader=uploader, value=display_name(exam.name)))
    exam.unit = uploader
    if not dry_run:
        events.record(batch.connection, batch.command, "upload-other-unit",
                      f"{uploader}通过本单位链接上传了“{other}”的工作簿，已拒收",
                      {"uploader": uploader, "workbook_unit": other, "file": display_name(exam.name)})


def _outcome(exam: Examination, outcome: str, **kw: Any) -> FileOutcome:
    return FileOutcome(exam.name, outcome, exam.unit, exam.period, list(exam.report.findings), **kw)


def _accept(batch: _Batch, exam: Examination, now: datetime, verdict: late.Verdict | None = None) -> FileOutcome:
    ws = batch.ws
    target = placement.archived(ws, exam.period, exam.unit, exam.sha256, exam.name)
    _place(batch, exam, target)
    _step_hook("copied")
    conn = batch.connection
    first = not batch.earlier.may_have(conn, exam.period, exam.template["unit_id"])
    for _ in range(2):
        if store_once(conn, lambda: _store_accepted(conn, ws, exam, now, target, verdict, first)) is not None:
            batch.earlier.add(exam.period, exam.template["unit_id"])
            _answer_notices(batch, exam, now)
            batch.recorded(exam.path)
            return _outcome(exam, ACCEPTED, stored=ws.relative(target))
        # Another writer stored a current submission of this unit and period after our check (a
        # workspace sharing the database without its intake lock): the same bytes are its duplicate,
        # a different file supersedes it on the second attempt.
        prior = seen_sha256(conn, exam.sha256)
        if prior:
            target.unlink(missing_ok=True)
            return _duplicate(batch, exam, prior, False, now)
        first = False
    target.unlink(missing_ok=True)
    raise _Held("另一个工作区正同时收取该单位本月的报送，本文件暂未入库")


def _answer_notices(batch: _Batch, exam: Examination, now: datetime) -> None:
    """What the unit wrote in its template's 督办反馈 column becomes its reply to its 督办单 awaiting
    one (``store.escalations.reply_from_ledger``), recorded with the file."""
    key = layout.NOTICE_REPLY.key
    texts = {row["item_id"]: row["extra"][key] for row in exam.rows
             if row.get("extra") and isinstance(row["extra"].get(key), str) and row["extra"][key].strip()}
    if not texts:
        return
    conn = batch.connection
    numbers = dict(conn.execute(sa.select(s.items.c.id, s.items.c.number).where(s.items.c.id.in_(list(texts)))).all())
    unit_id = (exam.upload or exam.template)["unit_id"]
    answered = escalations.reply_from_ledger(conn, unit_id, {numbers.get(i, "?"): text.strip() for i, text in texts.items()}, now)
    for notice_id in answered:
        events.record(conn, batch.command, "escalation-reply", f"{exam.unit}在台账“督办反馈”栏反馈督办单",
                      {"id": notice_id, "file": display_name(exam.name)})


def _store_accepted(conn, ws: Workspace, exam: Examination, now: datetime, target: Path,
                    verdict: late.Verdict | None = None, first: bool = False) -> int:
    """Record an accepted file and its submission (a late correction as its verdict says); return
    the submission's id."""
    submitted_at = _arrival(exam, now)
    unit_id = exam.template["unit_id"]
    intake_id = _record(conn, ws, exam, ACCEPTED, now, unit_id, stored=target)
    correction = late.correction_of(verdict)
    return save_submission(conn, intake_id=intake_id, template_id=exam.template["id"],
                           plan_id=exam.template["plan_id"], period=exam.period, unit_id=unit_id,
                           submitted_at=submitted_at, rows=exam.rows, targets=exam.targets, **correction,
                           latest_wins=exam.upload is not None, first=first)


def _reject(batch: _Batch, exam: Examination, now: datetime) -> FileOutcome:
    ws = batch.ws
    target = placement.returned(ws, exam.period, exam.sha256, exam.name)
    feedback = _place(batch, exam, target, with_feedback=True)
    _step_hook("copied")
    unit_id = (exam.template or {}).get("unit_id")
    _record(batch.connection, ws, exam, REJECTED, now, unit_id, stored=target, feedback=feedback)
    batch.recorded(exam.path)
    return _outcome(exam, REJECTED, stored=ws.relative(target), feedback=ws.relative(feedback))


def _place(batch: _Batch, exam: Examination, target: Path, with_feedback: bool = False) -> Path | None:
    """Copy the file to ``target`` (and write its feedback); on failure undo the new copy and hold the file."""
    made = False
    try:
        made = placement.copy_into(exam.path, target)
        if made:
            batch.placed.append(target)
        batch.touched.add(target.parent)
        if not with_feedback:
            return None
        feedback = _write_feedback(batch.ws, exam)
        batch.placed.append(feedback)
        fsync_file(feedback)
        batch.touched.add(feedback.parent)
        return feedback
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - any failure here is ours or the disk's, never the file's
        if made:
            target.unlink(missing_ok=True)
        raise _Held(_place_reason(exc), "".join(traceback.format_exception(exc))) from None


def _place_reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"无法保存文件副本或退回意见：{os_reason(exc)}"
    if isinstance(exc, LedgerError):
        return str(exc)
    return f"保存文件副本或退回意见时程序内部错误（{type(exc).__name__}）"


def _write_feedback(ws: Workspace, exam: Examination) -> Path:
    # Imported here: the workbook writers are needed for returned files only, and cost a run that
    # accepts everything a tenth of its start-up.
    from ledger.collect.feedback import problem_sheet, write_problem_list
    from ledger.template.writer import write_template

    path = feedback_path(ws, exam.period, exam.unit or Path(exam.name).stem)
    if exam.feedback_spec is None:
        return write_problem_list(path, exam.unit or Path(exam.name).name, exam.report.findings)
    with atomic_output(path) as tmp:
        write_template(exam.feedback_spec, tmp, front=problem_sheet)
    return path


def _duplicate(batch: _Batch, exam: Examination, prior: dict, dry_run: bool, now: datetime,
               note: Finding | None = None) -> FileOutcome:
    when = local_text(prior.get("received_at"), ZoneInfo(batch.ws.settings.office.timezone))    # as the office reads it
    feedback = prior.get("feedback_path") if prior["outcome"] == REJECTED else None
    before, name = person_name(prior["original_name"]), person_name(exam.name)
    if note is None and feedback:
        note = codes.FILE_REJECTED_BEFORE.finding(received=when, original_name=before, feedback=feedback, value=name)
    elif note is None:              # given: the same values in other bytes (ledger.collect.late)
        note = codes.FILE_DUPLICATE.finding(received=when, original_name=before, value=name)
    exam.report.findings[:] = [note]
    if dry_run:
        return _outcome(exam, DUPLICATE, feedback=feedback)
    ws = batch.ws
    target = placement.duplicate(ws, now, exam.sha256, exam.name)
    _place(batch, exam, target)
    _record(batch.connection, ws, exam, DUPLICATE, now, prior.get("unit_id"), stored=target,
            period=prior.get("period"), template_id=prior.get("template_id"))
    batch.recorded(exam.path)
    return _outcome(exam, DUPLICATE, stored=ws.relative(target), feedback=feedback)


def _resume(ws: Workspace, exam: Examination, prior: dict, dry_run: bool) -> FileOutcome:
    """A file an earlier run recorded but could not remove: remove it now; nothing is recorded again."""
    left = False if dry_run else not placement.leave_inbox(exam.path, ws.inbox_dir)
    return FileOutcome(exam.name, prior["outcome"], exam.unit, exam.period, [], prior.get("stored_path"),
                       prior.get("feedback_path"), resumed=True, left_in_inbox=left)


def _record(conn, ws: Workspace, exam: Examination, outcome: str, now: datetime, unit_id, *, stored: Path,
            feedback: Path | None = None, period: str | None = None, template_id: str | None = None) -> int:
    findings = exam.report.findings
    if exam.upload:                 # an upload is the uploading unit's, whatever it holds
        unit_id = exam.upload["unit_id"]
    intake_id = record_intake(
        conn, sha256=exam.sha256, size=exam.size, original_name=exam.name, inbox_mtime_ns=exam.mtime_ns,
        received_at=now, outcome=outcome, period=period or exam.period, unit_id=unit_id,
        template_id=template_id or (exam.template or {}).get("id"), stored_path=ws.relative(stored),
        feedback_path=ws.relative(feedback) if feedback else None,
        errors=sum(1 for f in findings if f.severity == ERROR),
        warnings=sum(1 for f in findings if f.severity != ERROR), findings=[f.to_dict() for f in findings])
    if exam.upload:
        attach_outcome(conn, exam.upload["id"], intake_id)
    return intake_id
