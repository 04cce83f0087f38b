"""A unit sees its 督办单 on its page, downloads it and replies (text and a file), with the form key."""

from __future__ import annotations

from ledger.store.escalations import notices
from ledger.supervise.escalate import escalate
from tests.web.conftest import PERIOD, form_key, page_text

UNIT = "县科技局"


def issue(served):
    served.ws.set_setting("escalation.missing_periods", 1)      # nobody reported July: red for every unit
    escalate(served.ws, PERIOD)
    return next(n for n in notices(served.ws.engine) if n["unit"] == UNIT)


def test_the_unit_sees_its_notice_and_answers_it(client, served):
    notice = issue(served)
    page = client.get(served.links[UNIT])
    text = page_text(page.text)
    assert notice["number"] in text and "红色督办" in text and "连续 1 期未报送工作台账" in text and "待反馈" in text
    other = next(n for n in notices(served.ws.engine) if n["unit"] != UNIT)
    assert other["number"] not in text                       # only its own notices
    doc = client.get(f"{served.base(UNIT)}/escalations/{notice['id']}")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    assert client.get(f"{served.base(UNIT)}/escalations/{other['id']}").status_code == 404
    answered = client.post(f"{served.base(UNIT)}/escalations/{notice['id']}/reply",
                           data={"form_key": form_key(page.text), "reply": "已于8月6日补报7月台账。"},
                           files={"file": ("说明.pdf", b"%PDF-1.4 test", "application/pdf")})
    assert answered.status_code == 200
    assert "已反馈，待督查室审核" in page_text(answered.text) and "已于8月6日补报7月台账。" in page_text(answered.text)
    stored = next(n for n in notices(served.ws.engine) if n["id"] == notice["id"])
    assert stored["state"] == "replied" and (served.ws.root / stored["reply_file"]).read_bytes() == b"%PDF-1.4 test"


def test_a_reply_without_the_form_key_or_to_another_units_notice_is_refused(client, served):
    notice = issue(served)
    other = next(n for n in notices(served.ws.engine) if n["unit"] != UNIT)
    page = client.get(served.links[UNIT])
    forged = client.post(f"{served.base(UNIT)}/escalations/{notice['id']}/reply", data={"reply": "x"})
    assert forged.status_code == 403
    foreign = client.post(f"{served.base(UNIT)}/escalations/{other['id']}/reply",
                          data={"form_key": form_key(page.text), "reply": "替别人反馈"})
    assert foreign.status_code == 400 and "没有这份督办单" in page_text(foreign.text)
    assert {n["state"] for n in notices(served.ws.engine)} == {"open"}
