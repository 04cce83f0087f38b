"""Issuing templates under faults: killed at every step, a read-only, corrupt or full database, a full disk.

The invariant a department relies on: every template in templates/<period>/ is known to the
database (else its return is refused as 模板标识不在本工作区的下发记录中), and nothing half-written
stays behind once the next run has held the lock.
"""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ledger.collect.reader import read_workbook
from ledger.durable import is_temporary
from ledger.errors import DatabaseReadOnlyError, DiskFullError
from ledger.store.schema import connect
from ledger.store.submissions import template_record
from ledger.template import generate
from ledger.template.generate import MANIFEST_NAME, generate_templates
from ledger.workspace import Workspace

PERIOD = "2024-07"
UNITS = {"县发展改革局", "县科技局", "县委组织部", "县财政局"}


def issued_files(ws: Workspace) -> dict[str, bytes]:
    folder = ws.templates_dir / PERIOD
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.xlsx"))} if folder.is_dir() else {}


def unrecorded(ws: Workspace) -> list[str]:
    """Templates a department could pick up that the database does not know."""
    found = []
    for path in (ws.templates_dir / PERIOD).glob("*.xlsx"):
        if path.name == MANIFEST_NAME:
            continue
        identity = read_workbook(path, "xlsx").identity
        if identity is None or template_record(ws.engine, identity.template_id) is None:
            found.append(path.name)
    return found


def temporaries(ws: Workspace) -> list[Path]:
    return [p for p in ws.templates_dir.rglob("*") if is_temporary(p.name)]


def units_issued(ws: Workspace) -> set[str]:
    return {p.stem.split("_", 1)[1] for p in (ws.templates_dir / PERIOD).glob(f"{PERIOD}_*.xlsx")}


KILL = r"""
import os, signal, sys
from pathlib import Path
from ledger.template import generate
from ledger.workspace import Workspace

root, step = sys.argv[1], sys.argv[2]
kill = lambda: os.kill(os.getpid(), signal.SIGKILL)
generate._step_hook = lambda at: kill() if at == step else None
if step == "writing":                       # killed halfway through writing the workbooks
    real, done = generate.write_template, []
    def write(spec, path):
        real(spec, path)
        done.append(path)
        if len(done) == 2:
            kill()
    generate.write_template = write
generate.generate_templates(Workspace(Path(root)), sys.argv[3], workers=1)
"""

STEPS = ["writing", "written", "recorded", "moved-aside", "swapped"]


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_leaves_only_recorded_templates(planned, step):
    generate_templates(planned, PERIOD, workers=1)
    done = subprocess.run([sys.executable, "-c", KILL, str(planned.root), step, PERIOD],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert unrecorded(planned) == []
    # The next run, even for one unit only, restores a folder moved aside and sweeps the debris.
    generate_templates(planned, PERIOD, units=["县科技局"], workers=1)
    assert temporaries(planned) == []
    assert unrecorded(planned) == []
    assert units_issued(planned) == UNITS


def test_a_kill_right_after_the_swap_leaves_the_roster_with_the_templates_and_no_temporary(tmp_path, planned):
    """The 分发清单 is staged with the templates: a run killed as the folder is swapped in leaves the
    new list in place, and no half-written file a Windows user would see (issue 25)."""
    done = subprocess.run([sys.executable, "-c", KILL, str(planned.root), "swapped", PERIOD],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    folder = planned.templates_dir / PERIOD
    assert (folder / MANIFEST_NAME).is_file() and temporaries(planned) == []
    sheet = openpyxl.load_workbook(folder / MANIFEST_NAME).active
    listed = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert listed == UNITS and "（未生成）" not in {row[2] for row in sheet.iter_rows(min_row=3, values_only=True)}


@pytest.mark.sqlite_only
def test_a_read_only_database_leaves_the_issued_templates_as_they_were(planned):
    generate_templates(planned, PERIOD, workers=1)
    before = issued_files(planned)
    read_only = Workspace(planned.root)
    read_only.__dict__["engine"] = connect(f"sqlite:///file:{planned.root / 'ledger.db'}?mode=ro&uri=true")
    with pytest.raises(DatabaseReadOnlyError, match="是只读的，无法写入"):
        generate_templates(read_only, PERIOD, workers=1)
    assert issued_files(planned) == before
    assert temporaries(planned) == []
    assert unrecorded(planned) == []


def test_a_period_folder_that_cannot_be_swapped_forgets_the_new_records(planned, monkeypatch):
    from ledger.errors import OutputError
    from ledger.store import events

    generate_templates(planned, PERIOD, workers=1)
    before = issued_files(planned)
    logged = len(events.recent(planned.engine, 100))
    real = generate.os.replace

    def busy(src, dst):
        if Path(src).name == PERIOD:
            raise PermissionError(errno.EACCES, "in use")
        return real(src, dst)

    monkeypatch.setattr(generate.os, "replace", busy)
    with pytest.raises(OutputError, match="原有模板未做改动"):
        generate_templates(planned, PERIOD, workers=1)
    assert issued_files(planned) == before
    with planned.engine.connect() as conn:
        from ledger.store.schema import templates
        import sqlalchemy as sa
        assert conn.execute(sa.select(sa.func.count()).select_from(templates)).scalar() == len(UNITS)
    assert len(events.recent(planned.engine, 100)) == logged


def test_a_full_disk_while_writing_is_one_error_and_no_output(planned, monkeypatch):
    generate_templates(planned, PERIOD, workers=1)
    before = issued_files(planned)
    real, done = generate.write_template, []

    def full(spec, path):
        if done:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        done.append(real(spec, path))

    monkeypatch.setattr(generate, "write_template", full)
    with pytest.raises(DiskFullError) as err:
        generate_templates(planned, PERIOD, workers=1)
    assert str(err.value).startswith(f"磁盘空间不足：无法写入“{planned.templates_dir / PERIOD}")
    assert issued_files(planned) == before
    assert temporaries(planned) == [] and unrecorded(planned) == []


def test_ctrl_c_between_the_two_renames_puts_the_old_folder_back(planned, monkeypatch):
    generate_templates(planned, PERIOD, workers=1)
    before = issued_files(planned)

    def interrupt(at):
        if at == "moved-aside":
            raise KeyboardInterrupt

    monkeypatch.setattr(generate, "_step_hook", interrupt)
    with pytest.raises(KeyboardInterrupt):
        generate_templates(planned, PERIOD, workers=1)
    assert issued_files(planned) == before
    assert temporaries(planned) == [] and unrecorded(planned) == []


@pytest.mark.sqlite_only
def test_a_corrupt_database_stops_before_any_template_is_touched(planned):
    from ledger.errors import DatabaseCorruptError

    generate_templates(planned, PERIOD, workers=1)
    before = issued_files(planned)
    planned.engine.dispose()
    db = planned.root / "ledger.db"
    db.write_bytes(b"\x55" * 4096 + db.read_bytes()[4096:])
    with pytest.raises(DatabaseCorruptError, match="已损坏"):
        generate_templates(Workspace(planned.root), PERIOD, workers=1)
    assert issued_files(planned) == before
    assert temporaries(planned) == []
