"""The 督办 loop in a real headless chromium: the office issues the notices from its board, the unit
reads its notice on its page and answers with text and a file, the board shows the answer."""

from __future__ import annotations

import pytest

from tests.web.conftest import PERIOD
from tests.web.test_browser import Browser, browsers, log_in  # noqa: F401 - the fixture is used by name

from selenium.webdriver.common.by import By  # noqa: E402

UNIT = "县科技局"


@pytest.mark.slow
def test_the_office_issues_a_notice_and_the_unit_answers_it_on_its_page(served, live, browsers, tmp_path):
    from ledger.store.escalations import notices

    served.ws.set_setting("escalation.missing_periods", 1)      # nobody reported July: red for every unit
    office: Browser = browsers("office")
    log_in(office, live.url)
    office.go(f"{live.url}/office?period={PERIOD}")
    office.follow(office.find("escalate"))
    assert "已签发督办单" in office.text("message")
    ours = next(n for n in notices(served.ws.engine) if n["unit"] == UNIT)
    row = office.driver.find_element(By.CSS_SELECTOR, f'#notices tr[data-notice="{ours["id"]}"]').text
    assert ours["number"] in row and "红色" in row and "待反馈" in row

    unit: Browser = browsers("unit")
    unit.go(live.url + served.links[UNIT])
    assert ours["number"] in unit.text("notices") and "连续 1 期未报送工作台账" in unit.text("notices")
    assert unit.text(f"notice-state-{ours['id']}") == "待反馈"
    evidence = tmp_path / "补报说明.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    unit.find(f"reply-{ours['id']}").send_keys("已于8月6日补报7月台账，并明确专人负责报送。")
    unit.find(f"reply-file-{ours['id']}").send_keys(str(evidence))
    unit.follow(unit.find(f"reply-send-{ours['id']}"))
    assert unit.text(f"notice-state-{ours['id']}") == "已反馈，待督查室审核"
    assert "已于8月6日补报7月台账" in unit.text(f"notice-{ours['id']}")

    office.go(f"{live.url}/office?period={PERIOD}")
    row = office.driver.find_element(By.CSS_SELECTOR, f'#notices tr[data-notice="{ours["id"]}"]').text
    assert "已反馈" in row and "已于8月6日补报7月台账" in row
    stored = next(n for n in notices(served.ws.engine) if n["id"] == ours["id"])
    assert (served.ws.root / stored["reply_file"]).read_bytes() == b"%PDF-1.4 evidence"
