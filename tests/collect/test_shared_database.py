"""Two workspaces on one server database collect the same files at the same moment: each is stored once."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timezone

import sqlalchemy as sa

from ledger.store import schema as s
from ledger.template.generate import generate_templates
from ledger.workspace import init_workspace
from tests.conftest import age, fill_all, needs_server

PERIOD = "2024-07"


@needs_server
def test_two_workspaces_collecting_the_same_files_at_once_store_each_once(planned, tmp_path):
    other = init_workspace(tmp_path / "other", db_url=planned.db_url)    # another PC, the same database
    templates = generate_templates(planned, PERIOD, workers=1).files
    for n, t in enumerate(templates):
        filled = fill_all(t.path, tmp_path / f"filled{n}.xlsx")
        for ws in (planned, other):
            age(shutil.copyfile(filled, ws.inbox_dir / t.path.name))
    env = {**os.environ, "LEDGER_WORKSPACE": ""}
    runs = [subprocess.Popen([sys.executable, "-m", "ledger", "-w", str(ws.root), "collect"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for ws in (planned, other)]
    done = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], done
    assert all("Traceback" not in err and "错误" not in err for _, err in done), done
    with planned.engine.connect() as conn:
        current = conn.execute(sa.select(s.submissions.c.unit_id, sa.func.count())
                               .where(s.submissions.c.is_current).group_by(s.submissions.c.unit_id)).all()
        outcomes = sorted(conn.execute(sa.select(s.intake.c.outcome)).scalars())
        submissions = conn.execute(sa.select(sa.func.count()).select_from(s.submissions)).scalar()
    assert len(current) == len(templates) and {n for _, n in current} == {1}
    assert submissions == len(templates)                       # stored once, not stored and superseded
    assert outcomes == ["accepted"] * len(templates) + ["duplicate"] * len(templates)
    for ws in (planned, other):                                 # both inboxes are empty: every file has its outcome
        assert not [p for p in ws.inbox_dir.rglob("*.xlsx")]


@needs_server
def test_a_race_lost_to_a_writer_without_the_lock_makes_the_file_a_duplicate_not_a_crash(planned, tmp_path,
                                                                                          monkeypatch):
    """A writer that skips the intake lock (e.g. an older ledger) stores the same file between our check
    and our insert: the database's index decides, and the file is recorded as that writer's duplicate."""
    from ledger.collect import intake

    (issued,) = [f for f in generate_templates(planned, PERIOD, workers=1).files if f.unit == "县科技局"]
    inbox_file = age(fill_all(issued.path, planned.inbox_dir / "科技局7月.xlsx"))
    sha = hashlib.sha256(inbox_file.read_bytes()).hexdigest()
    with planned.engine.connect() as conn:
        tpl = conn.execute(sa.select(s.templates).where(s.templates.c.file_name == issued.path.name)).mappings().one()
    rival = planned.engine.connect()

    def rival_stores_it_first(step: str) -> None:
        if step != "copied":
            return
        rival.begin()
        intake_id = rival.execute(s.intake.insert(), {
            "sha256": sha, "size": inbox_file.stat().st_size, "original_name": "另一工作区.xlsx",
            "received_at": datetime.now(timezone.utc), "outcome": "accepted", "period": PERIOD,
            "unit_id": tpl["unit_id"], "template_id": tpl["id"]}).inserted_primary_key[0]
        rival.execute(s.submissions.insert(), {
            "intake_id": intake_id, "template_id": tpl["id"], "plan_id": tpl["plan_id"], "period": PERIOD,
            "unit_id": tpl["unit_id"], "submitted_at": datetime.now(timezone.utc), "is_current": True})
        threading.Timer(0.5, rival.commit).start()     # commits while our insert waits on the index

    monkeypatch.setattr(intake, "_step_hook", rival_stores_it_first)
    result = intake.collect_inbox(planned)
    rival.close()
    (outcome,) = result.files
    assert outcome.outcome == "duplicate"
    assert "与" in outcome.findings[0].message and "“另一工作区.xlsx”内容完全相同" in outcome.findings[0].message
    with planned.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.submissions)
                            .where(s.submissions.c.is_current)).scalar() == 1
        assert sorted(conn.execute(sa.select(s.intake.c.outcome)).scalars()) == ["accepted", "duplicate"]
    assert not list((planned.archive_dir / PERIOD).rglob("*.xlsx"))    # our archive copy was undone
    assert not inbox_file.exists()
