"""Names collect makes: within 255 bytes, extension and hash kept; undecodable names shown escaped."""

from __future__ import annotations

import pytest

from ledger.collect.names import NAME_BYTES, display_name, fit_name, folder_name, stored_name

SHA = "ab" * 32


def test_a_long_chinese_name_keeps_its_extension_and_the_hash_within_the_limit():
    original = "报送" * 60 + ".xlsx"                 # 365 bytes
    name = stored_name(SHA, f"邮件/{original}")
    assert len(name.encode()) <= NAME_BYTES and name.endswith(".xlsx") and name.startswith(SHA[:16] + "_报送")


def test_a_short_name_is_kept_whole():
    assert stored_name(SHA, "科技局7月台账(1).xlsx") == f"{SHA[:16]}_科技局7月台账(1).xlsx"


def test_cutting_never_splits_a_character_and_four_byte_characters_count_as_four():
    name = fit_name("😀" * 100, ".xlsx", limit=50)
    assert name == "😀" * 11 + ".xlsx" and len(name.encode()) == 49


def test_an_overlong_extension_is_cut_with_the_name():
    name = stored_name(SHA, "x." + "y" * 300)
    assert len(name.encode()) <= NAME_BYTES


def test_a_unit_folder_is_windows_safe_and_within_the_limit():
    assert folder_name("县/区:局?" + "局" * 100, "未识别").startswith("县_区_局_")
    assert len(folder_name("😀" * 80, "未识别").encode()) <= NAME_BYTES
    assert folder_name("...", "未识别") == "未识别"


def test_undecodable_bytes_are_shown_escaped_and_valid_text_is_unchanged():
    import os
    raw = os.fsdecode(b"\xb1\xa8\xcb\xcd.xlsx")
    assert display_name(raw) == "\\xb1\\xa8\\xcb\\xcd.xlsx"
    assert display_name(raw).encode("utf-8")
    assert display_name("报送.xlsx") == "报送.xlsx"


@pytest.mark.parametrize("raw, shown", [
    ("报表\u202excod.xlsx", "报表xcod.xlsx"),            # a right-to-left override would show 报表xslx.docx
    ("a\u2066b\u2069c\u200e.xlsx", "abc.xlsx"),          # isolates and marks
    ("零\u200b宽\ufeff.xlsx", "零宽.xlsx"),              # zero-width space, BOM
    ("行\u2028分隔\x07.xlsx", "行分隔.xlsx"),            # line separator, a control
    ("普通 名称（7月）.xlsx", "普通 名称（7月）.xlsx"),
])
def test_invisible_characters_never_reach_a_shown_or_stored_name(raw, shown):
    from ledger.collect.names import visible
    from ledger.xlsx import safe_name

    assert visible(raw) == shown
    assert display_name(raw) == shown
    assert safe_name(raw, "x") == shown


@pytest.mark.parametrize("raw, shown", [
    ("网页上传_县科技局_20261207-165406_a1b2c3_七月台账.xlsx", "七月台账.xlsx"),
    ("网页上传_县_科技_局_20261207-165406_a1b2c3_七_月.xlsx", "七_月.xlsx"),
    ("sub/网页上传_县科技局_20261207-165406_a1b2c3_x.xlsx", "x.xlsx"),
    ("网页上传说明.xlsx", "网页上传说明.xlsx"),          # not an upload's inbox name
    ("七月台账.xlsx", "七月台账.xlsx"),
])
def test_an_upload_is_shown_under_the_name_it_was_sent_as(raw, shown):
    from ledger.collect.names import person_name

    assert person_name(raw) == shown
