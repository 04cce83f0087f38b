"""``ledger serve`` as an office starts it: a real process, stopped with Ctrl-C."""

from __future__ import annotations

import pytest

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from tests.web.conftest import free_port


def _serve(root, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ledger", "-w", str(root), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("ledger serve did not answer")


@pytest.mark.slow
def test_serve_answers_and_stops_cleanly_on_ctrl_c(served):
    port = free_port()
    proc = _serve(served.ws.root, port)
    try:
        _wait_up(f"http://127.0.0.1:{port}", proc)
        page = httpx.get(f"http://127.0.0.1:{port}{next(iter(served.links.values()))}", timeout=10)
        assert page.status_code == 200 and "上传并校验" in page.text
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, 130)
    assert "ledger 网页已启动" in out and "Traceback" not in err


def test_a_port_in_use_is_one_chinese_line(served):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(served.ws.root, port)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "无法在 127.0.0.1" in err and "--port" in err and "Traceback" not in err
