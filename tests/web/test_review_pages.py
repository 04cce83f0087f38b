"""The review through HTTP: the office sends a unit's ledger back with a comment on an item, the unit
sees the comment and a 退回意见 workbook with it on that item's row, uploads again, the office approves."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from ledger import accounts
from ledger.report import period_status
from ledger.report.status import REJECTED
from tests.web.conftest import PERIOD, form_key, page_text
from tests.web.test_security import good, open_page, upload

A = "县委组织部"
ZHANG, PW = "张三", "张三的口令-2024"


def login(client) -> str:
    key = form_key(client.get("/office/login").text)
    return client.post("/office/login", data={"form_key": key, "name": ZHANG, "password": PW}).text


def submission_link(client) -> str:
    page = client.get(f"/office/review?period={PERIOD}").text
    return re.search(rf'data-unit="{A}">.*?href="(/office/review/\d+)"', page, re.S).group(1)


@pytest.mark.slow
def test_send_back_the_unit_sees_it_uploads_again_and_is_approved(client, served, tmp_path):
    ws = served.ws
    ws.set_setting("review.required", True)
    accounts.add_user(ws.engine, ZHANG, "office", PW)
    assert "已接收" in page_text(upload(client, served, A, good(served, A, tmp_path)).text)
    assert "本月已报送，待督查室审核" in page_text(open_page(client, served, A).text)
    login(client)
    assert "待审核" in page_text(client.get(f"/office?period={PERIOD}").text)
    link = submission_link(client)
    page = client.get(link).text
    assert "审核通过" in page and 'data-item="3"' in page
    too_long = client.post(f"{link}/send-back", data={"form_key": form_key(page), "comment": "长" * 2001, "item": "3"})
    assert too_long.status_code == 400 and "意见太长" in page_text(too_long.text)
    sent = client.post(f"{link}/send-back", data={"form_key": form_key(page), "comment": "请写明引进人才的具体人数", "item": "3"})
    assert sent.status_code == 200 and "退回修改" in page_text(sent.text)
    assert next(u for u in period_status(ws, PERIOD).units if u.unit.name == A).outcome == REJECTED

    unit_page = open_page(client, served, A).text
    assert "请写明引进人才的具体人数" in page_text(unit_page) and "已被督查室退回修改" in page_text(unit_page)
    workbook = client.get(re.search(r'id="sent-back-workbook" href="([^"]+)"', unit_page).group(1))
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    problems = [" ".join(str(c.value or "") for c in row) for row in book["问题清单"].iter_rows(min_row=4)]
    assert any("第 3 项" in p and "请写明引进人才的具体人数" in p for p in problems), problems
    ledger = book["台账"]
    commented = [c for row in ledger.iter_rows() for c in row if c.comment and "请写明引进人才的具体人数" in c.comment.text]
    assert commented and ledger.cell(commented[0].row, 3).value == "加快建设人才集聚高地"
    other = [u for u in served.links if u != A][0]
    assert client.get(f"/u/{served.token(other)}/sent-back/{link.rsplit('/', 1)[1]}").status_code == 404

    assert "已接收" in page_text(upload(client, served, A, good(served, A, tmp_path, tag="二")).text)
    login(client)
    again = submission_link(client)
    assert again != link
    page = client.get(again).text
    approved = client.post(f"{again}/approve", data={"form_key": form_key(page)})
    assert approved.status_code == 200
    status = next(u for u in period_status(ws, PERIOD).units if u.unit.name == A)
    assert status.reported and status.review == "approved"
    assert "张三" in page_text(client.get(f"/office/review?period={PERIOD}").text)


def test_the_board_locks_and_unlocks_the_month_with_a_reason(client, served, tmp_path):
    ws = served.ws
    accounts.add_user(ws.engine, ZHANG, "office", PW)
    board = login(client)
    locked = client.post("/office/lock", data={"form_key": form_key(board), "period": PERIOD})
    assert locked.status_code == 200 and "已锁定（终版）" in page_text(locked.text)
    assert "本月已锁定（终版），不再接收报送" in page_text(open_page(client, served, A).text)
    refused = upload(client, served, A, good(served, A, tmp_path))
    assert "锁定（终版）" in page_text(refused.text) and "已退回" in page_text(refused.text)
    board = client.get(f"/office?period={PERIOD}").text
    no_reason = client.post("/office/unlock", data={"form_key": form_key(board), "period": PERIOD, "reason": ""})
    assert no_reason.status_code == 400 and "请写明解锁理由" in page_text(no_reason.text)
    unlocked = client.post("/office/unlock", data={"form_key": form_key(board), "period": PERIOD, "reason": "组织部补报"})
    assert unlocked.status_code == 200 and "已锁定（终版）" not in page_text(unlocked.text)
    from ledger.store.events import recent
    assert any(e["summary"] == "张三解锁2024年7月：组织部补报" for e in recent(ws.engine, 50))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def evidence_post(client, served, unit: str, item: str, name: str, data: bytes):
    key = form_key(open_page(client, served, unit).text)
    return client.post(f"{served.base(unit)}/evidence", data={"form_key": key, "item": item},
                       files={"file": (name, data, "application/pdf")})


def test_a_finished_item_is_signed_off_on_evidence_through_the_pages(client, served, tmp_path):
    from tests.web.test_security import filled

    ws = served.ws
    accounts.add_user(ws.engine, ZHANG, "office", PW)
    done = filled(served, A, tmp_path / "made" / "done.xlsx", status="已完成", percent=100)
    assert "已接收" in page_text(upload(client, served, A, done).text)
    page = page_text(open_page(client, served, A).text)
    assert "第 3 项 加快建设人才集聚高地" in page and "待销号（待上传佐证材料）" in page
    exe = evidence_post(client, served, A, "3", "验收.pdf", b"MZ" + b"\0" * 100)
    assert exe.status_code == 400 and "文件内容不是PDF 文件（实为Windows 可执行程序）" in page_text(exe.text)
    other = [u for u in served.links if u != A][0]
    refused = evidence_post(client, served, other, "3", "验收.pdf", PDF)
    assert refused.status_code == 400 and f"第 3 项不是{other}牵头的任务" in page_text(refused.text)
    assert evidence_post(client, served, A, "3", "人才引进名单.pdf", PDF).status_code == 200
    assert "待销号（佐证材料待审核）" in page_text(open_page(client, served, A).text)

    login(client)
    listing = client.get("/office/signoff").text
    link = re.search(r'href="(/office/evidence/\d+)">人才引进名单.pdf', listing).group(1)
    assert client.get(link).content == PDF
    rejected = client.post("/office/signoff/reject", data={"form_key": form_key(listing), "item": "3", "comment": ""})
    assert rejected.status_code == 400 and "请写明退回佐证材料的意见" in page_text(rejected.text)
    approved = client.post("/office/signoff/approve", data={"form_key": form_key(listing), "item": "3"})
    assert approved.status_code == 200 and "已销号" in page_text(approved.text) and ZHANG in page_text(approved.text)
    assert "已销号" in page_text(open_page(client, served, A).text)
    assert (ws.archive_dir / "evidence" / "3").is_dir()
