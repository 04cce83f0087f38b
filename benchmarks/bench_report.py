"""Benchmark of ``ledger status`` and ``ledger report`` on a county-sized store (a script, not a test).

Fills a temporary workspace with a plan of ``units`` units × ``rows`` rows each (every item has one
lead and three support units, so each unit has ``rows`` rows) and ``periods`` months of submissions,
inserted in bulk. It times the CLI commands as subprocesses (wall time and peak RSS from
``os.wait4``) after 3 months are stored and again after all of them, to show that the cost
follows the rows of the period, not the history.

    python benchmarks/bench_report.py                  # 12 × 1,000 units × 40 rows, 3 % of units missing
    python benchmarks/bench_report.py --missing 0      # every unit reports: exactly 480,000 rows
    python benchmarks/bench_report.py --units 200      # a quicker run
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ledger.period import shift
from ledger.store import schema as s
from ledger.workspace import Workspace, init_workspace

SUPPORTS = 3                      # support units per item; plus one lead
FIRST_PERIOD = "2024-01"
STATUSES = ["已完成", "超序时", "序时推进", "滞后", "严重滞后", "未启动"]
NUMERALS = "一二三四五六七八九十"
PROGRESS = "本月召开专题推进会议，协调解决项目用地、资金等问题，完成阶段性建设任务，形成工作台账并按时上报。"
TARGETS = {"report": 10.0, "status": 1.0, "rss_mb": 1024.0}


def build_plan(ws: Workspace, units: int, rows: int) -> int:
    """A plan where each unit leads rows/4 items and supports 3·rows/4; return the item count."""
    n_items = units * rows // (SUPPORTS + 1)
    now = datetime.now(timezone.utc)
    with ws.engine.begin() as conn:
        conn.execute(s.plans.insert().values(id=1, version=1, title="基准县重点工作", year=2024, origin="import",
                                             created_at=now))
        conn.execute(s.sections.insert(), [{"id": n + 1, "plan_id": 1, "ord": n, "number": NUMERALS[n],
                                            "title": f"第{NUMERALS[n]}部分"} for n in range(10)])
        conn.execute(s.units.insert(), [{"id": u + 1, "name": f"单位{u + 1:04d}", "collective": False}
                                        for u in range(units)])
        conn.execute(s.items.insert(), [{"id": k + 1, "plan_id": 1, "section_id": k * 10 // n_items + 1, "ord": k,
                                         "number": str(k + 1), "title": f"重点任务{k + 1}",
                                         "text": f"重点任务{k + 1}的具体措施", "leaders": []} for k in range(n_items)])
        conn.execute(s.assignments.insert(), [
            {"item_id": k + 1, "unit_id": _unit_of(k, j, units) + 1, "role": "lead" if j == 0 else "support", "ord": j}
            for k in range(n_items) for j in range(SUPPORTS + 1)])
    return n_items


def _unit_of(item: int, j: int, units: int) -> int:
    """The j-th unit of an item: lead j=0, supports spread a quarter of the units apart."""
    return (item + j * (units // (SUPPORTS + 1))) % units


def fill_period(ws: Workspace, index: int, units: int, n_items: int, missing: float, rng: random.Random) -> int:
    """One month: all but ``missing`` of the units submit (some late), a third of the rest were
    rejected; return the rows inserted."""
    period = shift(FIRST_PERIOD, index)
    due = datetime(*map(int, shift(period, 1).split("-")), 1, 2, tzinfo=timezone.utc)
    submitting = [u for u in range(units) if rng.random() >= missing]
    base = index * units
    intake, subs, rows = [], [], []
    for u in submitting:
        at = due + timedelta(days=rng.choice((0, 1, 2, 3, 4, 5, 6)), hours=rng.randrange(10))
        intake.append(_intake(base + u + 1, period, u, at, "accepted"))
        subs.append({"id": base + u + 1, "intake_id": base + u + 1, "template_id": f"t{base + u}", "plan_id": 1,
                     "period": period, "unit_id": u + 1, "submitted_at": at, "is_current": True})
        rows.extend(_unit_rows(base + u + 1, u, units, n_items, index, rng))
    missing = sorted(set(range(units)) - set(submitting))
    intake.extend(_intake(base + u + 1, period, u, due, "rejected") for u in missing[::3])
    with ws.engine.begin() as conn:
        conn.execute(s.intake.insert(), intake)
        conn.execute(s.submissions.insert(), subs)
        for start in range(0, len(rows), 20_000):
            conn.execute(s.submission_rows.insert(), rows[start:start + 20_000])
    return len(rows)


def _intake(id_: int, period: str, unit: int, at: datetime, outcome: str) -> dict:
    findings = [{"severity": "error", "message": "“完成状态”不能为空", "cell": "I5"}] if outcome == "rejected" else []
    return {"id": id_, "sha256": f"{id_:064x}", "size": 20_000, "original_name": f"{period}_单位{unit + 1:04d}.xlsx",
            "received_at": at, "outcome": outcome, "period": period, "unit_id": unit + 1,
            "errors": len(findings), "findings": findings}


def _unit_rows(sub_id: int, unit: int, units: int, n_items: int, index: int, rng: random.Random) -> list[dict]:
    out = []
    step = units // (SUPPORTS + 1)
    for j in range(SUPPORTS + 1):
        first = (unit - j * step) % units            # items whose j-th unit is this one
        for item in range(first, n_items, units):
            status = _status(item, index, rng)
            out.append({"submission_id": sub_id, "item_id": item + 1, "role": "lead" if j == 0 else "support",
                        "progress": f"{index + 1}月：{PROGRESS}", "status": status, "percent": rng.randrange(101),
                        "problems": "资金到位慢，手续办理周期长。" if status in ("滞后", "严重滞后") else None,
                        "next_steps": "加快推进，确保按期完成。", "person": "张三", "phone": "0533-1234567",
                        "remarks": None, "raw": {}})
    return out


def _status(item: int, index: int, rng: random.Random) -> str:
    """Mostly on schedule; one item in twenty lags chronically, so lag streaks span many months."""
    if item % 20 == 0 and rng.random() < 0.85:
        return rng.choice(("滞后", "严重滞后"))
    return rng.choices(STATUSES, weights=(10, 10, 55, 10, 3, 12))[0]


def run_cli(ws: Workspace, *args: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``ledger`` subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ledger", "-w", str(ws.root), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ledger {' '.join(args)} failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def measure(ws: Workspace, period: str, stored: int, repeat: int) -> list[tuple[str, float, str]]:
    report = min(run_cli(ws, "report", "--period", period) for _ in range(repeat))
    status = min(run_cli(ws, "status", "--period", period) for _ in range(repeat))
    return [(f"report {period}, {stored} months stored (s)", report[0], f"≤ {TARGETS['report']:g}"),
            (f"report peak RSS, {stored} months (MB)", report[1], f"≤ {TARGETS['rss_mb']:g}"),
            (f"status {period}, {stored} months stored (s)", status[0], f"≤ {TARGETS['status']:g}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--missing", type=float, default=0.03, help="share of units not submitting each month")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the fastest is shown")
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        ws = init_workspace(args.keep or Path(tmp) / "ws")
        figures = _run(ws, args)
    _print(figures)


def _run(ws: Workspace, args) -> list[tuple[str, float, str]]:
    rng = random.Random(20240705)
    t0 = time.perf_counter()
    n_items = build_plan(ws, args.units, args.rows)
    total, figures = 0, []
    checkpoints = {min(3, args.periods), args.periods}
    for index in range(args.periods):
        total += fill_period(ws, index, args.units, n_items, args.missing, rng)
        if index + 1 in checkpoints:
            print(f"stored {index + 1} months, {total:,} rows ({time.perf_counter() - t0:.1f} s); timing …", flush=True)
            figures += measure(ws, shift(FIRST_PERIOD, index), index + 1, args.repeat)
    size = sum(p.stat().st_size for p in ws.root.glob("ledger.db*")) / 2**20
    figures.append((f"store: {n_items:,} items, {args.units:,} units, {total:,} rows (MB)", size, ""))
    return figures


def _print(figures: list[tuple[str, float, str]]) -> None:
    width = max(len(name) for name, _, _ in figures)
    print(f"\n{'figure':<{width}}  {'value':>9}  target")
    for name, value, target in figures:
        print(f"{name:<{width}}  {value:>9.2f}  {target}")


if __name__ == "__main__":
    main()
