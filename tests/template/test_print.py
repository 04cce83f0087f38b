"""A template's guide sheet as a department prints it: rendered through LibreOffice (skipped when
absent), its title and every instruction whole on the page."""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from ledger import layout

from ledger.report.pdf import to_pdf
from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from ledger.workspace import init_workspace
from tests.conftest import sample_plan, soffice

pytestmark = pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice or pdftotext is not installed")

LONG_TITLE = "中共测试县委办公室测试县人民政府办公室关于印发测试县推动经济社会高质量发展2024年重点工作任务分解方案"


def test_guide_title_and_instructions_print_whole(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    plan = sample_plan()
    plan.title = LONG_TITLE
    save_plan(ws.engine, plan, origin="import")
    generate_templates(ws, "2024-07")
    template = next((ws.templates_dir / "2024-07").glob("*县科技局.xlsx"))
    pdf = to_pdf(template, tmp_path / "template.pdf")
    first = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    flat = re.sub(r"\s+", "", first)
    assert f"{LONG_TITLE}工作台账（2024年7月）" in flat
    guide = openpyxl.load_workbook(template)[layout.GUIDE_SHEET]
    for key, value in guide.iter_rows(min_row=3, max_col=2, values_only=True):
        if value:    # laid out over consecutive lines, the key beside them
            assert _in_order(re.sub(r"\s+", "", str(value)), flat), key


def _in_order(target: str, text: str) -> bool:
    at = 0
    while target:
        n = len(target)
        while n and text.find(target[:n], at) < 0:
            n -= 1
        if n < min(4, len(target)):
            return False
        at = text.find(target[:n], at) + n
        target = target[n:]
    return True
