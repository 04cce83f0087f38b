"""A progress table (推进情况表) through ``ledger plan import``: the dry run shows how each column was
read, and the progress columns are either kept as a month's reports or named in a note.

The table is written for this test; none is a real county's.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ledger.cli import cli
from ledger.store.plans import plan_versions

PROGRESS_TABLE = [
    "示范县2024年重点工作推进情况表",
    "序号 | 主要任务 | 全年目标 | 分管领导 | 牵头单位 | 配合单位 | 1-9月推进情况 | 形象进度(%) | 是否达序 | 资金来源",
    "1 | 建设城东污水处理厂 | 日处理5万吨 | 王某 | 县住建局 | 县水利局、县城管局 | 已进场施工 | 30 | 是 | 县财政",
    "2 | 改造老旧小区12个 | 完成12个 | 李某 | 县住建局 | 各镇（街道） | 完成30% | 45 | 否 | 专项债",
    "3 | 新建幼儿园2所 | 9月开园 | 孙某 | 县教体局 |  | 主体完工 | 80 | 是 | 县财政",
]


def write_table(tmp_path: Path) -> Path:
    path = tmp_path / "推进情况表.txt"
    path.write_text("\n".join(PROGRESS_TABLE), encoding="utf-8")
    return path


def test_a_dry_run_says_which_column_was_read_as_what(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", "--dry-run",
                                      str(write_table(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("表格各列的读法：")
    mapping = [line.split() for line in lines[at + 3:at + 13]]
    assert mapping == [["序号", "序号"], ["主要任务", "任务"], ["全年目标", "目标"], ["分管领导", "责任领导（人名）"],
                       ["牵头单位", "牵头单位"], ["配合单位", "配合单位"], ["1-9月推进情况", "推进情况"],
                       ["形象进度(%)", "完成进度（%）"], ["是否达序", "是否达序"], ["资金来源", "其他（不作为单位）"]]
    assert "县财政" not in result.output and "已进场施工" not in result.output     # never a unit
    assert plan_versions(workspace.engine) == []


def test_without_a_period_a_note_says_how_to_keep_the_progress_columns(workspace, tmp_path):
    result = CliRunner().invoke(cli, ["-w", str(workspace.root), "plan", "import", "--dry-run", "--json",
                                      str(write_table(tmp_path))])
    data = json.loads(result.output)
    assert [c["role"] for c in data["tables"][0]["columns"]] == [
        "number", "title", "target", "leaders", "lead", "support", "progress", "percent", "on_pace", "other"]
    note = next(n for n in data["notes"] if n["code"] == "progress_ignored")
    assert "1-9月推进情况、形象进度(%)、是否达序" in note["message"]
    assert "--progress-period 2024-09" in note["message"]
    assert data["progress_kept"] == 0 and data["progress_period"] is None
