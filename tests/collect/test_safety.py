"""Safety gate: hostile or broken files are refused with one Chinese finding before any parser runs.

Every bad file is generated here: zips by hand (so declared sizes, CRCs and flags can lie), a
minimal OLE compound file for .xls, msoffcrypto-tool for a password-protected .xlsx.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from ledger.collect import safety
from ledger.collect.safety import Limits, detect_format, inspect_file
from ledger.findings import ERROR

MB = 1024 * 1024
CONTENT_TYPES = "[Content_Types].xml"
SHEET = "xl/worksheets/sheet1.xml"
XLSX_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
              b'officedocument.spreadsheetml.sheet.main+xml"/></Types>')
MACRO_TYPES = XLSX_TYPES.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                 b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
                             for i in range(1, 10))
                  + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                    b'</sheetData></worksheet>')


# --- builders -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def xlsx_bytes() -> bytes:
    """A small valid workbook as xlsxwriter writes it (Chinese text, a date, a number)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, ["序号", "工作事项", "进展"])
    ws.write_row(1, 0, [1, "推进项目建设", "已完成 80%"])
    wb.close()
    return buf.getvalue()


@pytest.fixture
def xlsx(tmp_path, xlsx_bytes) -> Path:
    path = tmp_path / "科技局7月台账.xlsx"
    path.write_bytes(xlsx_bytes)
    return path


def rezip(source: bytes, target: Path, replace: dict[str, bytes] | None = None, drop: tuple = ()) -> Path:
    """Copy a package, replacing or adding members and dropping others."""
    replace = dict(replace or {})
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            if name not in drop and name not in replace:
                out.writestr(name, src.read(name))
        for name, data in replace.items():
            out.writestr(name, data)
    return target


def raw_zip(path: Path, members: list[tuple], flags: int = 0) -> Path:
    """Zip written by hand; a member is (name, data) stored, or (name, raw, size, crc, method) as declared."""
    out, central = bytearray(), bytearray()
    for member in members:
        name, raw, size, crc, method = member if len(member) == 5 else (*member, len(member[1]), zlib.crc32(member[1]), 0)
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(raw), size,
                           len(encoded), 0) + encoded + raw
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(raw), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate of N MB of zeros, built from one flushed 1 MB block (fast, low memory), and its CRC."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()   # an empty final block
    crc, zero = 0, bytes(MB)
    for _ in range(megabytes):
        crc = zlib.crc32(zero, crc)
    return block * megabytes + final, crc


def ole_file(path: Path, streams: dict[str, bytes], storages: tuple[str, ...] = ()) -> Path:
    """Minimal OLE2 compound file (v3, 512-byte sectors); streams padded to 4096 bytes so no mini stream."""
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    entries = [(name, 2, data.ljust(4096, b"\0")) for name, data in streams.items()] + [(s, 1, b"") for s in storages]
    fat, data_sectors, starts, next_sector = [fat_sect, end], bytearray(), [], 2
    for _, kind, data in entries:
        count = len(data) // 512
        starts.append(next_sector if count else end)
        fat += [next_sector + i + 1 for i in range(count - 1)] + ([end] if count else [])
        next_sector += count
        data_sectors += data
    fat_bytes = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack("<64sHBB3I16sI2QIQ", encoded, len(encoded), kind, 1, nostream, right, child,
                           b"", 0, 0, 0, start, size)

    ids = range(1, len(entries) + 1)
    directory = entry("Root Entry", 5, 1 if entries else nostream, nostream, end, 0) + b"".join(
        entry(name, kind, nostream, i + 1 if i < len(entries) else nostream, start, len(data) if kind == 2 else 0)
        for i, (name, kind, data), start in zip(ids, entries, starts))
    directory = directory.ljust(512, b"\0")[:512] if len(entries) < 4 else directory
    header = struct.pack("<8s16s5H6s9I109I", bytes.fromhex("D0CF11E0A1B11AE1"), b"", 0x3E, 3, 0xFFFE, 9, 6, b"",
                         0, 1, 1, 0, 4096, end, 0, end, 0, 0, *([free] * 108))
    path.write_bytes(header + fat_bytes + directory + bytes(data_sectors))
    return path


def biff(encrypted: bool = False) -> bytes:
    """Workbook stream: BOF (globals), optionally FILEPASS (RC4), EOF."""
    bof = struct.pack("<HH8H", 0x0809, 16, 0x0600, 0x0005, 0, 0x07CC, 0, 0, 0x0006, 0)
    filepass = struct.pack("<HHH", 0x002F, 2, 0x0001) if encrypted else b""
    return bof + filepass + struct.pack("<HH", 0x000A, 0)


def ods(path: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        zf.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def assert_refused(path: Path, code: str, fix: str, limits: Limits = Limits()) -> None:
    """One ERROR finding with the code, naming the file, in Chinese, saying what to do."""
    finding = inspect_file(path, limits)
    assert finding is not None, f"{path.name} was let through"
    assert (finding.code, finding.severity, finding.value) == (code, ERROR, path.name)
    assert re.search(r"[\u4e00-\u9fff]", finding.message)
    assert "请" in finding.message and fix in finding.message, finding.message


# --- accepted -------------------------------------------------------------------------------------

def test_xlsxwriter_workbook_is_safe(xlsx):
    assert inspect_file(xlsx) is None
    assert detect_format(xlsx) == "xlsx"


def test_openpyxl_workbook_is_safe_whatever_its_name(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["工作事项", "进展"])
    path = tmp_path / "附件1.dat"
    wb.save(path)
    assert inspect_file(path) is None
    assert detect_format(path) == "xlsx"


def test_ods_is_safe(tmp_path):
    path = ods(tmp_path / "台账.ods")
    assert inspect_file(path) is None
    assert detect_format(path) == "ods"


def test_xls_is_safe(tmp_path):
    path = ole_file(tmp_path / "台账.xls", {"Workbook": biff()})
    assert inspect_file(path) is None
    assert detect_format(path) == "xls"


# --- empty, too large, corrupt, unsupported -------------------------------------------------------

def test_empty_file(tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    assert_refused(path, "file-empty", "重新保存")


def test_file_over_max_file_bytes(xlsx):
    assert_refused(xlsx, "file-too-large", "另存后重新报送", Limits(max_file_bytes=1000))
    assert "上限 1000 字节" in inspect_file(xlsx, Limits(max_file_bytes=1000)).message


def test_truncated_zip(tmp_path, xlsx_bytes):
    path = tmp_path / "截断.xlsx"
    path.write_bytes(xlsx_bytes[: len(xlsx_bytes) // 2])
    assert_refused(path, "file-corrupt", "用下发的模板重新填写")
    assert detect_format(path) is None


def test_plain_text_renamed_xlsx(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_text("序号,工作事项\n1,推进项目建设\n", encoding="utf-8")
    assert_refused(path, "file-corrupt", "用下发的模板重新填写")
    assert detect_format(path) is None


@pytest.mark.parametrize("name, data", [("台账.csv", "序号,工作事项\n".encode()),
                                        ("台账.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")])
def test_csv_and_pdf_are_unsupported(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert_refused(path, "file-unsupported", ".xlsx 模板")


def test_docx_named_xlsx_is_unsupported(tmp_path):
    types = XLSX_TYPES.replace(b"/xl/workbook.xml", b"/word/document.xml").replace(
        b"spreadsheetml.sheet.main", b"wordprocessingml.document.main")
    path = raw_zip(tmp_path / "报告.xlsx", [(CONTENT_TYPES, types), ("word/document.xml", b"<w:document/>")])
    assert_refused(path, "file-unsupported", ".xlsx 模板")
    assert detect_format(path) is None


def test_workbooks_packed_in_a_zip_are_unsupported(tmp_path, xlsx_bytes):
    path = raw_zip(tmp_path / "台账.zip", [("科技局.xlsx", xlsx_bytes)])
    assert_refused(path, "file-unsupported", "直接报送")


def test_ole_file_that_is_not_a_workbook_is_unsupported(tmp_path):
    path = ole_file(tmp_path / "报告.xls", {"WordDocument": b"\xec\xa5"})
    assert_refused(path, "file-unsupported", ".xlsx 模板")


def test_zip_without_workbook_is_corrupt(tmp_path, xlsx_bytes):
    path = rezip(xlsx_bytes, tmp_path / "缺工作簿.xlsx", drop=("xl/workbook.xml",))
    assert_refused(path, "file-corrupt", "用下发的模板重新填写")


def test_bad_crc_is_corrupt(tmp_path):
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    path = raw_zip(tmp_path / "坏校验.xlsx", [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"<workbook/>"),
                                           (SHEET, sheet, len(sheet), zlib.crc32(sheet) ^ 1, 0)])
    assert_refused(path, "file-corrupt", "用下发的模板重新填写")


def test_member_shorter_than_declared_is_corrupt(tmp_path):
    path = raw_zip(tmp_path / "短.xlsx", [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"<workbook/>"),
                                         (SHEET, b"<worksheet/>", 100, zlib.crc32(b"<worksheet/>"), 0)])
    assert_refused(path, "file-corrupt", "用下发的模板重新填写")


def test_bzip2_member_is_corrupt(tmp_path, xlsx_bytes):
    path = tmp_path / "bz2.xlsx"
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as out:
        for name in src.namelist():
            out.writestr(name, src.read(name))
    assert_refused(path, "file-corrupt", "用下发的模板重新填写")


# --- encrypted ------------------------------------------------------------------------------------

def test_password_protected_xlsx(tmp_path, xlsx_bytes):
    path = tmp_path / "加密.xlsx"
    with path.open("wb") as out:
        OOXMLFile(io.BytesIO(xlsx_bytes)).encrypt("123456", out)
    assert_refused(path, "file-encrypted", "取消打开密码")
    assert detect_format(path) == "encrypted"


def test_password_protected_xls(tmp_path):
    path = ole_file(tmp_path / "加密.xls", {"Workbook": biff(encrypted=True)})
    assert_refused(path, "file-encrypted", "取消打开密码")
    assert detect_format(path) == "encrypted"


def test_zip_with_encrypted_members(tmp_path):
    path = raw_zip(tmp_path / "加密压缩.xlsx", [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"x" * 12)], flags=1)
    assert_refused(path, "file-encrypted", "取消打开密码")


# --- macros ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("members", [
    {CONTENT_TYPES: MACRO_TYPES, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0vba"},
    {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0vba"},
    {CONTENT_TYPES: MACRO_TYPES},
    {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"},
], ids=["bin-and-content-type", "bin-only", "content-type-only", "excel4-macro-sheet"])
def test_macro_enabled_workbook_named_xlsx(tmp_path, xlsx_bytes, members):
    path = rezip(xlsx_bytes, tmp_path / "宏.xlsx", replace=members)
    assert_refused(path, "file-macro", "另存为“Excel 工作簿(*.xlsx)”")
    assert detect_format(path) == "xlsm"


def test_xls_with_vba_project(tmp_path):
    path = ole_file(tmp_path / "宏.xls", {"Workbook": biff()}, storages=("_VBA_PROJECT_CUR",))
    assert_refused(path, "file-macro", "另存为“Excel 工作簿(*.xlsx)”")


def test_ods_with_basic_macros(tmp_path):
    path = ods(tmp_path / "宏.ods", {"Basic/Standard/Module1.xml": "<script:module/>"})
    assert_refused(path, "file-macro", "另存为“Excel 工作簿(*.xlsx)”")


# --- zip bombs ------------------------------------------------------------------------------------

def test_zip_bomb_300_mb_of_zeros(tmp_path):
    raw, crc = zeros_deflated(300)
    path = raw_zip(tmp_path / "炸弹.xlsx", [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"<workbook/>"),
                                           (SHEET, raw, 300 * MB, crc, 8)])
    assert path.stat().st_size < 400 * 1024
    assert_refused(path, "file-zip-bomb", "用下发的模板重新填写")


def test_ratio_over_limit_below_size_limits(tmp_path):
    raw, crc = zeros_deflated(2)
    path = raw_zip(tmp_path / "高压缩比.xlsx", [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"<workbook/>"),
                                              (SHEET, raw, 2 * MB, crc, 8)])
    assert_refused(path, "file-zip-bomb", "用下发的模板重新填写")
    assert "压缩比" in inspect_file(path).message


def test_lying_declared_size_is_caught_while_inflating(tmp_path):
    raw, crc = zeros_deflated(5)
    path = raw_zip(tmp_path / "谎报.xlsx", [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"<workbook/>"),
                                          (SHEET, raw, 100, crc, 8)])
    assert_refused(path, "file-zip-bomb", "用下发的模板重新填写")
    assert "超过声明大小" in inspect_file(path).message


def test_too_many_entries(tmp_path):
    members = [(CONTENT_TYPES, XLSX_TYPES), ("xl/workbook.xml", b"<workbook/>")]
    members += [(f"xl/media/{i}.bin", b"") for i in range(1000)]
    path = raw_zip(tmp_path / "部件过多.xlsx", members)
    assert_refused(path, "file-zip-bomb", "用下发的模板重新填写")


@pytest.mark.parametrize("limits", [Limits(max_entries=5), Limits(max_part_bytes=1000), Limits(max_total_bytes=4000)],
                         ids=["entries", "part", "total"])
def test_lowered_limits(xlsx, limits):
    assert_refused(xlsx, "file-zip-bomb", "用下发的模板重新填写", limits)


# --- XML entity declarations ----------------------------------------------------------------------

@pytest.mark.parametrize("name, data", [
    (SHEET, BILLION_LAUGHS),
    (SHEET, BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!doctype")),
    (SHEET, "\ufeff".encode("utf-16-le") + BILLION_LAUGHS.decode().replace('"?>', '" encoding="UTF-16"?>').encode("utf-16-le")),
    ("xl/sharedStrings.xml", b'<?xml version="1.0"?><!DOCTYPE sst SYSTEM "file:///etc/passwd"><sst/>'),
    ("xl/media/image1.png", b'  <!ENTITY xxe SYSTEM "http://example.invalid/">' + b"x" * 100),
], ids=["billion-laughs", "lower-case", "utf-16", "external-dtd", "disguised-as-png"])
def test_entity_declarations(tmp_path, xlsx_bytes, name, data):
    path = rezip(xlsx_bytes, tmp_path / "实体.xlsx", replace={name: data})
    assert_refused(path, "file-xml-entity", "用下发的模板重新填写")


@pytest.mark.parametrize("chunks", [1, 17], ids=["read-whole", "streamed"])
def test_entity_declaration_split_across_chunks(tmp_path, xlsx_bytes, chunks):
    """A member of up to 1 MB is inflated in one step, a larger one in 64 KB chunks: either way a
    declaration that straddles 64 KB is seen (the larger padding is random, so no ratio check trips)."""
    import base64
    import random
    filler = b" " * (64 * 1024 - 7) if chunks == 1 else base64.b64encode(random.Random(7).randbytes(48 * 1024 * chunks))[:64 * 1024 * chunks - 7]
    padding = b"<!--" + filler + b"-->"
    sheet = b'<?xml version="1.0"?>' + padding + b"<!DOC" + b"TYPE x []><worksheet/>"
    path = rezip(xlsx_bytes, tmp_path / "跨块.xlsx", replace={SHEET: sheet})
    assert_refused(path, "file-xml-entity", "用下发的模板重新填写")


def test_binary_member_mentioning_doctype_is_not_xml(tmp_path, xlsx_bytes):
    path = rezip(xlsx_bytes, tmp_path / "图片.xlsx", replace={"xl/media/image1.png": b"\x89PNG\r\n<!DOCTYPE"})
    assert inspect_file(path) is None
