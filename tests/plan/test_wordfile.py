"""Word notices: list numbers that Word generates are rendered as the reader sees them."""

from __future__ import annotations

import docx
import pytest
from docx.oxml import parse_xml

from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice
from ledger.plan.wordfile import chinese_numeral, format_number

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def add_list(document, levels: list[tuple[str, str]], start_override: int | None = None,
             abstract_id: int | None = None, legal: bool = False) -> int:
    """A list definition with the given (numFmt, lvlText) per level; returns its numId."""
    numbering = document.part.numbering_part.element
    ids = [int(n.get(f"{{{numbering.nsmap['w']}}}numId")) for n in numbering.findall(f"{{{numbering.nsmap['w']}}}num")]
    num_id = max(ids, default=0) + 1
    if abstract_id is None:
        abstract_id = 900 + num_id
        lgl = '<w:isLgl/>' if legal else ""
        lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                       f'<w:lvlText w:val="{text}"/>{lgl if i else ""}</w:lvl>' for i, (fmt, text) in enumerate(levels))
        numbering.insert(0, parse_xml(f'<w:abstractNum {NS} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'))
    override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start_override}"/></w:lvlOverride>'
                if start_override else "")
    numbering.append(parse_xml(f'<w:num {NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'))
    return num_id


def numbered(document, text: str, num_id: int, ilvl: int = 0) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


THREE_LEVELS = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]


def test_three_level_auto_numbering_is_rendered(tmp_path):
    document = docx.Document()
    document.add_paragraph("示范县2024年工作要点")
    outline = add_list(document, THREE_LEVELS)
    numbered(document, "增强科技创新能力", outline, 0)
    numbered(document, "培育创新主体", outline, 1)
    numbered(document, "新增高新技术企业。（县科技局负责）", outline, 2)
    numbered(document, "建设创新平台。（县发展改革局负责）", outline, 2)
    numbered(document, "优化创新生态", outline, 1)
    numbered(document, "完善科技金融。（县财政局负责）", outline, 2)
    numbered(document, "推动产业升级", outline, 0)
    numbered(document, "改造传统产业。（县工业和信息化局负责）", outline, 2)
    path = tmp_path / "要点.docx"
    document.save(path)
    assert read_notice(path).splitlines() == [
        "示范县2024年工作要点", "一、增强科技创新能力", "（一）培育创新主体",
        "1. 新增高新技术企业。（县科技局负责）", "2. 建设创新平台。（县发展改革局负责）",
        "（二）优化创新生态", "1. 完善科技金融。（县财政局负责）",
        "二、推动产业升级", "1. 改造传统产业。（县工业和信息化局负责）"]


def test_auto_numbered_items_parse_like_typed_ones(tmp_path):
    document = docx.Document()
    document.add_paragraph("示范县2024年工作要点")
    document.add_paragraph("一、增强科技创新能力")
    items = add_list(document, [("decimal", "%1．")])
    numbered(document, "新增高新技术企业。（县科技局负责）", items)
    numbered(document, "建设创新平台。（县发展改革局负责）", items)
    path = tmp_path / "要点.docx"
    document.save(path)
    plan = parse_plan(read_notice(path))
    assert [(i.number, i.title, i.lead) for i in plan.items] == [
        ("1", "新增高新技术企业", ["县科技局"]), ("2", "建设创新平台", ["县发展改革局"])]


def test_a_list_continues_across_paragraphs_and_restarts_with_its_override(tmp_path):
    document = docx.Document()
    first = add_list(document, [("decimalEnclosedCircle", "%1")])
    numbered(document, "甲", first)
    document.add_paragraph("说明段落")
    numbered(document, "乙", first)
    abstract = 900 + first
    again = add_list(document, [], start_override=1, abstract_id=abstract)
    numbered(document, "丙", again)
    bullets = add_list(document, [("bullet", "•")])
    numbered(document, "要点", bullets)
    path = tmp_path / "list.docx"
    document.save(path)
    assert read_notice(path).splitlines() == ["①甲", "说明段落", "②乙", "①丙", "要点"]


def test_multi_level_numbers_and_legal_numbering(tmp_path):
    document = docx.Document()
    outline = add_list(document, [("chineseCounting", "%1、"), ("decimal", "%1.%2")], legal=True)
    numbered(document, "总体要求", outline, 0)
    numbered(document, "甲", outline, 1)
    numbered(document, "乙", outline, 1)
    numbered(document, "重点任务", outline, 0)
    numbered(document, "丙", outline, 1)
    path = tmp_path / "legal.docx"
    document.save(path)
    assert read_notice(path).splitlines() == ["一、总体要求", "1.1 甲", "1.2 乙", "二、重点任务", "2.1 丙"]


def test_numbering_from_a_paragraph_style(tmp_path):
    document = docx.Document()
    for text in ("甲", "乙"):
        document.add_paragraph(text, style="List Number")
    path = tmp_path / "styled.docx"
    document.save(path)
    assert read_notice(path).splitlines() == ["1. 甲", "2. 乙"]


def test_auto_numbered_cells_of_a_task_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("示范县2024年重点工作任务分解表")
    seq = add_list(document, [("decimal", "%1")])
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ("序号", "重点任务", "牵头单位", "完成时限")):
        cell.text = text
    for task, unit, when in (("培育创新平台", "县科技局", "2024年6月底"), ("壮大创新主体", "县发展改革局", "年底前")):
        cells = table.add_row().cells
        cells[0].paragraphs[0]._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {NS}><w:ilvl w:val="0"/><w:numId w:val="{seq}"/></w:numPr>'))
        cells[0].paragraphs[0].add_run("")
        cells[1].text, cells[2].text, cells[3].text = task, unit, when
    path = tmp_path / "table.docx"
    document.save(path)
    items = [line for line in read_notice(path).splitlines() if line[:1].isdigit()]
    assert items == ["1. 培育创新平台。（牵头单位：县科技局）", "2. 壮大创新主体。（牵头单位：县发展改革局）"]


@pytest.mark.parametrize("n, fmt, shown", [
    (1, "decimal", "1"), (12, "chineseCounting", "十二"), (3, "chineseCountingThousand", "三"),
    (20, "decimalEnclosedCircle", "⑳"), (21, "decimalEnclosedCircle", "21"), (2, "decimalEnclosedParen", "⑵"),
    (7, "decimalFullWidth", "７"), (2, "upperLetter", "B"), (4, "lowerRoman", "iv"),
    (11, "chineseLegalSimplified", "拾壹"), (105, "ideographDigital", "一〇五"), (5, "decimalZero", "05"),
])
def test_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown


@pytest.mark.parametrize("n, shown", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九"),
                                      (100, "一百"), (105, "一百零五"), (110, "一百一十"), (1200, "一千二百"),
                                      (1001, "一千零一")])
def test_chinese_numerals(n, shown):
    assert chinese_numeral(n) == shown


def test_a_task_table_under_a_merged_title_row(tmp_path):
    document = docx.Document()
    document.add_paragraph("示范县2024年工作要点")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "重点工作任务分解表"
    for cell, text in zip(table.rows[1].cells, ("序号", "重点任务", "牵头单位")):
        cell.text = text
    cells = table.add_row().cells
    cells[0].text, cells[1].text, cells[2].text = "1", "培育创新平台", "县科技局"
    path = tmp_path / "titled.docx"
    document.save(path)
    assert read_notice(path).splitlines() == ["示范县2024年工作要点", "重点工作任务分解表",
                                              "1. 培育创新平台。（牵头单位：县科技局）"]
    assert [(i.number, i.lead) for i in parse_plan(read_notice(path)).items] == [("1", ["县科技局"])]


def test_text_in_revisions_smart_tags_and_content_controls_is_read(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("1. 新增高新技术企业")
    for xml in (f'<w:ins {NS} w:id="1" w:author="办公室"><w:r><w:t>10家以上</w:t></w:r></w:ins>',
                f'<w:del {NS} w:id="2" w:author="办公室"><w:r><w:delText>8家</w:delText></w:r></w:del>',
                f'<w:smartTag {NS} w:uri="urn:schemas" w:element="date"><w:r><w:t>，2024年6月底前完成</w:t></w:r></w:smartTag>',
                f'<w:sdt {NS}><w:sdtContent><w:r><w:t>。（县科技局负责）</w:t></w:r></w:sdtContent></w:sdt>'):
        paragraph._p.append(parse_xml(xml))
    document.add_paragraph().add_run("第一行").add_break()
    document.paragraphs[-1].add_run("第二行")
    path = tmp_path / "revised.docx"
    document.save(path)
    assert read_notice(path).splitlines() == ["1. 新增高新技术企业10家以上，2024年6月底前完成。（县科技局负责）",
                                              "第一行", "第二行"]


def test_paragraphs_inside_a_block_content_control_are_read(tmp_path):
    document = docx.Document()
    document.add_paragraph("示范县2024年工作要点")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(
        f'<w:sdt {NS}><w:sdtContent><w:p><w:r><w:t>1. 新增高新技术企业。（县科技局负责）</w:t></w:r></w:p>'
        f'</w:sdtContent></w:sdt>'))
    document.add_paragraph("2. 建设创新平台。（县发展改革局负责）")
    path = tmp_path / "controls.docx"
    document.save(path)
    assert read_notice(path).splitlines() == ["示范县2024年工作要点", "1. 新增高新技术企业。（县科技局负责）",
                                              "2. 建设创新平台。（县发展改革局负责）"]
