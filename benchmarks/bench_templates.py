"""Benchmark: generate every template of a large plan, against bare xlsxwriter writing the same cells.

    python benchmarks/bench_templates.py [--units 1000] [--rows 40]

Target (issue 3): ledger costs at most 1.3x what bare xlsxwriter needs for the same cells and
formats, and uses both cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import big_workspace, cpu_seconds, timed  # noqa: E402
from ledger import layout  # noqa: E402
from ledger.store.plans import load_plan  # noqa: E402
from ledger.template.generate import generate_templates  # noqa: E402
from ledger.template.rows import unit_counts, unit_rows  # noqa: E402


def bare_write(job: tuple[Path, list[list[object]], bool]) -> None:
    """The floor: the same sheets, cells and formats written directly, with none of ledger's
    machinery (no validation, protection, identification, row heights, notes)."""
    path, rows, in_memory = job
    wb = xlsxwriter.Workbook(str(path), {"in_memory": in_memory})
    guide = wb.add_worksheet(layout.GUIDE_SHEET)
    for n in range(9):
        guide.write_string(n, 0, "填报说明第%d项" % n)
        guide.write_string(n, 1, "在“台账”工作表的黄色单元格中填写本月进展情况、完成状态、完成进度等内容。" * 2)
    locked = wb.add_format({"font_name": "仿宋_GB2312", "text_wrap": True, "border": 1})
    unlocked = wb.add_format({"font_name": "仿宋_GB2312", "text_wrap": True, "border": 1, "locked": False,
                              "bg_color": "#FFF2CC"})
    header = wb.add_format({"font_name": "黑体", "bold": True, "border": 1})
    ws = wb.add_worksheet(layout.LEDGER_SHEET)
    for c, col in enumerate(layout.COLUMNS):
        ws.set_column(c, c, col.width)
        ws.write_string(layout.HEADER_ROW - 1, c, col.header, header)
    for r, row in enumerate(rows, start=layout.FIRST_DATA_ROW - 1):
        for c, col in enumerate(layout.COLUMNS):
            value = row[c]
            if col.input:
                ws.write_blank(r, c, None, unlocked)
            elif isinstance(value, int):
                ws.write_number(r, c, value, locked)
            else:
                ws.write_string(r, c, value, locked)
    meta = wb.add_worksheet(layout.META_SHEET)
    for n in range(6):
        meta.write_string(n, 0, "ledger_key_%d" % n)
        meta.write_string(n, 1, "0123456789abcdef0123456789abcdef")
    wb.close()


def bare_jobs(ws, out: Path) -> list[tuple[Path, list[list[object]]]]:
    plan = load_plan(ws.engine)
    jobs = []
    for n, unit in enumerate(unit_counts(plan)):
        rows = [[r.cells.get(c.key) for c in layout.COLUMNS] for r in unit_rows(plan, unit)]
        jobs.append((out / f"{n}.xlsx", rows, False))
    return jobs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=40)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = big_workspace(tmp / "ws", args.units, args.rows)
        jobs = bare_jobs(ws, tmp)
        t: dict[str, float] = {}
        with timed(t, "bare_1"):
            for job in jobs:
                bare_write(job)
        with timed(t, "bare_n"), ProcessPoolExecutor(cores) as pool:
            list(pool.map(bare_write, jobs, chunksize=8))
        mem_jobs = [(p, rows, True) for p, rows, _ in jobs]
        with timed(t, "bare_n_mem"), ProcessPoolExecutor(cores) as pool:
            list(pool.map(bare_write, mem_jobs, chunksize=8))
        cpu0 = cpu_seconds()
        with timed(t, "ledger"):
            result = generate_templates(ws, "2024-07")
        cpu = cpu_seconds() - cpu0
    n = len(result.files)
    print(f"templates: {n} units x {args.rows} rows, {cores} cores")
    print(f"  bare xlsxwriter, 1 process : {t['bare_1']:7.2f} s  ({t['bare_1'] / n * 1000:6.1f} ms/workbook)")
    print(f"  bare xlsxwriter, {cores} processes: {t['bare_n']:7.2f} s  (in_memory option: {t['bare_n_mem']:.2f} s)")
    print(f"  ledger templates           : {t['ledger']:7.2f} s  ({t['ledger'] / n * 1000:6.1f} ms/workbook), "
          f"cpu {cpu:.1f} s = {cpu / t['ledger']:.2f} cores busy")
    print(f"  ratio ledger / bare, same cores: {t['ledger'] / t['bare_n']:.2f} (target <= 1.3); "
          f"vs bare with in_memory: {t['ledger'] / t['bare_n_mem']:.2f}; vs one-process bare: {t['ledger'] / t['bare_1']:.2f}")


if __name__ == "__main__":
    main()
