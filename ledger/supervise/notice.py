"""A 督办单 as a Word document in GB/T 9704 style (``ledger.report.official``): 编号, 督办事项 with
each item and why, 办理要求, 反馈时限, the issuing office and date.

The items are a table in 仿宋 五号, so up to ten of them fit on one A4 page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.period import label
from ledger.report import official
from ledger.supervise.rules import COLOUR_LABELS, NEXT, RED, Reason

REQUIREMENTS = {      # one or two lines of 28 characters: ten items still fit on the page
    "blue": "请倒排工期、挂图作战，确保按期完成；确有困难的，及时书面报告。",
    "yellow": "请主要负责同志亲自调度，制定整改措施，尽快赶上序时进度；台账须如实写明本期进展。",
    "red": "请主要负责同志亲自研究，说明原因，明确整改措施和时限，限期整改到位。",
}


def lines(*, office: str, unit: str, colour: str, number: str, period: str, items: list[Reason],
          issued: date, reply_due: date) -> list[str]:
    """The notice as lines for ``official.write_document`` (``# `` title, ``## `` heading, ``| `` table rows)."""
    colour_label = COLOUR_LABELS[colour]
    then = f"逾期未反馈的，将升级为{COLOUR_LABELS[NEXT[colour]]}督办。" if colour != RED else "逾期未反馈的，将予以通报。"
    out = [f"# {office}督办单", f"（{colour_label}督办　{number}）",
           f"{unit}：",
           f"根据{label(period)}工作台账报送和审核情况，你单位以下事项列为{colour_label}督办：",
           "## 一、督办事项",
           "| 序号 | 任务 | 督办原因 |"]
    for n, item in enumerate(items, start=1):
        task = f"{item.number} {item.title}".strip()
        out.append(f"| {n} | {_cell(task)} | {_cell(item.why)} |")
    out += ["## 二、办理要求", REQUIREMENTS[colour],
            "## 三、反馈时限",
            f"请于{_date(reply_due)}前在台账报送页面书面反馈办理情况（可附佐证材料）。{then}",
            f"> {office}", f"> {_date(issued)}"]
    return out


def write(path: Path, office: str, **fields) -> None:
    official.write_document(path, lines(office=office, **fields), f"{office}督办单（{fields['number']}）", office)


def _date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _cell(text: str) -> str:
    """Text safe inside a ``| `` table row: no bar, one line."""
    return " ".join(text.replace("|", "｜").split())
