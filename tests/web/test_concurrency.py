"""Many departments uploading at once to the real server: 100 uploads from 20 units, valid, invalid
and duplicate files mixed, all in flight together. Each upload gets an answer and exactly one
recorded outcome, under the unit whose link carried it; nothing is lost or left behind."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from ledger.collect.intake import OUTCOME_LABELS
from ledger.links import unit_links
from ledger.plan.model import Plan, PlanItem, Section
from ledger.store import schema as s
from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from tests.collect.invariants import violations
from tests.conftest import fill_all
from tests.web.conftest import PERIOD, LiveServer, form_key, page_text

UNITS = [f"县第{i:02d}局" for i in range(1, 21)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VERDICTS = ("已接收", "已退回", "重复报送", "正在校验", "已收到，等待督查室处理")


def twenty_unit_plan() -> Plan:
    section = "统筹推进重点工作"
    items = [PlanItem(str(i + 1), f"重点任务{i + 1}", f"重点任务{i + 1}。年内完成既定目标。", section, "一", [unit], [])
             for i, unit in enumerate(UNITS)]
    return Plan("测试县2024年重点工作", 2024, items, [Section("一", section)])


@pytest.fixture
def twenty(workspace, tmp_path):
    """A workspace with 20 units' templates issued and links made, uploads not limited for the test,
    and each unit's five files: two valid, one a byte-copy of a valid one, two returned by collect."""
    ws = workspace
    save_plan(ws.engine, twenty_unit_plan(), origin="import")
    ws.set_setting("serve.uploads_per_hour", 1000)
    assert ws.settings.serve.uploads_per_hour == 1000
    made = {f.unit: f.path for f in generate_templates(ws, PERIOD).files}
    assert sorted(made) == sorted(UNITS)
    links = {link.unit: re.search(r"/u/[^?]+\?.*", link.url).group(0)
             for link in unit_links(ws, PERIOD, base="").links}
    out = tmp_path / "files"
    out.mkdir()
    files: list[tuple[str, str, bytes]] = []       # (unit, kind, bytes)
    for n, unit in enumerate(UNITS):
        first = fill_all(made[unit], out / f"{n}-a.xlsx", progress=f"{unit}七月完成第一阶段。").read_bytes()
        second = fill_all(made[unit], out / f"{n}-b.xlsx", progress=f"{unit}七月完成第二阶段。").read_bytes()
        wrong = fill_all(made[unit], out / f"{n}-c.xlsx", status="还行").read_bytes()
        over = fill_all(made[unit], out / f"{n}-d.xlsx", percent=180).read_bytes()
        files += [(unit, "valid", first), (unit, "valid", second), (unit, "copy", first),
                  (unit, "invalid", wrong), (unit, "invalid", over)]
    return ws, links, files


def upload_as(url: str, link: str, data: bytes, name: str) -> tuple[int, str, str]:
    """A department's browser: open its page, post the file, follow to the verdict (status, final
    address, page)."""
    import httpx

    with httpx.Client(base_url=url, follow_redirects=True, timeout=60) as browser:
        key = form_key(browser.get(link).text)
        base = link.split("?")[0]
        response = browser.post(f"{base}/upload", data={"form_key": key}, files={"file": (name, data, XLSX)})
        return response.status_code, str(response.url), response.text


@pytest.mark.slow
def test_100_concurrent_uploads_from_20_units_each_get_exactly_one_outcome(twenty):
    ws, links, files = twenty
    order = sorted(range(len(files)), key=lambda i: (i % 5, i))     # units interleaved, copies among them
    started = time.monotonic()
    start = threading.Barrier(20)

    def send(i: int) -> tuple[int, int, str, str]:
        unit, kind, data = files[i]
        if i in order[:20]:
            start.wait(30)                  # the first twenty leave together
        return (i, *upload_as(live.url, links[unit], data, f"{unit}-{kind}-{i}.xlsx"))

    with LiveServer(ws) as live:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(send, order))
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            with ws.engine.connect() as conn:
                waiting = conn.execute(sa.select(sa.func.count()).select_from(s.uploads)
                                       .where(s.uploads.c.intake_id.is_(None))).scalar()
            if not waiting:
                break
            time.sleep(0.2)
    elapsed = time.monotonic() - started
    assert elapsed < 90, f"100 uploads took {elapsed:.0f} s"

    shown = {}
    for i, status, address, html in answers:      # every department got a page with a verdict
        assert status == 200, (files[i][:2], page_text(html)[:200])
        verdict = re.search(r'id="verdict">([^<]+)<', html)
        assert verdict and verdict.group(1).rstrip("…") in VERDICTS, page_text(html)[:200]
        upload_id = re.search(r"/uploads/([0-9]+)$", address)
        assert upload_id and files[i][0] in html, address
        shown[int(upload_id.group(1))] = verdict.group(1).rstrip("…")

    with ws.engine.connect() as conn:
        uploads = [dict(r) for r in conn.execute(sa.select(s.uploads)).mappings()]
        intake = {r["id"]: dict(r) for r in conn.execute(sa.select(s.intake)).mappings()}
        units = dict(conn.execute(sa.select(s.units.c.id, s.units.c.name)).all())
        current = [dict(r) for r in conn.execute(sa.select(s.submissions).where(s.submissions.c.is_current))
                   .mappings()]
    assert len(uploads) == 100
    assert all(u["intake_id"] is not None for u in uploads)
    assert len({u["intake_id"] for u in uploads}) == 100 and len(intake) == 100
    assert [p.name for p in ws.inbox_dir.iterdir() if p.name != "README.md"] == []
    assert not (ws.root / ".uploads").exists() or list((ws.root / ".uploads").iterdir()) == []

    sent = Counter((unit, hashlib.sha256(data).hexdigest()) for unit, _, data in files)
    recorded = Counter((units[u["unit_id"]], u["sha256"]) for u in uploads)
    assert recorded == sent                                  # every file arrived, bound to its own unit
    assert Counter((units[r["unit_id"]], r["sha256"]) for r in intake.values()) == sent   # and was taken in so
    for u in uploads:
        assert intake[u["intake_id"]]["unit_id"] == u["unit_id"]
        assert intake[u["intake_id"]]["sha256"] == u["sha256"]

    outcomes: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    kind_of = {(unit, hashlib.sha256(data).hexdigest()): kind for unit, kind, data in files if kind != "copy"}
    for r in intake.values():
        outcomes[units[r["unit_id"]]][kind_of[(units[r["unit_id"]], r["sha256"])]][r["outcome"]] += 1
    for unit in UNITS:
        assert outcomes[unit]["invalid"] == Counter(rejected=2), unit
        assert outcomes[unit]["valid"] == Counter(accepted=2, duplicate=1), unit
    assert sorted(units[c["unit_id"]] for c in current) == sorted(UNITS)      # one current submission each
    for c in current:
        row = intake[c["intake_id"]]
        assert row["outcome"] == "accepted" and row["unit_id"] == c["unit_id"]

    assert len(shown) == 100                       # each answer about its own upload, telling its outcome
    for u in uploads:
        if shown[u["id"]] not in ("正在校验", "已收到，等待督查室处理"):
            assert shown[u["id"]] == OUTCOME_LABELS[intake[u["intake_id"]]["outcome"]], u

    original = {u["inbox_name"]: u["sha256"] for u in uploads}
    assert violations(ws, original) == []
