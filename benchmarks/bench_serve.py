"""Benchmark: units uploading at once through ``ledger serve`` — how long until each sees its verdict.

    python benchmarks/bench_serve.py [--units 100] [--rows 40] [--concurrency 20]

Every unit uploads its filled template through its own link on a real uvicorn server (threads of
HTTP clients, ``--concurrency`` at a time); the time of an upload is from the request to the result
page showing 已接收. Reports the median and worst time to verdict and the uploads per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_collect import fill_inbox  # noqa: E402
from benchmarks.common import big_workspace, timed  # noqa: E402


def main() -> None:
    import httpx

    from ledger.links import unit_links
    from tests.web.conftest import LiveServer, form_key

    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = big_workspace(Path(tmp) / "ws", args.units, args.rows)
        filled = {}
        for n, path in enumerate(fill_inbox(ws)):          # filled workbooks, moved out of the inbox
            filled[n] = path.rename(Path(tmp) / path.name)
        issued = unit_links(ws, "2024-07")
        links = [link.url.removeprefix(issued.base_url) for link in issued.links]
        ws.set_setting("serve.uploads_per_hour", 100000)
        with LiveServer(ws) as server:
            def one(n: int) -> tuple[float, bool]:
                with httpx.Client(base_url=server.url, timeout=120, follow_redirects=True) as client:
                    page = client.get(links[n])
                    start = time.perf_counter()
                    with open(filled[n], "rb") as f:
                        result = client.post(links[n].split("?")[0] + "/upload", data={"form_key": form_key(page.text)},
                                             files={"file": (filled[n].name, f)})
                    return time.perf_counter() - start, "已接收" in result.text

            t: dict[str, float] = {}
            with timed(t, "all"), ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(one, range(len(links))))
    times = sorted(r[0] for r in results)
    accepted = sum(1 for r in results if r[1])
    print(f"serve: {len(times)} units x {args.rows} rows uploading, {args.concurrency} at a time, {os.cpu_count()} cores; "
          f"accepted {accepted}")
    print(f"  time to verdict: median {statistics.median(times):.2f} s, 95th {times[int(len(times) * .95) - 1]:.2f} s, "
          f"worst {times[-1]:.2f} s")
    print(f"  throughput     : {len(times) / t['all']:.1f} uploads/s ({t['all']:.1f} s in all)")


if __name__ == "__main__":
    main()
