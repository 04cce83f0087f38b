"""The period's 分发清单.xlsx: every unit of the plan with its template file (where issued), its item
counts and, once the office uses them, its upload link. ``generate`` writes it into the staging
folder with the templates (so the two are swapped in together); ``links`` rewrites it when links
are issued."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ledger.xlsx import atomic_output, formats, safe_name

MANIFEST_NAME = "分发清单.xlsx"


def safe_file_name(period: str, unit: str) -> str:
    """``<period>_<unit>.xlsx`` with characters Windows forbids replaced."""
    return f"{period}_{safe_name(unit, '单位')}.xlsx"


def write_manifest(folder: Path, counts: dict[str, tuple[int, int]], period_label: str,
                   links: dict[str, str] | None = None, present: set[str] | None = None,
                   period: str | None = None) -> Path:
    """分发清单.xlsx: every unit of the plan with its file (where generated) and item counts, and
    its upload link once ``ledger links`` has issued them (text, never a live formula or hyperlink).
    ``present``: the template files the folder holds (read from it when not given); ``period``: the
    period of the file names (the folder's name when not given)."""
    path = folder / MANIFEST_NAME
    with atomic_output(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        fmt = formats(wb)
        sheet = wb.add_worksheet("分发清单")
        headers = ("序号", "单位", "模板文件", "牵头任务数", "配合任务数") + (("报送链接",) if links else ())
        sheet.merge_range(0, 0, 0, len(headers) - 1, f"工作台账模板分发清单（{period_label}）", fmt["title"])
        for c, (h, w) in enumerate(zip(headers, (6, 34, 46, 11, 11, 60))):
            sheet.set_column(c, c, w)
            sheet.write_string(1, c, h, fmt["header"])
        present = present if present is not None else {p.name for p in folder.glob("*.xlsx")}
        for n, (unit, (lead, support)) in enumerate(counts.items(), start=1):
            file = safe_file_name(period or folder.name, unit)
            file = file if file in present else ""
            values = (n, unit, file or "（未生成）", lead, support) + ((links.get(unit, "（未签发）"),) if links else ())
            for c, v in enumerate(values):
                (sheet.write_number if isinstance(v, int) else sheet.write_string)(n + 1, c, v, fmt["wrap"])
        sheet.repeat_rows(1)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_footer("&C— &P —")
        wb.close()
    return path
