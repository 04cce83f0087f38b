"""Bad files dropped in the inbox are rejected through the whole collect run, with a problem list."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from ledger.collect.intake import collect_inbox
from ledger.template.generate import generate_templates
from tests.collect.test_collect import count, inbox_files, only, template
from tests.conftest import age, fill_all
from ledger.store import schema as s


@pytest.fixture
def issued(planned):
    generate_templates(planned, "2024-07")
    return planned


def filled_bytes(ws, tmp_path) -> bytes:
    return fill_all(template(ws), tmp_path / "filled.xlsx").read_bytes()


def with_members(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, extra.pop(name, src.read(name)))
        for name, body in extra.items():
            dst.writestr(name, body)
    return out.getvalue()


def encrypted(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("123456", out)
    return out.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
                  b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')

CASES = {
    "empty": (lambda d: b"", "file-empty", "文件为空"),
    "truncated": (lambda d: d[: len(d) // 2], "file-corrupt", "文件已损坏或不是Excel工作簿"),
    "text": (lambda d: "这是一个文本文件".encode(), "file-corrupt", "文件已损坏或不是Excel工作簿"),
    "encrypted": (encrypted, "file-encrypted", "文件已加密，请取消密码后重新报送"),
    "macro": (lambda d: with_members(d, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "file-macro", "宏"),
    "entity": (lambda d: with_members(d, {"xl/sharedStrings.xml": BILLION_LAUGHS}), "file-xml-entity", ""),
    "bomb": (lambda d: with_members(d, {"xl/media/big.xml": b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>"}),
             "file-zip-bomb", ""),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_bad_file_is_rejected_with_a_problem_list_and_leaves_the_inbox(issued, tmp_path, case):
    make, code, fragment = CASES[case]
    path = issued.inbox_dir / f"{case}.xlsx"
    data = make(filled_bytes(issued, tmp_path))
    path.write_bytes(data)
    age(path)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    assert [f.code for f in out.findings] == [code]
    assert fragment in out.findings[0].message
    feedback = openpyxl.load_workbook(issued.root / out.feedback)
    assert feedback.sheetnames == ["问题清单"]
    assert (issued.root / out.stored).read_bytes() == data          # the original is kept, untouched
    assert inbox_files(issued) == [] and count(issued, s.submissions) == 0
