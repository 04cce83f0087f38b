"""A signed-off item (已销号) in later templates: its row filled and locked, asking nothing; the
workbook a unit returns as it is passes collect."""

from __future__ import annotations

import openpyxl
import pytest

from ledger import layout, signoff
from ledger.collect.evidence import add_evidence
from ledger.collect.intake import collect_inbox
from ledger.template.generate import generate_templates
from tests.conftest import GOOD, age, fill_template
from tests.report.report_scenario import build_scenario

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.mark.slow
def test_a_signed_off_item_is_locked_as_signed_off_and_the_returned_workbook_passes(tmp_path):
    ws = build_scenario(tmp_path / "ws")
    pdf = tmp_path / "验收.pdf"
    pdf.write_bytes(PDF)
    add_evidence(ws, "发改局", "1", pdf, pdf.name, "发改局")
    signoff.approve(ws.engine, ws.settings.vocabulary, "1", "张三")
    made = {f.unit: f.path for f in generate_templates(ws, "2024-08").files}
    sheet = openpyxl.load_workbook(made["发改局"])[layout.LEDGER_SHEET]
    first = layout.FIRST_DATA_ROW
    cell = lambda row, key: sheet.cell(row=row, column=layout.column_index(key) + 1)
    titles = {cell(r, "title").value: r for r in range(first, first + 3)}
    row = titles["推进项目A"]
    assert cell(row, "status").value == "已完成" and cell(row, "percent").value == 100
    assert cell(row, "progress").value.startswith("已销号（") and "本项不再填报" in cell(row, "progress").value
    assert cell(row, "status").protection.locked and cell(row, "progress").protection.locked
    other = titles["招商引资B"]
    assert cell(other, "status").value in (None, "") or not cell(other, "status").protection.locked
    assert not cell(other, "progress").protection.locked
    filled = fill_template(made["发改局"], {other - first: GOOD, titles["产业升级C"] - first: GOOD},
                           tmp_path / "inbox-copy.xlsx")
    (ws.inbox_dir / "发改局8月.xlsx").write_bytes(filled.read_bytes())
    age(ws.inbox_dir / "发改局8月.xlsx")
    result = collect_inbox(ws)
    assert [f.outcome for f in result.files] == ["accepted"], [f.findings for f in result.files]
    # a unit that leads nothing signed off is asked as before
    sheet = openpyxl.load_workbook(made["工信局"])[layout.LEDGER_SHEET]
    assert not sheet.cell(row=first, column=layout.column_index("progress") + 1).protection.locked
