"""The reader finds a workbook's identification in the place it trusts most that still holds it.

A client may drop the custom document properties (some do on "save as") or a department may delete
the hidden sheet; the identification is then read from the next place, in the order
``ReadWorkbook.identity`` trusts them: property, hidden sheet, defined name.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from ledger import layout
from ledger.collect.reader import read_workbook
from ledger.template.generate import generate_templates

UNIT = "县科技局"


@pytest.fixture
def template(planned) -> Path:
    generate_templates(planned, "2024-07")
    return planned.templates_dir / "2024-07" / f"2024-07_{UNIT}.xlsx"


def _without_properties(source: Path, out: Path) -> Path:
    """The package with its custom document properties removed, as a client that drops them saves it."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "docProps/custom.xml":
                zout.writestr(info, zin.read(info.filename))
    return out


def _without_sheet(source: Path, out: Path) -> Path:
    book = openpyxl.load_workbook(source)
    del book[layout.META_SHEET]
    book.save(out)
    return _without_properties(out, out.with_name("bare-" + out.name))


def test_the_properties_alone_identify_a_template_as_issued(template):
    read = read_workbook(template, "xlsx")
    assert set(read.identities) == {"property"}
    assert read.identity.unit == UNIT and read.identity.period == "2024-07"


def test_without_the_properties_the_hidden_sheet_identifies_it(template, tmp_path):
    read = read_workbook(_without_properties(template, tmp_path / "noprops.xlsx"), "xlsx")
    assert set(read.identities) == {"sheet"}
    assert read.identity == read_workbook(template, "xlsx").identity


def test_without_properties_or_hidden_sheet_the_defined_name_identifies_it(template, tmp_path):
    read = read_workbook(_without_sheet(template, tmp_path / "nosheet.xlsx"), "xlsx")
    assert set(read.identities) == {"name"}
    issued = read_workbook(template, "xlsx").identity
    assert (read.identity.template_id, read.identity.unit, read.identity.period) == \
        (issued.template_id, issued.unit, issued.period)


def test_every_identity_reads_all_three_places(template):
    read = read_workbook(template, "xlsx", every_identity=True)
    assert set(read.identities) == {"property", "sheet", "name"}
