"""The demo month goes on in a browser: `ledger demo`, then `ledger serve`, as the README says."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from ledger.demo import run_demo
from ledger.report import period_status
from ledger.web import create_app
from ledger.workspace import Workspace
from tests.conftest import fill_all
from tests.web.conftest import form_key, page_text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo") / "demo", echo=lambda line: None, use_libreoffice=False)


@pytest.mark.slow
def test_a_newcomer_continues_the_demo_month_in_the_browser(demo, tmp_path):
    ws = Workspace(demo.root)
    period = demo.periods[-1]
    unit = demo.missing[0]
    with TestClient(create_app(ws), follow_redirects=True) as client:
        login = client.get("/office/login")
        board = client.post("/office/login", data={"form_key": form_key(login.text), "password": demo.office_password})
        text = page_text(board.text)
        before = period_status(ws, period).totals
        assert f"{period[:4]}年{int(period[5:])}月工作台账报送看板" in text
        assert f"未报送 {before.missing}" in text and unit in text

        link = urlsplit(demo.links[unit])
        path = f"{link.path}?{link.query}"
        page = client.get(path)
        assert unit in page_text(page.text)
        template = next(p for p in (ws.templates_dir / period).glob("*.xlsx") if unit in p.name)
        filled = fill_all(template, tmp_path / "填好.xlsx")
        with open(filled, "rb") as f:
            verdict = client.post(path.split("?")[0] + "/upload", data={"form_key": form_key(page.text)},
                                  files={"file": ("填好.xlsx", f)})
        assert "已接收" in page_text(verdict.text)
        after = page_text(client.get(f"/office?period={period}").text)
        assert f"未报送 {before.missing - 1}" in after
