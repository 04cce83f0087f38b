"""The web channel after faults and under abuse (issue 25): a collect run that fails is on the board
and the unit is not kept waiting; only accepted uploads count toward a unit's quota, a reissued link
starts afresh; clients that never finish their headers are cut off and bounded per address;
invisible characters never reach a stored or shown name; a GET writes nothing; the last received of
several versions is current; ledger.toml holding a password is its owner's alone."""

from __future__ import annotations

import os
import socket
import stat
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from ledger.links import unit_links
from ledger.store import schema as s
from ledger.store.schema import connect
from tests.web.conftest import PERIOD, LiveServer, form_key, page_text
from tests.web.test_security import (A, B, XLSX, app_client, files_in, good, intake_rows, login, multipart,
                                     open_page, upload, uploads_rows)


# --- a failed collect run ------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_failed_collect_run_is_on_the_board_and_the_unit_is_told_its_file_waits(served, tmp_path):
    """The server's collect runs meet a database refusing writes: the board names the failure, the
    unit's page says the file is received and waits for the office; once writable again the file
    is taken in by itself (no restart) and the board clears."""
    from starlette.testclient import TestClient

    from ledger.web import create_app
    from ledger.workspace import Workspace

    ws = served.ws
    app = create_app(ws, collect_every=0.5)
    collector = app.state.web.collector
    collector.ws = Workspace(ws.root)             # the collector's view of the database: read-only
    read_only = connect(f"sqlite:///file:{ws.root / 'ledger.db'}?mode=ro&uri=true")
    collector.ws.__dict__["engine"] = read_only
    with TestClient(app, follow_redirects=True) as client:
        started = time.monotonic()
        response = upload(client, served, A, good(served, A, tmp_path))
        assert time.monotonic() - started < 10          # not kept the whole verdict wait
        text = page_text(response.text)
        assert "已收到，等待督查室处理" in text and "正在校验" not in text
        assert 'http-equiv="refresh"' not in response.text
        assert collector.fault and "只读" in collector.fault[1]
        login(client)
        board = page_text(client.get(f"/office?period={PERIOD}").text)
        assert "网页收取未能完成" in board and "只读" in board and "不会丢失" in board
        [row] = uploads_rows(ws)
        assert row["intake_id"] is None and (ws.inbox_dir / row["inbox_name"]).is_file()
        collector.ws.__dict__["engine"] = ws.engine    # mended: the next run takes it in by itself
        deadline = time.monotonic() + 15
        while (collector.fault or uploads_rows(ws)[0]["intake_id"] is None) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert collector.fault is None
        assert "网页收取未能完成" not in page_text(client.get(f"/office?period={PERIOD}").text)
        assert "已接收" in page_text(client.get(f"{served.base(A)}/uploads/{row['id']}").text)
    read_only.dispose()


# --- the upload quota ------------------------------------------------------------------------------
@pytest.mark.slow
def test_refused_posts_use_no_quota_and_a_reissued_link_starts_a_fresh_one(served, tmp_path):
    ws = served.ws
    ws.set_setting("serve.uploads_per_hour", 3)
    data = good(served, A, tmp_path)
    with app_client(ws) as client:
        open_page(client, served, A)
        for _ in range(10):                       # no form key: refused, not counted
            response = client.post(f"{served.base(A)}/upload", files={"file": ("台账.xlsx", data, XLSX)})
            assert response.status_code == 403
        for i in range(3):
            response = upload(client, served, A, good(served, A, tmp_path, tag=str(i)))
            assert response.status_code == 200 and "已接收" in page_text(response.text)
        assert upload(client, served, A, good(served, A, tmp_path, tag="x")).status_code == 429
        login(client)
        key = form_key(client.get("/office/links").text)
        assert client.post("/office/links/reissue", data={"form_key": key, "unit": A, "period": PERIOD}).status_code == 200
        assert client.get(served.links[A]).status_code == 404            # the old link is gone
        fresh = unit_links(ws, PERIOD, base="", write_manifest=False)
        path = next(link.url for link in fresh.links if link.unit == A)
        page = client.get(path)
        assert page.status_code == 200
        response = client.post(path.split("?")[0] + "/upload", data={"form_key": form_key(page.text)},
                               files={"file": ("台账.xlsx", good(served, A, tmp_path, tag="y"), XLSX)})
        assert response.status_code == 200 and "已接收" in page_text(response.text)


# --- slow clients ----------------------------------------------------------------------------------
def _half_open(port: int, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")       # never finished
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection within ``within`` seconds (what it still sends is read)."""
    end = time.monotonic() + within
    try:
        while (left := end - time.monotonic()) > 0:
            sock.settimeout(left)
            if sock.recv(4096) == b"":
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
    return False


@pytest.mark.slow
def test_unfinished_headers_are_cut_off_and_one_address_holds_few_connections(served):
    per_address, header_seconds = 8, 1.5
    with LiveServer(served.ws, per_address=per_address, header_seconds=header_seconds) as server:
        attacker = [_half_open(server.port, "127.0.0.1") for _ in range(40)]
        try:
            time.sleep(0.5)                       # well within the header time
            refused = [s for s in attacker if _closed_by_server(s, 0.01)]
            held = [s for s in attacker if s not in refused]
            assert len(held) == per_address and len(refused) == 40 - per_address
            # another unit, at another address, is answered at once
            started = time.monotonic()
            with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
                assert other.get(f"{server.url}/healthz").json() == {"ok": True}
            assert time.monotonic() - started < 1.0
            # the held ones are closed once their headers are late
            assert all(_closed_by_server(s, header_seconds + 3) for s in held)
            # and the address may connect again, a complete request answered
            assert httpx.get(f"{server.url}/healthz").json() == {"ok": True}
        finally:
            for sock in attacker:
                sock.close()


@pytest.mark.slow
def test_a_kept_alive_connection_that_starts_no_request_is_closed(served):
    with LiveServer(served.ws, header_seconds=1.0) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b"200 OK" in sock.recv(4096)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")         # the next one never finishes
            assert _closed_by_server(sock, 4)


# --- names ---------------------------------------------------------------------------------------
def test_bidirectional_and_invisible_characters_are_stripped_from_an_uploaded_name(client, served, tmp_path):
    ws = served.ws
    raw = "报表\u202excod\u200b\u2066.xlsx"
    key = form_key(open_page(client, served, A).text)
    body, kind = multipart({"form_key": key}, raw.encode(), good(served, A, tmp_path))
    response = client.post(f"{served.base(A)}/upload", content=body, headers={"content-type": kind})
    assert response.status_code == 200 and "已接收" in page_text(response.text)
    invisible = ("\u202e", "\u200b", "\u2066")
    [row] = uploads_rows(ws)
    [intake] = intake_rows(ws)
    assert row["original_name"] == "报表xcod.xlsx"
    for text in (row["inbox_name"], intake["original_name"], intake["stored_path"] or "", response.text,
                 open_page(client, served, A).text, *files_in(ws.archive_dir)):
        assert not any(c in text for c in invisible), text
    assert "报表xcod.xlsx" in page_text(open_page(client, served, A).text)


# --- a GET writes nothing --------------------------------------------------------------------------
def test_downloading_the_reminders_writes_no_file_and_no_work_log(client, served):
    ws = served.ws
    login(client)
    before = sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*") if "ledger.db" not in p.name)
    with ws.engine.connect() as conn:
        events_before = conn.execute(sa.select(sa.func.count()).select_from(s.events)
                                     .where(s.events.c.action == "reminders")).scalar()
    response = client.get(f"/office/reminders?period={PERIOD}")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "attachment" in response.headers["content-disposition"]
    after = sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*") if "ledger.db" not in p.name)
    assert after == before
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.events)
                            .where(s.events.c.action == "reminders")).scalar() == events_before


# --- several versions at once ------------------------------------------------------------------------
@pytest.mark.slow
def test_of_five_versions_uploaded_at_once_the_last_received_is_current(served, tmp_path):
    ws = served.ws
    versions = [good(served, A, tmp_path, tag=f"v{i}") for i in range(5)]
    with LiveServer(ws) as server:
        with httpx.Client(base_url=server.url, follow_redirects=True, timeout=60) as c:
            key = form_key(c.get(served.links[A]).text)
            barrier = threading.Barrier(5)
            done: list = []

            def send(data: bytes) -> None:
                barrier.wait()
                done.append(c.post(f"{served.base(A)}/upload", data={"form_key": key},
                                   files={"file": ("台账.xlsx", data, XLSX)}))

            threads = [threading.Thread(target=send, args=(v,)) for v in versions]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            assert [r.status_code for r in done] == [200] * 5
        deadline = time.monotonic() + 30
        while any(r["intake_id"] is None for r in uploads_rows(ws)) and time.monotonic() < deadline:
            time.sleep(0.2)
    rows = uploads_rows(ws)
    last = max(rows, key=lambda r: (r["received_at"], r["id"]))
    with ws.engine.connect() as conn:
        current = conn.execute(sa.select(s.submissions.c.intake_id).where(s.submissions.c.is_current,
                                                                          s.submissions.c.period == PERIOD)).scalars().all()
    assert len(current) == 1 and current[0] == last["intake_id"]


# --- ledger.toml with a password ---------------------------------------------------------------------
@pytest.mark.skipif(os.name == "nt", reason="mode bits")
def test_a_ledger_toml_holding_a_password_is_readable_by_its_owner_only(workspace):
    config = workspace.root / "ledger.toml"
    os.chmod(config, 0o644)
    workspace.set_setting("serve.base_url", "http://10.0.0.5:8000")
    assert stat.S_IMODE(config.stat().st_mode) == 0o644           # nothing secret yet
    workspace.set_setting("serve.office_password", "口令-123")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


# --- a database file left read-only --------------------------------------------------------------------
@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="mode bits bind neither root nor Windows")
def test_a_read_only_write_ahead_log_is_named(tmp_path):
    from ledger.store.faults import translate

    db = tmp_path / "ledger.db"
    for name in ("ledger.db", "ledger.db-wal", "ledger.db-shm"):
        (tmp_path / name).write_bytes(b"")
    os.chmod(tmp_path / "ledger.db-wal", 0o444)
    error = translate(__import__("sqlite3").OperationalError("attempt to write a readonly database"),
                      sa.make_url(f"sqlite:///{db}"))
    assert f"文件“{db}-wal”不可写" in str(error)


def test_an_upload_still_without_its_outcome_after_the_bounded_wait_is_told_it_waits_for_the_office(
        served, tmp_path, monkeypatch):
    """No collect run takes the file (here the server collects nothing): after the bounded wait the
    page stops refreshing and says the file is received and waits for the office."""
    from starlette.testclient import TestClient

    from ledger.web import create_app, unit_pages

    with TestClient(create_app(served.ws, collect=False), follow_redirects=True) as client:
        response = upload(client, served, A, good(served, A, tmp_path))
        assert "正在校验" in page_text(response.text) and 'http-equiv="refresh"' in response.text
        monkeypatch.setattr(unit_pages, "WAIT_FOR_OFFICE", 0.0)
        [row] = uploads_rows(served.ws)
        later = client.get(f"{served.base(A)}/uploads/{row['id']}")
        assert "已收到，等待督查室处理" in page_text(later.text) and 'http-equiv="refresh"' not in later.text
