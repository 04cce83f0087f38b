"""Benchmark: collect many filled workbooks, against the naive pandas baseline and the bare floor.

    python benchmarks/bench_collect.py [--units 1000] [--rows 40]

Targets (issue 4): identify + validate + store costs at most 3x the floor (open the zip, parse
the sheet XML) per workbook, is at least 5x faster than pandas.read_excel(engine="openpyxl")
per file then concat, uses both cores, and peaks under 300 MB whatever the number of files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import big_workspace, cpu_seconds, peak_rss_mb, timed  # noqa: E402
from ledger import layout  # noqa: E402
from ledger.collect.intake import collect_inbox  # noqa: E402
from ledger.store.plans import load_plan  # noqa: E402
from ledger.store.submissions import template_record  # noqa: E402
from ledger.template.generate import generate_templates, record_identity, spec_for  # noqa: E402
from ledger.template.rows import all_unit_rows  # noqa: E402
from ledger.template.writer import write_template  # noqa: E402

FILLED = {"progress": "本月完成项目前期手续办理，召开推进会一次，协调解决用地问题。", "status": "序时推进",
          "percent": 60, "problems": "", "next_steps": "加快施工进度。", "person": "张三", "phone": "0533-1234567",
          "remarks": ""}


def fill_inbox(ws, period: str = "2024-07", filled: dict | None = None) -> list[Path]:
    """Write every unit's template of ``period`` as a department would return it, filled (with
    ``filled``, FILLED by default), into the inbox."""
    result = generate_templates(ws, period)
    plan = load_plan(ws.engine)
    rows = all_unit_rows(plan, [f.unit for f in result.files])
    ids = _template_ids(ws, period)
    paths = []
    old = (datetime.now(timezone.utc) - timedelta(hours=1)).timestamp()
    for n, f in enumerate(result.files):
        for row in rows[f.unit]:
            row.typed = dict(filled or FILLED)
        spec = spec_for(ws.settings, plan.title, record_identity(template_record(ws.engine, ids[f.unit])), rows[f.unit])
        path = ws.inbox_dir / f"报送{n:04d}.xlsx"
        write_template(spec, path)
        os.utime(path, (old, old))
        paths.append(path)
    return paths


def _template_ids(ws, period: str) -> dict[str, str]:
    import sqlalchemy as sa
    from ledger.store import schema as s
    with ws.engine.connect() as conn:
        q = (sa.select(s.units.c.name, s.templates.c.id).join(s.units, s.units.c.id == s.templates.c.unit_id)
             .where(s.templates.c.period == period))
        return dict(conn.execute(q).all())


def floor(paths: list[Path]) -> None:
    """Open each zip and parse its ledger sheet XML and shared strings: the least any reader does."""
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            ElementTree.fromstring(zf.read("xl/worksheets/sheet2.xml"))


def naive(paths: list[Path]):
    import pandas as pd
    frames = [pd.read_excel(p, sheet_name=layout.LEDGER_SHEET, header=layout.HEADER_ROW - 1, engine="openpyxl")
              for p in paths]
    return pd.concat(frames)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--naive-sample", type=int, default=200,
                        help="files read by the pandas baseline (it is slow; cost per file is reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = big_workspace(Path(tmp) / "ws", args.units, args.rows)
        paths = fill_inbox(ws)
        n = len(paths)
        sample = paths[: args.naive_sample]
        t: dict[str, float] = {}
        with timed(t, "floor"):
            floor(paths)
        with timed(t, "naive"):
            naive(sample)
        rss_before, _ = peak_rss_mb()
        cpu0 = cpu_seconds()
        with timed(t, "ledger"):
            result = collect_inbox(ws)
        cpu = cpu_seconds() - cpu0
        rss_self, rss_child = peak_rss_mb()
        accepted = result.totals["accepted"]
    per = {k: t[k] / (len(sample) if k == "naive" else n) * 1000 for k in t}
    print(f"collect: {n} workbooks x {args.rows} rows, {os.cpu_count()} cores; accepted {accepted}")
    print(f"  floor (zip + sheet XML)     : {per['floor']:6.2f} ms/workbook")
    print(f"  naive pandas+openpyxl       : {per['naive']:6.2f} ms/workbook  (sample of {len(sample)})")
    print(f"  ledger collect (wall)       : {per['ledger']:6.2f} ms/workbook, {t['ledger']:.1f} s in all; "
          f"cpu {cpu:.1f} s = {cpu / t['ledger']:.2f} cores busy")
    print(f"  ledger / floor              : {per['ledger'] / per['floor']:.2f}x (target <= 3)")
    print(f"  naive / ledger              : {per['naive'] / per['ledger']:.1f}x faster (target >= 5)")
    print(f"  peak memory                 : main {rss_self:.0f} MB (before collect {rss_before:.0f} MB), "
          f"largest worker {rss_child:.0f} MB (target < 300)")


if __name__ == "__main__":
    main()
