"""``ledger.web.limits``: a request body is bounded whether its length is declared or not."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ledger.web.limits import BodyLimit, too_large_page

LIMIT = 1000


@pytest.fixture
def client():
    seen: list[int] = []

    async def echo(request: Request) -> PlainTextResponse:
        body = await request.body()
        seen.append(len(body))
        return PlainTextResponse(f"read {len(body)}")

    app = Starlette(routes=[Route("/", echo, methods=["POST"])])
    app.add_middleware(BodyLimit, max_bytes=LIMIT, page=lambda: too_large_page(0.5))
    with TestClient(app) as c:
        c.seen = seen
        yield c


def chunks(total: int, size: int = 100):
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def test_a_body_within_the_bound_passes_whole(client):
    assert client.post("/", content=b"x" * LIMIT).text == f"read {LIMIT}"
    assert client.post("/", content=chunks(LIMIT)).text == f"read {LIMIT}"
    assert client.seen == [LIMIT, LIMIT]


def test_a_declared_length_over_the_bound_is_refused_unread(client):
    response = client.post("/", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413 and response.headers["connection"] == "close"
    assert "超过了 0.5 MB 的上限" in response.text
    assert client.seen == []


@pytest.mark.parametrize("declared", ["abc", "-1", "1e9", " 5"])
def test_a_length_that_is_not_a_number_is_refused(client, declared):
    response = client.post("/", content=b"x", headers={"content-length": declared})
    assert response.status_code == 413 and client.seen == []


def test_a_body_without_a_length_is_cut_off_once_past_the_bound(client):
    response = client.post("/", content=chunks(LIMIT * 50))
    assert response.status_code == 413 and "文件过大" in response.text
    assert client.seen == []
