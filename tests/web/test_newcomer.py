"""What a newcomer trips on in the web channel (issue 25), as the unit and the office read it: times
in the office's zone and names as sent, a plain sentence for a duplicate or a file that is not a
workbook, 逾期报送 after the deadline, 收回 asks first, each action once in the work log and
重新签发 called so, one date format, and the board's report with its PDFs."""

from __future__ import annotations

import time

import pytest

from ledger.soffice import soffice
from ledger.store import events
from tests.web.conftest import PERIOD, form_key, page_text
from tests.web.test_security import A, B, good, login, open_page, upload


def test_a_duplicate_says_when_in_the_offices_zone_and_names_the_file_as_sent(client, served, tmp_path):
    data = good(served, A, tmp_path)
    first = page_text(upload(client, served, A, data, name="七月台账.xlsx").text)
    received = first.split("（")[1].split(" 收到")[0][:16]          # the page's own local time, to the minute
    again = upload(client, served, A, data, name="七月台账-再传.xlsx")
    text = page_text(again.text)
    assert "重复报送" in text and f"与 {received} 收到的“七月台账.xlsx”内容完全相同" in text
    assert "网页上传" not in again.text and "处需要修改" not in text and 'id="findings"' not in again.text


def test_a_file_that_is_not_a_workbook_is_told_plainly(client, served):
    response = upload(client, served, A, b"just some notes", name="说明.txt")
    text = page_text(response.text)
    assert "已退回" in text and "这个文件未被接收：不支持的文件格式" in text
    assert "台账有" not in text and "处需要修改" not in text
    assert 'id="feedback"' not in response.text and "网页上传" not in response.text


def test_an_upload_after_the_deadline_is_told_it_is_late(client, served, tmp_path):
    text = page_text(upload(client, served, A, good(served, A, tmp_path)).text)    # 2024-07's deadline is past
    assert "已接收" in text and "逾期报送" in text and "报送截止日是 2024年8月5日" in text and "报送完成" not in text


@pytest.mark.slow
def test_revoking_a_link_asks_first_and_each_link_action_is_logged_once(client, served):
    ws = served.ws
    login(client)
    page = client.get(f"/office/links?period={PERIOD}")
    asked = client.get(f"/office/links/revoke?period={PERIOD}&unit={A}")
    assert asked.status_code == 200 and "确定收回吗" in page_text(asked.text)
    assert open_page(client, served, A)                       # asking revoked nothing
    key = form_key(page.text)
    assert client.post("/office/links/reissue", data={"form_key": key, "unit": B, "period": PERIOD}).status_code == 200
    assert client.post("/office/links/revoke", data={"form_key": form_key(asked.text), "unit": A,
                                                     "period": PERIOD}).status_code == 200
    assert client.get(served.links[A]).status_code == 404
    time.sleep(1.5)                                           # the access log writes in batches
    rows = events.recent(ws.engine, 500)
    about_b = [e["summary"] for e in rows if B in e["summary"] and "链接" in e["summary"]]
    about_a = [e["summary"] for e in rows if A in e["summary"] and "收回" in e["summary"]]
    assert about_b == [f"重新签发{B}的报送链接（旧链接已失效）"]
    assert about_a == [f"收回{A}的报送链接"]
    assert not [e for e in rows if "更换" in e["summary"]]
    changed = [e for e in rows if e["action"] in ("links", "links-revoke") and e["command"] == "serve"]
    assert {(e["detail"] or {}).get("by") for e in changed} == {"督查室"}     # who did it (the shared password)


def test_dates_read_the_same_on_the_board_and_the_unit_page(client, served):
    login(client)
    assert "报送截止：2024年8月5日" in page_text(client.get(f"/office?period={PERIOD}").text)
    assert "请于 2024年8月5日 前报送" in page_text(open_page(client, served, A).text)


@pytest.mark.slow
@pytest.mark.skipif(not soffice(), reason="LibreOffice is not installed")
def test_the_boards_report_button_makes_the_pdfs_too(client, served):
    login(client)
    board = client.get(f"/office?period={PERIOD}")
    made = client.post("/office/report", data={"form_key": form_key(board.text), "period": PERIOD})
    assert made.status_code == 200
    text = page_text(made.text)
    assert "下载汇总表（PDF）" in text and "下载督查通报（PDF）" in text
    for kind in ("xlsx-pdf", "docx-pdf"):
        pdf = client.get(f"/office/report/{kind}?period={PERIOD}")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
