"""The review and the sign-off in a real headless browser with JavaScript off (Debian's chromium and
chromium-driver; skipped when absent): the office sends a ledger back with a comment, the unit sees
it, corrects the 退回意见 workbook and uploads it, the office approves; a unit reports 已完成, attaches
a PDF, the office signs the item off, and the next month's template shows it locked as 已销号."""

from __future__ import annotations

import openpyxl
import pytest

from ledger import accounts, layout
from ledger.template.generate import generate_templates
from tests.conftest import fill_all, fill_template
from tests.web.conftest import PERIOD
from tests.web.test_browser import Browser, browsers  # noqa: F401 - the fixture
from tests.web.test_browser import CHROMIUM  # noqa: F401 - the module skips without chromium

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

pytestmark = pytest.mark.slow

UNIT = "县委组织部"          # leads item 3 alone
ZHANG, PW = "张三", "张三的口令-2024"
COMMENT = "第3项请写明新引进高校毕业生的人数"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def log_in(browser: Browser, base: str) -> None:
    browser.go(f"{base}/office/login")
    browser.find("name").send_keys(ZHANG)
    browser.find("password").send_keys(PW)
    browser.follow(browser.find("login"))
    assert "张三（督查室）" in browser.page()


def review_row(browser: Browser) -> list[str]:
    return [td.text for td in browser.driver.find_elements(By.CSS_SELECTOR, f'#reviews tr[data-unit="{UNIT}"] td')]


def open_review(browser: Browser, base: str) -> None:
    browser.go(f"{base}/office/review?period={PERIOD}")
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, f'#reviews tr[data-unit="{UNIT}"] a'))


def test_sent_back_with_a_comment_the_unit_resubmits_and_is_approved(served, live, browsers, tmp_path):
    ws = served.ws
    ws.set_setting("review.required", True)
    accounts.add_user(ws.engine, ZHANG, "office", PW)
    office, unit = browsers("office", javascript=False), browsers("unit", javascript=False)
    work = tmp_path / "work"
    work.mkdir()

    unit.go(live.url + served.links[UNIT])
    template = unit.download("template")
    assert unit.upload(fill_all(template, work / "组织部7月台账.xlsx", progress="按计划推进。")) == "已接收"

    log_in(office, live.url)
    open_review(office, live.url)
    assert office.text("state") == "待审核"
    assert [r[0] for r in office.rows("rows")] == ["3"]
    office.find("comment").send_keys(COMMENT)
    Select(office.find("item")).select_by_visible_text("第 3 项")
    office.follow(office.find("send-back"))
    assert review_row(office)[1] == "退回修改" and COMMENT in review_row(office)[5]

    unit.go(live.url + served.links[UNIT])
    assert unit.text("state") == "已被督查室退回修改，请按意见修改后重新上传"
    assert COMMENT in unit.text("sent-back-comment")
    returned = unit.download("sent-back-workbook")
    sheet = openpyxl.load_workbook(returned)[layout.LEDGER_SHEET]
    progress = sheet.cell(row=layout.FIRST_DATA_ROW, column=layout.column_index("progress") + 1)
    assert progress.comment is not None and COMMENT in progress.comment.text
    fixed = fill_template(returned, {0: {"progress": "新引进高校毕业生 420 人。"}}, work / "组织部7月台账（修改）.xlsx")
    assert unit.upload(fixed) == "已接收"

    open_review(office, live.url)
    assert office.text("state") == "待审核"
    office.follow(office.find("approve"))
    assert review_row(office)[1] == "审核通过" and review_row(office)[3] == ZHANG
    office.go(f"{live.url}/office?period={PERIOD}")
    assert "审核通过" in office.driver.find_element(By.CSS_SELECTOR, f'#units tr[data-unit="{UNIT}"]').text


def test_a_finished_item_is_signed_off_on_a_pdf_and_next_months_template_shows_it(served, live, browsers, tmp_path):
    ws = served.ws
    accounts.add_user(ws.engine, ZHANG, "office", PW)
    office, unit = browsers("office", javascript=False), browsers("unit", javascript=False)
    work = tmp_path / "work"
    work.mkdir()

    unit.go(live.url + served.links[UNIT])
    template = unit.download("template")
    assert unit.upload(fill_all(template, work / "组织部7月台账.xlsx", status="已完成", percent=100)) == "已接收"
    unit.go(live.url + served.links[UNIT])
    assert unit.text("signoff-state-3") == "待销号（待上传佐证材料）"
    pdf = work / "人才引进情况.pdf"
    pdf.write_bytes(PDF)
    unit.find("evidence-file-3").send_keys(str(pdf))
    unit.follow(unit.find("evidence-upload-3"))
    assert unit.text("signoff-state-3") == "待销号（佐证材料待审核）" and "人才引进情况.pdf" in unit.page()

    log_in(office, live.url)
    office.go(f"{live.url}/office/signoff")
    office.follow(office.find("signoff-approve-3"))
    row = office.driver.find_element(By.CSS_SELECTOR, '#signoffs tr[data-item="3"]').text
    assert "已销号" in row and ZHANG in row

    generate_templates(ws, "2024-08")
    unit.go(f"{live.url}{served.base(UNIT)}?period=2024-08")
    assert unit.text("signoff-state-3") == "已销号"
    august = unit.download("template")
    sheet = openpyxl.load_workbook(august)[layout.LEDGER_SHEET]
    cell = lambda key: sheet.cell(row=layout.FIRST_DATA_ROW, column=layout.column_index(key) + 1)
    assert cell("status").value == "已完成" and cell("progress").value.startswith("已销号（")
    assert cell("status").protection.locked and cell("progress").protection.locked
