"""一键催报 in Debian's headless chromium: the office opens the board, presses 一键催报, reads the
messages that would go, sends them, and the robot receives each once (skipped without chromium)."""

from __future__ import annotations

import pytest

from tests.remind.conftest import configure
from tests.web.conftest import PERIOD, live, served  # noqa: F401 - fixtures
from tests.web.test_browser import browsers, log_in  # noqa: F401 - fixture


@pytest.fixture
def robot(served, receiver):  # noqa: F811 - the fixture imported above
    found = receiver()
    configure(served.ws, f'[[channels]]\nkind = "dingtalk"\nname = "督查群"\nurl = "{found.url}"\nsecret = "SECx"\n')
    return found


@pytest.mark.slow
def test_the_office_reminds_every_waiting_unit_from_the_board(served, robot, live, browsers):  # noqa: F811
    office = browsers("office")
    log_in(office, live.url)
    office.follow(office.find("remind"))
    rows = office.rows("messages")
    assert sorted(r[0] for r in rows) == ["县发展改革局", "县委组织部", "县科技局", "县财政局"]
    assert {(r[1], r[2], r[4]) for r in rows} == {("逾期未报", "督查群", "将发送")}
    assert robot.received == []                                   # looking sends nothing
    assert office.find("send").text == "发送以上 4 条消息"
    office.follow(office.find("send"))
    assert "2024年7月催报：发送 4 条" in office.text("message")
    assert {r[4] for r in office.rows("messages")} == {"已发送"} and office.has("nothing")
    assert sorted(r.body["markdown"]["title"] for r in robot.received) == ["【催报】2024年7月工作台账已逾期未报"] * 4
    office.go(f"{live.url}/office?period={PERIOD}")
    assert "本月已发出 4 条" in office.page()
