"""A 督办单 printed through LibreOffice: official fonts named, page number, ten items on one page."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date

import pytest

from ledger.report.pdf import to_pdf
from ledger.supervise import notice
from ledger.supervise.rules import Reason

pypdf = pytest.importorskip("pypdf")


TITLES = ["加快推进县城污水处理厂扩建工程", "实施农村人居环境整治提升行动", "推进工业园区标准化厂房建设",
          "加快人才引育", "发展数字经济", "推进老旧小区改造", "建设县域医共体信息平台", "实施高标准农田建设项目",
          "推进义务教育学校扩容", "开展营商环境提升年活动"]


def ten_items() -> list[Reason]:
    """As plans name tasks and the rules say why (one reason each, the longest kind included)."""
    whys = ["完成时限 2024年6月底前，已逾期 {d} 天未完成", "完成进度 {p}%，落后序时进度（58%）{g} 个百分点"]
    return [Reason(f"red:一{n}", str(n), TITLES[n - 1], whys[n % 2].format(d=n * 3, p=30 + n, g=28 - n))
            for n in range(1, 11)]


def write(tmp_path, items):
    path = tmp_path / "督办单.docx"
    notice.write(path, "测试县督查室", unit="县发展改革局", colour="red", number="督办〔2024〕12号", period="2024-07",
                 items=items, issued=date(2024, 8, 8), reply_due=date(2024, 8, 15))
    return path


def test_the_notice_names_its_parts_and_the_official_fonts(tmp_path):
    path = write(tmp_path, ten_items()[:2])
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    for words in ("测试县督查室督办单", "（红色督办　督办〔2024〕12号）", "一、督办事项", "二、办理要求", "三、反馈时限",
                  "请于2024年8月15日前", "已逾期 6 天未完成", "仿宋_GB2312", "黑体", "tblHeader"):
        assert words in xml, words
    footer = "".join(zipfile.ZipFile(path).read(n).decode("utf-8") for n in zipfile.ZipFile(path).namelist() if "footer" in n)
    assert "PAGE" in footer


@pytest.mark.slow
def test_ten_items_print_on_one_page_with_its_number(tmp_path):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice is not installed")
    pdf = to_pdf(write(tmp_path, ten_items()), tmp_path / "printed.pdf")
    assert pdf is not None
    pages = pypdf.PdfReader(str(pdf)).pages
    text = pages[0].extract_text()
    assert len(pages) == 1
    assert "— 1 —" in text and "督办〔2024〕12" in text
    assert "开展营商环境提升年活动" in text.replace(" ", "").replace("\n", "") and "2024年8月15日前" in text.replace(" ", "")
