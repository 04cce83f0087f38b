"""Workbooks opened and saved by a real spreadsheet client (LibreOffice) still identify and collect."""

from __future__ import annotations

import pytest

from ledger import layout
from ledger.collect.intake import collect_inbox
from ledger.collect.reader import read_workbook
from ledger.template.generate import generate_templates
from tests.collect.test_collect import drop, only, stored_rows, template
from tests.conftest import GOOD, fill_all, libreoffice_convert, soffice

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")]


@pytest.fixture
def issued(planned):
    generate_templates(planned, "2024-07")
    return planned


@pytest.mark.slow
def test_a_template_saved_by_libreoffice_still_identifies_and_keeps_its_rows(issued, tmp_path):
    saved = libreoffice_convert(template(issued), "xlsx", tmp_path / "lo")
    original = read_workbook(template(issued), "xlsx")
    after = read_workbook(saved, "xlsx", every_identity=True)
    assert after.identity is not None
    assert after.identity.template_id == original.identity.template_id
    assert {"property", "sheet"} <= set(after.identities)
    assert [r.values["row_key"] for r in after.rows] == [r.values["row_key"] for r in original.rows]
    assert [r.values["text"] for r in after.rows] == [r.values["text"] for r in original.rows]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_filled_and_resaved_by_libreoffice_is_accepted_with_the_typed_values(issued, tmp_path, fmt):
    filled = fill_all(template(issued), tmp_path / "filled.xlsx", percent="30%")
    resaved = libreoffice_convert(filled, fmt, tmp_path / "lo")
    drop(issued, resaved, f"科技局7月.{fmt}")
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", [f.message for f in out.findings]
    rows = stored_rows(issued)
    assert len(rows) == 3
    for r in rows:
        assert (r["progress"], r["status"], r["percent"], r["phone"]) == (GOOD["progress"], GOOD["status"], 30, GOOD["phone"])


@pytest.mark.slow
def test_an_edited_locked_cell_is_caught_after_libreoffice(issued, tmp_path):
    from tests.conftest import fill_template
    filled = fill_all(template(issued), tmp_path / "filled.xlsx")
    fill_template(filled, {0: {"title": "改了标题"}})
    resaved = libreoffice_convert(filled, "xlsx", tmp_path / "lo")
    drop(issued, resaved)
    out = only(collect_inbox(issued))
    assert [f.code for f in out.findings] == ["plan-cell-changed"]
    assert out.findings[0].cell == f"{layout.column_letter(layout.column_index('title'))}{layout.FIRST_DATA_ROW}"
