"""The 总体情况 sheet's 分部分情况 table: items grouped by their top part (issue 10: part paths)."""

from __future__ import annotations

import openpyxl
from test_workbook import rows_after

from ledger.plan.model import Plan, PlanItem, Section, sections_of
from ledger.report import make_report
from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from ledger.workspace import init_workspace

PARTS = [(("一", "产业发展"), ("（一）", "重点项目"), "1", "县发改局"),
         (("一", "产业发展"), ("（一）", "重点项目"), "2", "县工信局"),
         (("一", "产业发展"), ("（二）", "招商引资"), "1", "县商务局"),
         (("二", "城乡建设"), ("（一）", "重点项目"), "1", "县住建局")]


def test_the_part_table_counts_items_by_top_part(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    items = [PlanItem(n, f"任务{k}", f"任务{k}。", sec[1], sec[0], lead=[unit], parents=[Section(*part)])
             for k, (part, sec, n, unit) in enumerate(PARTS)]
    save_plan(ws.engine, Plan("测试县2024年重点工作", 2024, items, sections_of(items)), origin="import")
    generate_templates(ws, "2024-07")
    book = openpyxl.load_workbook(make_report(ws, "2024-07").path)
    table = rows_after(book["总体情况"], "部分", col=2)
    assert [(r["序号"], r["部分"], r["任务数"]) for r in table] == [("一", "产业发展", 3), ("二", "城乡建设", 1)]
