"""`ledger demo` runs the whole cycle and its outcomes match the simulated departments."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.demo import LATE, MISSING, MISTAKES, run_demo
from ledger.report import period_status
from tests.conftest import needs_server


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "demo"
    return run_demo(root, echo=lambda line: None, use_libreoffice=False)


@pytest.mark.slow
def test_every_returned_file_has_its_outcome(demo):
    first, second, third = demo.rounds
    assert first.totals["rejected"] == 0 and first.totals["accepted"] == 15
    assert second.totals == {"accepted": 15 - len(MISSING) - len(MISTAKES), "rejected": len(MISTAKES),
                             "duplicate": 0, "pending": 0, "held": 0, "resumed": 0}
    assert [f.outcome for f in third.files] == ["accepted"]
    rejected = {f.unit: {x.code for x in f.findings if x.is_error} for f in second.files if f.outcome == "rejected"}
    assert sorted(rejected.values(), key=sorted) == sorted(
        [{"status-unknown"}, {"done-not-100"}, {"plan-cell-changed"}, {"percent-invalid"}], key=sorted)
    assert not any(p.is_file() and p.name != "README.md" for p in (demo.root / "inbox").rglob("*"))


@pytest.mark.slow
def test_status_knows_who_is_late_missing_and_waiting(demo):
    from ledger.workspace import Workspace
    status = period_status(Workspace(demo.root), demo.periods[-1])
    outcomes = [u.outcome for u in status.units]
    t = status.totals
    assert t.missing == len(MISSING)
    assert t.rejected == len(MISTAKES) - 1            # one unit fixed its file
    assert t.late == len(LATE) + 1                    # the fixed file came after the deadline
    assert t.on_time == 15 - len(MISSING) - len(MISTAKES) - len(LATE)
    assert len(outcomes) == 15


def test_outputs_exist_and_open(demo):
    report = openpyxl.load_workbook(demo.report)
    assert report.sheetnames[:2] == ["总体情况", "台账汇总"]
    missing_sheet = [[c.value for c in r] for r in report["未报送单位"].iter_rows()]
    assert sum(1 for r in missing_sheet if r and any(v for v in r)) >= len(MISSING)
    assert openpyxl.load_workbook(demo.reminders).active.max_row > 2
    returns = list((demo.root / "outbox" / "returns" / demo.periods[-1]).glob("*_退回.xlsx"))
    assert len(returns) == len(MISTAKES)


@pytest.mark.slow
def test_a_rerun_rebuilds_its_own_folder_but_never_touches_another(tmp_path):
    from ledger.errors import WorkspaceError
    from ledger.workspace import init_workspace
    first = run_demo(tmp_path / "d", echo=lambda line: None, use_libreoffice=False)
    said = []
    again = run_demo(tmp_path / "d", echo=said.append, use_libreoffice=False)
    assert said[0].startswith("已清空上次的演示目录")
    assert again.rounds[1].totals == first.rounds[1].totals
    init_workspace(tmp_path / "real")
    with pytest.raises(WorkspaceError, match="不是演示目录"):
        run_demo(tmp_path / "real", echo=lambda line: None)
    assert (tmp_path / "real" / "ledger.toml").is_file()


@pytest.mark.slow
def test_cli_demo_prints_where_the_outputs_are(tmp_path):
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d"), "--no-libreoffice"])
    assert result.exit_code == 0, result.output
    assert "汇总表（领导阅）" in result.output and "催报名单" in result.output
    assert "报送率" in result.output


@needs_server
def test_demo_on_a_server_database_and_never_over_real_data(tmp_path, server_schema):
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d"), "--no-libreoffice", "--db", server_schema])
    assert result.exit_code == 0, result.output
    from ledger.workspace import Workspace
    ws = Workspace(tmp_path / "d")
    assert ws.db_url == server_schema and not (ws.root / "ledger.db").exists()
    assert period_status(ws, result.output.split("--period ")[1].split()[0]).totals.missing == len(MISSING)
    again = CliRunner().invoke(cli, ["demo", str(tmp_path / "d2"), "--no-libreoffice", "--db", server_schema])
    assert again.exit_code == 1 and "已有 1 版计划" in again.output and "演示只在空数据库中运行" in again.output
    assert not (tmp_path / "d2").exists()


def test_the_demo_issues_its_notices_and_scores_them_in_the_report(demo):
    from ledger.store.escalations import notices
    from ledger.workspace import find_workspace

    ws = find_workspace(demo.root)
    issued = notices(ws.engine, period=demo.periods[-1])
    assert demo.escalated == len(issued) > 0
    folder = demo.root / "outbox" / "督办单" / demo.periods[-1]
    assert sorted(p.name for p in folder.glob("*.docx")) == sorted(n["file"].rsplit("/", 1)[-1] for n in issued)
    sheet = openpyxl.load_workbook(demo.report)["考评"]
    detail = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert all(n["number"] in detail for n in issued if n["colour"] in ("yellow", "red"))
