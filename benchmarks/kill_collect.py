"""Trial: ``ledger collect`` killed with SIGKILL at random moments, then run again, N times.

    python benchmarks/kill_collect.py [-n 200] [--files 40] [--seed 1]

Each trial copies a prepared workspace whose inbox holds ``--files`` returned files (accepted,
rejected, duplicates, a very long name, files in a sub-folder, a text file), starts ``ledger collect``
in a subprocess and kills it (SIGKILL) at a random moment: most trials wait until the first copy
appears in archive/ or outbox/returns/ and kill within the time the files take to be stored (start-up
is half of a short run, and a kill there proves little); the rest kill at any moment from the start.
It checks that no worker process outlived the kill, runs ``ledger collect`` again to the end and checks the
invariants of ``tests/collect/invariants.py``: one recorded outcome per file, archive/ and
outbox/returns/ hold exactly the recorded files, no temporaries, the work log counts what is stored.
Exit code 0 when every trial holds.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.store.plans import save_plan  # noqa: E402
from ledger.template.generate import generate_templates  # noqa: E402
from ledger.workspace import Workspace, init_workspace  # noqa: E402
from tests.collect.invariants import inbox_snapshot, violations  # noqa: E402
from tests.conftest import age, fill_all, sample_plan  # noqa: E402

UNITS = ("县科技局", "县财政局", "县发展改革局", "县委组织部")
LONG = ("关于县科技局二〇二四年七月份重点工作任务推进情况的工作台账报送材料" * 3)[:80] + ".xlsx"


def prepare(root: Path, files: int) -> Workspace:
    """A workspace with templates issued and ``files`` returned files waiting in its inbox."""
    ws = init_workspace(root)
    save_plan(ws.engine, sample_plan(), origin="import")
    generate_templates(ws, "2024-07")
    made: list[Path] = []
    work = root.parent / "filled"
    work.mkdir(exist_ok=True)
    for i in range(files):
        unit = UNITS[i % len(UNITS)]
        template = ws.templates_dir / "2024-07" / f"2024-07_{unit}.xlsx"
        kind = i % 6
        folder = ws.inbox_dir / ("邮件附件" if i % 7 == 3 else "")
        folder.mkdir(parents=True, exist_ok=True)
        if kind == 4 and made:                                   # the same bytes again, renamed
            target = folder / (LONG if i == 4 else f"重发_{i:02d}.xlsx")
            shutil.copyfile(made[i // 3], target)
        elif kind == 5:                                          # rejected
            target = folder / f"{unit}_有误_{i:02d}.xlsx"
            fill_all(template, target, percent=150, progress=f"第 {i} 份")
        else:
            target = folder / f"{unit}_{i:02d}.xlsx"
            fill_all(template, target, progress=f"第 {i} 份进展。")
            made.append(target)
    (ws.inbox_dir / "附件说明.txt").write_text("请查收附件。")
    for path in ws.inbox_dir.rglob("*"):
        if path.is_file():
            age(path)
    ws.engine.dispose()
    return ws


def ledger(ws_root: Path, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ledger", "-w", str(ws_root), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def survivors(marker: str) -> list[int]:
    """Processes whose command line names this trial's workspace (forked workers keep their parent's)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(entry.name))
            except OSError:
                pass
    return found


@dataclass
class Trials:
    done: int = 0
    failures: list[str] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)     # what the kill left: nothing, part, all recorded


def stored_any(ws_root: Path) -> bool:
    """Has collect put a first file in archive/ or outbox/returns/ yet?"""
    return any(names for folder in ("archive", "outbox/returns") for _, _, names in os.walk(ws_root / folder))


def wait_for_storing(ws_root: Path, proc: subprocess.Popen, limit: float = 60.0) -> float:
    """Seconds until collect stores its first file (or ends)."""
    start = time.perf_counter()
    while not stored_any(ws_root) and proc.poll() is None and time.perf_counter() - start < limit:
        time.sleep(0.002)
    return time.perf_counter() - start


def timing(base: Path, scratch: Path) -> tuple[float, float]:
    """(seconds until the first file is stored, seconds from then to the end) of an uninterrupted run."""
    ws_root = scratch / "timing"
    shutil.copytree(base, ws_root, symlinks=True)
    proc = ledger(ws_root, "collect")
    before = wait_for_storing(ws_root, proc)
    start = time.perf_counter()
    proc.wait()
    storing = time.perf_counter() - start
    shutil.rmtree(ws_root)
    return before, storing


def run_trials(n: int, files: int = 40, seed: int = 1, log=print) -> Trials:
    rng = random.Random(seed)
    trials = Trials()
    with tempfile.TemporaryDirectory(prefix="kill-collect-") as tmp:
        scratch = Path(tmp)
        base = prepare(scratch / "base" / "ws", files).root
        original = inbox_snapshot(base / "inbox")
        runs = [timing(base, scratch) for _ in range(3)]
        before, storing = min(r[0] for r in runs), min(r[1] for r in runs)   # the least loaded of three
        log(f"{files} files; an uninterrupted run stores its first file after {before:.2f} s and ends "
            f"{storing:.2f} s later")
        for k in range(n):
            ws_root = scratch / f"t{k:03d}"
            shutil.copytree(base, ws_root, symlinks=True)
            proc = ledger(ws_root, "collect")
            if rng.random() < 0.2:
                time.sleep(rng.uniform(0, before + storing))
            else:
                wait_for_storing(ws_root, proc)
                time.sleep(rng.uniform(0, storing))
            if proc.poll() is not None:
                trials.states["ended before the kill"] += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            problems = _after_kill(ws_root, original, trials)
            rerun = ledger(ws_root, "collect")
            _, err = rerun.communicate(timeout=300)
            if rerun.returncode != 0:
                problems.append(f"rerun exit code {rerun.returncode}: {err.decode(errors='replace')[-500:]}")
            ws = Workspace(ws_root)
            problems += violations(ws, original)
            ws.engine.dispose()
            trials.done += 1
            if problems:
                trials.failures.append(f"trial {k}: " + "; ".join(problems))
                log(trials.failures[-1])
            else:
                shutil.rmtree(ws_root)
    return trials


def _after_kill(ws_root: Path, original: dict[str, str], trials: Trials) -> list[str]:
    deadline = time.monotonic() + 3
    while (alive := survivors(str(ws_root))) and time.monotonic() < deadline:
        time.sleep(0.05)
    problems = [f"processes outlived the kill: {alive}"] if alive else []
    ws = Workspace(ws_root)
    import sqlalchemy as sa
    from ledger.store import schema as s
    with ws.engine.connect() as conn:
        recorded = conn.execute(sa.select(sa.func.count()).select_from(s.intake)).scalar()
    ws.engine.dispose()
    left = len(inbox_snapshot(ws_root / "inbox"))
    if recorded == 0:
        state = "copies made, nothing recorded" if stored_any(ws_root) else "nothing stored"
    else:
        state = ("all recorded" if recorded == len(original) else "part recorded") + (
            ", some still in the inbox" if left else ", inbox empty")
    trials.states[state] += 1
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="number of kill -9 trials")
    parser.add_argument("--files", type=int, default=40, help="files in the inbox")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    trials = run_trials(args.n, args.files, args.seed)
    print(f"{trials.done} trials in {time.perf_counter() - start:.0f} s; state the kill left: "
          + ", ".join(f"{k} {v}" for k, v in sorted(trials.states.items())))
    print(f"{len(trials.failures)} trials broke an invariant")
    return 1 if trials.failures else 0


if __name__ == "__main__":
    sys.exit(main())
