"""``ledger status`` and ``ledger report`` through click: exit codes, output and the --json shape."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.workspace import init_workspace


def run(ws_root, *args):
    return CliRunner().invoke(cli, ["-w", str(ws_root), *args])


def test_status_table(shared_scenario):
    result = run(shared_scenario.root, "status", "--period", "2024-07")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "测试县2024年重点工作 · 2024年7月报送情况（截止 2024年8月5日，数据截至 2024年8月6日 01:00）"
    assert lines[1].split() == ["单位", "牵头", "配合", "报送情况", "报送时间", "说明"]
    assert lines[5].split() == ["商务局", "1", "0", "逾期报送", "2024年8月6日", "01:00"]
    assert lines[-1] == ("应报送单位 7 个，已报送 5 个，报送率 71.4%；其中按时报送 4 个，按时率 57.1%；"
                         "逾期报送 1 个，退回待重报 1 个，未报送 1 个。")


def test_status_json_shape(shared_scenario):
    result = run(shared_scenario.root, "status", "--period", "2024-07", "--json")
    assert result.exit_code == 0
    out = json.loads(result.output)
    assert set(out) == {"schema_version", "period", "label", "plan_version", "plan_title", "deadline", "as_of",
                        "units", "totals", "reminders", "deadlines", "locked", "signed_off"}
    assert (out["period"], out["deadline"], out["reminders"]) == ("2024-07", "2024-08-05", None)
    assert out["units"][2] == {"unit": "商务局", "lead": 1, "support": 0, "outcome": "late", "outcome_label": "逾期报送",
                               "submitted_at": "2024-08-06T01:00:00+08:00", "rejected_at": None, "messages": [],
                               "corrected_at": None, "correction_pending": False, "review": None, "imported": False}
    assert out["units"][5]["outcome"] == "rejected" and out["units"][5]["messages"][0] == "I5：“完成状态”不能为空"
    assert out["totals"] == {"expected": 7, "reported": 5, "on_time": 4, "late": 1, "rejected": 1, "missing": 1,
                             "reporting_rate": 0.7143, "on_time_rate": 0.5714}


def test_status_reminders(shared_scenario):
    result = run(shared_scenario.root, "status", "--period", "2024-07", "--reminders")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "已生成催报名单（2 个单位）：outbox/reminders/2024-07/催报名单.xlsx"
    out = json.loads(run(shared_scenario.root, "status", "--period", "2024-07", "--reminders", "--json").output)
    assert out["reminders"] == "outbox/reminders/2024-07/催报名单.xlsx"
    assert (shared_scenario.root / out["reminders"]).is_file()


@pytest.mark.slow
def test_report(shared_scenario):
    result = run(shared_scenario.root, "report", "--period", "2024-07")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "已生成2024年7月工作台账汇总表：outbox/reports/2024-07/测试县2024年重点工作工作台账汇总（2024年7月）.xlsx"
    assert lines[1] == ("  任务 6 项：已完成 1 项（16.7%），超序时 1 项（16.7%），滞后 1 项（16.7%），"
                        "严重滞后 1 项（16.7%），未报送 2 项（33.3%）")


@pytest.mark.slow
def test_report_json(shared_scenario):
    out = json.loads(run(shared_scenario.root, "report", "--period", "2024-07", "--json").output)
    assert out["file"] == "outbox/reports/2024-07/测试县2024年重点工作工作台账汇总（2024年7月）.xlsx"
    assert (out["items"], out["no_submissions"], out["consecutive_lagging"]) == (6, False, 1)
    assert out["counts"]["unreported"] == {"label": "未报送", "count": 2, "share": 0.3333}
    assert out["changes"] == {"状态提升": 1, "状态后退": 3, "新增滞后": 1, "新完成": 1}
    assert out["units"]["on_time"] == 4


@pytest.mark.slow
def test_report_without_submissions_still_written(scenario):
    from ledger.store.schema import templates

    with scenario.engine.begin() as conn:
        conn.execute(templates.insert().values(id="t" * 32, plan_id=2, period="2024-09", unit_id=1,
                                               layout_version="1", digest="0" * 64, file_name="x.xlsx"))
    result = run(scenario.root, "report", "--period", "2024-09")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "提示：2024年9月尚无单位报送，汇总表中全部任务按未报送统计"
    assert "未报送 6 项（100.0%）" in result.output


@pytest.mark.parametrize("command", ["status", "report"])
@pytest.mark.parametrize("period, message", [
    ("2030-01", "错误：2030年1月（2030-01）没有任何记录：既未生成模板，也未收到报送。请检查月份，或先运行 ledger templates --period 2030-01"),
    ("2024-13", "错误：月份“2024-13”格式不对，应为 YYYY-MM，例如 2024-07"),
])
def test_bad_period(shared_scenario, command, period, message):
    result = run(shared_scenario.root, command, "--period", period)
    assert result.exit_code == 1
    assert result.output.strip() == message


@pytest.mark.parametrize("command", ["status", "report"])
def test_no_plan(tmp_path, command):
    ws = init_workspace(tmp_path / "empty")
    result = run(ws.root, command, "--period", "2024-07")
    assert result.exit_code == 1
    assert result.output.strip() == "错误：工作区中还没有计划：请先运行 ledger plan import <通知文件>"


@pytest.mark.parametrize("command", ["status", "report"])
def test_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "--period" in result.output


def test_report_without_pdf_removes_last_runs_pdfs(scenario):
    first = json.loads(run(scenario.root, "report", "--period", "2024-07", "--no-pdf", "--json").output)
    stale = [scenario.root / first[k] for k in ("file", "bulletin")]
    for path in stale:
        path.with_suffix(".pdf").write_bytes(b"%PDF-1.4 last run")
    again = run(scenario.root, "report", "--period", "2024-07", "--no-pdf", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["pdf"] == []
    assert [p.with_suffix(".pdf").exists() for p in stale] == [False, False]
    assert all(p.exists() for p in stale)
