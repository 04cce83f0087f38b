"""Real receivers for the reminders: an SMTP server (aiosmtpd, STARTTLS with a certificate made now)
and a local HTTP server standing for each robot and gateway, recording what arrives."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from ledger.plan.model import Plan, PlanItem, Section
from ledger.template.generate import generate_templates

PERIOD = "2024-07"


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """A local HTTP server: ``reply(received) -> (status, json body)`` decides each answer."""

    reply: Callable[[Received], tuple[int, Any]] = lambda r: (200, {"errcode": 0, "errmsg": "ok"})
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    tls: ssl.SSLContext | None = None       # serve https with this context

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=t0ken"

    def start(self) -> "Receiver":
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = urlsplit(self.path)
                got = Received(parts.path, parse_qs(parts.query), dict(self.headers), json.loads(raw or b"null"))
                status, body = outer.reply(got)
                if status == 200:
                    outer.received.append(got)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(reply=None) -> Receiver:
        r = Receiver(reply) if reply else Receiver()
        made.append(r.start())
        return r
    yield make
    for r in made:
        r.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now with openssl."""
    if not shutil.which("openssl"):
        pytest.skip("needs openssl to make a test certificate")
    folder = tmp_path_factory.mktemp("cert")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class Mailbox:
    """What the SMTP server accepted: (envelope from, recipients, parsed message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Any]] = []
        self.refuse_with: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        from email import message_from_bytes
        from email.policy import default

        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              message_from_bytes(envelope.original_content or envelope.content, policy=default)))
        return "250 OK"


@pytest.fixture
def smtp_server(certificate, monkeypatch):
    """An SMTP server on 127.0.0.1 requiring STARTTLS and a login (user ducha, password in LEDGER_TEST_SMTP)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))          # the client trusts this certificate only
    monkeypatch.setenv("LEDGER_TEST_SMTP", "s3cret")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = getattr(auth_data, "login", b"") == b"ducha" and getattr(auth_data, "password", b"") == b"s3cret"
        return AuthResult(success=ok, handled=False)

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_required=True)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def many_units_plan(n: int) -> Plan:
    section = "重点工作"
    return Plan("测试县2024年工作要点", 2024, [
        PlanItem(str(k), f"任务{k}", f"任务{k}的内容。", section, "一", [f"县第{k}局"], []) for k in range(1, n + 1)
    ], [Section("一", section)])


def configure(ws, channels: str, **remind) -> None:
    """Set ``[remind]`` keys (quick retries by default), append ``[[channels]]`` to the workspace's
    ledger.toml and read it again."""
    for key, value in {"backoff_seconds": 0.0, "retry_within_seconds": 5.0, **remind}.items():
        ws.set_setting(f"remind.{key}", value)
    path = ws.root / "ledger.toml"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{channels}\n", encoding="utf-8")
    ws.__dict__.pop("settings", None)


@pytest.fixture
def issued(planned):
    """The sample plan's workspace with the period's templates issued (its four units all owing)."""
    generate_templates(planned, PERIOD)
    return planned


def wait_for(check: Callable[[], bool], seconds: float = 10) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False
