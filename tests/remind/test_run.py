"""``ledger remind`` end to end: messages planned, recorded before sending, sent once, failures retried
and reported, one channel down never stopping the others."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.remind.run import remind
from ledger.store import schema as s
from ledger.store.contacts import set_unit_contacts
from ledger.contacts import Contact
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
    assert result.kinds == ["overdue", "rejected"]
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
