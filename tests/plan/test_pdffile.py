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


def _cjk_font() -> bool:
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return False
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


@pytest.mark.slow
@pytest.mark.libreoffice
def test_a_pdf_printed_from_word_reads_like_its_text(tmp_path):
    """Quotation marks set in another font stay in place (they moved to the line's start before)."""
    import subprocess
    import tempfile

    import docx

    from ledger.plan.convert import soffice

    if soffice() is None or not _cjk_font():
        pytest.skip("needs LibreOffice and a Chinese font to print a PDF")
    lines = ["示范县2024年工作要点", "一、增强科技创新能力",
             "1. 实施“百项技改、百企转型”工程，新增市级以上绿色工厂3家以上。（县工业和信息化局负责）",
             "2. 落实“科技副总”选聘，力争总数达25人次。（县科技局牵头，县人力资源社会保障局配合）"]
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(tmp_path / "要点.docx")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(tmp_path / "要点.docx")], check=True, capture_output=True,
                       timeout=120)
    text = read_notice(tmp_path / "要点.pdf")
    assert "“百项技改、百企转型”工程" in text and "“科技副总”选聘" in text
    plan = parse_plan(text)
    assert [(i.number, i.lead) for i in plan.items] == [("1", ["县工业和信息化局"]), ("2", ["县科技局"])]
    from ledger.plan.targets import extract_targets

    assert [(t.indicator, t.value) for t in extract_targets(plan.items[0].text)] == [("新增市级以上绿色工厂", 3)]


def printed(*lines):
    """PrintedLines from (text, x0, x1) with 10-point characters."""
    from ledger.plan.pdffile import PrintedLine

    return [PrintedLine(text, x0, x1, 10.0) for text, x0, x1 in lines]


@pytest.mark.parametrize("lines, expected", [
    # a paragraph wrapped twice at the right margin (500), then a short line
    ((("1. 推进项目建设，", 50, 500), ("全年完成投资", 50, 500), ("30亿元。", 50, 120), ("（县发改局负责）", 50, 210)),
     ["1. 推进项目建设，全年完成投资30亿元。", "（县发改局负责）"]),
    # a paragraph that fills its last line: the next item, heading or label is not joined to it
    ((("一、总体要求全文", 50, 500), ("1. 甲项任务", 50, 500), ("二、重点任务", 50, 160), ("责任单位：县科技局", 50, 200)),
     ["一、总体要求全文", "1. 甲项任务", "二、重点任务", "责任单位：县科技局"]),
    # a new paragraph indented (首行缩进) after a full line is not joined; a bracketed note is
    ((("推进项目建设全文写满", 50, 500), ("新段落缩进两字", 70, 300), ("写满的一行又到边", 50, 500),
      ("（牵头单位：县商务局）", 50, 250)),
     ["推进项目建设全文写满", "新段落缩进两字", "写满的一行又到边（牵头单位：县商务局）"]),
    # Latin words keep a space when joined
    ((("see the annex of", 50, 500), ("Document 3", 50, 160)), ["see the annex of Document 3"]),
])
def test_printed_lines_are_joined_where_the_printer_wrapped_them(lines, expected):
    from ledger.plan.pdffile import paragraphs

    assert paragraphs(printed(*lines)) == expected


def test_a_list_of_short_lines_is_left_as_it_is():
    from ledger.plan.pdffile import paragraphs

    lines = printed(("县科技局", 50, 90), ("县财政局", 50, 90), ("县发展改革局", 50, 110), ("县审计局", 50, 90),
                    ("县人力资源社会保障局", 50, 150), ("县商务局", 50, 90), ("县民政局", 50, 90),
                    ("县教育局", 50, 90), ("县卫健局", 50, 90), ("县水利局", 50, 90))
    assert paragraphs(lines) == [line.text for line in lines]


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.libreoffice
def test_a_real_notice_printed_to_pdf_gives_the_items_of_its_text(tmp_path):
    import subprocess
    import tempfile

    import docx

    from ledger.plan.convert import soffice
    from tests.conftest import SHARED_PLANS

    if not SHARED_PLANS.is_dir() or soffice() is None or not _cjk_font():
        pytest.skip("needs ../shared/plans, LibreOffice and a Chinese font")
    text = next(SHARED_PLANS.glob("003_*.txt")).read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "notice.docx")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(tmp_path / "notice.docx")], check=True, capture_output=True,
                       timeout=180)
    shape = lambda plan: [(i.number, i.title, i.lead, i.support) for i in plan.items]   # noqa: E731
    assert shape(parse_plan(read_notice(tmp_path / "notice.pdf"))) == shape(parse_plan(text))
