"""What to send to whom, as pure functions: the kinds a day calls for, who a channel reaches, the
dedupe key that makes a message once."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.contacts import Contact
from ledger.remind.messages import Waiting, applies, build, dedupe_key, kinds_due, recipients
from ledger.remind.wording import DEFAULT_TEMPLATE, parse
from ledger.settings import ChannelSettings, Settings

DEADLINE = date(2024, 8, 5)


EVENTS = ["rejected", "sent_back", "escalation"]      # sent as they happen, whatever the day


@pytest.mark.parametrize("today, expected", [
    (date(2024, 8, 1), EVENTS),                       # 4 days before: not yet
    (date(2024, 8, 3), ["due_soon", *EVENTS]),
    (date(2024, 8, 4), ["due_soon", *EVENTS]),
    (date(2024, 8, 5), ["due_today", *EVENTS]),
    (date(2024, 8, 6), ["overdue", *EVENTS]),
])
def test_the_kinds_a_day_calls_for(today, expected):
    assert kinds_due(today, DEADLINE, 2) == expected


@pytest.mark.parametrize("kind, today, expected", [
    ("due_soon", date(2024, 7, 20), True), ("due_soon", DEADLINE, False), ("due_today", DEADLINE, True),
    ("due_today", date(2024, 8, 4), False), ("overdue", DEADLINE, False), ("overdue", date(2024, 9, 1), True),
    ("rejected", date(2024, 9, 1), True),
])
def test_a_kind_asked_for_still_waits_for_its_day(kind, today, expected):
    assert applies(kind, today, DEADLINE) is expected


def test_email_goes_to_addresses_the_others_carry_mobiles():
    people = (Contact("张三", "13800138000", "zs@x.cn"), Contact("李四", "", "ls@x.cn"), Contact("王五", "13800138000"))
    assert recipients(ChannelSettings(kind="smtp"), people) == ["zs@x.cn", "ls@x.cn"]
    assert recipients(ChannelSettings(kind="dingtalk"), people) == ["13800138000"]


def test_the_dedupe_key_is_ascii_and_a_new_rejection_is_a_new_message():
    who = Waiting(7, "县科技局", 1, 0)
    key = dedupe_key("2024-07", "overdue", who, "短信网关")
    assert key.isascii() and key.startswith("2024-07:overdue:7:") and key == dedupe_key("2024-07", "overdue", who, "短信网关")
    assert key != dedupe_key("2024-07", "overdue", who, "邮件")
    notice = {"督办单号": "督办〔2024〕3号", "督办颜色": "黄色", "反馈时限": "2024年8月20日", "督办事项": "第 2 项"}
    raised = {**notice, "督办单号": "督办〔2024〕4号", "督办颜色": "红色"}
    one = dedupe_key("2024-07", "escalation", Waiting(7, "县科技局", 0, 0, notice=notice, notice_id=3), "x")
    assert one.isascii() and one != dedupe_key("2024-07", "escalation", Waiting(7, "县科技局", 0, 0, notice=raised, notice_id=4), "x")
    first = Waiting(7, "县科技局", 1, 0, rejected_at="2024-08-02T01:00:00+00:00")
    second = Waiting(7, "县科技局", 1, 0, rejected_at="2024-08-03T01:00:00+00:00")
    assert dedupe_key("2024-07", "rejected", first, "x") != dedupe_key("2024-07", "rejected", second, "x")


def test_channels_limited_by_unit_and_kind_and_units_no_channel_reaches_are_named():
    settings = Settings(channels=[ChannelSettings(kind="smtp", host="h", from_="a@b.cn"),
                                  ChannelSettings(kind="wecom", url="https://x", units=["县财政局"], kinds=["overdue"])])
    waiting = [Waiting(1, "县科技局", 2, 1, contacts=(Contact("张三", email="zs@x.cn"),), link="https://dc/u/t"),
               Waiting(2, "县财政局", 0, 3), Waiting(3, "县审计局", 1, 0)]
    messages, notes = build("2024-07", ["overdue", "sent_back"], waiting, [], settings, parse(DEFAULT_TEMPLATE),
                            DEADLINE, date(2024, 8, 9))
    assert [(m.unit, m.channel, m.recipients) for m in messages] == [("县科技局", "smtp", ["zs@x.cn"]),
                                                                     ("县财政局", "wecom", [])]
    assert "牵头 2 项、配合 1 项" in messages[0].body and "https://dc/u/t" in messages[0].body
    assert "配合 3 项" in messages[1].body and "请向督查室索取报送链接" in messages[1].body
    assert notes == ["县审计局没有可用的发送渠道（逾期未报）：请用 ledger units set 填写其邮箱或手机，"
                     "或检查 [[channels]] 的 units、kinds"]          # nobody was sent back: nothing for sent_back
