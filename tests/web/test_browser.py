"""The web channel's main flows in a real headless browser: Debian's chromium driven by Selenium
through Debian's chromium-driver (skipped when either is absent).

A department downloads its template, fills it, uploads it, is told what to fix, fixes it in the
feedback workbook and is accepted; the office's board, left open in another browser, follows on its
own; the office pages stay behind the password; and the department's pages work without JavaScript.
Every assertion is on what a person sees on the page or finds in the download folder.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from ledger import layout
from ledger.collect.intake import OUTCOME_LABELS as INTAKE_LABELS
from ledger.report import period_status
from tests.conftest import fill_all, fill_template
from tests.web.conftest import PASSWORD, PERIOD

webdriver = pytest.importorskip("selenium.webdriver")

from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,  # noqa: E402
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
    pytest.skip("needs Debian's chromium and chromium-driver", allow_module_level=True)

# This machine's network is closed: no first-run, sync, component or background traffic.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1000")
UNIT = "县发展改革局"
BOARD_FOLLOWS = 15          # seconds the open board may take to show an outcome (board.js polls every 3 s)
VERDICT = 40                # seconds an upload may take to show its verdict (the server waits up to 20 s)
WRONG_STATUS = "进行中"      # not in the status vocabulary: the one mistake of the first upload
STATUS_CELL = f"{get_column_letter(layout.column_index('status') + 1)}{layout.FIRST_DATA_ROW}"


class Browser:
    """One person's browser: a chromium with its own profile and download folder."""

    def __init__(self, root: Path, javascript: bool = True) -> None:
        self.downloads = root / "downloads"
        self.downloads.mkdir(parents=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={root / 'profile'}")
        prefs = {"download.default_directory": str(self.downloads), "download.prompt_for_download": False,
                 "download.directory_upgrade": True, "safebrowsing.enabled": False}
        if not javascript:
            options.add_argument("--blink-settings=scriptEnabled=false")
            prefs["profile.managed_default_content_settings.javascript"] = 2
        options.add_experimental_option("prefs", prefs)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:    # headless chromium may ignore the download preference: tell the browser itself as well
            self.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                        {"behavior": "allow", "downloadPath": str(self.downloads)})
        except Exception:
            self.driver.quit()
            raise

    def quit(self) -> None:
        self.driver.quit()

    # --- looking at the page -------------------------------------------------------------------
    def go(self, url: str) -> None:
        self.driver.get(url)

    def find(self, element_id: str):
        return self.driver.find_element(By.ID, element_id)

    def has(self, element_id: str) -> bool:
        return bool(self.driver.find_elements(By.ID, element_id))

    def text(self, element_id: str) -> str:
        return self.find(element_id).text

    def page(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def rows(self, table_id: str, css: str = "tr") -> list[list[str]]:
        """The cells of a table as a person reads them, header rows (th) left out."""
        rows = self.driver.find_elements(By.CSS_SELECTOR, f"#{table_id} {css}")
        cells = [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]
        return [c for c in cells if c]

    def wait(self, condition, seconds: float, message: str):
        def holds(driver):
            try:
                return condition()
            except WebDriverException as exc:       # chromium replacing the page under us: look again
                if "does not belong to the document" in str(exc):
                    return False
                raise
        return WebDriverWait(self.driver, seconds, poll_frequency=0.2,
                             ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                             ).until(holds, message)

    # --- doing things ------------------------------------------------------------------------
    def follow(self, element, seconds: float = 20) -> None:
        """Click a link or a form's button and wait until the next page has replaced this one."""
        element.click()

        def gone(driver) -> bool:
            try:
                return expected_conditions.staleness_of(element)(driver)
            except WebDriverException as exc:       # chromium, mid-navigation: "does not belong to the document"
                if "does not belong to the document" in str(exc):
                    return True
                raise
        WebDriverWait(self.driver, seconds).until(gone)
        WebDriverWait(self.driver, seconds).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def download(self, element_id: str, seconds: float = 20) -> Path:
        """Click a download link and wait for the file to arrive whole in the download folder."""
        before = set(self.downloads.iterdir())
        self.find(element_id).click()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            new = [p for p in set(self.downloads.iterdir()) - before
                   if not p.name.endswith((".crdownload", ".tmp")) and not p.name.startswith(".")]
            if new and new[0].stat().st_size > 0:
                return new[0]
            time.sleep(0.1)
        raise AssertionError(f"no download from #{element_id} in {seconds} s: {sorted(self.downloads.iterdir())}")

    def upload(self, path: Path) -> str:
        """Choose the file, press 上传并校验 and wait for the verdict; returns what the verdict says."""
        before = self.driver.current_url
        self.find("file").send_keys(str(path))
        upload = self.find("upload")
        assert upload.text == "上传并校验"
        upload.click()
        return self.wait(lambda: self.driver.current_url != before and "/uploads/" in self.driver.current_url
                         and self.text("verdict") not in ("", "正在校验…") and self.text("verdict"),
                         VERDICT, f"no verdict for {path.name}")


@pytest.fixture
def browsers(tmp_path):
    """Opens browsers (``browsers(name, javascript=True)``) and always quits them."""
    opened: list[Browser] = []

    def open_browser(name: str, javascript: bool = True) -> Browser:
        browser = Browser(tmp_path / "browsers" / name, javascript)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        browser.quit()


# --- helpers: what the department does with openpyxl, what the office's board says ----------------
def with_one_mistake(template: Path, out: Path) -> Path:
    """The template filled correctly except one status, typed as a person might say it."""
    fill_all(template, out)
    return fill_template(out, {0: {"status": WRONG_STATUS}})


def ledger_unit(path: Path) -> str:
    """The 填报单位 line of a workbook's 台账 sheet (it opens, and names whose ledger it is)."""
    wb = openpyxl.load_workbook(path)
    try:
        return str(wb[layout.LEDGER_SHEET].cell(row=layout.INFO_ROW, column=1).value or "")
    finally:
        wb.close()


def expected_label(ws, unit: str = UNIT) -> str:
    """The unit's status on the board, as the library itself tells it."""
    return next(u.label for u in period_status(ws, PERIOD).units if u.unit.name == unit)


def board_label(browser: Browser, unit: str = UNIT) -> str:
    return browser.driver.find_element(By.CSS_SELECTOR, f'#units tr[data-unit="{unit}"] .tag').text


COUNTS = ("on_time", "late", "rejected", "missing")


def board_seen(browser: Browser) -> tuple[str, ...]:
    """What the open board says of UNIT, then its counts (按时, 逾期, 退回待重报, 未报送)."""
    return (board_label(browser),) + tuple(browser.text(f"n-{key}") for key in COUNTS)


def board_told(ws) -> tuple[str, ...]:
    """The same, as the library itself tells it."""
    totals = period_status(ws, PERIOD).totals
    return (expected_label(ws),) + tuple(str(getattr(totals, key)) for key in COUNTS)


def log_in(browser: Browser, base: str, password: str = PASSWORD) -> None:
    browser.go(f"{base}/office/login")
    browser.find("password").send_keys(password)
    browser.follow(browser.find("login"))


def assert_rejected_for_status(browser: Browser) -> None:
    """The 已退回 page: the table names the wrong cell, what was typed and how to fix it."""
    assert browser.text("verdict") == "已退回"
    errors = browser.rows("findings", "tr.bad")
    assert len(errors) == 1, errors
    sheet, cell, column, value, problem, fix = errors[0]
    assert (sheet, cell, column, value) == (layout.LEDGER_SHEET, STATUS_CELL, "完成状态", WRONG_STATUS)
    assert problem and fix
    assert "序时推进" in fix + problem            # the allowed statuses are offered
    assert "下载退回意见" in browser.text("feedback")


# --- the flows -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_department_is_told_what_to_fix_and_the_open_board_follows(served, live, browsers, tmp_path):
    office = browsers("office")
    log_in(office, live.url)
    assert office.driver.current_url.endswith("/office")
    assert board_label(office) == "未报送" == expected_label(served.ws)
    missing = int(office.text("n-missing"))

    unit = browsers("unit")
    unit.go(live.url + served.links[UNIT])
    assert unit.text("state") == "尚未报送"
    assert "本月尚未收到本单位的台账" in unit.page()
    template = unit.download("template")
    assert template.suffix == ".xlsx" and UNIT in template.name
    assert ledger_unit(template).startswith(f"填报单位：{UNIT}")

    work = tmp_path / "work"
    work.mkdir()
    assert unit.upload(with_one_mistake(template, work / f"{UNIT}7月台账.xlsx")) == "已退回"
    assert_rejected_for_status(unit)

    # The board, left open in the office's browser, changes by itself (board.js, not the test).
    rejected = ("退回待重报", "0", "0", "1", str(missing - 1))
    assert board_told(served.ws) == rejected
    office.wait(lambda: board_seen(office) == rejected, BOARD_FOLLOWS, "the open board did not show the rejection")

    # The department fixes the cell in the feedback workbook it was given and uploads that.
    feedback = unit.download("feedback")
    assert feedback != template and ledger_unit(feedback).startswith(f"填报单位：{UNIT}")
    fixed = fill_template(feedback, {0: {"status": "序时推进"}}, work / f"{UNIT}7月台账（已修改）.xlsx")
    assert unit.upload(fixed) == "已接收"
    assert not unit.has("findings") and unit.text("late") == expected_label(served.ws) == "逾期报送"   # as the board says

    accepted = board_told(served.ws)          # 逾期报送 today: PERIOD's deadline is long past
    assert accepted[0] in ("按时报送", "逾期报送") and accepted[3:] == ("0", str(missing - 1))
    office.wait(lambda: board_seen(office) == accepted, BOARD_FOLLOWS, "the open board did not show the acceptance")

    # The unit's page tells the whole month: the rejected file and the accepted one.
    unit.follow(unit.driver.find_element(By.LINK_TEXT, "返回本单位报送页"))
    assert unit.text("state") == "本月已报送"
    history = unit.rows("history")
    assert [(r[1], r[2].split()[0]) for r in history] == \
        [(fixed.name, INTAKE_LABELS["accepted"]), (f"{UNIT}7月台账.xlsx", INTAKE_LABELS["rejected"])]
    assert "（现行）" in history[0][2] and "1 处错误" in history[1][3] and "下载退回意见" in history[1][4]


@pytest.mark.slow
def test_office_pages_stay_behind_the_password(served, live, browsers):
    browser = browsers("stranger")
    browser.go(f"{live.url}/office")
    assert browser.driver.current_url == f"{live.url}/office/login"
    assert not browser.has("board") and browser.has("password")

    log_in(browser, live.url, "督查室-口令-猜错")
    assert "密码不正确" in browser.text("message")
    browser.go(f"{live.url}/office/reminders")
    assert browser.driver.current_url == f"{live.url}/office/login" and not browser.has("board")

    log_in(browser, live.url)
    assert browser.driver.current_url == f"{live.url}/office" and browser.has("board")
    assert [r[1] for r in browser.rows("units")] == [u.unit.name for u in period_status(served.ws, PERIOD).units]


@pytest.mark.slow
def test_department_uploads_without_javascript(served, live, browsers, tmp_path):
    browser = browsers("no-script", javascript=False)
    browser.go("data:text/html;charset=utf-8,<script>document.write('<p id=on>on</p>')</script>"
               "<noscript><p id=off>off</p></noscript>")
    assert browser.has("off") and not browser.has("on"), "JavaScript is still enabled"

    unit = "县科技局"
    browser.go(live.url + served.links[unit])
    template = browser.download("template")
    assert ledger_unit(template).startswith(f"填报单位：{unit}")
    work = tmp_path / "work"
    work.mkdir()
    assert browser.upload(with_one_mistake(template, work / "第一次.xlsx")) == "已退回"
    assert_rejected_for_status(browser)
    assert browser.upload(fill_all(template, work / "第二次.xlsx")) == "已接收"
    assert expected_label(served.ws, unit) in ("按时报送", "逾期报送")

    browser.go(live.url + served.links[unit])
    assert browser.text("state") == "本月已报送"
    assert [r[2].split()[0] for r in browser.rows("history")] == ["已接收", "已退回"]


# --- phones and accessibility (issue 25) ------------------------------------------------------------
PHONE = (375, 812)          # a common phone's CSS pixels: units open their links in 政务微信
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory) -> str:
    """axe-core's axe.min.js, fetched from npm at test time (nothing vendored); skipped without it."""
    import subprocess
    import tarfile

    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: axe-core cannot be fetched")
    folder = tmp_path_factory.mktemp("axe")
    try:
        done = subprocess.run([npm, "pack", "axe-core@4", "--silent"], cwd=folder, capture_output=True, text=True,
                              timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"npm pack axe-core failed: {exc}")
    packed = sorted(folder.glob("axe-core-*.tgz"))
    if done.returncode != 0 or not packed:
        pytest.skip(f"npm pack axe-core failed: {done.stderr.strip()[-200:]}")
    with tarfile.open(packed[-1]) as tar:
        return tar.extractfile("package/axe.min.js").read().decode("utf-8")


def axe_violations(browser: Browser, source: str) -> list[str]:
    """axe-core's WCAG 2 A and AA violations on the page, as ``rule: target`` lines."""
    browser.driver.execute_script(source)
    result = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS!r}}}}})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))"
        ".catch(e => done(['axe failed: ' + e]));")
    return result


def fits_the_screen(browser: Browser) -> tuple[int, int]:
    """(the page's width, the window's): a phone page never scrolls sideways."""
    return tuple(browser.driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"))


def narrowest_cell(browser: Browser, table_id: str) -> int:
    """The narrowest filled cell of a table, in CSS pixels (a cell one character wide is ~ 15)."""
    return browser.driver.execute_script(
        f"return Math.min(...[...document.querySelectorAll('#{table_id} td')]"
        ".filter(td => td.innerText.trim()).map(td => td.getBoundingClientRect().width))")


@pytest.mark.slow
@pytest.mark.parametrize("size", [PHONE, (1280, 1000)], ids=["phone", "desktop"])
def test_every_page_reads_on_a_phone_and_has_no_accessibility_violation(served, live, browsers, tmp_path,
                                                                        axe_source, size):
    unit = browsers("unit")
    unit.driver.set_window_size(*size)
    unit.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size == PHONE})
    unit.go(f"{live.url}{served.links[UNIT]}")
    unit.upload(with_one_mistake(served.templates[UNIT], tmp_path / "一处错误.xlsx"))      # a history and findings
    office = browsers("office")
    office.driver.set_window_size(*size)
    office.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size == PHONE})
    office.go(f"{live.url}/office/login")
    checked: dict[str, list[str]] = {"login": axe_violations(office, axe_source)}
    log_in(office, live.url)
    # the unit's pages
    unit.go(f"{live.url}{served.links[UNIT]}")
    checked["unit page"] = axe_violations(unit, axe_source)
    width, window = fits_the_screen(unit)
    assert width <= window, ("unit page", width, window)
    if size == PHONE:
        assert narrowest_cell(unit, "history") > 150
    unit.follow(unit.driver.find_element(By.CSS_SELECTOR, "#history a"))
    checked["result page"] = axe_violations(unit, axe_source)
    assert fits_the_screen(unit)[0] <= fits_the_screen(unit)[1]
    if size == PHONE:
        assert narrowest_cell(unit, "findings") > 150
    # the office's pages
    for name, path, table in (("board", f"/office?period={PERIOD}", "units"), ("links", f"/office/links?period={PERIOD}", "links"),
                              ("log", "/office/log", "log"), ("year", "/office/year?year=2024", "year-units")):
        office.go(f"{live.url}{path}")
        checked[name] = axe_violations(office, axe_source)
        width, window = fits_the_screen(office)
        assert width <= window, (name, width, window)
        if size == PHONE:
            assert narrowest_cell(office, table) > 150, name
    assert {name: found for name, found in checked.items() if found} == {}
