"""A workspace made by an earlier release (commit e01fd86, schema 0001 only) opens with today's code,
upgrades when the office adds a column in ledger.toml, and loses nothing.

tests/fixtures/workspace_e01fd86.db was made by that release: ``ledger init``, ``plan import`` of a
three-item notice of our own (清河县2024年为民办实事工作任务), ``templates --period 2024-07``, and
``collect`` of 县民政局's filled template; then VACUUMed. Never regenerate it with today's code.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.store import schema as s
from ledger.store.plans import load_plan
from ledger.workspace import Workspace, init_workspace

# The old release's workspace is a SQLite file: on a server database the workspace would not use it.
pytestmark = pytest.mark.sqlite_only

FIXTURE = Path(__file__).parents[1] / "fixtures" / "workspace_e01fd86.db"
FUNDS = "资金到位(万元)"
OFFICE = f'''
[[columns]]
header = "{FUNDS}"
kind = "number"
min = 0
'''


def snapshot(url: str) -> dict:
    """What the old release stored, read with plain SQL so it compares across schema versions."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        q = lambda sql: [tuple(r) for r in conn.execute(sa.text(sql))]   # noqa: E731
        data = {
            "plans": q("SELECT version, title, year FROM plans ORDER BY version"),
            "items": q("SELECT number, title, text FROM items ORDER BY id"),
            "units": q("SELECT name FROM units ORDER BY id"),
            "assignments": q("SELECT item_id, unit_id, role, ord FROM assignments ORDER BY item_id, role, ord"),
            "rows": q("SELECT item_id, role, progress, status, percent, person, phone FROM submission_rows ORDER BY id"),
            "submissions": q("SELECT template_id, period, unit_id, is_current FROM submissions ORDER BY id"),
            "events": q("SELECT at, command, action, summary, detail FROM events ORDER BY id"),
            "templates": q("SELECT id, unit_id, period FROM templates ORDER BY id"),
        }
    engine.dispose()
    return data


def old_workspace(tmp_path) -> Workspace:
    root = tmp_path / "ws"
    init_workspace(root).engine.dispose()
    shutil.copyfile(FIXTURE, root / "ledger.db")
    return Workspace(root)


def test_the_fixture_is_what_the_old_release_left():
    before = snapshot(f"sqlite:///{FIXTURE}")
    engine = sa.create_engine(f"sqlite:///{FIXTURE}")
    with engine.connect() as conn:
        steps = [r[0] for r in conn.execute(sa.text("SELECT step FROM schema_info"))]
    engine.dispose()
    assert steps == ["0001_initial"]
    assert before["plans"] == [(1, "清河县2024年为民办实事工作任务", 2024)]
    assert len(before["items"]) == 3 and len(before["rows"]) == 2 and len(before["events"]) == 3


@pytest.mark.slow
def test_an_old_workspace_opens_upgrades_with_an_office_column_and_loses_nothing(tmp_path):
    before = snapshot(f"sqlite:///{FIXTURE}")
    ws = old_workspace(tmp_path)
    config = ws.root / "ledger.toml"
    config.write_text(config.read_text(encoding="utf-8") + OFFICE, encoding="utf-8")
    ws = Workspace(ws.root)
    with ws.engine.connect() as conn:
        steps = [r.step for r in conn.execute(sa.select(s.schema_info.c.step))]
        extras = [r.extra for r in conn.execute(sa.select(s.submission_rows.c.extra))]
    assert sorted(steps) == [name for name, _ in s.MIGRATIONS]        # 0002–0005 ran
    assert snapshot(f"sqlite:///{ws.root / 'ledger.db'}") == before   # every stored row kept
    assert extras == [None, None]                                     # no value for the new column yet

    plan = load_plan(ws.engine)
    assert (plan.version, [i.number for i in plan.items]) == (1, ["1", "2", "3"])
    assert plan.items[0].lead == ["县民政局"] and plan.items[0].part_path    # its section as its part path

    runner = CliRunner()
    status = runner.invoke(cli, ["-w", str(ws.root), "status", "--period", "2024-07", "--json"])
    assert status.exit_code == 0, status.output
    units = {u["unit"]: u for u in json.loads(status.output)["units"]}
    assert (units["县民政局"]["outcome"], units["县住建局"]["outcome"]) == ("late", "missing")   # due 2024-08
    report = runner.invoke(cli, ["-w", str(ws.root), "report", "--period", "2024-07", "--json"])
    assert report.exit_code == 0, report.output
    path = ws.root / json.loads(report.output)["file"]
    sheet = openpyxl.load_workbook(path)["台账汇总"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "城南社区食堂已开工。" in texts and FUNDS in texts             # the old row and the new column
