"""Shared pieces of the benchmarks: a large synthetic plan and timing/memory helpers."""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ledger.plan.model import Plan, PlanItem, Section
from ledger.store.plans import save_plan
from ledger.workspace import Workspace, init_workspace

LEADS_PER_ITEM = 2
SUPPORTS_PER_ITEM = 8


def unit_name(n: int) -> str:
    return f"县第{n:04d}局"


def big_plan(units: int = 1000, rows_per_unit: int = 40) -> Plan:
    """A plan where every unit has ``rows_per_unit`` rows: 2 leads and 8 supports per item."""
    per_item = LEADS_PER_ITEM + SUPPORTS_PER_ITEM
    n_items = units * rows_per_unit // per_item
    sections = [Section(str(k + 1), f"第{k + 1}部分重点任务") for k in range(12)]
    items = []
    for i in range(n_items):
        names = [unit_name((i * per_item + k) % units) for k in range(per_item)]
        sec = sections[i * len(sections) // n_items]
        text = (f"推进第{i + 1}项重点工作。围绕县域主导产业，完善工作机制，强化要素保障，"
                f"力争全年新增市级以上平台 {i % 7 + 1} 家，完成投资 {i % 50 + 10} 亿元。")
        items.append(PlanItem(str(i + 1), f"推进第{i + 1}项重点工作", text, sec.title, sec.number,
                              names[:LEADS_PER_ITEM], names[LEADS_PER_ITEM:]))
    return Plan("基准县2024年工作要点", 2024, items, sections)


def big_workspace(root: Path, units: int, rows_per_unit: int) -> Workspace:
    ws = init_workspace(root)
    save_plan(ws.engine, big_plan(units, rows_per_unit), origin="import")
    return ws


@contextmanager
def timed(results: dict, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    results[name] = time.perf_counter() - start


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its finished children."""
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb / 1024, child_kb / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its children: more than wall time means several cores worked."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
