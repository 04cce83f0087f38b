"""A small county plan with three months of submissions and known answers.

Plan (two versions with the same items, so May and June rows belong to an older version):
  一、经济发展  1 推进项目A  lead 发改局            support 财政局
               2 招商引资B  lead 商务局、发改局 (co-leads)
               3 产业升级C  lead 工信局            support 发改局
  二、民生保障  4 教育提质D  lead 教育局            support 财政局
               5 医疗服务E  lead 卫健局
               6 养老服务F  lead 民政局            support 各镇 (collective, not expected)

July 2024 (deadline 2024-08-05, Asia/Shanghai):
  发改局 08-03 10:00 on time   1 已完成 100 (下步计划 "=1+1"), 2 序时推进 60, 3 (support) text
  商务局 08-06 01:00 late      2 滞后 40 "资金未到位"   (UTC date is still 08-05)
  工信局 08-05 23:30 on time   3 严重滞后 10 "土地指标不足"
  财政局 08-04 09:00 on time   1 and 4 as support
  民政局 08-02 16:00 on time   6 超序时 70
  卫健局 rejected file (no accepted submission)
  教育局 nothing
=> items: 1 已完成, 2 滞后 (co-leads disagree), 3 严重滞后, 4 未报送 (support only), 5 未报送, 6 超序时.
June: 1 序时推进 70, 2 序时推进/序时推进 50, 3 滞后 20, 4 滞后 20, 5 序时推进 40, 6 超序时 75.
May:  2 滞后 (商务局) / 序时推进 (发改局), 3 滞后 15.  => item 3 lags three months running.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ledger.plan.model import Plan, PlanItem, Section
from ledger.store.plans import load_plan, save_plan, unit_id_for
from ledger.store.submissions import record_intake, save_submission
from ledger.workspace import Workspace, init_workspace

CST = timezone(timedelta(hours=8))
TITLE = "测试县2024年重点工作"

ITEMS = [
    ("经济发展", "一", "1", "推进项目A", ["发改局"], ["财政局"]),
    ("经济发展", "一", "2", "招商引资B", ["商务局", "发改局"], []),
    ("经济发展", "一", "3", "产业升级C", ["工信局"], ["发改局"]),
    ("民生保障", "二", "4", "教育提质D", ["教育局"], ["财政局"]),
    ("民生保障", "二", "5", "医疗服务E", ["卫健局"], []),
    ("民生保障", "二", "6", "养老服务F", ["民政局"], ["各镇"]),
]


def make_plan() -> Plan:
    items = [PlanItem(number=n, title=t, text=t + "的具体措施。", section=sec, section_number=num,
                      lead=list(lead), support=list(sup)) for sec, num, n, t, lead, sup in ITEMS]
    return Plan(TITLE, 2024, items, [Section("一", "经济发展"), Section("二", "民生保障")])


def row(status: str, percent: int, progress: str = "", problems: str = "", next_steps: str = "") -> dict:
    return {"status": status, "percent": percent, "progress": progress or f"{status}进展",
            "problems": problems or None, "next_steps": next_steps or None}


def submit(ws: Workspace, period: str, unit: str, at: datetime, rows: dict[str, dict], plan_version=None) -> None:
    """Store an accepted submission of ``unit`` with rows keyed by item number."""
    plan = load_plan(ws.engine, plan_version)
    items = {i.number: i for i in plan.items}
    with ws.engine.begin() as conn:
        unit_id = unit_id_for(conn, unit)
        intake_id = record_intake(conn, sha256=uuid.uuid4().hex * 2, size=100, original_name=f"{period}_{unit}.xlsx",
                                  outcome="accepted", period=period, unit_id=unit_id, received_at=at)
        db_rows = [{"item_id": items[n].id, "role": "lead" if unit in items[n].lead else "support",
                    "person": "张三", "phone": "0533-1234567", "remarks": None, "raw": {}, **values}
                   for n, values in rows.items()]
        save_submission(conn, intake_id=intake_id, template_id=uuid.uuid4().hex, plan_id=plan.id, period=period,
                        unit_id=unit_id, submitted_at=at, rows=db_rows)


def reject(ws: Workspace, period: str, unit: str, at: datetime, messages: list[tuple[str, str]]) -> None:
    findings = [{"code": "x", "severity": "error", "message": m, "cell": c} for c, m in messages]
    findings.append({"code": "w", "severity": "warning", "message": "仅为提示", "cell": "A1"})
    with ws.engine.begin() as conn:
        record_intake(conn, sha256=uuid.uuid4().hex * 2, size=100, original_name=f"{unit}台账.xlsx",
                      outcome="rejected", period=period, unit_id=unit_id_for(conn, unit), received_at=at,
                      errors=len(messages), findings=findings)


def at(text: str) -> datetime:
    """A Beijing time 'YYYY-MM-DD HH:MM' as the aware UTC time collect stores."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CST).astimezone(timezone.utc)


def build_scenario(root: Path) -> Workspace:
    ws = init_workspace(root)
    save_plan(ws.engine, make_plan(), origin="import", collective={"各镇"})
    _may(ws)
    _june(ws)
    save_plan(ws.engine, make_plan(), origin="review", collective={"各镇"})   # version 2
    _july(ws)
    return ws


def _may(ws: Workspace) -> None:
    submit(ws, "2024-05", "商务局", at("2024-06-03 09:00"), {"2": row("滞后", 30, problems="项目未签约")}, 1)
    submit(ws, "2024-05", "发改局", at("2024-06-03 09:00"), {"1": row("序时推进", 40), "2": row("序时推进", 40)}, 1)
    submit(ws, "2024-05", "工信局", at("2024-06-03 09:00"), {"3": row("滞后", 15)}, 1)


def _june(ws: Workspace) -> None:
    submit(ws, "2024-06", "发改局", at("2024-07-03 09:00"), {"1": row("序时推进", 70), "2": row("序时推进", 50)}, 1)
    submit(ws, "2024-06", "商务局", at("2024-07-03 09:00"), {"2": row("序时推进", 50)}, 1)
    submit(ws, "2024-06", "工信局", at("2024-07-03 09:00"), {"3": row("滞后", 20)}, 1)
    submit(ws, "2024-06", "教育局", at("2024-07-03 09:00"), {"4": row("滞后", 20)}, 1)
    submit(ws, "2024-06", "卫健局", at("2024-07-03 09:00"), {"5": row("序时推进", 40)}, 1)
    submit(ws, "2024-06", "民政局", at("2024-07-03 09:00"), {"6": row("超序时", 75)}, 1)


def _july(ws: Workspace) -> None:
    submit(ws, "2024-07", "发改局", at("2024-08-03 10:00"), {
        "1": row("已完成", 100, "项目A已竣工", next_steps="=1+1"),
        "2": row("序时推进", 60, "对接客商3家"),
        "3": row("序时推进", 50, "协调用地指标"),
    })
    submit(ws, "2024-07", "商务局", at("2024-08-06 01:00"), {"2": row("滞后", 40, "签约1家", problems="资金未到位")})
    submit(ws, "2024-07", "工信局", at("2024-08-05 23:30"), {"3": row("严重滞后", 10, "手续办理中", problems="土地指标不足")})
    submit(ws, "2024-07", "财政局", at("2024-08-04 09:00"), {
        "1": row("序时推进", 80, "配合资金拨付"), "4": row("序时推进", 30, "配合校舍建设")})
    submit(ws, "2024-07", "民政局", at("2024-08-02 16:00"), {"6": row("超序时", 70, "新建养老中心")})
    reject(ws, "2024-07", "卫健局", at("2024-08-04 15:00"), [("I5", "“完成状态”不能为空"), ("J5", "完成进度应为整数")])
