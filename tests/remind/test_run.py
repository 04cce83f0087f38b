"""``ledger remind`` end to end: messages planned, recorded before sending, sent once, failures retried
and reported, one channel down never stopping the others."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.collect.intake import collect_inbox
from ledger.errors import LedgerError
from ledger.remind.run import remind
from ledger.store import schema as s
from ledger.store.contacts import set_unit_contacts
from ledger.contacts import Contact
from tests.conftest import age, fill_all
from tests.remind.conftest import PERIOD, configure

OVERDUE = date(2024, 8, 9)        # the deadline (5 August) has passed
UNITS = {"县发展改革局", "县科技局", "县财政局", "县委组织部"}


def outbox(ws) -> list[dict]:
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.outbox).order_by(s.outbox.c.id)).mappings()]


def test_each_waiting_unit_gets_one_message_with_its_link_and_a_rerun_sends_nothing(issued, receiver):
    gateway = receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nname = "短信网关"\nurl = "{gateway.url}"\n')
    set_unit_contacts(issued.engine, "县科技局", [Contact("张三", "13800138000")])
    result = remind(issued, PERIOD, today=OVERDUE)
    assert result.kinds == ["overdue", "rejected", "sent_back", "escalation"]
    assert {r.body["unit"] for r in gateway.received} == UNITS and len(gateway.received) == 4
    kj = next(r.body for r in gateway.received if r.body["unit"] == "县科技局")
    assert kj["kind"] == "overdue" and kj["period"] == PERIOD and kj["deadline"] == "2024-08-05"
    assert kj["phones"] == ["13800138000"] and kj["link"].startswith("http://127.0.0.1:8000/u/")
    assert kj["link"] in kj["text"] and "县科技局" in kj["text"] and "2024年8月5日" in kj["text"]
    assert next(r for r in gateway.received if r.body["unit"] == "县科技局").headers["Idempotency-Key"] == kj["id"]
    assert [r["state"] for r in outbox(issued)] == ["sent"] * 4
    again = remind(issued, PERIOD, today=OVERDUE)
    assert again.sent == [] and len(gateway.received) == 4
    assert "2024年7月催报：发送 4 条" in CliRunner().invoke(cli, ["-w", str(issued.root), "log"]).output


def test_dry_run_records_and_sends_nothing(issued, receiver):
    gateway = receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nurl = "{gateway.url}"\n')
    out = CliRunner().invoke(cli, ["-w", str(issued.root), "remind", "--period", PERIOD, "--dry-run", "--json"])
    assert out.exit_code == 0, out.output
    planned = json.loads(out.output)
    assert {m["unit"] for m in planned["messages"]} == UNITS and planned["dry_run"] is True
    assert gateway.received == [] and outbox(issued) == []


def test_without_a_channel_nothing_is_sent_and_the_office_is_told(issued):
    out = CliRunner().invoke(cli, ["-w", str(issued.root), "remind", "--period", PERIOD])
    assert out.exit_code == 1 and "未设置发送渠道" in out.output and "[[channels]]" in out.output


def test_a_failing_channel_is_retried_then_reported_and_others_still_go(issued, receiver):
    calls = []

    def refuse(received):
        calls.append(received)
        return 503, {"error": "maintenance"}
    down, up = receiver(refuse), receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nname = "网关甲"\nurl = "{down.url}"\n'
                      f'[[channels]]\nkind = "wecom"\nurl = "{up.url}"\n',
              max_attempts=3, backoff_seconds=0.05)
    result = remind(issued, PERIOD, today=OVERDUE)
    assert len(up.received) == 4                          # the robot got every unit's message
    assert {f["unit"] for f in result.failed} == UNITS     # each gateway message tried to the limit, then given up
    assert len(calls) == 4 * 3
    assert result.channel_errors == {"网关甲": "渠道“网关甲”（网关）发送失败：服务器返回 HTTP 503"}
    rows = [r for r in outbox(issued) if r["channel"] == "网关甲"]
    assert {(r["state"], r["attempts"]) for r in rows} == {("failed", 3)}
    log = CliRunner().invoke(cli, ["-w", str(issued.root), "log"]).output
    assert "渠道“网关甲”（网关）发送失败：服务器返回 HTTP 503" in log and "已放弃" in log


def test_the_schedule_action_waits_for_a_channel_then_sends_its_kind(issued, receiver):
    from ledger.schedule.actions import registry

    action = registry()["remind_overdue"]
    assert action(issued, PERIOD) == "未设置发送渠道，未发送（在 ledger.toml 中添加 [[channels]] 后生效）"
    assert outbox(issued) == []
    robot = receiver()
    configure(issued, f'[[channels]]\nkind = "dingtalk"\nurl = "{robot.url}"\n')
    assert action(issued, PERIOD) == "2024年7月催报：发送 4 条"        # today is long after 5 August 2024
    assert {r["kind"] for r in outbox(issued)} == {"overdue"}
    assert action(issued, PERIOD) == "2024年7月催报：发送 0 条" and len(robot.received) == 4
    assert registry()["remind_due_today"](issued, PERIOD) == "2024年7月催报：发送 0 条"   # not the deadline day


def test_kinds_follow_the_deadline_and_the_wording_is_the_workspaces(issued, receiver):
    from ledger.remind.wording import template_path

    robot = receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nurl = "{robot.url}"\n', due_soon_days=3)
    soon = remind(issued, PERIOD, dry_run=True, today=date(2024, 8, 2))
    assert soon.kinds == ["due_soon", "rejected", "sent_back", "escalation"] and {m.kind for m in soon.messages} == {"due_soon"}
    assert "还有 3 天" in soon.messages[0].body
    assert remind(issued, PERIOD, dry_run=True, today=date(2024, 8, 1)).messages == []     # 4 days before: too early
    today = remind(issued, PERIOD, dry_run=True, today=date(2024, 8, 5))
    assert {m.kind for m in today.messages} == {"due_today"}
    late = remind(issued, PERIOD, kinds=["due_soon"], dry_run=True, today=OVERDUE)
    assert late.messages == [] and "不发“即将截止”提醒" in late.notes[0]
    path = template_path(issued.templates_dir)
    assert not path.exists()                       # a dry run writes nothing
    remind(issued, PERIOD, kinds=["overdue"], unit="县委组织部", today=OVERDUE)
    assert path.is_file()                          # written on first use, for the office to edit
    text = path.read_text(encoding="utf-8").replace("【催报】{月份}工作台账已逾期未报", "{单位}：{月份}台账逾期")
    path.write_text(text, encoding="utf-8")
    mine = remind(issued, PERIOD, kinds=["overdue"], unit="县财政局", today=OVERDUE)
    assert robot.received[-1].body["subject"] == "县财政局：2024年7月台账逾期" and len(mine.sent) == 1
    path.write_text(text + "\n{催办人}\n", encoding="utf-8")
    with pytest.raises(LedgerError, match=r"\{催办人\}不是可用的占位符"):
        remind(issued, PERIOD, dry_run=True, today=OVERDUE)


def test_a_rejected_file_brings_a_message_with_its_findings_and_a_new_rejection_another(issued, receiver):
    robot = receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nurl = "{robot.url}"\nkinds = ["rejected"]\n')
    template = next((issued.templates_dir / PERIOD).glob("*县科技局*.xlsx"))
    age(fill_all(template, issued.inbox_dir / "科技局.xlsx", percent=150))
    assert collect_inbox(issued).totals["rejected"] == 1
    result = remind(issued, PERIOD, today=OVERDUE)
    (got,) = [r.body for r in robot.received]
    assert got["unit"] == "县科技局" and got["kind"] == "rejected" and len(result.sent) == 1
    assert "未通过校验" in got["text"] and "150" in got["text"]
    assert remind(issued, PERIOD, today=OVERDUE).sent == []                 # the same rejection: once
    age(fill_all(template, issued.inbox_dir / "科技局第二次.xlsx", percent=160))
    assert collect_inbox(issued).totals["rejected"] == 1
    assert len(remind(issued, PERIOD, today=OVERDUE).sent) == 1               # a new rejection: a new message
    assert "160" in robot.received[-1].body["text"] and len(robot.received) == 2


def test_a_message_owed_to_a_unit_that_reported_meanwhile_is_not_sent(issued, receiver):
    answer = {"status": 503}
    gateway = receiver(lambda r: (answer["status"], {}))
    configure(issued, f'[[channels]]\nkind = "webhook"\nurl = "{gateway.url}"\n', retry_within_seconds=0.0)
    first = remind(issued, PERIOD, kinds=["overdue"], today=OVERDUE)
    assert first.sent == [] and len(first.retrying) == 4
    template = next((issued.templates_dir / PERIOD).glob("*县科技局*.xlsx"))
    age(fill_all(template, issued.inbox_dir / "科技局.xlsx"))
    assert collect_inbox(issued).totals["accepted"] == 1
    answer["status"] = 200
    second = remind(issued, PERIOD, kinds=["overdue"], today=OVERDUE)
    assert {r.body["unit"] for r in gateway.received} == UNITS - {"县科技局"}
    assert [c["unit"] for c in second.cancelled] == ["县科技局"] and "1 条已无需发送" in second.summary()
    assert {r["unit_name"]: r["state"] for r in outbox(issued)}["县科技局"] == "cancelled"


def test_a_unit_whose_link_was_revoked_is_still_reminded_without_a_link(issued, receiver):
    from ledger.links import revoke_link, unit_links

    gateway = receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nurl = "{gateway.url}"\n')
    unit_links(issued, PERIOD)
    revoke_link(issued, "县财政局")
    remind(issued, PERIOD, kinds=["overdue"], today=OVERDUE)
    bodies = {r.body["unit"]: r.body for r in gateway.received}
    assert set(bodies) == UNITS
    assert bodies["县财政局"]["link"] == "" and "请向督查室索取报送链接" in bodies["县财政局"]["text"]
    assert "/u/" in bodies["县科技局"]["link"]


def test_the_command_says_what_went_and_exits_4_when_some_did_not(issued, receiver):
    answer = {"status": 200}
    gateway = receiver(lambda r: (answer["status"], {}))
    configure(issued, f'[[channels]]\nkind = "webhook"\nname = "网关"\nurl = "{gateway.url}"\n'
                      '[[channels]]\nkind = "webhook"\nname = "网关乙"\nurl = "http://127.0.0.1:9/x"\n'
                      'units = ["县科技局"]\n', max_attempts=1)
    set_unit_contacts(issued.engine, "县科技局", [Contact("张三", "13800138000")])
    preview = CliRunner().invoke(cli, ["-w", str(issued.root), "remind", "--period", PERIOD, "--kind", "overdue",
                                       "--dry-run"])
    assert preview.exit_code == 0 and "县科技局" in preview.output and "13800138000" in preview.output
    assert preview.output.count("将发送") == 5 and gateway.received == []
    out = CliRunner().invoke(cli, ["-w", str(issued.root), "remind", "--period", PERIOD, "--kind", "overdue"])
    assert out.exit_code == 4, out.output
    assert "已发送：县科技局 逾期未报（网关）" in out.output
    assert "未发出：县科技局 逾期未报 — 渠道“网关乙”（网关）发送失败：" in out.output
    assert "2024年7月催报：发送 4 条，1 条发送失败" in out.output
    again = CliRunner().invoke(cli, ["-w", str(issued.root), "remind", "--period", PERIOD, "--kind", "overdue"])
    assert again.exit_code == 0 and "发送 0 条" in again.output and len(gateway.received) == 4


def test_a_sent_back_ledger_and_an_open_notice_each_bring_their_own_message_once(issued, receiver):
    """The office's send-back (审核退回) is told as such, with its comment, not as a machine rejection;
    a 督办单 awaiting its reply is told with its number, colour and 反馈时限; neither is sent twice."""
    from ledger import review
    from ledger.supervise.escalate import escalate

    robot = receiver()
    configure(issued, f'[[channels]]\nkind = "webhook"\nurl = "{robot.url}"\n')
    issued.set_setting("review.required", True)
    template = next((issued.templates_dir / PERIOD).glob("*县科技局*.xlsx"))
    age(fill_all(template, issued.inbox_dir / "科技局.xlsx"))
    assert collect_inbox(issued).totals["accepted"] == 1
    review.send_back(issued.engine, PERIOD, "县科技局", "请写明新引进项目的投资额", "张三")
    issued.set_setting("escalation.missing_periods", 1)          # nobody else reported July: red for them
    issued.__dict__.pop("settings", None)
    from datetime import datetime, timezone
    notices = escalate(issued, PERIOD, now=datetime(2024, 8, 9, 2, tzinfo=timezone.utc)).issued
    assert notices
    result = remind(issued, PERIOD, kinds=["rejected", "sent_back", "escalation"], today=OVERDUE)
    got = [r.body for r in robot.received]
    sent_back = [b for b in got if b["kind"] == "sent_back"]
    assert [b["unit"] for b in sent_back] == ["县科技局"] and "请写明新引进项目的投资额" in sent_back[0]["text"]
    assert not [b for b in got if b["kind"] == "rejected"]        # the office's send-back is not the machine's
    told = [b for b in got if b["kind"] == "escalation"]
    assert sorted(b["unit"] for b in told) == sorted(n.draft.unit for n in notices)
    assert all("督办〔" in b["text"] and "前在报送页填写办理情况" in b["text"] for b in told)
    assert len(result.sent) == len(got)
    assert remind(issued, PERIOD, kinds=["rejected", "sent_back", "escalation"], today=OVERDUE).sent == []
