"""Benchmark: what one more workbook costs ``ledger collect`` (the whole process), against the floor.

    python benchmarks/bench_collect_margin.py [--units 400] [--small 40] [--rows 40] [--repeat 5] [--second-month]

One workspace of ``--units`` units is built and each unit's template filled as a department returns
it. Then ``ledger collect`` runs as a process of its own (start-up, plan, workers, recording, the
durable moves into archive/, the work log: all of it) on a copy holding ``--small`` of the files,
and on a copy holding all of them. The margin is the difference per extra file; the fixed cost is
what the small run costs beyond its files at that margin. The floor is opening each zip and parsing
its ledger sheet XML and shared strings, the least any reader does.

With ``--second-month`` the files are those of the month after one already collected, as in every
month but a year's first: each row's progress is then compared with its last month's (the content
checks of ``collect.quality``), in words much like it.

Targets (issue 19): margin <= 1.5x the floor per file; fixed cost <= 0.8 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_collect import FILLED, fill_inbox, floor  # noqa: E402
from benchmarks.common import big_workspace  # noqa: E402
from ledger.collect.intake import collect_inbox  # noqa: E402

# The next month as a department writes it: the same task, other steps, the same kind of words.
NEXT_MONTH = {**FILLED, "progress": "本月完成项目施工图设计审查，召开推进会两次，协调解决资金问题。", "percent": 70}

LEDGER = [sys.executable, "-m", "ledger"]


def staged(source: Path, root: Path, keep: int) -> Path:
    """A copy of the workspace whose inbox holds only its first ``keep`` files."""
    shutil.copytree(source, root, symlinks=True)
    for n, path in enumerate(sorted((root / "inbox").glob("*.xlsx"))):
        if n >= keep:
            path.unlink()
    return root


def run_collect(root: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([*LEDGER, "-w", str(root), "collect", "--json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ledger collect failed: {done.stderr[-2000:]}")
    if any((root / "inbox").glob("*.xlsx")):
        raise SystemExit("ledger collect left files in the inbox")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--small", type=int, default=40)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each size; the median is kept")
    parser.add_argument("--second-month", action="store_true",
                        help="the month after one already collected: progress compared with last month's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        ws = big_workspace(base, args.units, args.rows)
        paths = fill_inbox(ws)
        if args.second_month:
            collect_inbox(ws)
            paths = fill_inbox(ws, "2024-08", NEXT_MONTH)
        ws.engine.dispose()
        floors, small, large = [], [], []
        for k in range(args.repeat):      # interleaved: a machine that drifts drifts for all three
            start = time.perf_counter()
            floor(paths)
            floors.append((time.perf_counter() - start) / len(paths))
            small.append(run_collect(staged(base, Path(tmp) / f"small{k}", args.small)))
            large.append(run_collect(staged(base, Path(tmp) / f"large{k}", len(paths))))
    t_small, t_large, per_floor = statistics.median(small), statistics.median(large), statistics.median(floors)
    margin = (t_large - t_small) / (len(paths) - args.small)
    fixed = t_small - args.small * margin
    print(f"collect margin: {len(paths)} vs {args.small} workbooks x {args.rows} rows, {os.cpu_count()} cores, "
          f"median of {args.repeat}{', a second month' if args.second_month else ''}")
    print(f"  whole process      : {t_small:.2f} s for {args.small}, {t_large:.2f} s for {len(paths)}")
    print(f"  floor              : {per_floor * 1000:6.2f} ms/workbook (zip + sheet XML, one core)")
    print(f"  margin             : {margin * 1000:6.2f} ms/workbook = {margin / per_floor:.2f}x the floor (target <= 1.5)")
    print(f"  fixed cost         : {fixed:.2f} s (target <= 0.8)")


if __name__ == "__main__":
    main()
