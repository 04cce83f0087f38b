"""An office's own Excel task table, read as a notice: header in any of the first rows, any order."""

from __future__ import annotations

from datetime import date

import pytest
import xlsxwriter

from ledger.errors import PlanImportError
from ledger.plan.sources import read_notice


def workbook(path, sheets: dict[str, list[list[object]]]):
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, c, value, wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return path


TABLE = [
    ["示范县2024年重点工作任务清单"],
    ["（各单位每月5日前报送进展）"],
    ["牵头单位", "重点任务", "序号", "完成时限", "责任领导", "配合单位"],
    ["县科技局", "新增高新技术企业\n10家以上", 1, date(2024, 6, 30), "张三", "县财政局、县税务局"],
    [None, None, None, None, None, None],
    ["县发展改革局", "建设创新平台|孵化器", 2.0, "年底前", "李四", None],
]


def test_header_below_a_title_and_columns_in_any_order(tmp_path):
    path = workbook(tmp_path / "任务清单.xlsx", {"Sheet1": TABLE})
    assert read_notice(path).splitlines() == [
        "示范县2024年重点工作任务清单",
        "（各单位每月5日前报送进展）",
        "牵头单位 | 重点任务 | 序号 | 完成时限 | 责任领导 | 配合单位",
        "县科技局 | 新增高新技术企业 10家以上 | 1 | 2024年6月30日 | 张三 | 县财政局、县税务局",
        "县发展改革局 | 建设创新平台｜孵化器 | 2 | 年底前 | 李四",
    ]


def test_only_sheets_with_a_task_table_are_read(tmp_path):
    path = workbook(tmp_path / "清单.xlsx", {"说明": [["填表说明"], ["请按时报送"]], "任务": TABLE[2:4]})
    assert read_notice(path).splitlines() == TABLE_LINES_2_4


TABLE_LINES_2_4 = ["牵头单位 | 重点任务 | 序号 | 完成时限 | 责任领导 | 配合单位",
                   "县科技局 | 新增高新技术企业 10家以上 | 1 | 2024年6月30日 | 张三 | 县财政局、县税务局"]


def test_a_workbook_without_a_task_table_says_what_was_looked_for(tmp_path):
    path = workbook(tmp_path / "名单.xlsx", {"名单": [["姓名", "电话"], ["张三", "123"]]})
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value).startswith("Excel 文件“名单.xlsx”中没有找到任务表（查看了工作表：名单）：")
    assert "牵头单位" in str(err.value)


def test_a_damaged_workbook(tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(PlanImportError, match="^无法读取 Excel 文件“坏.xlsx”"):
        read_notice(path)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_an_old_xls_table(tmp_path):
    import subprocess
    import tempfile

    from ledger.plan.convert import soffice

    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    source = workbook(tmp_path / "清单.xlsx", {"Sheet1": TABLE[2:4]})
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
                        "--outdir", str(tmp_path / "xls"), str(source)], check=True, capture_output=True, timeout=120)
    assert read_notice(tmp_path / "xls" / "清单.xls").splitlines() == TABLE_LINES_2_4


def test_a_header_over_two_rows(tmp_path):
    rows = [["序号", "重点任务", "责任单位", None, "完成时限"],
            [None, None, "牵头单位", "配合单位", None],
            [1, "新增高新技术企业", "县科技局", "县财政局", "2024年6月底"]]
    path = workbook(tmp_path / "两行表头.xlsx", {"Sheet1": rows})
    assert read_notice(path).splitlines() == [
        "序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限",
        "1 | 新增高新技术企业 | 县科技局 | 县财政局 | 2024年6月底"]


def test_a_review_workbook_given_to_import_points_to_plan_load(planned, tmp_path):
    from ledger.plan.review import export_review
    from ledger.store.plans import load_plan

    path = export_review(load_plan(planned.engine), tmp_path / "计划分解表.xlsx")
    with pytest.raises(PlanImportError) as err:
        read_notice(path)
    assert str(err.value) == ("“计划分解表.xlsx”是计划分解表（ledger plan export 导出的审核表），不是通知："
                              "请用 ledger plan load 计划分解表.xlsx 导入")


def test_a_web_page_table_saved_as_xls(tmp_path):
    html = ("<html><head><meta charset='gb2312'></head><body><table>"
            "<tr><td colspan='3'>示范县2024年重点工作任务清单</td></tr>"
            "<tr><th>序号</th><th>重点任务</th><th>牵头单位</th></tr>"
            "<tr><td>1</td><td>新增高新技术企业<br>10家以上</td><td>县科技局</td></tr>"
            "</table></body></html>")
    path = tmp_path / "导出.xls"
    path.write_bytes(html.encode("gb18030"))
    assert read_notice(path).splitlines() == ["示范县2024年重点工作任务清单", "序号 | 重点任务 | 牵头单位",
                                              "1 | 新增高新技术企业 10家以上 | 县科技局"]
