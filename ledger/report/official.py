"""A Word document laid out as GB/T 9704 sets out for party and government documents.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; title 方正小标宋简体 二号 (22 pt);
body 仿宋_GB2312 三号 (16 pt) at a fixed 28.95 pt line spacing (22 lines of 28 characters);
first-level headings 黑体, second-level 楷体_GB2312; page numbers ``— 1 —`` in 宋体 四号 at the
foot, odd pages on the right and even pages on the left. Where a computer lacks the official fonts,
each names its common fallback in the font table (``w:altName``: 黑体, 仿宋, 楷体), which Word and
WPS use in its place.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, NUMBER_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体")
FALLBACKS = {TITLE_FONT: "黑体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体"}
TITLE_SIZE, BODY_SIZE, NUMBER_SIZE = Pt(22), Pt(16), Pt(14)
LINE_SPACING = Pt(28.95)
LATIN_FONT = "Times New Roman"
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}

TITLE, HEADING, SUBHEADING, PARAGRAPH, RIGHT, BLANK = "title", "heading", "subheading", "paragraph", "right", "blank"
TABLE = "table"      # "| a | b |": a row of a table (the first row of a run is its header), 仿宋 五号
MARKERS = (("### ", SUBHEADING), ("## ", HEADING), ("# ", TITLE), ("> ", RIGHT), ("| ", TABLE))
TABLE_SIZE = Pt(10.5)


def classify(lines: list[str]) -> list[tuple[str, str]]:
    """(kind, text) for each line of a filled template; the line after the title, when it is a
    parenthesised subtitle such as （2024年7月）, is set like the title's second line."""
    out: list[tuple[str, str]] = []
    for line in lines:
        text = line.rstrip()
        kind = next((k for marker, k in MARKERS if text.startswith(marker)), PARAGRAPH if text.strip() else BLANK)
        if kind != PARAGRAPH and kind != BLANK:
            text = text[text.index(" ") + 1:]
        out.append((kind, text.strip()))
    return out


def write_document(path: Path, lines: list[str], title: str, author: str, created: datetime | None = None) -> None:
    """The 通报 as a .docx; with ``created`` (a time from the data, not the clock) the same lines
    make the same bytes, so a locked month's 通报 is reproduced exactly."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _fallbacks(doc)
    doc.core_properties.title = title
    doc.core_properties.author = author
    body = doc.paragraphs[0] if doc.paragraphs else None
    previous = None
    rows: list[list[str]] = []
    for kind, text in classify(lines):
        if kind == TABLE:
            rows.append([c.strip() for c in text.strip().strip("|").split("|")])
            continue
        if rows:
            _table(doc, rows)
            rows = []
        if kind == BLANK:     # the body runs on without blank lines; one follows the title
            if previous == TITLE:
                doc.add_paragraph()
                previous = BLANK
            continue
        after_title = previous == TITLE and re.fullmatch(r"[（(].*[）)]", text) is not None
        salutation = previous in (TITLE, BLANK) and kind == PARAGRAPH and text.endswith("：")
        _paragraph(doc, TITLE if after_title else kind, text, subtitle=after_title, salutation=salutation)
        previous = kind if not after_title else TITLE
    if rows:
        _table(doc, rows)
    if body is not None:
        body._element.getparent().remove(body._element)
    _page_numbers(doc)
    if created is not None:
        props = doc.core_properties
        props.created = props.modified = created.replace(tzinfo=None)
        props.revision = 1
    doc.save(str(path))
    if created is not None:
        _freeze_zip(path, created)


def _freeze_zip(path: Path, when: datetime) -> None:
    """Give every part of the saved document the same time stamp (python-docx writes the clock's)."""
    import zipfile

    stamp = when.timetuple()[:6]
    staged = path.with_name(path.name + ".frozen")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            frozen = zipfile.ZipInfo(info.filename, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            frozen.compress_type, frozen.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            out.writestr(frozen, src.read(info.filename))
    staged.replace(path)


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.footer_distance = Mm(28 - 7)     # the number's line about 7 mm below the text block


def _set_font(run_or_style, east_asia: str, size, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = LATIN_FONT
    font.size = size
    font.bold = bold
    rpr = run_or_style._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_FONT, BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False


def _fallbacks(doc) -> None:
    """Name each official font's fallback in the document's font table."""
    table = next((p for p in doc.part.package.iter_parts() if str(p.partname).endswith("/fontTable.xml")), None)
    if table is None:
        return
    from docx.oxml import parse_xml

    root = parse_xml(table.blob)
    for name, alt in FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt_name = OxmlElement("w:altName")
        alt_name.set(qn("w:val"), alt)
        font.append(alt_name)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")       # GB2312
        font.append(charset)
        root.append(font)
    from lxml import etree

    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph(doc, kind: str, text: str, subtitle: bool = False, salutation: bool = False) -> None:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if kind == TITLE:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(36) if not subtitle else LINE_SPACING
        if not subtitle:
            fmt.space_after = Pt(0)
        run = p.add_run(text)
        if subtitle:
            _set_font(run, SUBHEADING_FONT, BODY_SIZE)
        else:
            _set_font(run, TITLE_FONT, TITLE_SIZE)
        return
    if kind == RIGHT:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(4 * 16)          # 落款 set in by four characters
        _set_font(p.add_run(text), BODY_FONT, BODY_SIZE)
        return
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # two characters; the salutation (主送机关, 各责任单位：) starts at the margin
    fmt.first_line_indent = Pt(0) if salutation else Pt(2 * 16)
    font = {HEADING: HEADING_FONT, SUBHEADING: SUBHEADING_FONT}.get(kind, BODY_FONT)
    _set_font(p.add_run(text), font, BODY_SIZE)


def _table(doc, rows: list[list[str]]) -> None:
    """A bordered table in 仿宋 五号, its first row the header in 黑体, repeated on every page."""
    ncols = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    for r, values in enumerate(rows):
        for c in range(ncols):
            cell = table.cell(r, c)
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.paragraph_format.first_line_indent = Pt(0)
            if r == 0:
                p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_font(p.add_run(values[c] if c < len(values) else ""), HEADING_FONT if r == 0 else BODY_FONT,
                      TABLE_SIZE)
    if rows[0][0] == "序号" and ncols > 1:     # a narrow number column; the last, widest, takes the rest
        text_width = Mm(210) - MARGINS["left_margin"] - MARGINS["right_margin"]
        middle = [int((text_width - Mm(12)) * 0.36 / max(ncols - 2, 1))] * (ncols - 2)
        widths = [Mm(12), *middle, text_width - Mm(12) - sum(middle)]
        table.autofit = False
        for column, width in zip(table.columns, widths):     # the grid LibreOffice reads
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = width
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)


def _page_numbers(doc) -> None:
    """— N — in 宋体 四号: odd pages on the right, even pages on the left, set in by one character."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.paragraph_format.alignment = alignment
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        _set_font(p.add_run("— "), NUMBER_FONT, NUMBER_SIZE)
        _field(p, "PAGE")
        _set_font(p.add_run(" —"), NUMBER_FONT, NUMBER_SIZE)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE) whose result is shown as the page's number."""
    def run_with(child) -> None:
        run = paragraph.add_run()
        _set_font(run, NUMBER_FONT, NUMBER_SIZE)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1")
    _set_font(paragraph.runs[-1], NUMBER_FONT, NUMBER_SIZE)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)
