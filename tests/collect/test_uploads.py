"""Files units uploaded through their links: bound to the unit whichever collect run takes them in."""

from __future__ import annotations

import io
import shutil

import sqlalchemy as sa

from ledger.collect.intake import collect_inbox
from ledger.links import resolve, unit_links
from ledger.report import period_status
from ledger.store import events
from ledger.store import schema as s
from ledger.template.generate import generate_templates
from ledger.web.receive import land
from tests.conftest import fill_all

PERIOD = "2024-07"


def _ready(ws):
    made = generate_templates(ws, PERIOD)
    holders = {l.unit: resolve(ws, l.url.split("/u/")[1].split("?")[0]) for l in unit_links(ws, PERIOD).links}
    return {f.unit: f.path for f in made.files}, holders


def test_a_scheduled_collect_honours_an_uploads_unit_and_refuses_another_units_workbook(planned, tmp_path):
    templates, holders = _ready(planned)
    mine, other = "县科技局", "县财政局"
    theirs = fill_all(templates[other], tmp_path / "theirs.xlsx")
    with open(theirs, "rb") as f:
        landed = land(planned, holders[mine], "台账.xlsx", f, 10 << 20)
    result = collect_inbox(planned, command="schedule")          # not the server's own run
    [outcome] = result.files
    assert outcome.outcome == "rejected" and outcome.unit == mine
    assert [f.code for f in outcome.findings] == ["upload-other-unit"]
    assert other in outcome.findings[0].message and mine in outcome.findings[0].fix
    with planned.engine.connect() as conn:
        intake = conn.execute(sa.select(s.intake)).mappings().one()
        upload = conn.execute(sa.select(s.uploads)).mappings().one()
        units = dict(conn.execute(sa.select(s.units.c.id, s.units.c.name)).all())
    assert units[intake["unit_id"]] == mine and upload["intake_id"] == intake["id"] and upload["id"] == landed.upload_id
    statuses = {u.unit.name: u.outcome for u in period_status(planned, PERIOD).units}
    assert statuses[other] == "missing"                  # nothing was stored as the other unit's
    assert any(e["action"] == "upload-other-unit" for e in events.recent(planned.engine))
    assert not any(p.is_file() and p.name != "README.md" for p in planned.inbox_dir.rglob("*"))


def test_an_upload_is_ready_at_once_whatever_the_settle_time(planned, tmp_path):
    templates, holders = _ready(planned)
    planned.set_setting("collect.settle_seconds", 3600)
    unit = "县科技局"
    good = fill_all(templates[unit], tmp_path / "good.xlsx")
    with open(good, "rb") as f:
        land(planned, holders[unit], "台账.xlsx", f, 10 << 20)
    shutil.copy(good, planned.inbox_dir / "刚放进来的.xlsx")       # a file copied in by hand still settles
    result = collect_inbox(planned)
    assert {f.outcome for f in result.files} == {"accepted", "pending"}
    assert {u.unit.name: u.reported for u in period_status(planned, PERIOD).units}[unit]


def test_a_file_replaced_in_the_inbox_is_not_taken_as_the_units_upload(planned, tmp_path):
    templates, holders = _ready(planned)
    mine, other = "县科技局", "县财政局"
    with open(fill_all(templates[mine], tmp_path / "mine.xlsx"), "rb") as f:
        landed = land(planned, holders[mine], "台账.xlsx", f, 10 << 20)
    shutil.copy(fill_all(templates[other], tmp_path / "theirs.xlsx"), planned.inbox_dir / landed.inbox_name)
    [outcome] = collect_inbox(planned).files
    assert outcome.outcome == "accepted" and outcome.unit == other     # the office's own file, judged as any other


def test_an_upload_over_the_bound_leaves_nothing_behind(planned):
    _, holders = _ready(planned)
    from ledger.web.receive import UploadTooLarge

    try:
        land(planned, holders["县科技局"], "大.xlsx", io.BytesIO(b"x" * 5000), 4096)
    except UploadTooLarge:
        pass
    else:
        raise AssertionError("an upload over the bound was taken")
    with planned.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.uploads)).scalar() == 0
    assert not list((planned.root / ".uploads").glob("*"))
    assert [p.name for p in planned.inbox_dir.iterdir()] == ["README.md"]


def test_an_upload_landing_while_a_run_starts_waits_for_the_next_run_and_is_bound(planned, tmp_path, monkeypatch):
    import ledger.collect.intake as intake

    templates, holders = _ready(planned)
    planned.set_setting("collect.settle_seconds", 0)
    theirs = fill_all(templates["县财政局"], tmp_path / "theirs.xlsx")
    real_scan = intake.scan_inbox

    def upload_then_scan(*args, **kwargs):        # the upload arrives after the run read the records
        with open(theirs, "rb") as f:
            land(planned, holders["县科技局"], "台账.xlsx", f, 10 << 20)
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(intake, "scan_inbox", upload_then_scan)
    [first] = collect_inbox(planned).files
    assert first.outcome == "pending"              # never taken in without its binding
    monkeypatch.setattr(intake, "scan_inbox", real_scan)
    [outcome] = collect_inbox(planned).files
    assert outcome.outcome == "rejected" and [f.code for f in outcome.findings] == ["upload-other-unit"]
    with planned.engine.connect() as conn:
        assert conn.execute(sa.select(s.uploads.c.intake_id)).scalar() is not None


def one_server_run(ws):
    """The web server's collector, told to run once, after that run has ended (and the thread stopped)."""
    import ledger.web.receive as receive

    collector = receive.Collector(ws, every=60).start()
    try:
        collector.kick()
        assert collector.wait_run(0, timeout=20)
    finally:
        collector.stop()
    return collector


def test_a_server_collect_that_fails_is_told_on_the_console_and_in_the_log(planned, monkeypatch, capsys):
    import ledger.web.receive as receive
    from ledger.errors import DiskFullError

    def full(*args, **kwargs):
        raise DiskFullError("磁盘空间不足：无法写入“archive/”")

    monkeypatch.setattr(receive, "collect_inbox", full)
    one_server_run(planned)
    assert "网页收取未能完成：磁盘空间不足" in capsys.readouterr().err
    faults = [e for e in events.recent(planned.engine) if e["action"] == "collect-fault"]
    assert faults and "磁盘空间不足" in faults[0]["summary"]


def test_a_server_collect_the_database_refuses_as_busy_is_tried_again_before_the_office_is_told(planned, monkeypatch, capsys):
    import ledger.web.receive as receive
    from ledger.errors import DatabaseBusyError

    calls = []
    real_collect = receive.collect_inbox

    def busy_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseBusyError("数据库正被其他程序占用，等待超时")
        return real_collect(*args, **kwargs)

    monkeypatch.setattr(receive, "collect_inbox", busy_once)
    monkeypatch.setattr(receive, "BUSY_PAUSE", 0.05)
    collector = one_server_run(planned)
    assert len(calls) == 2 and collector.fault is None
    assert "网页收取未能完成" not in capsys.readouterr().err
    assert not [e for e in events.recent(planned.engine) if e["action"] == "collect-fault"]

    def always_busy(*args, **kwargs):
        raise DatabaseBusyError("数据库正被其他程序占用，等待超时")

    monkeypatch.setattr(receive, "collect_inbox", always_busy)
    collector = one_server_run(planned)
    assert collector.fault is not None and "网页收取未能完成：数据库正被其他程序占用" in capsys.readouterr().err
