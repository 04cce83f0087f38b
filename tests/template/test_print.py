"""A template's guide sheet as a department prints it: rendered through LibreOffice (skipped when
absent), its title and every instruction whole on the page."""

from __future__ import annotations

import random
import re
import shutil
import subprocess

import openpyxl
import pytest

from ledger import layout
from ledger.plan.model import PlanItem
from ledger.plan.targets import extract_targets

from ledger.report.pdf import to_pdf
from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from ledger.workspace import init_workspace
from tests.conftest import sample_plan, soffice

pytestmark = pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice or pdftotext is not installed")

LONG_TITLE = "中共测试县委办公室测试县人民政府办公室关于印发测试县推动经济社会高质量发展2024年重点工作任务分解方案"


@pytest.mark.slow
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


# 240 characters of 工作内容 (a long one: few plan items say more) that never repeat themselves: a piece missing anywhere is matched nowhere
_WORDS = random.Random(13)
LONG_TEXT = "".join(chr(0x4E00 + _WORDS.randrange(3000)) + ("。" if n % 23 == 22 else "") for n in range(235))[:240]


@pytest.mark.slow
def test_a_full_template_prints_at_9_pt_or_more_and_whole(tmp_path):
    pdfplumber = pytest.importorskip("pdfplumber")
    ws = init_workspace(tmp_path / "ws")
    plan = sample_plan()
    section = plan.items[0].section
    plan.items[1].text = LONG_TEXT
    plan.items += [PlanItem(str(n), f"第{n}项重点任务", f"推进第{n}项工作，力争市级以上创新平台达到 {n} 家。",
                            section, "一", ["县科技局"], ["县财政局", "县发展改革局"]) for n in range(5, 45)]
    for item in plan.items:
        item.targets = extract_targets(item.text)
    save_plan(ws.engine, plan, origin="import")
    generate_templates(ws, "2024-07")
    template = next((ws.templates_dir / "2024-07").glob("*县科技局.xlsx"))
    assert layout.TARGET_SHEET in openpyxl.load_workbook(template).sheetnames
    pdf = to_pdf(template, tmp_path / "template.pdf")
    with pdfplumber.open(pdf) as doc:
        sizes = [round(c["size"], 1) for p in doc.pages for c in p.chars if c["text"].strip()]
    assert min(sizes) >= 9
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                             text=True, check=True).stdout)
    assert _in_order(LONG_TEXT, text)
    assert "推进第44项工作" in text
