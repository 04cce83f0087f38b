"""Reading notice files: encodings, Markdown, Word documents, and the errors a user sees."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from ledger.errors import PlanImportError
from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
SHARED_PLANS = Path(__file__).resolve().parents[2].parent / "shared" / "plans"

SNIPPET = "\n".join([
    "测试县2024年工作要点",
    "一、深入实施创新驱动发展战略",
    "1. 培育战略科技力量。搭建合作平台。（县发展改革局、县科技局负责）",
    "2. 强化组织推进。压实各方责任。",
])


def items_of(text: str) -> list[tuple]:
    return [(i.number, i.title, i.text, i.section, i.lead, i.support) for i in parse_plan(text).items]


def write_docx(path: Path, lines: list[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


@pytest.mark.parametrize("name, encoding", [
    ("notice.txt", "utf-8"),
    ("notice.txt", "utf-8-sig"),     # Notepad's UTF-8 with BOM
    ("notice.txt", "gb18030"),       # legacy Windows files
    ("notice.txt", "utf-16"),        # Notepad's "Unicode", with BOM
    ("notice.md", "utf-8"),
    ("NOTICE.TXT", "utf-8"),
])
def test_text_files_in_their_encodings(tmp_path, name, encoding):
    path = tmp_path / name
    path.write_bytes(SNIPPET.encode(encoding))
    text = read_notice(path)
    assert text == SNIPPET
    assert items_of(text)[0][4] == ["县发展改革局", "县科技局"]


def test_markdown_fixture_reads_and_parses():
    plan = parse_plan(read_notice(FIXTURES / "sample_notice.md"))
    assert [i.number for i in plan.items] == ["1", "2", "3"]
    assert plan.title == "测试县深化新旧动能转换2024年工作要点"


def test_docx_paragraphs_and_table_cells_in_document_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("测试县2024年工作要点")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "任务"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "合并单元格"
    document.add_paragraph("一、深入实施创新驱动发展战略")
    document.save(str(tmp_path / "notice.docx"))
    lines = read_notice(tmp_path / "notice.docx").splitlines()
    assert lines == ["测试县2024年工作要点", "序号", "任务", "合并单元格", "一、深入实施创新驱动发展战略"]


def test_docx_snippet_parses_like_the_text(tmp_path):
    path = write_docx(tmp_path / "notice.docx", SNIPPET.splitlines())
    assert items_of(read_notice(path)) == items_of(SNIPPET)


@pytest.mark.shared
def test_real_notice_as_docx_gives_the_same_items(tmp_path):
    if not SHARED_PLANS.is_dir():
        pytest.skip(f"{SHARED_PLANS} is absent")
    source = next(SHARED_PLANS.glob("000_*.txt"))
    text = source.read_text(encoding="utf-8")
    path = write_docx(tmp_path / "notice.docx", text.splitlines())
    from_docx = read_notice(path)
    assert items_of(from_docx) == items_of(text)
    assert len(items_of(from_docx)) == 64
    assert parse_plan(from_docx).title == parse_plan(text).title


@pytest.mark.parametrize("name, message", [
    ("notice.rtf", "不支持的文件类型“.rtf”（notice.rtf）：请提供 .txt、.md、.docx、.doc、.wps、.pdf、.html、.xlsx 或 .xls 格式的通知"),
    ("notice", "不支持的文件类型“（无扩展名）”（notice）：请提供 .txt、.md、.docx、.doc、.wps、.pdf、.html、.xlsx 或 .xls 格式的通知"),
])
def test_unsupported_file_types(tmp_path, name, message):
    path = tmp_path / name
    path.write_bytes(b"{\\rtf1")
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value) == message


def test_a_format_registers_itself_and_is_named_in_the_message(tmp_path, monkeypatch):
    from ledger.plan import sources
    from ledger.plan.formats import NoticeFormat

    odt = NoticeFormat("OpenDocument 文本", (".odt",), lambda path: "示范县2024年工作要点")
    monkeypatch.setattr(sources, "FORMATS", sources.FORMATS + (odt,))
    path = tmp_path / "notice.odt"
    path.write_bytes(b"PK")
    assert read_notice(path) == "示范县2024年工作要点"
    with pytest.raises(PlanImportError, match=r"\.xls 或 \.odt 格式的通知$"):
        read_notice(tmp_path / "notice.rtf")


def test_each_reader_declares_the_suffixes_it_handles():
    from ledger.plan.sources import FORMATS, format_for

    for kind in FORMATS:
        assert all(format_for(Path(f"notice{suffix.upper()}")) is kind for suffix in kind.suffixes)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom(tmp_path, encoding):
    path = tmp_path / "notice.txt"
    path.write_bytes(SNIPPET.encode(encoding))
    assert read_notice(path) == SNIPPET


def test_windows_line_ends_are_read_as_lines(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_bytes(SNIPPET.replace("\n", "\r\n").encode("gb18030"))
    assert read_notice(path) == SNIPPET


def test_a_file_too_large_to_be_a_notice_is_refused_before_reading(tmp_path, monkeypatch):
    from ledger.plan import sources

    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.txt"
    path.write_bytes(SNIPPET.encode("utf-8"))
    with pytest.raises(PlanImportError, match="^文件“big.txt”过大"):
        read_notice(path)


def test_missing_file(tmp_path):
    with pytest.raises(PlanImportError, match="^找不到文件：.*missing.txt$"):
        read_notice(tmp_path / "missing.txt")


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "plans.txt").mkdir()
    with pytest.raises(PlanImportError, match="^不是文件："):
        read_notice(tmp_path / "plans.txt")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", "  \n\u3000\n".encode()])
def test_empty_text_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value) == "文件为空：“empty.txt”中没有任何文字"


def test_empty_docx(tmp_path):
    path = write_docx(tmp_path / "empty.docx", [])
    with pytest.raises(PlanImportError, match="^文件为空：“empty.docx”"):
        read_notice(path)


def test_corrupt_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value) == "无法读取 Word 文件“broken.docx”：文件已损坏、已加密或不是有效的 .docx"


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(PlanImportError, match="^无法读取 Word 文件“archive.docx”"):
        read_notice(path)


def test_docx_with_broken_xml(tmp_path):
    good = write_docx(tmp_path / "good.docx", ["测试"])
    path = tmp_path / "bad_xml.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, b"<w:document>" if info.filename == "word/document.xml" else data)
    with pytest.raises(PlanImportError, match="^无法读取 Word 文件“bad_xml.docx”"):
        read_notice(path)


def test_undecodable_text(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    with pytest.raises(PlanImportError, match="^无法识别文件“binary.txt”的文字编码"):
        read_notice(path)


def test_an_office_file_that_would_unpack_too_large_is_refused(tmp_path, monkeypatch):
    from ledger.plan import wordfile

    monkeypatch.setattr(wordfile, "MAX_UNPACKED_BYTES", 1000)
    path = write_docx(tmp_path / "大.docx", ["测试"])
    with pytest.raises(PlanImportError, match="^Word 文件“大.docx”解压后过大"):
        read_notice(path)
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "大.xlsx"))
    book.add_worksheet().write(0, 0, "任务")
    book.close()
    with pytest.raises(PlanImportError, match="^Excel 文件“大.xlsx”解压后过大"):
        read_notice(tmp_path / "大.xlsx")


@pytest.mark.parametrize("name", ["加密.docx", "加密.xlsx"])
def test_a_password_protected_office_file_is_named_as_such(tmp_path, name):
    import io

    import xlsxwriter

    plain = tmp_path / ("plain" + Path(name).suffix)
    if plain.suffix == ".docx":
        write_docx(plain, ["测试"])
    else:
        book = xlsxwriter.Workbook(str(plain))
        book.add_worksheet().write(0, 0, "任务")
        book.close()
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(plain.read_bytes())).encrypt("secret", encrypted)
    (tmp_path / name).write_bytes(encrypted.getvalue())
    with pytest.raises(PlanImportError) as err:
        read_notice(tmp_path / name)
    assert str(err.value) == f"文件“{name}”设置了打开密码：请在 Word、WPS 或 Excel 中去掉密码（另存一份）后再导入"
