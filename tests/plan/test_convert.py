"""Old Word (.doc) and WPS notices go through LibreOffice; without it the user is told what to do."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import docx
import pytest

from ledger.errors import PlanImportError
from ledger.plan import convert
from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice

LINES = ["示范县2024年工作要点", "一、增强科技创新能力", "1. 新增高新技术企业。（县科技局负责）",
         "2. 建设创新平台。（县发展改革局、县财政局负责）"]
needs_soffice = pytest.mark.skipif(convert.soffice() is None, reason="LibreOffice (soffice) is not installed")


def legacy_word(tmp_path: Path, name: str) -> Path:
    """A .doc made the way an office has one: a Word document saved in the Word 97 format."""
    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    source = tmp_path / "source.docx"
    document.save(source)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([convert.soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path), str(source)],
                       check=True, capture_output=True, timeout=120)
    made = tmp_path / "source.doc"
    target = tmp_path / name
    made.rename(target)
    return target


@pytest.mark.slow
@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.parametrize("name", ["旧版通知.doc", "金山通知.wps"])
def test_old_word_and_wps_files_are_converted(tmp_path, name):
    path = legacy_word(tmp_path, name)
    text = read_notice(path)
    assert text.splitlines() == LINES
    assert [(i.number, i.lead) for i in parse_plan(text).items] == [
        ("1", ["县科技局"]), ("2", ["县发展改革局", "县财政局"])]


@pytest.mark.slow
@pytest.mark.libreoffice
@needs_soffice
def test_a_file_libreoffice_cannot_convert(tmp_path):
    path = tmp_path / "坏.doc"
    path.write_bytes(b"\x00" * 10)
    with pytest.raises(PlanImportError, match="^LibreOffice (无法转换|转换)“坏.doc”（旧版 Word 文件"):
        read_notice(path)


@pytest.mark.parametrize("name, kind", [("通知.doc", "旧版 Word 文件"), ("通知.wps", "WPS 文字文件")])
def test_without_libreoffice_the_message_says_what_to_do(tmp_path, monkeypatch, name, kind):
    monkeypatch.setattr(convert, "soffice", lambda: None)
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value) == (f"无法读取“{name}”（{kind}）：需要安装 LibreOffice 才能自动转换；"
                              "也可以在 Word 或 WPS 中将其另存为 .docx 后再导入")


def test_a_conversion_that_hangs_is_stopped(tmp_path, monkeypatch):
    script = tmp_path / "slow-soffice"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    monkeypatch.setattr(convert, "soffice", lambda: str(script))
    monkeypatch.setattr(convert, "TIMEOUT_SECONDS", 0.5)
    path = tmp_path / "通知.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(PlanImportError, match="^转换“通知.doc”（旧版 Word 文件）超时"):
        read_notice(path)


def test_a_docx_saved_with_a_doc_name_is_read_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "soffice", lambda: None)
    document = docx.Document()
    for line in LINES:
        document.add_paragraph(line)
    document.save(tmp_path / "通知.doc")
    assert read_notice(tmp_path / "通知.doc").splitlines() == LINES


def test_an_old_word_file_named_docx_goes_through_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "soffice", lambda: None)
    path = tmp_path / "通知.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(PlanImportError, match="^无法读取“通知.docx”（旧版 Word 文件）：需要安装 LibreOffice"):
        read_notice(path)


@pytest.mark.slow
@pytest.mark.libreoffice
@needs_soffice
def test_an_old_word_file_named_docx_is_converted(tmp_path):
    path = legacy_word(tmp_path, "改名.docx")
    assert read_notice(path).splitlines() == LINES
