"""The office's 年度情况 page: the year (or a quarter) as its months were reported, without JavaScript."""

from __future__ import annotations

import re

from ledger.report.span import Span, span_view
from tests.web.conftest import PERIOD, page_text
from tests.web.test_security import A, good, login, upload


def test_the_year_page_shows_each_months_figures_and_each_units_record(client, served, tmp_path):
    assert "已接收" in page_text(upload(client, served, A, good(served, A, tmp_path)).text)
    login(client)
    board = client.get(f"/office?period={PERIOD}").text
    assert 'href="/office/year?year=2024"' in board                       # the tab on every office page
    page = client.get("/office/year?year=2024")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "2024年情况" in text and "2024年7月" in text
    view = span_view(served.ws, Span.year("2024"))                         # the same figures as ledger status --year
    july = view.month_totals()[-1]["units"]
    trend = page.text[page.text.index('id="trend"'):]
    trend = trend[trend.index("2024年7月"):trend.index("</tr>", trend.index("2024年7月"))]
    cells = re.findall(r'data-label="([^"]+)">([^<]*)<', trend)
    assert dict(cells) == {"任务": str(len(view.last.merged)), "按时": str(july["on_time"]), "逾期": str(july["late"]),
                           "退回待重报": str(july["rejected"]), "未报送": str(july["missing"]),
                           "滞后任务": str(view.month_totals()[-1]["lagging"])}
    assert july["on_time"] + july["late"] == 1                               # A's upload, counted once
    record = next(u for u in view.units if u.name == A)
    row = page.text[page.text.index(f'data-unit="{A}"'):]
    row = row[: row.index("</tr>")]
    assert record.cell(PERIOD) in row and f"{record.on_time_rate:.0%}" in row


def test_a_quarter_and_a_year_with_nothing_recorded(client, served):
    login(client)
    assert "2024年第三季度情况" in page_text(client.get("/office/year?quarter=2024Q3").text)
    empty = client.get("/office/year?year=2019")
    assert empty.status_code == 404 and "2019年没有任何月份的记录" in page_text(empty.text)
    wrong = client.get("/office/year?year=二〇二四")
    assert wrong.status_code == 404 and "年份" in page_text(wrong.text)


def test_the_year_page_is_behind_the_office_login(client, served):
    assert client.get("/office/year?year=2024", follow_redirects=False).status_code in (302, 303, 401, 403)
