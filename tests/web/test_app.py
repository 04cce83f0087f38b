"""The web pages through an HTTP client: what a department and the office see and can do."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from ledger import layout
from ledger.report import period_status
from ledger.store import events
from tests.conftest import fill_all, fill_template
from tests.web.conftest import PASSWORD, PERIOD, form_key, page_text

UNIT = "县科技局"


def upload(client, served, unit: str, path, name: str | None = None):
    page = client.get(served.links[unit])
    with open(path, "rb") as f:
        return client.post(f"{served.base(unit)}/upload", data={"form_key": form_key(page.text)},
                           files={"file": (name or path.name, f, "application/octet-stream")})


def login(client) -> None:
    page = client.get("/office/login")
    response = client.post("/office/login", data={"form_key": form_key(page.text), "password": PASSWORD})
    assert response.status_code == 200 and "报送看板" in page_text(response.text)


def test_the_unit_page_shows_its_template_deadline_and_upload_box(client, served):
    page = client.get(served.links[UNIT])
    text = page_text(page.text)
    assert page.status_code == 200
    assert f"{UNIT} · 2024年7月工作台账报送" in text
    assert "请于 2024年8月5日 前报送" in text and "尚未报送" in text
    assert 'type="file"' in page.text and "上传并校验" in text
    assert page.headers["referrer-policy"] == "no-referrer"     # the token never leaves in a Referer


def test_a_unit_downloads_its_own_template(client, served):
    page = client.get(served.links[UNIT])
    href = re.search(r'href="(/u/[^"]+/templates/[0-9a-f]+)"', page.text).group(1)
    got = client.get(href)
    assert got.status_code == 200
    assert got.content == served.templates[UNIT].read_bytes()
    assert "attachment" in got.headers["content-disposition"]


def test_a_rejected_upload_shows_each_problem_then_the_corrected_one_is_accepted(client, served, tmp_path):
    wrong = fill_all(served.templates[UNIT], tmp_path / "填好的.xlsx")
    fill_template(wrong, {0: {"status": "进行中"}})
    first = upload(client, served, UNIT, wrong)
    text = page_text(first.text)
    assert first.status_code == 200 and "已退回" in text
    status_cell = f"{layout.column_letter(layout.column_index('status'))}{layout.FIRST_DATA_ROW}"
    row = re.search(r"<tr class=\"bad\">(.*?)</tr>", first.text, re.S).group(1)
    cells = [page_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1] == status_cell and cells[2] == "完成状态" and cells[3] == "进行中"
    assert "下拉列表" in cells[5]
    feedback = re.search(r'href="(/u/[^"]+/feedback/\d+)"', first.text).group(1)
    got = client.get(feedback)
    assert got.status_code == 200
    marked = openpyxl.load_workbook(io.BytesIO(got.content))
    assert layout.LEDGER_SHEET in marked.sheetnames          # the template with the wrong cells marked

    fixed = fill_all(served.templates[UNIT], tmp_path / "改好的.xlsx")
    second = upload(client, served, UNIT, fixed)
    assert "已接收" in page_text(second.text)
    status = {u.unit.name: u for u in period_status(served.ws, PERIOD).units}[UNIT]
    assert status.reported
    history = page_text(client.get(served.links[UNIT]).text)
    assert "本月已报送" in history and "已退回" in history and "已接收" in history and "（现行）" in history


def test_an_upload_is_collected_without_waiting_for_the_settle_time(client, served, tmp_path):
    served.ws.set_setting("collect.settle_seconds", 600)
    response = upload(client, served, UNIT, fill_all(served.templates[UNIT], tmp_path / "a.xlsx"))
    assert "已接收" in page_text(response.text)


def test_an_upload_with_no_file_chosen_is_told_so(client, served):
    page = client.get(served.links[UNIT])
    response = client.post(f"{served.base(UNIT)}/upload", data={"form_key": form_key(page.text)})
    assert response.status_code == 400 and "请先选择要上传的台账文件" in page_text(response.text)


def test_a_file_that_is_not_a_workbook_is_returned_with_a_reason(client, served, tmp_path):
    memo = tmp_path / "情况说明.docx"
    memo.write_bytes(b"PK\x03\x04 not really a workbook")
    text = page_text(upload(client, served, UNIT, memo).text)
    assert "已退回" in text


def test_the_same_file_twice_is_a_duplicate_and_not_stored_again(client, served, tmp_path):
    good = fill_all(served.templates[UNIT], tmp_path / "a.xlsx")
    assert "已接收" in page_text(upload(client, served, UNIT, good).text)
    again = page_text(upload(client, served, UNIT, good).text)
    assert "重复报送" in again and "内容完全相同" in again


def test_the_office_board_follows_the_uploads(client, served, tmp_path):
    login(client)
    board = page_text(client.get(f"/office?period={PERIOD}").text)
    expected = len(served.links)
    assert f"应报 {expected}" in board and f"未报送 {expected}" in board
    version = client.get("/office/version").json()["version"]
    upload(client, served, UNIT, fill_all(served.templates[UNIT], tmp_path / "a.xlsx"))
    assert client.get("/office/version").json()["version"] != version
    html = client.get(f"/office?period={PERIOD}").text
    row = re.search(rf'<tr data-unit="{UNIT}">(.*?)</tr>', html, re.S).group(1)
    label = {u.unit.name: u.label for u in period_status(served.ws, PERIOD).units}[UNIT]
    assert label in page_text(row) and label != "未报送"
    assert f"未报送 {expected - 1}" in page_text(html)


@pytest.mark.slow
def test_the_office_downloads_the_reminders_and_makes_the_report(client, served):
    login(client)
    reminders = client.get(f"/office/reminders?period={PERIOD}")
    assert reminders.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(reminders.content)).active
    names = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert set(served.links) <= names                  # nobody has reported yet: every unit is owed
    board = client.get(f"/office?period={PERIOD}").text
    assert "下载汇总表" not in page_text(board)
    made = client.post("/office/report", data={"form_key": form_key(board), "period": PERIOD})
    assert made.status_code == 200 and "下载汇总表" in page_text(made.text) and "下载督查通报" in page_text(made.text)
    workbook = client.get(f"/office/report/xlsx?period={PERIOD}")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert client.get(f"/office/report/docx?period={PERIOD}").content[:2] == b"PK"


def test_the_office_log_shows_the_work_and_the_accesses_apart(client, served, tmp_path):
    login(client)
    upload(client, served, UNIT, fill_all(served.templates[UNIT], tmp_path / "a.xlsx"))
    served_app_log = page_text(client.get("/office/log").text)
    assert "接收 1 个" in served_app_log
    client.app.state.web.access._flush()
    accesses = page_text(client.get("/office/log?access=1").text)
    assert f"{UNIT}打开报送页" in accesses


def test_the_office_reissues_a_link_and_the_old_one_stops_working(client, served):
    login(client)
    old = served.links[UNIT]
    page = client.get(f"/office/links?period={PERIOD}")
    assert old.split("?")[0] in page.text
    response = client.post("/office/links/reissue", data={"form_key": form_key(page.text), "period": PERIOD, "unit": UNIT})
    assert response.status_code == 200
    new = re.search(rf"<td[^>]*>{UNIT}</td><td[^>]*><code>[^<]*?(/u/[^<?]+)", response.text).group(1)
    assert new != old.split("?")[0]
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_every_access_goes_to_the_work_log_without_the_token(client, served):
    client.get(served.links[UNIT])
    client.get("/u/forged-token-0000000000000000000")
    client.app.state.web.access._flush()
    logged = events.recent(served.ws.engine, 50)
    actions = [e["action"] for e in logged]
    assert "web-access" in actions and "web-denied" in actions
    assert all(served.token(UNIT) not in repr(e) for e in logged)


@pytest.mark.parametrize("path", ["/office", "/office/log", "/office/links", f"/office/reminders?period={PERIOD}"])
def test_office_pages_need_the_password(client, path):
    response = client.get(path)
    assert "督查室登录" in page_text(response.text)


def test_pages_are_in_chinese_even_when_something_is_missing(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "没有这个页面" in page_text(response.text)


def test_pages_that_say_nothing_themselves_are_logged_too(client, served):
    client.get("/")
    client.get("/office/log")                      # not signed in: sent to the login page
    client.get("/office/version")                  # the board's own polling is not an access
    client.app.state.web.access._flush()
    logged = [e["summary"] for e in events.recent(served.ws.engine, 50, only=("web-access",))]
    assert "GET / → 200" in logged and "GET /office/log → 303" in logged and "GET /office/login → 200" in logged
    assert not any("/office/version" in line for line in logged)


def test_the_office_revokes_a_link_and_signs_it_again_later(client, served):
    login(client)
    page = client.get(f"/office/links?period={PERIOD}")
    revoked = client.post("/office/links/revoke", data={"form_key": form_key(page.text), "period": PERIOD, "unit": UNIT})
    assert client.get(served.links[UNIT]).status_code == 404
    row = re.search(rf"<td[^>]*>{UNIT}</td>(.*?)</tr>", revoked.text, re.S).group(1)
    assert "链接已收回" in page_text(row) and "重新签发" in page_text(row)
    again = client.post("/office/links/reissue", data={"form_key": form_key(revoked.text), "period": PERIOD, "unit": UNIT})
    new = re.search(rf"<td[^>]*>{UNIT}</td><td[^>]*><code>[^<]*?(/u/[^<?]+)", again.text).group(1)
    assert client.get(new).status_code == 200 and client.get(served.links[UNIT]).status_code == 404


@pytest.mark.slow
def test_a_file_held_for_the_office_is_told_as_such_and_taken_in_once_mended(served, tmp_path, monkeypatch):
    import errno
    import time

    from starlette.testclient import TestClient

    import ledger.collect.placement as placement
    import ledger.web.receive as receive
    from ledger.web import create_app

    real_copy = placement.copy_into

    def disk_full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(placement, "copy_into", disk_full)
    monkeypatch.setattr(receive, "RETRY_HELD", 0.5)
    with TestClient(create_app(served.ws, collect_every=0.2), follow_redirects=True) as client:
        held = upload(client, served, UNIT, fill_all(served.templates[UNIT], tmp_path / "a.xlsx"))
        assert "已收到，等待督查室处理" in page_text(held.text) and "不是贵单位的问题" in page_text(held.text)
        login(client)
        board = page_text(client.get(f"/office?period={PERIOD}").text)
        assert "需督查室处理（1 个文件）" in board and "磁盘" in board
        monkeypatch.setattr(placement, "copy_into", real_copy)         # the office frees the disk
        deadline = time.monotonic() + 15
        while "已接收" not in page_text(client.get(held.url).text):
            assert time.monotonic() < deadline, "the held file was not taken in again"
            time.sleep(0.2)
        assert "需督查室处理" not in page_text(client.get(f"/office?period={PERIOD}").text)


@pytest.mark.parametrize("path", ["/office?period=2024-13", "/office/reminders?period=7月", "/office/links?period=x",
                                  "/office/report/xlsx?period=2024"])
def test_a_wrong_month_in_an_office_address_is_said_plainly(client, path):
    login(client)
    response = client.get(path)
    assert response.status_code == 400 and "网址中的月份应为 YYYY-MM" in page_text(response.text)
