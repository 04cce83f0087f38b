"""Released migrations are frozen: a new step may alter any table an earlier step made, on a new
database and on databases the previous releases left.

The canary runs in a process of its own, because it changes the declared tables the way a developer
adding step 00NN would (a column declared in ``schema.py`` and a step that adds it) and must not
leave that change behind in the test process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SERVER_URL

FIXTURES = Path(__file__).parents[1] / "fixtures"
RELEASES = {"e01fd86": FIXTURES / "workspace_e01fd86.db",     # schema 0001 only
            "99b044e": FIXTURES / "workspace_99b044e.db"}     # the previous release: 0001–0006

CANARY = r'''
import json, sys
import sqlalchemy as sa
from ledger.store import schema

url = sys.argv[1]
tables = sorted(schema.metadata.tables)
for name in tables:                 # declared now, as a developer adding a column would
    schema.metadata.tables[name].append_column(sa.Column("canary", sa.Text))

def canary(conn):
    for name in tables:
        schema._add_column(conn, name, "canary", sa.Text())
        conn.execute(sa.text(f"CREATE INDEX ix_{name}_canary ON {name} (canary)"))

schema.MIGRATIONS.append(("9999_canary", canary))
engine = schema.connect(url)
inspector = sa.inspect(engine)
found = {name: [c["name"] for c in inspector.get_columns(name)] for name in tables}
print(json.dumps({"applied": schema.migrate(engine), "tables": found}))
'''


def run_canary(url: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run([sys.executable, "-c", CANARY, url], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_step_alters_every_table_of_a_new_database(tmp_path, request):
    url = request.getfixturevalue("server_schema") if SERVER_URL else f"sqlite:///{tmp_path / 'new.db'}"
    result = run_canary(url)
    assert all(columns[-1] == "canary" and columns.count("canary") == 1 for columns in result["tables"].values())


@pytest.mark.sqlite_only
@pytest.mark.parametrize("release", sorted(RELEASES))
def test_a_new_step_alters_every_table_of_an_old_release(tmp_path, release):
    db = tmp_path / "ledger.db"
    shutil.copyfile(RELEASES[release], db)
    result = run_canary(f"sqlite:///{db}")
    assert all(columns.count("canary") == 1 for columns in result["tables"].values())
