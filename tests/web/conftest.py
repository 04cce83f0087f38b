"""Fixtures for the web channel: a workspace with templates issued and links made, the application
through Starlette's test client, and the real server (uvicorn) on a free port."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.links import unit_links
from ledger.template.generate import generate_templates

PERIOD = "2024-07"
PASSWORD = "督查室-口令-7f3"


@dataclass
class Served:
    """A workspace ready for ``ledger serve``: templates of PERIOD issued, every unit's link made."""

    ws: object
    links: dict[str, str]        # unit -> path of its page (/u/<token>?period=...)
    templates: dict[str, Path]   # unit -> template file

    def token(self, unit: str) -> str:
        return re.search(r"/u/([^?]+)", self.links[unit]).group(1)

    def base(self, unit: str) -> str:
        return f"/u/{self.token(unit)}"


def set_office_password(ws, password: str = PASSWORD) -> None:
    ws.set_setting("serve.office_password", password)


@pytest.fixture
def served(planned) -> Served:
    ws = planned
    set_office_password(ws)
    made = generate_templates(ws, PERIOD)
    result = unit_links(ws, PERIOD, base="")
    links = {link.unit: link.url.removeprefix(result.base_url) for link in result.links}
    return Served(ws, links, {f.unit: f.path for f in made.files})


@pytest.fixture
def client(served):
    """The application through an HTTP client (its collector and access log running, as served)."""
    from starlette.testclient import TestClient

    from ledger.web import create_app

    with TestClient(create_app(served.ws), follow_redirects=True) as c:
        yield c


def form_key(html: str) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', html).group(1)


def page_text(html: str) -> str:
    """What a person reads on the page: the text without markup or style."""
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``ledger serve``'s application under uvicorn in a thread, on a free port of 127.0.0.1."""

    def __init__(self, ws, **guard) -> None:
        import uvicorn

        from ledger.web import create_app
        from ledger.web.connections import server_config

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = server_config(create_app(ws), host="127.0.0.1", port=self.port, log_level="warning", **guard)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture
def live(served):
    with LiveServer(served.ws) as server:
        yield server
