"""What must hold after any collect run, however the one before it ended (crash, kill -9).

Shared by the fault-injection tests and ``benchmarks/kill_collect.py``.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from ledger.durable import is_temporary
from ledger.store import schema as s


def inbox_snapshot(inbox: Path) -> dict[str, str]:
    """name relative to inbox/ -> sha256, of the regular files a department left there."""
    out = {}
    for path in sorted(inbox.rglob("*")):
        rel = path.relative_to(inbox).as_posix()
        if path.is_file() and not path.is_symlink() and rel != "README.md":
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def files_under(root: Path, *folders: str) -> set[str]:
    out = set()
    for folder in folders:
        for dirpath, _, names in os.walk(root / folder):
            out.update((Path(dirpath) / n).relative_to(root).as_posix() for n in names)
    return out


def violations(ws, original: dict[str, str], held: frozenset[str] = frozenset()) -> list[str]:
    """Every way the workspace breaks the invariants after a run that finished, given the inbox before
    the first run (``held``: names expected to stay in the inbox unrecorded)."""
    problems = []
    with ws.engine.connect() as conn:
        rows = conn.execute(sa.select(s.intake)).mappings().all()
        submissions = conn.execute(sa.select(s.submissions.c.intake_id)).scalars().all()
        logged = conn.execute(sa.select(s.events.c.detail).where(s.events.c.action == "collect")).scalars().all()
    left = inbox_snapshot(ws.inbox_dir)
    recorded = Counter(r["original_name"] for r in rows)
    for name, sha in original.items():
        if name in held:
            if name not in left or recorded[name]:
                problems.append(f"{name}: should be held in the inbox, unrecorded")
        elif recorded[name] != 1:
            problems.append(f"{name}: {recorded[name]} recorded outcomes")
        elif name in left:
            problems.append(f"{name}: recorded but still in the inbox")
    problems += [f"{name}: recorded but never in the inbox" for name in recorded if name not in original]
    sha_outcomes = Counter(r["sha256"] for r in rows if r["outcome"] != "duplicate")
    problems += [f"sha {sha[:8]}: taken in {n} times, not as a duplicate" for sha, n in sha_outcomes.items() if n > 1]
    stored = {p for r in rows for p in (r["stored_path"], r["feedback_path"]) if p}
    on_disk = files_under(ws.root, "archive", "outbox/returns")
    problems += [f"{p}: recorded, not on disk" for p in sorted(stored - on_disk)]
    problems += [f"{p}: on disk, not recorded" for p in sorted(on_disk - stored)]
    everything = files_under(ws.root, "archive", "outbox", "inbox", "templates")
    problems += [f"{p}: temporary left behind" for p in sorted(everything) if is_temporary(Path(p).name)]
    accepted = sorted(r["id"] for r in rows if r["outcome"] == "accepted")
    if sorted(submissions) != accepted:
        problems.append(f"submissions {sorted(submissions)} != accepted intake {accepted}")
    for outcome in ("accepted", "rejected", "duplicate"):
        in_log = sum(d.get(outcome, 0) for d in logged)
        in_store = sum(1 for r in rows if r["outcome"] == outcome)
        if in_log != in_store:
            problems.append(f"work log counts {in_log} {outcome}, the store {in_store}")
    return problems
