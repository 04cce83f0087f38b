"""The monthly 督查通报: read back from the .docx, every figure checked against ``ledger status --json``
and ``ledger report --json``; its GB/T 9704 layout; its wording from the workspace's template; and,
when LibreOffice is installed, as printed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from docx.shared import Pt

from ledger.cli import cli
from ledger.report.bulletin import DEFAULT_TEMPLATE, TEMPLATE_NAME
from ledger.report.sheets import percent_text
from tests.conftest import soffice

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


@pytest.fixture(scope="module")
def made(shared_scenario):
    ws = shared_scenario
    report = run(ws, "report", "--period", "2024-07", "--json", "--no-pdf")
    assert report.exit_code == 0, report.output
    status = run(ws, "status", "--period", "2024-07", "--json")
    summary, status = json.loads(report.output), json.loads(status.output)
    document = docx.Document(str(ws.root / summary["bulletin"]))
    return ws, summary, status, document


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def after(document, heading: str) -> str:
    texts = paragraphs(document)
    start = next(n for n, t in enumerate(texts) if t.startswith(heading))
    end = next((n for n in range(start + 1, len(texts)) if re.match(r"^[一二三四五六七八九十]、", texts[n])), len(texts))
    return "\n".join(texts[start + 1:end])


def test_written_beside_the_workbook_and_named_in_the_json(made):
    ws, summary, _, _ = made
    assert summary["bulletin"] == summary["file"].replace("工作台账汇总", "督查通报").replace(".xlsx", ".docx")
    assert (ws.root / summary["bulletin"]).is_file()


def test_overall_figures_are_the_status_figures(made):
    _, summary, status, document = made
    totals = status["totals"]
    overall = after(document, "一、总体情况")
    assert f"共有重点任务 {summary['items']} 项" in overall
    for count in summary["counts"].values():
        assert (f"{count['label']} {count['count']} 项" in overall) == (count["count"] > 0)
    assert f"报送率 {percent_text(totals['reporting_rate'])}" in overall
    assert f"按时率 {percent_text(totals['on_time_rate'])}" in overall
    for key, word in (("expected", "应报送单位"), ("reported", "已报送"), ("on_time", "按时报送"),
                      ("late", "逾期报送"), ("rejected", "退回待重报"), ("missing", "未报送")):
        assert f"{word} {totals[key]} 个" in overall
    assert "序时进度为 58.3%" in overall           # July: 7 of 12 months


def test_units_reporting_late_or_not_at_all_are_named(made):
    _, _, status, document = made
    text = after(document, "三、存在的问题")
    by = {o: [u["unit"] for u in status["units"] if u["outcome"] == o] for o in ("late", "rejected", "missing")}
    assert by == {"late": ["商务局"], "rejected": ["卫健局"], "missing": ["教育局"]}
    assert "逾期报送 1 个：商务局" in text and "尚未重报 1 个：卫健局" in text and "未报送 1 个：教育局" in text


def test_lagging_items_with_their_streaks_and_problems(made):
    _, summary, _, document = made
    text = after(document, "三、存在的问题")
    assert f"其中连续两个月及以上滞后 {summary['consecutive_lagging']} 项" in text
    assert "产业升级C（牵头单位：工信局）：严重滞后，完成进度 10%，已连续滞后 3 个月。存在问题：土地指标不足。" in text
    assert "招商引资B（牵头单位：商务局、发改局）：滞后，完成进度 40%" in text


def test_changes_since_last_month_are_the_reports(made):
    _, summary, _, document = made
    text = after(document, "四、与上月比较")
    for kind, n in summary["changes"].items():
        assert f"{kind} {n} 项" in text


def test_every_number_in_the_bulletin_comes_from_the_data(made):
    """No figure without a source: each number is one of the status's, the report's, a date's, an
    item's percent or streak, or the deadline day."""
    _, summary, status, document = made
    totals = status["totals"]
    known = {str(v) for v in totals.values() if isinstance(v, int)}
    known |= {percent_text(totals["reporting_rate"])[:-1], percent_text(totals["on_time_rate"])[:-1], "58.3"}
    known |= {str(c["count"]) for c in summary["counts"].values()} | {str(summary["items"])}
    known |= {str(n) for n in summary["changes"].values()} | {str(summary["consecutive_lagging"])}
    known |= {"2024", "7", "8", "6", "5"}                    # 2024年7月, 截至 2024年8月6日, 每月5日
    known |= {"3", "2"}                                      # 第 1, 2 项 lists; 3 项 in 经济发展, 连续 3 个月
    known |= {"10", "40", "1"}                               # the lagging items' percents; list numbers
    numbers = Counter(NUMBER.findall("\n".join(paragraphs(document))))
    assert set(numbers) <= known, set(numbers) - known


def test_laid_out_as_gbt_9704(made):
    _, _, _, document = made
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.paragraph_format.line_spacing == Pt(28.95)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"

    def east_asia(paragraph):
        return paragraph.runs[0].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    title = next(p for p in document.paragraphs if p.text.strip())
    assert east_asia(title) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    heading = next(p for p in document.paragraphs if p.text.startswith("一、"))
    sub = next(p for p in document.paragraphs if p.text.startswith("（一）"))
    assert (east_asia(heading), east_asia(sub)) == ("黑体", "楷体_GB2312")
    fonts = next(p for p in document.part.package.iter_parts() if str(p.partname).endswith("fontTable.xml")).blob
    assert "方正小标宋简体".encode() in fonts and 'w:val="黑体"'.encode() in fonts
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text


def test_wording_comes_from_the_workspace_template(scenario):
    first = run(scenario, "report", "--period", "2024-07", "--no-pdf")
    assert first.exit_code == 0, first.output
    template = scenario.templates_dir / TEMPLATE_NAME
    assert template.read_text(encoding="utf-8") == DEFAULT_TEMPLATE       # written on first use
    template.write_text(DEFAULT_TEMPLATE.replace("一是加快滞后事项推进。", "一是限期整改滞后事项。"), encoding="utf-8")
    again = run(scenario, "report", "--period", "2024-07", "--json", "--no-pdf")
    document = docx.Document(str(scenario.root / json.loads(again.output)["bulletin"]))
    assert any(p.startswith("一是限期整改滞后事项。") for p in paragraphs(document))


def test_an_unknown_placeholder_is_one_clear_line(scenario):
    (scenario.templates_dir / TEMPLATE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (scenario.templates_dir / TEMPLATE_NAME).write_text("# {计划名称}\n{报送率}，{完成率}\n", encoding="utf-8")
    result = run(scenario, "report", "--period", "2024-07", "--no-pdf")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "{完成率}不是可用的占位符" in result.output and "{报送率}" in result.output


@pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
@pytest.mark.slow
def test_printed_with_page_numbers_and_official_sizes(scenario):
    pdfplumber = pytest.importorskip("pdfplumber")
    result = run(scenario, "report", "--period", "2024-07", "--json")
    assert result.exit_code == 0, result.output
    pdfs = json.loads(result.output)["pdf"]
    assert len(pdfs) == 2
    notice = scenario.root / next(p for p in pdfs if "督查通报" in p)
    text = subprocess.run(["pdftotext", "-layout", str(notice), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")
    pages = [t for t in text if t.strip()]
    assert len(pages) >= 2
    assert [int(m.group(1)) for t in pages for m in [re.search(r"—\s*(\d+)\s*—", t)] if m] == \
        list(range(1, len(pages) + 1))
    with pdfplumber.open(notice) as pdf:
        chars = [c for p in pdf.pages for c in p.chars if c["text"].strip()]
    sizes = Counter(round(c["size"]) for c in chars)
    assert sizes.most_common(1)[0][0] == 16                              # 三号 body
    title = "".join(c["text"] for c in chars if round(c["size"]) == 22)
    assert title.startswith("测试县2024年重点工作")                          # 二号 title
    assert min(sizes) >= 14                                               # page numbers 四号
