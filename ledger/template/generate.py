"""Generate a period's templates: one workbook per unit, a distribution list, written atomically.

Workbooks are written in worker processes when there are many, so both cores are used.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Callable

import sqlalchemy as sa

from ledger import layout
from ledger.durable import OLD_PREFIX, TEMP_PREFIX, fsync_dir, fsync_file, sweep_temporaries
from ledger.errors import LedgerError, OutputError, PlanImportError, UnitNotFoundError, os_reason
from ledger.kinds import kind_of
from ledger.period import check_period, current_period, deadline, label
from ledger.progress import Progress, report
from ledger.store import events
from ledger.store import schema
from ledger.store.plans import StoredPlan, load_plan, unit_ids
from ledger.store.types import _now
from ledger.plan.model import LEAD
from ledger.store.submissions import Carried, carried_leads, carried_values, record_templates
from ledger.template.identity import Identity
from ledger.template.roster import MANIFEST_NAME, safe_file_name, write_manifest
from ledger.template.rows import TargetRow, TemplateRow, all_unit_rows, all_unit_targets, rows_digest, unit_counts
from ledger.template.writer import TemplateSpec, write_template
from ledger.settings import Settings
from ledger.workers import worker_pool
from ledger.workspace import Workspace
from ledger.xlsx import umask, writing

CONTACT_KEYS = tuple(k for k in ("person", "phone") if k in layout.BY_KEY)   # a unit's own, never another's
PARALLEL_FROM = 24          # below this many workbooks one process is faster than starting workers


@dataclass
class GeneratedFile:
    unit: str
    path: Path
    lead: int
    support: int
    carried_from: str | None = None


@dataclass
class GenerateResult:
    period: str
    plan_version: int
    folder: Path
    manifest: Path
    files: list[GeneratedFile]
    skipped_collective: list[str] = field(default_factory=list)


def generate_templates(ws: Workspace, period: str | None = None, units: list[str] | None = None,
                       workers: int | None = None, command: str = "templates",
                       progress: Progress = None) -> GenerateResult:
    """Write the period's templates for every unit of the current plan (or the named ones).

    ``progress(done, total)`` is told as workbooks are written (total: the units).
    """
    period = check_period(period) if period else current_period(ws.settings.office.timezone)
    plan = load_plan(ws.engine)
    counts = unit_counts(plan)
    chosen, collective = _choose_units(ws, plan, counts, units)
    carried = carried_values(ws.engine, chosen, before=period)
    from ledger.signoff import signed_off

    closed = signed_off(ws.engine)
    leads = carried_leads(ws.engine, before=period)
    folder = ws.templates_dir / period
    with ws.lock():
        recover_templates(ws.templates_dir)
        run = _Run(ws.settings, plan, period, carried, leads=leads, signed_off=closed, replying=_replying(ws))
        made = _write_all(ws, folder, run, chosen, counts, partial=bool(units), workers=workers, command=command,
                           progress=progress)
    files = [GeneratedFile(m.identity.unit, folder / m.file_name, *counts[m.identity.unit], m.carried_from)
             for m in made]
    return GenerateResult(period, plan.version, folder, folder / MANIFEST_NAME, files, collective)


def _replying(ws: Workspace) -> frozenset[str]:
    """The units holding a 督办单 that awaits their reply, whatever its month."""
    from ledger.store.escalations import OPEN, notices

    return frozenset(n["unit"] for n in notices(ws.engine, open_only=True) if n["state"] == OPEN)


def _choose_units(ws: Workspace, plan: StoredPlan, counts: dict, named: list[str] | None) -> tuple[list[str], list[str]]:
    from ledger.store.plans import collective_units

    collective = collective_units(ws.engine) & set(counts)
    if not counts:
        raise PlanImportError("当前计划中没有任何责任单位：请先导出计划分解表补充单位，再用 ledger plan load 导回")
    if not named:
        return [u for u in counts if u not in collective], [u for u in counts if u in collective]
    chosen = []
    for name in named:
        unit = "".join(name.split())
        unit = ws.settings.units.aliases.get(unit, unit)
        if unit not in counts:
            hint = [u for u in counts if unit in u or u in unit][:3]
            more = f"，是否指：{'、'.join(hint)}" if hint else "，可用 ledger plan show 查看全部单位"
            raise UnitNotFoundError(f"单位“{name}”不在第 {plan.version} 版计划的责任单位中{more}")
        chosen.append(unit)
    return chosen, []


def _spec(settings: Settings, plan: StoredPlan, period: str, unit: str, rows: list[TemplateRow],
          targets: list[TargetRow], carried: Carried | None, leads: Carried | None = None) -> TemplateSpec:
    identities = {i.id: i.identity for i in plan.items}
    if carried:
        _apply_carried(rows, carried, identities, settings.templates.carry_progress, settings.office_columns)
        _apply_carried_targets(targets, carried, same_year=carried.period[:4] == period[:4])
    if leads:           # an item this unit leads since: its former lead's last values, not its contacts
        fresh = [r for r in rows if r.role == LEAD and not r.carried and not r.note]
        _apply_carried(fresh, leads, identities, settings.templates.carry_progress, settings.office_columns)
        for row in fresh:
            for key in CONTACT_KEYS:
                row.carried.pop(key, None)
        carried = carried or (leads if any(r.carried or r.note for r in fresh) else None)
    identity = Identity(
        template_id=uuid.uuid4().hex, plan_version=str(plan.version), period=period, unit=unit,
        layout_version=layout.LAYOUT_VERSION, digest=rows_digest(rows, targets))
    return spec_for(settings, plan.title, identity, rows, carried.period if carried else None, targets)


def spec_for(settings: Settings, plan_title: str, identity: Identity, rows: list[TemplateRow],
             carried_from: str | None = None, targets: list[TargetRow] | None = None,
             office_columns: tuple[layout.Column, ...] | None = None) -> TemplateSpec:
    """The writer's input for an identity and its rows, with the office's settings (and the office
    columns it was issued with, for a template issued before)."""
    office = settings.office
    return TemplateSpec(
        identity=identity, plan_title=plan_title, unit=identity.unit, period=identity.period,
        deadline=deadline(identity.period, office.deadline_day), office_name=office.name,
        office_contact=office.contact, office_phone=office.phone,
        statuses=list(settings.templates.statuses), vocabulary=settings.vocabulary, password=settings.templates.password,
        rows=rows, carried_from=carried_from, targets=list(targets or []),
        office_columns=settings.office_columns if office_columns is None else office_columns)


def record_identity(record: dict) -> Identity:
    """The identity of an issued template, from its record in the store."""
    return Identity(record["id"], str(record["plan_version"]), record["period"], record["unit"],
                    record["layout_version"], record["digest"])


def _apply_carried(rows: list[TemplateRow], carried: Carried, identities: dict[int, int],
                   carry_progress: bool, office: tuple[layout.Column, ...] = ()) -> None:
    """Last accepted values of the same item (by its identity, never its number) in the same role."""
    for row in rows:
        values = carried.values.get((identities[row.item_id], row.role))
        if not values:
            continue
        row.carried = {c.key: values.get(c.key) for c in layout.INPUT_COLUMNS if c.carry or carry_progress}
        row.carried |= {c.key: kind_of(c).shown(values[c.key]) for c in office if values.get(c.key) is not None}
        if not carry_progress and values.get("progress"):
            row.note = f"{label(carried.period)}进展：{values['progress']}"


def _apply_carried_targets(targets: list[TargetRow], carried: Carried, same_year: bool) -> None:
    """Last accepted 指标 values of the same target; a cumulative value never crosses a year."""
    for target in targets:
        values = target.carried_from(carried.targets)
        if not values:
            continue
        target.carried = {c.key: values.get(c.key) for c in layout.TARGET_INPUT_COLUMNS
                          if c.key != "achieved" or same_year}


@dataclass
class _Run:
    """What writing a period's workbooks needs, set once in each worker process (inherited where
    processes fork, pickled once per worker where they spawn)."""

    settings: Settings
    plan: StoredPlan
    period: str
    carried: dict[str, Carried]
    staging: Path | None = None
    leads: Carried | None = None        # last month's lead rows, whoever reported them
    signed_off: dict[int, datetime] = field(default_factory=dict)   # item lineage -> signed off (ledger.signoff)
    replying: frozenset[str] = frozenset()   # units holding a 督办单 that awaits their reply (ledger.supervise)

    def office_columns(self, unit: str) -> tuple[layout.Column, ...]:
        """The office's columns, and 督办反馈 for a unit that owes a 督办单 its reply."""
        declared = self.settings.office_columns
        if unit in self.replying and all(c.key != layout.NOTICE_REPLY.key for c in declared):
            return (*declared, layout.NOTICE_REPLY)
        return declared


@dataclass
class _Made:
    identity: Identity
    file_name: str
    carried_from: str | None
    office_columns: tuple[layout.Column, ...] = ()


def _write_all(ws: Workspace, folder: Path, run: _Run, units: list[str], counts: dict,
               partial: bool, workers: int | None, command: str, progress: Progress = None) -> list[_Made]:
    """Write the workbooks aside, record them, then put them in place: departments never hold a
    template the database does not know, whatever the moment a run is killed or the database fails."""
    run.staging = _staging_dir(ws.templates_dir, folder.name)
    try:
        made = _write_workbooks(run, units, workers, progress)
        present = {m.file_name for m in made} | ({p.name for p in folder.glob("*.xlsx")} if partial else set())
        write_manifest(run.staging, counts, label(run.period), present=present, period=folder.name)   # swapped in with them
        fsync_dir(run.staging)
        _step_hook("written")
        recorded = _record_all(ws, run, made, command)
        _step_hook("recorded")
        try:
            if partial and folder.is_dir():
                _merge_into(run.staging, folder)
            else:
                _swap_in(run.staging, folder)
        except OutputError:
            try:
                _unrecord(ws, recorded, still_staged={p.name for p in run.staging.iterdir()})
            except LedgerError:
                pass           # records of templates never issued are harmless; the swap's error is the news
            raise
        _step_hook("swapped")
    finally:
        shutil.rmtree(run.staging, ignore_errors=True)
    return made


# Test hook: called with a step name between the steps of issuing templates (crash injection).
_step_hook: Callable[[str], None] = lambda step: None


@dataclass
class _Recorded:
    files: dict[str, str]          # template id -> file name
    event_id: int | None


def _record_all(ws: Workspace, run: _Run, made: list[_Made], command: str) -> _Recorded:
    """Record the templates and the event in one transaction, before any reaches a department."""
    with ws.engine.begin() as conn:
        ids = unit_ids(conn, [m.identity.unit for m in made])
        record_templates(conn, [_record(run.plan, m, ids[m.identity.unit], layout.office_record(m.office_columns))
                                for m in made])
        events.record(conn, command, "templates", f"{label(run.period)}模板 {len(made)} 个",
                      {"period": run.period, "plan_version": run.plan.version, "units": len(made)})
        event_id = conn.execute(sa.select(sa.func.max(schema.events.c.id))).scalar()
    return _Recorded({m.identity.template_id: m.file_name for m in made}, event_id)


def _unrecord(ws: Workspace, recorded: _Recorded, still_staged: set[str]) -> None:
    """Forget the templates that never left the staging folder (their place could not be taken);
    the event goes too when none left it."""
    unissued = [tid for tid, name in recorded.files.items() if name in still_staged]
    with ws.engine.begin() as conn:
        conn.execute(schema.templates.delete().where(schema.templates.c.id.in_(unissued)))
        if recorded.event_id is not None and len(unissued) == len(recorded.files):
            conn.execute(schema.events.delete().where(schema.events.c.id == recorded.event_id))


def recover_templates(templates_dir: Path) -> None:
    """Undo what a killed run left, under the workspace lock: a period folder moved aside but not
    replaced is put back (its templates are all recorded), then unfinished temporaries are removed."""
    if templates_dir.is_dir():
        for entry in sorted(templates_dir.iterdir()):
            match = _MOVED_ASIDE.fullmatch(entry.name)
            if match and entry.is_dir() and not entry.is_symlink():
                folder = templates_dir / match.group(1)
                if not folder.exists():
                    try:
                        os.replace(entry, folder)
                    except OSError:
                        pass           # left for the sweep below, or for the next run
    sweep_temporaries(templates_dir)


_MOVED_ASIDE = re.compile(re.escape(OLD_PREFIX) + r"(\d{4}-\d{2})-[0-9a-f]{8}")


def _staging_dir(parent: Path, period: str) -> Path:
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{period}-", dir=parent))
        os.chmod(staging, 0o777 & ~umask())     # mkdtemp makes it private; the period folder is shared
        return staging
    except OSError as exc:
        raise OutputError(f"无法写入模板文件夹“{parent}”：{os_reason(exc)}") from None


_RUN: _Run | None = None       # the run a worker process writes for


def _lock_signed_off(rows: list[TemplateRow], plan: StoredPlan, closed: dict[int, datetime], settings: Settings) -> None:
    """Rows of items signed off (已销号) are filled and locked: the unit is asked nothing for them,
    and what it returns (已完成, 100) passes validation as it is."""
    if not closed:
        return
    lineage = {i.id: i.identity for i in plan.items}
    zone = ZoneInfo(settings.office.timezone)
    for row in rows:
        when = closed.get(lineage.get(row.item_id))
        if when is not None:
            day = when.astimezone(zone).date()
            row.fixed = {"status": settings.vocabulary.word("done"), "percent": 100,
                         "progress": f"已销号（{day.year}年{day.month}月{day.day}日），本项不再填报。",
                         "problems": "", "next_steps": ""}


def _start_worker(run: _Run) -> None:
    global _RUN
    _RUN = run


def _make(units: list[str], progress: Progress = None) -> list[_Made]:
    """Build the units' rows and specs and write their workbooks into the staging folder."""
    run = _RUN
    rows, targets = all_unit_rows(run.plan, units), all_unit_targets(run.plan, units)
    made = []
    for unit in units:
        spec = _spec(run.settings, run.plan, run.period, unit, rows[unit], targets[unit], run.carried.get(unit),
                     run.leads)
        _lock_signed_off(spec.rows, run.plan, run.signed_off, run.settings)
        spec.office_columns = run.office_columns(unit)
        name = safe_file_name(run.period, unit)
        path = run.staging / name
        with writing(run.staging.parent / run.period / name):
            write_template(spec, path)
            fsync_file(path)
        made.append(_Made(spec.identity, name, spec.carried_from, spec.office_columns))
        report(progress, len(made), len(units))
    return made


def _write_workbooks(run: _Run, units: list[str], workers: int | None, progress: Progress = None) -> list[_Made]:
    """Every unit's workbook; in worker processes (both cores) when there are many."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(units) < PARALLEL_FROM:
        _start_worker(run)
        return _make(units, progress)
    size = max(1, len(units) // (workers * 8))
    chunks = [units[i:i + size] for i in range(0, len(units), size)]
    pool = worker_pool(workers, initializer=_start_worker, initargs=(run,))
    try:
        made: list[_Made] = []
        for done in pool.map(_make, chunks):
            made += done
            report(progress, len(made), len(units))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)   # Ctrl-C or a failure: drop the chunks not started
        raise
    pool.shutdown()
    return made


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace the period folder by the staged one with two renames."""
    old = folder.with_name(f"{OLD_PREFIX}{folder.name}-{uuid.uuid4().hex[:8]}")
    try:
        if folder.exists():
            os.replace(folder, old)
    except OSError:
        raise OutputError(f"模板文件夹“{folder}”正被其他程序占用（可能有模板在 Excel/WPS 中打开），"
                          "请关闭后重试；原有模板未做改动") from None
    try:
        _step_hook("moved-aside")
        os.replace(staging, folder)
    except BaseException as exc:       # a failure or Ctrl-C between the renames: put the old folder back
        if old.exists() and not folder.exists():
            os.replace(old, folder)
        if isinstance(exc, OSError):
            raise OutputError(f"无法替换模板文件夹“{folder}”，请稍后重试；原有模板未做改动") from None
        raise
    fsync_dir(folder.parent)
    shutil.rmtree(old, ignore_errors=True)


def _merge_into(staging: Path, folder: Path) -> None:
    for path in staging.iterdir():
        try:
            os.replace(path, folder / path.name)
        except OSError:
            raise OutputError(f"无法替换“{folder / path.name}”：文件可能正在 Excel/WPS 中打开，请关闭后重试") from None
    fsync_dir(folder)


def _record(plan: StoredPlan, made: _Made, unit_id: int, office: list[dict] | None) -> dict:
    return {"id": made.identity.template_id, "plan_id": plan.id, "period": made.identity.period,
            "unit_id": unit_id, "layout_version": layout.LAYOUT_VERSION, "digest": made.identity.digest,
            "file_name": made.file_name, "created_at": _now(), "columns": office}
