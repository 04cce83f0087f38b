"""一键催报 on the office's board: a GET shows what would be sent and changes nothing; the POST (with
the form key) sends it, once; what failed stays on the board."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.testclient import TestClient

from ledger.store import schema as s
from ledger.web import create_app
from tests.remind.conftest import configure
from tests.web.conftest import PASSWORD, PERIOD, form_key, page_text, served  # noqa: F401 - fixture


def login(client) -> str:
    page = client.get("/office/login")
    response = client.post("/office/login", data={"form_key": form_key(page.text), "password": PASSWORD})
    assert response.status_code == 200
    return response.text


def outbox_rows(ws) -> list[dict]:
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.outbox)).mappings()]


def test_one_click_reminding_shows_then_sends_once(served, receiver):
    robot = receiver()
    configure(served.ws, f'[[channels]]\nkind = "wecom"\nname = "督查群"\nurl = "{robot.url}"\n')
    with TestClient(create_app(served.ws), follow_redirects=True) as client:
        board = login(client)
        assert "一键催报" in page_text(board)
        preview = client.get(f"/office/remind?period={PERIOD}")
        text = page_text(preview.text)
        assert preview.status_code == 200 and "发送以上 4 条消息" in text
        assert all(unit in text for unit in ("县科技局", "县财政局", "县委组织部", "县发展改革局"))
        assert "逾期未报" in text and "督查群" in text
        assert robot.received == [] and outbox_rows(served.ws) == []          # a GET changes nothing
        forged = client.post("/office/remind", data={"period": PERIOD, "kind": "overdue"})
        assert forged.status_code == 403 and robot.received == []
        sent = client.post("/office/remind", data={"form_key": form_key(preview.text), "period": PERIOD,
                                                   "kind": ["overdue", "rejected"]})
        assert sent.status_code == 200 and "2024年7月催报：发送 4 条" in page_text(sent.text)
        assert len(robot.received) == 4 and "没有要发送的消息" in page_text(sent.text)
        again = client.post("/office/remind", data={"form_key": form_key(sent.text), "period": PERIOD,
                                                    "kind": "overdue"})
        assert "发送 0 条" in page_text(again.text) and len(robot.received) == 4
        assert "本月已发出 4 条" in page_text(client.get(f"/office?period={PERIOD}").text)


def test_what_did_not_go_is_on_the_board(served, receiver):
    robot = receiver(lambda r: (502, {}))
    configure(served.ws, f'[[channels]]\nkind = "webhook"\nname = "短信网关"\nurl = "{robot.url}"\n', max_attempts=1)
    with TestClient(create_app(served.ws), follow_redirects=True) as client:
        login(client)
        preview = client.get(f"/office/remind?period={PERIOD}")
        client.post("/office/remind", data={"form_key": form_key(preview.text), "period": PERIOD, "kind": "overdue"})
        board = page_text(client.get(f"/office?period={PERIOD}").text)
    assert "未发出的催报消息（4 条）" in board
    assert "渠道“短信网关”（网关）发送失败：服务器返回 HTTP 502" in board


def test_without_a_channel_the_board_says_how_to_set_one(served):
    with TestClient(create_app(served.ws), follow_redirects=True) as client:
        board = page_text(login(client))
        assert "一键催报" in board and "设置发送渠道" in board
        assert client.get(f"/office/remind?period={PERIOD}").status_code == 400


def test_the_office_edits_contacts_on_its_page(served):
    from ledger.contacts import Contact
    from ledger.store.contacts import unit_contacts

    with TestClient(create_app(served.ws), follow_redirects=True) as client:
        login(client)
        page = client.get("/office/units")
        assert page.status_code == 200 and "县科技局" in page_text(page.text)
        saved = client.post("/office/units", data={"form_key": form_key(page.text), "unit": "县科技局",
                                                   "contact": "张三", "phone": "138 0013 8000", "email": ""})
        assert "张三 13800138000" in page_text(saved.text)
        wrong = client.post("/office/units", data={"form_key": form_key(saved.text), "unit": "县科技局",
                                                   "contact": "李四", "phone": "12345"})
        assert wrong.status_code == 400 and "手机：手机号“12345”无效" in page_text(wrong.text)
        assert unit_contacts(served.ws.engine)["县科技局"] == [Contact("张三", "13800138000", "")]
        client.post("/office/units", data={"form_key": form_key(saved.text), "unit": "县科技局", "clear": "1"})
        assert unit_contacts(served.ws.engine)["县科技局"] == []
        forged = client.post("/office/units", data={"unit": "县科技局", "contact": "王五"})
        assert forged.status_code == 403 and unit_contacts(served.ws.engine)["县科技局"] == []
