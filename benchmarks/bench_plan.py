#!/usr/bin/env python3
"""Benchmark of plan import on a large synthetic notice (a script, not a test).

    python benchmarks/bench_plan.py            # 3,000 items
    python benchmarks/bench_plan.py 1200

The notice has ten parts of numbered items, each with a unit annotation, a leader line and a
deadline line, numbered through the whole notice (so items 1000+ must stay apart). It times the
parser alone, then the whole import (read, parse, targets, store) into a temporary workspace.
Target: the import of 3,000 items well under 5 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from ledger.plan.importer import import_notice
from ledger.plan.parse import parse_plan
from ledger.workspace import init_workspace

PARTS = "一二三四五六七八九十"


def synthetic_notice(items: int) -> str:
    """A notice of ``items`` items in ten parts, in the shape counties write them."""
    lines = ["测试县人民政府办公室关于印发测试县2024年重点工作任务的通知", "各镇人民政府，县政府各部门：",
             "现将《测试县2024年重点工作任务》印发给你们，请认真贯彻落实。", "测试县人民政府办公室",
             "2024年3月1日", "测试县2024年重点工作任务"]
    per_part = max(1, items // 10)
    for n in range(1, items + 1):
        if (n - 1) % per_part == 0 and (n - 1) // per_part < 10:
            lines.append(f"{PARTS[(n - 1) // per_part]}、第{(n - 1) // per_part + 1}方面工作")
        lines.append(f"{n}. 推进第{n}项重点工作。完成投资{n % 97 + 1}.5亿元，增长{n % 9}%以上"
                     f"（牵头单位：县局{n % 40}局；配合单位：县财政局、各镇（街道））。")
        lines.append("责任领导：张三")
        lines.append(f"完成时限：2024年{n % 12 + 1}月底")
    return "\n".join(lines)


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    text = synthetic_notice(items)
    start, cpu = time.perf_counter(), time.process_time()
    plan = parse_plan(text)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"parse: {len(plan.items)} items of {items} in {elapsed:.2f} s (cpu {cpu:.2f} s) "
          f"({len(text) // 1024} KiB; last item {plan.items[-1].number})")
    with tempfile.TemporaryDirectory() as tmp:
        notice = Path(tmp) / "notice.txt"
        notice.write_text(text, encoding="utf-8")
        workspace = init_workspace(Path(tmp) / "ws")
        start, cpu = time.perf_counter(), time.process_time()
        summary = import_notice(workspace, notice)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"import: {summary.items} items, {len(summary.units)} units stored in {elapsed:.2f} s (cpu {cpu:.2f} s)")


if __name__ == "__main__":
    main()
