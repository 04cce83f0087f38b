"""A small county month for 督办 and 考评 tests, with answers a clerk can work out by hand.

Plan (2024; deadline for reports: the 5th of the next month):
  一 1 项目A  lead 发改局   完成时限 2024-07-15
  一 2 项目B  lead 商务局   完成时限 2024-08-20
  一 3 项目C  lead 工信局
  二 4 项目D  lead 教育局
Templates are issued for June and July. Answers for July (序时进度 58%):
  发改局 on time; 1 序时推进 60              -> red: 1 overdue (15 days)
  商务局 late (08-07); 2 序时推进 50         -> blue: 2 due in 20 days
  工信局 on time; 3 滞后 30 in June and July -> yellow: 28 points behind (lagging too)
            its July file carried 3 content findings and one earlier file was returned
  教育局 nothing in June or July             -> red: two periods missing
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from ledger.plan.model import Plan, PlanItem, Section
from ledger.store.plans import load_plan, save_plan, unit_id_for
from ledger.store.submissions import record_intake, save_submission
from ledger.template.generate import generate_templates
from ledger.workspace import Workspace, init_workspace

CST = timezone(timedelta(hours=8))
FLAGS = [{"code": c, "severity": "warning", "message": "提示", "cell": "J4"}
         for c in ("progress-copied", "progress-thin", "percent-fell")]


def make_plan() -> Plan:
    def item(section, number, title, lead, deadline=None):
        return PlanItem(number=number, title=title, text=title + "。", section=section[1], section_number=section[0],
                        lead=[lead], support=[], deadline=deadline, deadline_text=f"{deadline:%Y年%m月%d日}" if deadline else "")
    one, two = ("一", "经济发展"), ("二", "民生保障")
    return Plan("测试县2024年重点工作", 2024, [
        item(one, "1", "项目A", "发改局", date(2024, 7, 15)), item(one, "2", "项目B", "商务局", date(2024, 8, 20)),
        item(one, "3", "项目C", "工信局"), item(two, "4", "项目D", "教育局")], [Section(*one), Section(*two)])


def submit(ws: Workspace, period: str, unit: str, at: datetime, rows: dict[str, tuple], findings=(),
           outcome: str = "accepted") -> None:
    plan = load_plan(ws.engine)
    items = {i.number: i for i in plan.items}
    with ws.engine.begin() as conn:
        unit_id = unit_id_for(conn, unit)
        intake_id = record_intake(conn, sha256=uuid.uuid4().hex * 2, size=100, original_name=f"{period}_{unit}.xlsx",
                                  outcome=outcome, period=period, unit_id=unit_id, received_at=at,
                                  errors=1 if outcome == "rejected" else 0, findings=list(findings))
        if outcome != "accepted":
            return
        db_rows = [{"item_id": items[n].id, "role": "lead", "status": status, "percent": percent,
                    "progress": f"{period}完成{n}号任务阶段工作{percent}项。", "problems": "资金未到位" if "滞后" in status else None,
                    "next_steps": None, "person": "张三", "phone": "0533-1234567", "remarks": None, "raw": None}
                   for n, (status, percent) in rows.items()]
        save_submission(conn, intake_id=intake_id, template_id=uuid.uuid4().hex, plan_id=plan.id, period=period,
                        unit_id=unit_id, submitted_at=at, rows=db_rows)


def build(root) -> Workspace:
    ws = init_workspace(root)
    save_plan(ws.engine, make_plan(), origin="import")
    for period in ("2024-06", "2024-07"):
        generate_templates(ws, period)
    june = datetime(2024, 7, 3, 10, tzinfo=CST)
    submit(ws, "2024-06", "发改局", june, {"1": ("序时推进", 50)})
    submit(ws, "2024-06", "商务局", june, {"2": ("序时推进", 40)})
    submit(ws, "2024-06", "工信局", june, {"3": ("滞后", 20)})
    july = datetime(2024, 8, 3, 10, tzinfo=CST)
    submit(ws, "2024-07", "发改局", july, {"1": ("序时推进", 60)})
    submit(ws, "2024-07", "商务局", datetime(2024, 8, 7, 9, tzinfo=CST), {"2": ("序时推进", 50)})
    submit(ws, "2024-07", "工信局", july - timedelta(days=1), {}, outcome="rejected",
           findings=[{"code": "status-unknown", "severity": "error", "message": "状态不对"}])
    submit(ws, "2024-07", "工信局", july, {"3": ("滞后", 30)}, findings=FLAGS)
    return ws
