"""PDF notices: the text layer is read page after page; a scan without one is told so."""

from __future__ import annotations

import pytest

from ledger.errors import PlanImportError
from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice
from tests.plan.pdf_fixture import make_pdf

PAGE_1 = ["示范县2024年工作要点", "一、增强科技创新能力", "1. 新增高新技术企业。（县科技局负责）", "- 1 -"]
PAGE_2 = ["2. 建设创新平台。（县发展改革局、县财政局负责）", "— 2 —"]


def test_text_layer_of_every_page_without_page_numbers(tmp_path):
    path = make_pdf(tmp_path / "要点.pdf", [PAGE_1, PAGE_2])
    assert read_notice(path).splitlines() == PAGE_1[:3] + PAGE_2[:1]
    plan = parse_plan(read_notice(path))
    assert [(i.number, i.lead) for i in plan.items] == [("1", ["县科技局"]), ("2", ["县发展改革局", "县财政局"])]


def test_a_scanned_pdf_is_named_as_such(tmp_path):
    path = make_pdf(tmp_path / "扫描件.pdf", [[], []])
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value).startswith("PDF 文件“扫描件.pdf”没有文字层（可能是扫描件或图片）")


@pytest.mark.parametrize("content", [b"%PDF-1.4", b"not a pdf at all", b""])
def test_a_broken_pdf_is_one_message(tmp_path, content):
    path = tmp_path / "坏.pdf"
    path.write_bytes(content)
    with pytest.raises(PlanImportError, match="^(无法读取 PDF 文件“坏.pdf”：文件已损坏或不是有效的 PDF|文件为空)"):
        read_notice(path)


def test_an_encrypted_pdf_is_refused(tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", [PAGE_1])
    writer = PdfWriter()
    writer.append(PdfReader(plain))
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "加密.pdf"
    with open(path, "wb") as out:
        writer.write(out)
    with pytest.raises(PlanImportError, match="^PDF 文件“加密.pdf”已加密"):
        read_notice(path)
