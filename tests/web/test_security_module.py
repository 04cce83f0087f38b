"""``ledger.web.security`` on its own: upload names, form keys, office sessions, rate limits."""

from __future__ import annotations

import time
from pathlib import PurePosixPath

import pytest

from ledger.web.security import (FALLBACK_NAME, RateLimiter, form_key, form_ok, new_form_cookie,
                                 upload_name)

KEY, OTHER_KEY = b"k" * 64, b"o" * 64


@pytest.mark.parametrize("raw, expected", [
    ("七月台账.xlsx", "七月台账.xlsx"),
    ("../../x.xlsx", "x.xlsx"),
    ("..\\..\\x.xlsx", "x.xlsx"),
    ("C:\\Users\\张三\\桌面\\台账.XLSX", "台账.xlsx"),
    ("/etc/passwd", "passwd"),
    ("bad\x00na\x1bme.xlsx", "badname.xlsx"),
    (".hidden.xlsx", "hidden.xlsx"),
    ("~$lock.xlsx", "lock.xlsx"),
    ('a<b>c:"d|e?f*.xlsx', "_d_e_f_.xlsx"),
    ("报告.PDF", "报告.pdf"),
    ("说明.tar.gz", "说明.tar.gz"),
    ("a.b<c>d.e", "a.b_c_d.e"),
    ("..", FALLBACK_NAME),
    ("", FALLBACK_NAME),
    (None, FALLBACK_NAME),
    ("   .xlsx", "xlsx"),
    ("报告.pdf", "报告.pdf"),
])
def test_upload_name_keeps_the_last_component_made_harmless(raw, expected):
    assert upload_name(raw) == expected


@pytest.mark.parametrize("raw", ["长" * 500 + ".xlsx", "x" * 5000 + ".xlsm", "a/" * 300 + "b.xls",
                                 "\x00" * 50, "../" * 100, "台账\u0301.xlsx"])
def test_upload_name_is_one_short_harmless_component(raw):
    name = upload_name(raw)
    assert name and PurePosixPath(name).name == name and name not in (".", "..")
    assert not any(c in name for c in '/\\:<>"|?*') and not any(ord(c) < 32 or c == "\x7f" for c in name)
    assert len(name.encode("utf-8")) <= 150
    assert not name.startswith((".", "~$", " "))


def test_a_very_long_name_keeps_its_workbook_suffix():
    assert upload_name("长" * 500 + ".xlsx").endswith("长.xlsx")


def test_a_form_key_fits_only_its_own_cookie_and_server():
    mine, theirs = new_form_cookie(), new_form_cookie()
    assert mine != theirs
    key = form_key(KEY, mine)
    assert form_ok(KEY, mine, key)
    assert not form_ok(KEY, theirs, key)
    assert not form_ok(OTHER_KEY, mine, key)
    assert not form_ok(KEY, mine, key[:-1])
    assert not form_ok(KEY, None, key) and not form_ok(KEY, mine, None) and not form_ok(KEY, "", "")
    long_cookie = "c" * 101
    assert not form_ok(KEY, long_cookie, form_key(KEY, long_cookie))


def test_a_rate_limit_counts_within_a_sliding_window_per_key():
    limiter = RateLimiter(3, 10)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)                        # another key is not affected
    assert limiter.retry_after("a", now=3) == 8             # the first of the three leaves at 10
    assert not limiter.allow("a", now=9.9)
    assert limiter.allow("a", now=10) and not limiter.allow("a", now=10.5)
    assert limiter.allow("a", now=11)
    assert limiter.retry_after("never", now=0) == 1
