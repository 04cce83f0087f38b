"""A unit sees its 督办单 on its page, downloads it and replies (text and a file), with the form key."""

from __future__ import annotations

import pytest

from ledger.store.escalations import notices
from ledger.supervise.escalate import escalate
from tests.web.conftest import PERIOD, form_key, page_text

UNIT = "县科技局"


def issue(served):
    import time

    from ledger.errors import LockedError

    served.ws.set_setting("escalation.missing_periods", 1)      # nobody reported July: red for every unit
    for _ in range(100):                 # the server's collector may hold the workspace for a moment
        try:
            escalate(served.ws, PERIOD)
            break
        except LockedError:
            time.sleep(0.1)
    return next(n for n in notices(served.ws.engine) if n["unit"] == UNIT)


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_board_button_issues_the_notices_once_and_lists_them(client, served):
    from tests.web.test_app import login

    served.ws.set_setting("escalation.missing_periods", 1)
    login(client)
    board = client.get(f"/office?period={PERIOD}")
    done = client.post("/office/escalate", data={"form_key": form_key(board.text), "period": PERIOD})
    units = {n["unit"] for n in notices(served.ws.engine)}
    assert done.status_code == 200 and f"已签发督办单 {len(units)} 份" in page_text(done.text)
    assert UNIT in page_text(done.text) and "红色" in page_text(done.text) and "待反馈" in page_text(done.text)
    again = client.post("/office/escalate", data={"form_key": form_key(done.text), "period": PERIOD})
    assert "没有需要签发的督办单" in page_text(again.text) and len(notices(served.ws.engine)) == len(units)
    assert client.post("/office/escalate", data={"period": PERIOD}).status_code == 403
    board = page_text(client.get(f"/office?period={PERIOD}").text)     # this month's scores, with why
    assert "考评得分" in board and "2024年7月台账未报送 -0.5" in board and "收到红色督办单 -0.5" in board
