"""The web channel's security, through HTTP as a department, an intruder or an auditor sees it: one
unit's link opens nothing of another's, bad links are refused and logged without the token, the
database holds no token, uploaded names cannot escape the inbox, bodies are bounded, forms carry a
key, uploads and logins are rate-limited, the office pages need a session, and a department's text
is escaped wherever it is shown."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import socket
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.links import revoke_link, secret, unit_links
from ledger.report import period_status
from ledger.store import events
from ledger.store import schema as s
from ledger import accounts
from ledger.web.security import SESSION_COOKIE
from ledger.collect.intake import collect_inbox
from tests.conftest import GOOD, fill_all, fill_template
from tests.web.conftest import PASSWORD, PERIOD, LiveServer, form_key, page_text

A, B = "县委组织部", "县财政局"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INVALID_LINK = "链接无效"


# --- helpers -----------------------------------------------------------------------------------
def filled(served, unit: str, out: Path, **overrides) -> bytes:
    """A unit's template filled as a department would (``overrides`` by column key)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return fill_all(served.templates[unit], out, **overrides).read_bytes()


def good(served, unit: str, tmp_path: Path, tag: str = "") -> bytes:
    """A correctly filled workbook of ``unit`` (``tag`` makes its bytes distinct)."""
    return filled(served, unit, tmp_path / "made" / f"{unit}{tag}-good.xlsx", progress=f"已完成平台申报材料报送{tag}。")


def bad(served, unit: str, tmp_path: Path, status: str = "差不多吧") -> bytes:
    """A workbook of ``unit`` that collect returns (the status is not one of the allowed ones)."""
    return filled(served, unit, tmp_path / "made" / f"{unit}-bad-{hashlib.md5(status.encode()).hexdigest()[:6]}.xlsx",
                  status=status)


def open_page(client, served, unit: str):
    page = client.get(served.links[unit])
    assert page.status_code == 200, page.text
    return page


def upload(client, served, unit: str, data: bytes, name: str = "台账.xlsx"):
    """Upload as the unit's department does: open its page (form cookie and key), post the file."""
    key = form_key(open_page(client, served, unit).text)
    return client.post(f"{served.base(unit)}/upload", data={"form_key": key}, files={"file": (name, data, XLSX)})


def template_id(html: str) -> str:
    """The id in a unit page's template download link."""
    return re.search(r'/templates/([0-9a-f]+)"', html).group(1)


def multipart(fields: dict[str, str], filename: bytes, data: bytes) -> tuple[bytes, str]:
    """A multipart body written byte by byte, so the file name reaches the server exactly as given."""
    boundary = "----ledger" + secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="file"; filename="'
                 + filename + b'"\r\n' + f"Content-Type: {XLSX}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def uploads_rows(ws) -> list[dict]:
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.uploads).order_by(s.uploads.c.id)).mappings()]


def intake_rows(ws) -> list[dict]:
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.intake).order_by(s.intake.c.id)).mappings()]


def unit_id(ws, unit: str) -> int:
    with ws.engine.connect() as conn:
        return conn.execute(sa.select(s.units.c.id).where(s.units.c.name == unit)).scalar_one()


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def nothing_stored(ws) -> None:
    """No trace of an upload: nothing in inbox/ or .uploads/, no uploads row, nothing taken in."""
    assert [f for f in files_in(ws.inbox_dir) if f != "README.md"] == []
    assert files_in(ws.root / ".uploads") == []
    assert uploads_rows(ws) == []
    assert intake_rows(ws) == []


def logged(ws, action: str, n: int = 1, timeout: float = 10.0) -> list[dict]:
    """The events of ``action`` once at least ``n`` are in the log (the access log writes in batches)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = events.recent(ws.engine, 10_000, only=(action,))
        if len(rows) >= n or time.monotonic() > deadline:
            assert len(rows) >= n, f"{len(rows)} {action} events, expected {n}"
            return rows
        time.sleep(0.1)


def event_text(event: dict) -> str:
    return f"{event['summary']} {json.dumps(event['detail'], ensure_ascii=False)}"


def configure(ws, **values) -> None:
    """Change ``[section] key = value`` lines of the workspace's ledger.toml (as the office edits it)."""
    for dotted, value in values.items():
        ws.set_setting(dotted, value)
    for dotted, value in values.items():
        sect, key = dotted.split(".")
        assert getattr(getattr(ws.settings, sect), key) == value


def app_client(ws, **kw):
    from starlette.testclient import TestClient

    from ledger.web import create_app

    return TestClient(create_app(ws), follow_redirects=True, **kw)


def login(client, password: str = PASSWORD):
    key = form_key(client.get("/office/login").text)
    return client.post("/office/login", data={"form_key": key, "password": password})


# --- one unit's link opens nothing of another's ---------------------------------------------------
@pytest.mark.slow
def test_a_units_link_opens_nothing_of_another_unit(client, served, tmp_path):
    ws = served.ws
    rejected = upload(client, served, B, bad(served, B, tmp_path), name="财政局七月台账初稿.xlsx")
    assert rejected.status_code == 200 and "已退回" in page_text(rejected.text)
    accepted = upload(client, served, B, good(served, B, tmp_path), name="财政局七月台账定稿.xlsx")
    assert "已接收" in page_text(accepted.text)
    mine = upload(client, served, A, good(served, A, tmp_path), name="组织部七月台账.xlsx")
    assert "已接收" in page_text(mine.text)
    b_uploads = [r for r in uploads_rows(ws) if r["unit_id"] == unit_id(ws, B)]
    b_intake = [r for r in intake_rows(ws) if r["unit_id"] == unit_id(ws, B)]
    assert len(b_uploads) == 2 and len(b_intake) == 2
    b_page = open_page(client, served, B).text
    b_template = served.templates[B].name
    assert b_template in b_page
    b_template_id = template_id(b_page)
    feedback_of = next(r["id"] for r in b_intake if r["outcome"] == "rejected")
    assert client.get(f"{served.base(B)}/feedback/{feedback_of}").status_code == 200      # B itself may

    b_things = [B, b_template, "财政局七月台账", *(r["inbox_name"] for r in b_uploads)]
    tried = [f"{served.base(A)}/templates/{b_template_id}",
             *(f"{served.base(A)}/feedback/{r['id']}" for r in b_intake),
             *(f"{served.base(A)}/uploads/{r['id']}" for r in b_uploads)]
    for path in tried:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "content-disposition" not in response.headers
        assert not any(thing in response.text for thing in b_things), path
    a_page = open_page(client, served, A).text
    assert "组织部七月台账.xlsx" in page_text(a_page)
    assert not any(thing in a_page for thing in b_things)
    # A's own things still open with A's link
    a_upload = next(r for r in uploads_rows(ws) if r["unit_id"] == unit_id(ws, A))
    assert client.get(f"{served.base(A)}/uploads/{a_upload['id']}").status_code == 200
    assert client.get(f"{served.base(A)}/templates/{template_id(a_page)}").status_code == 200


def test_ids_that_are_not_numbers_or_hex_open_nothing(client, served):
    for path in ("/templates/..%2F..%2Fledger.toml", "/templates/../../ledger.toml", "/feedback/-1",
                 "/uploads/0", "/feedback/abc", "/templates/" + "f" * 40):
        response = client.get(served.base(A) + path)
        assert response.status_code == 404, path
        assert "content-disposition" not in response.headers, path


# --- bad links -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_forged_mistyped_revoked_and_replaced_tokens_are_refused_and_logged_without_the_token(client, served):
    ws = served.ws
    good_token = served.token(A)
    assert open_page(client, served, A)                     # a valid access, logged (token hidden)
    forged = secrets.token_urlsafe(24)
    mistyped = good_token[:-1] + ("A" if good_token[-1] != "A" else "B")
    old = served.token(B)
    unit_links(ws, PERIOD, base="", reissue=[B])
    new_b = next(link.url for link in unit_links(ws, PERIOD, base="").links if link.unit == B)
    assert old not in new_b
    revoked = served.token("县科技局")
    assert revoke_link(ws, "县科技局")

    bad_tokens = [forged, mistyped, old, revoked, "x", "A" * 65]
    requests = 0
    for token in bad_tokens:
        for method, path in (("GET", ""), ("GET", "/templates/0a"), ("GET", "/feedback/1"), ("GET", "/uploads/1"),
                             ("POST", "/upload")):
            response = client.request(method, f"/u/{token}{path}", data={"form_key": "x"} if method == "POST" else None)
            requests += 1
            assert response.status_code == 404, (token, path)
            assert INVALID_LINK in page_text(response.text)
            assert "请向督查室索取本单位最新的报送链接" in page_text(response.text)
            assert len(token) < 16 or token not in response.text
    assert uploads_rows(ws) == []
    denied = logged(ws, "web-denied", requests)
    assert len(denied) == requests
    assert all("/u/…" in event_text(e) for e in denied)
    assert client.get(new_b.removeprefix("http://127.0.0.1:8000")).status_code == 200   # the new link works

    access = logged(ws, "web-access", 2)
    assert any(e["detail"].get("who") == A for e in access)
    every = events.recent(ws.engine, 100_000)
    tokens = [*bad_tokens[:4], good_token, new_b.split("/u/")[1].split("?")[0],
              *(served.token(u) for u in served.links)]
    for event in every:
        assert not any(t in event_text(event) for t in tokens), event


@pytest.mark.slow
def test_the_database_keeps_no_token(client, served):
    ws = served.ws
    for unit in served.links:
        open_page(client, served, unit)
    client.get("/u/" + secrets.token_urlsafe(24))
    unit_links(ws, PERIOD, base="", reissue=[A])
    tokens = [served.token(u) for u in served.links]
    tokens.append(next(link.url for link in unit_links(ws, PERIOD, base="").links if link.unit == A).split("/u/")[1].split("?")[0])
    logged(ws, "web-denied")
    texts = []
    with ws.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                texts.extend(str(v) for v in row)
        hashes = set(conn.execute(sa.select(s.unit_links.c.token_sha256)).scalars())
    dump = "\n".join(texts)
    assert len(texts) > 100
    for token in tokens:
        assert token not in dump
    assert {hashlib.sha256(t.encode()).hexdigest() for t in tokens} <= hashes
    database = ws.root / "ledger.db"
    if database.exists():           # the SQLite files themselves, pages and journal
        raw = b"".join(p.read_bytes() for p in ws.root.glob("ledger.db*"))
        assert not any(t.encode() in raw for t in tokens)


# --- uploaded names --------------------------------------------------------------------------------
HOSTILE_NAMES = [b"../../x.xlsx", b"..\\..\\x.xlsx", b"/etc/passwd", b"C:\\x\\y.xlsx", b"..%2F..%2Fx.xlsx",
                 "bad\x00name.xlsx".encode(), "ctl\x01\x1b\x7f\tname.xlsx".encode(), b"a%00b.xlsx",
                 ("长" * 400 + ".xlsx").encode(), b"x" * 2000 + b".xlsx", b".hidden.xlsx", b"~$lock.xlsx",
                 b"..", b".", b"", "../../组织部台账.xlsx".encode(), b"CON.xlsx", b"a/../../../b/.xlsx"]


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.mark.parametrize("raw", HOSTILE_NAMES, ids=lambda r: repr(r[:24]))
def test_a_hostile_file_name_writes_nothing_outside_the_inbox(client, served, tmp_path, raw):
    ws = served.ws
    data = good(served, A, tmp_path)
    made = tmp_path / "made"
    before, siblings = tree(ws.root.parent), set(os.listdir(ws.root.parent.parent))
    key = form_key(open_page(client, served, A).text)
    body, kind = multipart({"form_key": key}, raw, data)
    response = client.post(f"{served.base(A)}/upload", content=body, headers={"content-type": kind})
    if response.status_code == 400:             # no usable file name at all: told to choose a file
        assert raw in (b"",) and "请先选择" in page_text(response.text)
        nothing_stored(ws)
        return
    assert response.status_code == 200, response.text
    assert "已接收" in page_text(response.text)
    rows, intake = uploads_rows(ws), intake_rows(ws)
    assert len(rows) == 1 and len(intake) == 1 and rows[0]["intake_id"] == intake[0]["id"]
    assert intake[0]["outcome"] == "accepted" and intake[0]["unit_id"] == unit_id(ws, A)
    name = rows[0]["inbox_name"]
    assert "/" not in name and "\\" not in name and name not in (".", "..")
    assert (ws.inbox_dir / name).resolve().parent == ws.inbox_dir.resolve()
    assert not any(c < " " or c == "\x7f" for c in name)
    assert len(name.encode()) <= 255
    new = {p for p in tree(ws.root.parent) - before if not p.startswith(made.name)}
    stray = sorted(p for p in new if not p.startswith(("ws/archive/", "ws/outbox/")) and not p.startswith("ws/ledger.db")
                   and p not in ("ws/archive", "ws/outbox", "ws/.uploads"))
    assert stray == []
    assert set(os.listdir(ws.root.parent.parent)) == siblings
    assert [f for f in files_in(ws.inbox_dir) if f != "README.md"] == [] and files_in(ws.root / ".uploads") == []
    archived = [p for p in new if p.startswith("ws/archive/") and (ws.root.parent / p).is_file()]
    assert len(archived) == 1 and (ws.root.parent / archived[0]).read_bytes() == data


def test_a_broken_or_hand_made_form_is_refused_in_chinese(client, served, tmp_path):
    ws = served.ws
    key = form_key(open_page(client, served, A).text)
    data = good(served, A, tmp_path)
    url = f"{served.base(A)}/upload"
    two_files = client.post(url, data={"form_key": key},
                            files=[("file", ("a.xlsx", data, XLSX)), ("file", ("b.xlsx", data, XLSX))])
    no_boundary = client.post(url, content=b"--x\r\n", headers={"content-type": "multipart/form-data"})
    many_fields = client.post(url, data={"form_key": key, **{f"f{i}": "1" for i in range(8)}},
                              files={"file": ("a.xlsx", data, XLSX)})
    login_form = client.post("/office/login", content=b"x", headers={"content-type": "multipart/form-data"})
    for response in (two_files, no_boundary, many_fields, login_form):
        assert response.status_code == 400
        assert "无法读取提交的内容" in page_text(response.text) and "操作未执行" in page_text(response.text)
    nothing_stored(ws)


# --- bounded bodies --------------------------------------------------------------------------------
@pytest.fixture
def small_bound(served):
    """A 50 KiB file bound (a filled template is ~12 KB), so oversized bodies are quick to send."""
    configure(served.ws, **{"collect.max_file_mb": 0.05})
    return served


def test_a_declared_oversized_upload_is_refused_before_it_is_read(small_bound, tmp_path):
    served = small_bound
    ws = served.ws
    with app_client(ws) as client:
        key = form_key(open_page(client, served, A).text)
        body, kind = multipart({"form_key": key}, b"big.xlsx", os.urandom(200 * 1024))
        response = client.post(f"{served.base(A)}/upload", content=body, headers={"content-type": kind})
        assert response.status_code == 413
        assert "文件过大" in page_text(response.text) and "0.05 MB" in page_text(response.text)
        # a file over the bound inside a body within the form's allowance: refused while read
        body, kind = multipart({"form_key": key}, b"big.xlsx", os.urandom(80 * 1024))
        response = client.post(f"{served.base(A)}/upload", content=body, headers={"content-type": kind})
        assert response.status_code == 413 and "文件过大" in page_text(response.text)
        nothing_stored(ws)
        assert "已接收" in page_text(upload(client, served, A, good(served, A, tmp_path)).text)   # a normal one passes


def _chunked_upload(url: str, path: str, cookie: str, key: str, total: int) -> tuple[int | None, bytes]:
    """POST a multipart body of ``total`` file bytes in chunks without Content-Length; the status
    the server answered with (None when it closed the connection without an answer)."""
    host, port = url.removeprefix("http://").split(":")
    boundary = "----ledgerchunks"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="form_key"\r\n\r\n{key}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
            f"Content-Type: {XLSX}\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        reply = b""
        try:
            chunks = [head] + [os.urandom(16 * 1024) for _ in range(total // (16 * 1024))]
            for chunk in chunks:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            tail = f"\r\n--{boundary}--\r\n".encode()
            sock.sendall(f"{len(tail):x}\r\n".encode() + tail + b"\r\n0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while chunk := sock.recv(65536):
                reply += chunk
                if b"\r\n\r\n" in reply and b"</html>" in reply:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
    status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None
    return status, reply


def test_a_chunked_upload_growing_past_the_bound_is_cut_off(small_bound):
    import httpx

    served = small_bound
    ws = served.ws
    with LiveServer(ws) as live:
        with httpx.Client(base_url=live.url) as browser:
            key = form_key(browser.get(served.links[A]).text)
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        status, reply = _chunked_upload(live.url, f"{served.base(A)}/upload", cookie, key, 400 * 1024)
        assert status in (413, None), reply[:200]
        if status == 413:
            assert "文件过大".encode() in reply
        with httpx.Client(base_url=live.url) as browser:        # the server still serves
            assert browser.get("/healthz").status_code == 200
    nothing_stored(ws)


# --- a workbook of another unit ----------------------------------------------------------------------
def test_another_units_workbook_is_refused_and_logged(client, served, tmp_path):
    ws = served.ws
    response = upload(client, served, A, good(served, B, tmp_path), name="财政局的台账.xlsx")
    text = page_text(response.text)
    assert response.status_code == 200 and "已退回" in text
    assert f"此工作簿是“{B}”的台账模板" in text and f"“{A}”的报送链接" in text
    other = logged(ws, "upload-other-unit")
    assert len(other) == 1 and other[0]["detail"]["uploader"] == A and other[0]["detail"]["workbook_unit"] == B
    status = {u.unit.name: u for u in period_status(ws, PERIOD).units}
    assert status[B].outcome == "missing" and status[B].label == "未报送"
    assert status[A].outcome == "rejected"
    [intake] = intake_rows(ws)
    assert intake["unit_id"] == unit_id(ws, A) and intake["outcome"] == "rejected"
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.submissions)).scalar() == 0
    a_page = page_text(open_page(client, served, A).text)
    assert "财政局的台账.xlsx" in a_page and "已退回" in a_page
    b_page = page_text(open_page(client, served, B).text)
    assert "财政局的台账.xlsx" not in b_page and "本月尚未收到本单位的台账" in b_page and "尚未报送" in b_page


# --- form keys -----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_an_upload_without_a_valid_form_key_is_refused(client, served, tmp_path):
    from starlette.testclient import TestClient

    ws = served.ws
    data = good(served, A, tmp_path)
    mine = form_key(open_page(client, served, A).text)
    other = TestClient(client.app, follow_redirects=True)
    theirs = form_key(other.get(served.links[A]).text)
    assert theirs != mine
    url = f"{served.base(A)}/upload"
    for fields in ({}, {"form_key": ""}, {"form_key": "forged-key"}, {"form_key": theirs}, {"form_key": mine + "x"}):
        response = client.post(url, data=fields, files={"file": ("台账.xlsx", data, XLSX)})
        assert response.status_code == 403, fields
        assert "页面已过期" in page_text(response.text)
    # a page of another site has the key but not this browser's cookie
    stranger = TestClient(client.app, follow_redirects=True)
    response = stranger.post(url, data={"form_key": mine}, files={"file": ("台账.xlsx", data, XLSX)})
    assert response.status_code == 403
    time.sleep(0.5)
    nothing_stored(ws)
    assert len(logged(ws, "web-denied", 6)) == 6


def test_an_office_action_without_a_valid_form_key_is_refused(client, served):
    ws = served.ws
    assert "报送看板" in page_text(login(client).text)
    mine = form_key(client.get("/office/links").text)
    reports = ws.root / "outbox"
    before = files_in(reports)
    for fields in ({}, {"form_key": "forged"}, {"form_key": mine[:-1]}):
        for path, extra in (("/office/report", {"period": PERIOD}), ("/office/links/reissue", {"unit": A, "period": PERIOD})):
            response = client.post(path, data={**fields, **extra})
            assert response.status_code == 403, (path, fields)
            assert "页面已过期" in page_text(response.text)
    assert files_in(reports) == before
    assert open_page(client, served, A)                  # A's link was not replaced
    response = client.post("/office/links/reissue", data={"form_key": mine, "unit": A, "period": PERIOD})
    assert response.status_code == 200 and client.get(served.links[A]).status_code == 404   # with the key it is


# --- rate limits ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_uploads_are_limited_per_unit_and_hour(served, tmp_path):
    ws = served.ws
    configure(ws, **{"serve.uploads_per_hour": 3})
    with app_client(ws) as client:
        for i in range(3):
            response = upload(client, served, A, good(served, A, tmp_path, tag=str(i)))
            assert response.status_code == 200 and "已接收" in page_text(response.text)
        response = upload(client, served, A, good(served, A, tmp_path, tag="4"))
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0
        text = page_text(response.text)
        assert "上传过于频繁" in text and "一小时内上传已达 3 次" in text
        response = upload(client, served, B, good(served, B, tmp_path))
        assert response.status_code == 200 and "已接收" in page_text(response.text)
    assert len(uploads_rows(ws)) == 4
    assert len(logged(ws, "web-upload-limited")) == 1


@pytest.mark.slow
def test_logins_are_limited_per_address(client, served):
    from starlette.testclient import TestClient

    for _ in range(10):
        response = login(client, "猜一猜")
        assert response.status_code == 401 and "密码不正确" in page_text(response.text)
    response = login(client, PASSWORD)              # even the right password waits now
    assert response.status_code == 429 and "尝试次数过多" in page_text(response.text)
    assert client.cookies.get(SESSION_COOKIE) is None
    assert len(logged(served.ws, "web-login-failed", 10)) == 10
    elsewhere = TestClient(client.app, follow_redirects=True, client=("10.0.0.8", 50000))
    assert "报送看板" in page_text(login(elsewhere).text)


def test_staff_logging_in_from_one_address_are_not_limited(client, served):
    for _ in range(12):                             # an office behind one address: only failures count
        client.cookies.delete(SESSION_COOKIE)
        assert "报送看板" in page_text(login(client, PASSWORD).text)


# --- office pages ---------------------------------------------------------------------------------------
OFFICE_GETS = ["/office", "/office/reminders", "/office/log", "/office/links", "/office/report/xlsx",
               f"/office?period={PERIOD}"]
OFFICE_POSTS = ["/office/report", "/office/links/reissue", "/office/logout"]


def assert_locked_out(client) -> None:
    for path in OFFICE_GETS:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/office/login", path
    for path in OFFICE_POSTS:
        response = client.post(path, data={"form_key": "x", "unit": A, "period": PERIOD})
        assert response.status_code == 401 and "请先登录" in page_text(response.text), path
    assert client.get("/office/version").status_code == 401


def test_office_pages_need_a_session(client, served):
    ws = served.ws
    assert_locked_out(client)
    client.cookies.set(SESSION_COOKIE, "9999999999.nonce.forged-signature")
    assert_locked_out(client)
    key = secret(ws)
    expired = accounts.start_session(ws.engine, accounts.SHARED, accounts.shared_tag(key, PASSWORD), seconds=-60)
    client.cookies.set(SESSION_COOKIE, expired)
    assert_locked_out(client)
    other_password = accounts.start_session(ws.engine, accounts.SHARED, accounts.shared_tag(key, "另一个口令"))
    client.cookies.set(SESSION_COOKIE, other_password)
    assert_locked_out(client)
    client.cookies.clear()
    assert client.get(served.links[A]).status_code == 200          # a unit's link is no office session
    assert_locked_out(client)
    assert [f for f in files_in(ws.root / "outbox") if "汇总" in f] == []


def test_changing_the_password_ends_every_session(client, served):
    ws = served.ws
    assert "报送看板" in page_text(login(client).text)
    assert client.get("/office", follow_redirects=False).status_code == 200
    configure(ws, **{"serve.office_password": "新的口令-2024"})
    assert_locked_out(client)
    assert login(client, PASSWORD).status_code == 401
    assert "报送看板" in page_text(login(client, "新的口令-2024").text)


def test_without_an_office_password_the_office_pages_are_closed(client, served):
    configure(served.ws, **{"serve.office_password": ""})
    for path in ("/office", "/office/login", "/office/log", "/office/links"):
        response = client.get(path)
        assert response.status_code == 403 and "督查室页面未开放" in page_text(response.text), path
    key = form_key(open_page(client, served, A).text)
    response = client.post("/office/login", data={"form_key": key, "password": ""})
    assert response.status_code == 403 and client.cookies.get(SESSION_COOKIE) is None
    assert client.get("/office/version").status_code == 401


# --- escaping -------------------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.mark.slow
def test_a_departments_text_is_escaped_on_every_page(client, served, tmp_path):
    ws = served.ws
    template = served.templates[A]
    (tmp_path / "made").mkdir()
    data = fill_template(template, {0: {**GOOD, "status": SCRIPT, "problems": IMG}},
                         tmp_path / "made" / "xss.xlsx").read_bytes()
    result = upload(client, served, A, data, name=f"{IMG}{SCRIPT}.xlsx")
    assert "已退回" in page_text(result.text)
    # a file a department e-mailed in, its name as it gave it, collected by the office
    (ws.inbox_dir / f"{IMG}.xlsx").write_bytes(bad(served, A, tmp_path, status=SCRIPT + "!"))
    os.utime(ws.inbox_dir / f"{IMG}.xlsx", (time.time() - 3600, time.time() - 3600))
    collect_inbox(ws)
    client.get(f"/u/{secrets.token_urlsafe(24)}/templates/{IMG}")      # a probe, logged with its path
    logged(ws, "web-denied")
    login(client)
    work_log = client.get("/office/log").text            # denied accesses are in the work log
    assert "&lt;img src=x onerror=alert(1)&gt;" in work_log
    pages = {"result": result.text, "unit": open_page(client, served, A).text, "board": client.get("/office").text,
             "log": work_log, "access log": client.get("/office/log?access=1").text}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["result"]     # the typed status, shown escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["unit"] + pages["board"]
    for page, html in pages.items():
        assert SCRIPT not in html and "<img src=x" not in html, page
        assert "<script" not in html.replace('<script src="/static/board.js"', ""), page


def test_a_non_workbook_is_returned_under_the_name_it_was_sent_as(client, served):
    response = upload(client, served, A, b"%PDF-1.4 not a ledger", name="七月情况说明.pdf")
    assert response.status_code == 200 and "已退回" in page_text(response.text)
    assert "七月情况说明.pdf" in page_text(response.text)
    page = page_text(open_page(client, served, A).text)
    assert "七月情况说明.pdf" in page and "七月情况说明.pdfpdf" not in page
    [row] = uploads_rows(served.ws)
    assert row["intake_id"] is not None and row["inbox_name"].endswith("_七月情况说明.pdf")


def test_pages_opened_by_a_link_do_not_leak_it(client, served, tmp_path):
    """A unit's pages are not cached, framed or passed on as a Referer; the cookies are not for scripts."""
    page = open_page(client, served, A)
    result = upload(client, served, A, good(served, A, tmp_path))
    download = client.get(f"{served.base(A)}/templates/{template_id(page.text)}")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    invalid = client.get("/u/" + secrets.token_urlsafe(24))
    for response in (page, result, download, invalid):
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert '<meta name="referrer" content="no-referrer">' in page.text
    from starlette.testclient import TestClient

    browser = TestClient(client.app)
    form_cookie = browser.get(served.links[A]).headers["set-cookie"].lower()
    assert "httponly" in form_cookie and "samesite=lax" in form_cookie
    key = form_key(browser.get("/office/login").text)
    signed_in = browser.post("/office/login", data={"form_key": key, "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 303
    session_cookie = signed_in.headers["set-cookie"].lower()
    assert session_cookie.startswith(SESSION_COOKIE) and "httponly" in session_cookie and "samesite=strict" in session_cookie
