"""Shared fixtures: a fresh workspace, a small stored plan, and helpers to fill templates."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from ledger.plan.model import Plan, PlanItem, Section
from ledger.store.plans import save_plan
from ledger.workspace import init_workspace

SHARED_PLANS = Path(__file__).resolve().parents[1].parent / "shared" / "plans"


def sample_plan() -> Plan:
    """Three sections' worth of items covering co-leads, support units and an unassigned item."""
    s1, s2 = "深入实施创新驱动发展战略", "积极稳妥抓好组织实施"
    return Plan("测试县2024年工作要点", 2024, [
        PlanItem("1", "培育战略科技力量", "培育战略科技力量。力争各类市级以上创新平台达到 2 家。", s1, "一",
                 ["县发展改革局", "县科技局"], []),
        PlanItem("2", "强化关键核心技术攻关", "强化关键核心技术攻关。争取市级以上科技计划项目 5 项以上。", s1, "一",
                 ["县科技局"], ["县财政局", "县发展改革局"]),
        PlanItem("3", "加快建设人才集聚高地", "加快建设人才集聚高地。新引进高校毕业生 1200 人以上。", s1, "一",
                 ["县委组织部"], ["县科技局"]),
        PlanItem("4", "强化组织推进", "强化组织推进。建立年度工作要点落实台账。", s2, "二", [], []),
    ], [Section("一", s1), Section("二", s2)])


# --- The database of every test workspace -------------------------------------------------------
# With LEDGER_TEST_DATABASE_URL=postgresql+psycopg://user:password@host/db the whole suite runs on
# that server: every workspace made by ``init_workspace`` gets a schema of its own (its name in the
# URL's search_path), dropped when the test ends. Tests about SQLite itself are marked sqlite_only.
SERVER_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "").strip()
# Each pytest-xdist worker has its own prefix: a worker sweeping what an interrupted run left must
# not drop the schemas another worker's tests are using.
SCHEMA_PREFIX = f"ledger_t_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_"


def server_url(schema: str | None = None) -> str:
    """The test server's URL, reaching ``schema`` first when named."""
    import sqlalchemy as sa

    url = sa.make_url(SERVER_URL)
    if schema:
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:             # every test that drives LibreOffice or a browser takes seconds
        if "libreoffice" in item.keywords or item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.slow)
    if not SERVER_URL:
        return
    skip = pytest.mark.skip(reason="about SQLite only (the suite runs on LEDGER_TEST_DATABASE_URL)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


class _Schemas:
    """The schemas made on the test server, and the engines opened on them."""

    def __init__(self, admin) -> None:
        self.admin = admin
        self.made: list[str] = []
        self.engines: list = []

    def new(self, root: Path) -> str:
        import uuid

        import sqlalchemy as sa

        name = f"{SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        self.made.append(name)
        return server_url(name)

    def close_engines(self) -> None:
        """Close pooled connections (an engine still in use opens new ones)."""
        for engine in self.engines:
            engine.dispose()
        self.engines.clear()

    def drop(self, names: list[str]) -> None:
        import sqlalchemy as sa

        with self.admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


@pytest.fixture(scope="session", autouse=True)
def _server_schemas():
    """On the test server, every new workspace's database is a schema of its own (None on SQLite)."""
    if not SERVER_URL:
        yield None
        return
    import sqlalchemy as sa

    import ledger.store.schema
    import ledger.workspace

    admin = sa.create_engine(server_url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    schemas = _Schemas(admin)
    with admin.connect() as conn:                  # left by an interrupted run
        schemas.drop(list(conn.execute(sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                                       {"p": SCHEMA_PREFIX + "%"}).scalars()))
    real_connect = ledger.store.schema.connect

    def tracked(url: str):
        engine = real_connect(url)
        schemas.engines.append(engine)
        return engine

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger.workspace, "default_database_url", schemas.new)
        patch.setattr(ledger.workspace, "connect", tracked)
        patch.setattr(ledger.store.schema, "connect", tracked)
        yield schemas
    schemas.close_engines()
    schemas.drop(schemas.made)
    admin.dispose()


@pytest.fixture(autouse=True)
def _test_schemas(_server_schemas):
    """Drop the schemas a test made once it ends (those of wider-scoped fixtures stay to the end)."""
    if _server_schemas is None:
        yield
        return
    before = len(_server_schemas.made)
    yield
    _server_schemas.close_engines()
    mine = _server_schemas.made[before:]
    del _server_schemas.made[before:]
    _server_schemas.drop(mine)


needs_server = pytest.mark.skipif(not SERVER_URL, reason="needs a server database (LEDGER_TEST_DATABASE_URL)")


@pytest.fixture
def server_schema(_server_schemas, tmp_path) -> str:
    """The URL of a new, empty schema on the test server, dropped after the test (skips without one)."""
    if _server_schemas is None:
        pytest.skip("needs a server database (LEDGER_TEST_DATABASE_URL)")
    return _server_schemas.new(tmp_path)


@pytest.fixture
def workspace(tmp_path):
    return init_workspace(tmp_path / "ws")


@pytest.fixture
def planned(workspace):
    save_plan(workspace.engine, sample_plan(), origin="import")
    return workspace


def fill_template(path: Path, values: dict[int, dict[str, object]], out: Path | None = None) -> Path:
    """Fill data rows (0-based index among task rows) by layout key, as a department would."""
    from ledger import layout

    wb = openpyxl.load_workbook(path)
    ws = wb[layout.LEDGER_SHEET]
    for index, row_values in values.items():
        row = layout.FIRST_DATA_ROW + index
        for key, value in row_values.items():
            cell = ws.cell(row=row, column=layout.column_index(key) + 1, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"      # typed as text ('=1+1), not a formula
    out = out or path
    wb.save(out)
    return out


GOOD = {"progress": "已完成平台申报材料报送。", "status": "序时推进", "percent": 60,
        "problems": "", "next_steps": "跟进评审。", "person": "张三", "phone": "0533-1234567"}


def fill_all(path: Path, out: Path, **overrides) -> Path:
    """Fill every task row correctly (with overrides by key) and save to ``out``."""
    from python_calamine import CalamineWorkbook
    from ledger import layout

    n = len(CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.LEDGER_SHEET).to_python()) - 3
    return fill_template(path, {i: {**GOOD, **overrides} for i in range(n)}, out)


def age(path: Path, seconds: float = 3600) -> Path:
    """Make a file look settled (written a while ago)."""
    t = (datetime.now(timezone.utc) - timedelta(seconds=seconds)).timestamp()
    os.utime(path, (t, t))
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


LO_FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "ods": "ods", "xls": "xls:MS Excel 97", "pdf": "pdf"}


def libreoffice_convert(source: Path, fmt: str, outdir: Path) -> Path:
    """Open ``source`` in LibreOffice headless and save it as ``fmt`` (an open-and-save round trip)."""
    import subprocess
    import tempfile

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", LO_FILTERS[fmt], "--outdir", str(outdir), str(source)],
                       check=True, capture_output=True, timeout=180)
    out = outdir / f"{source.stem}.{fmt}"
    assert out.is_file(), f"LibreOffice did not write {out}"
    return out


_METRICS: list[str] = []


def report_metric(line: str) -> None:
    """A measurement shown at the end of the test run (e.g. extraction precision and recall)."""
    _METRICS.append(line)


def pytest_terminal_summary(terminalreporter) -> None:
    for line in _METRICS:
        terminalreporter.write_line(line)
