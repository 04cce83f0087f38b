"""The office's sign-in through HTTP: named users, sessions that end server-side on logout and on a
password change (made by another process, without a restart), form keys bound to the session, and
leaders who read but do not act."""

from __future__ import annotations

import os

from ledger import accounts
from ledger.web.security import SESSION_COOKIE
from tests.web.conftest import PASSWORD, PERIOD, form_key, page_text

ZHANG, LI = "张三", "李四"
OFFICE_PW, LEADER_PW = "张三的口令-2024", "李四的口令-2024"


def login(client, name: str | None, password: str):
    key = form_key(client.get("/office/login").text)
    data = {"form_key": key, "password": password} | ({"name": name} if name else {})
    return client.post("/office/login", data=data)


def test_a_copied_session_ends_at_logout(client, served):
    accounts.add_user(served.ws.engine, ZHANG, "office", OFFICE_PW)
    assert "报送看板" in page_text(login(client, ZHANG, OFFICE_PW).text)
    copied = client.cookies.get(SESSION_COOKIE)
    key = form_key(client.get("/office").text)
    assert client.post("/office/logout", data={"form_key": key}).status_code == 200
    client.cookies.set(SESSION_COOKIE, copied)                 # the session copied before logout
    response = client.get("/office", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/office/login"


def test_a_password_changed_elsewhere_ends_the_users_sessions_at_once(client, served):
    accounts.add_user(served.ws.engine, ZHANG, "office", OFFICE_PW)
    login(client, ZHANG, OFFICE_PW)
    assert client.get("/office", follow_redirects=False).status_code == 200
    from ledger.store.schema import connect
    other = connect(served.ws.db_url)          # as `ledger users passwd` in another process
    accounts.set_password(other, ZHANG, "新口令-99999999")
    assert client.get("/office", follow_redirects=False).status_code == 303
    assert login(client, ZHANG, OFFICE_PW).status_code == 401
    assert "报送看板" in page_text(login(client, ZHANG, "新口令-99999999").text)


def test_the_shared_password_changed_in_the_file_takes_effect_without_a_restart(client, served):
    assert "报送看板" in page_text(login(client, None, PASSWORD).text)
    toml = served.ws.root / "ledger.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace(PASSWORD, "编辑器里改的口令"), encoding="utf-8")     # not through the workspace object
    stat = toml.stat()
    os.utime(toml, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert client.get("/office", follow_redirects=False).status_code == 303
    assert login(client, None, PASSWORD).status_code == 401
    assert "报送看板" in page_text(login(client, None, "编辑器里改的口令").text)


def test_once_a_user_exists_the_shared_password_no_longer_signs_in(client, served):
    login(client, None, PASSWORD)
    assert client.get("/office", follow_redirects=False).status_code == 200
    accounts.add_user(served.ws.engine, ZHANG, "office", OFFICE_PW)
    assert client.get("/office", follow_redirects=False).status_code == 303
    page = client.get("/office/login").text
    assert 'name="name"' in page
    assert login(client, None, PASSWORD).status_code == 401
    assert login(client, ZHANG, PASSWORD).status_code == 401


def test_a_form_key_works_only_with_the_session_it_was_made_for(client, served):
    from starlette.testclient import TestClient

    from ledger.web import create_app

    accounts.add_user(served.ws.engine, ZHANG, "office", OFFICE_PW)
    login(client, ZHANG, OFFICE_PW)
    mine = form_key(client.get("/office").text)
    with TestClient(create_app(served.ws, collect=False, access_log=False), follow_redirects=True) as other:
        login(other, ZHANG, OFFICE_PW)
        form_cookie = client.cookies.get("ledger_form")
        other.cookies.set("ledger_form", form_cookie)          # even with the same form cookie
        response = other.post("/office/links/revoke", data={"form_key": mine, "unit": "县科技局", "period": PERIOD})
        assert response.status_code == 403 and "页面已过期" in page_text(response.text)
    assert client.post("/office/links/revoke", data={"form_key": mine, "unit": "县科技局", "period": PERIOD}).status_code == 200


def test_a_leader_reads_but_does_not_act_and_the_log_names_who_acted(client, served):
    accounts.add_user(served.ws.engine, LI, "leader", LEADER_PW)
    accounts.add_user(served.ws.engine, ZHANG, "office", OFFICE_PW)
    board = login(client, LI, LEADER_PW)
    assert "报送看板" in page_text(board.text) and "李四（领导）" in page_text(board.text)
    assert 'id="make-report"' not in board.text and 'id="lock"' not in board.text      # nothing to press
    key = form_key(board.text)
    refused = client.post("/office/links/revoke", data={"form_key": key, "unit": "县科技局", "period": PERIOD})
    assert refused.status_code == 403 and "只能查看" in page_text(refused.text)
    assert "县科技局" in page_text(client.get(f"/office/links?period={PERIOD}").text)
    client.post("/office/logout", data={"form_key": form_key(client.get("/office").text)})
    login(client, ZHANG, OFFICE_PW)
    key = form_key(client.get("/office").text)
    assert client.post("/office/links/revoke", data={"form_key": key, "unit": "县科技局", "period": PERIOD}).status_code == 200
    client.app.state.web.access._flush()
    served_log = client.get("/office/log").text
    assert "李四登录（领导" in page_text(served_log) and "张三登录（督查室" in page_text(served_log)
