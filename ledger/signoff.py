"""Signing finished items off (销号) on evidence (佐证材料).

An item its lead unit reported 已完成 (the status meaning ``done``, in a current submission that
counts) waits for sign-off: first for evidence (``awaiting_evidence``), then, once the unit attached
some, for an office user (``awaiting_signoff``). The office signs it off (``signed_off``: 已销号,
with its date, in status, report, 通报, and locked in later templates) or rejects the evidence with
a comment (``rejected``: the unit may attach more). Every step is a row of ``signoffs`` with who and
when; the item's state is read from its rows, so nothing is overwritten. Rows are keyed by the
item's lineage (``items.lineage``: the same task in every version of the plan, whatever it is
numbered then); an item is named to the office by its reference: its number, or, where numbering
starts again in each part, the part's numeral and its number (二1, 二（三）2). The evidence's content
is checked and stored by ``ledger.collect.evidence``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import LedgerError
from ledger.plan.model import LEAD
from ledger.store import events
from ledger.store import schema as s

AWAITING_EVIDENCE, AWAITING_SIGNOFF, SIGNED_OFF, REJECTED = "awaiting_evidence", "awaiting_signoff", "signed_off", "rejected"
STATES = (AWAITING_EVIDENCE, AWAITING_SIGNOFF, SIGNED_OFF, REJECTED)
STATE_LABELS = {AWAITING_EVIDENCE: "待销号（待上传佐证材料）", AWAITING_SIGNOFF: "待销号（佐证材料待审核）",
                SIGNED_OFF: "已销号", REJECTED: "佐证材料被退回"}
EVIDENCE, APPROVED, REJECT = "evidence", "approved", "rejected"
MAX_COMMENT = 2000


class SignoffError(LedgerError):
    """A sign-off or a piece of evidence that cannot be taken (unknown item, not finished, another unit's)."""


@dataclass
class Evidence:
    id: int
    file_name: str
    stored_path: str
    unit: str
    by: str
    at: datetime


@dataclass
class ItemSignoff:
    """A finished item's way to 已销号."""

    number: str                                # the item's reference in the current plan (``references``)
    title: str
    lead: list[str]
    state: str
    done_period: str | None = None             # the latest month its lead reported 已完成
    evidence: list[Evidence] = field(default_factory=list)
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    comment: str = ""                          # the latest rejection's (or sign-off's) comment
    identity: int = 0                          # the item's lineage: what its rows are keyed by

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "lead": self.lead, "state": self.state,
                "done_period": self.done_period, "evidence": [e.file_name for e in self.evidence],
                "signed_off_by": self.signed_off_by,
                "signed_off_at": self.signed_off_at.isoformat() if self.signed_off_at else None,
                "comment": self.comment}


def _utc(t: datetime | None) -> datetime | None:
    from ledger.report.data import as_utc

    return as_utc(t) if t is not None else None


def references(items) -> dict[int, str]:
    """Item id -> how the office names the item: its number, where no other item of the plan has it;
    else its parts' numerals and its number run together (一1, 二1), as plans number again in each part."""
    numbers = Counter(i.number for i in items)
    out = {i.id: i.number if numbers[i.number] == 1 else f"{i.path_numbers}{i.number}" for i in items}
    taken = Counter(out.values())
    for i in items:                     # the same numerals and number twice: told apart by title
        if taken[out[i.id]] > 1:
            out[i.id] = f"{out[i.id]}（{i.title[:12]}）"
    return out


def find_item(items, reference: str):
    """The item a reference names: exactly, or by its bare number when only one item has it; an
    unknown or ambiguous reference is refused, naming the choices."""
    ref = "".join((reference or "").split())
    refs = references(items)
    by_ref = {refs[i.id]: i for i in items}
    if ref in by_ref:
        return by_ref[ref]
    bare = ref.replace("、", "").replace("．", "").replace(".", "")
    found = [i for i in items if refs[i.id].replace("、", "") == bare] or [i for i in items if i.number == ref]
    if len(found) == 1:
        return found[0]
    if found:
        choices = "；".join(f"{refs[i.id]} {i.title}" for i in found)
        raise SignoffError(f"编号为“{ref}”的任务不止一项（{choices}）：请写明是哪一项，如“{refs[found[0].id]}”")
    raise SignoffError(f"没有编号为“{ref}”的任务：用 ledger plan show 查看任务编号")


def done_lineages(conn: Connection, vocabulary) -> dict[int, str]:
    """Items (by lineage) a lead unit reported 已完成 in a current submission that counts -> latest such period."""
    from ledger.report.data import counted

    sub, r, i = s.submissions, s.submission_rows, s.items
    query = (sa.select(_lineage(i), r.c.status, sub.c.period).join(sub, sub.c.id == r.c.submission_id)
             .join(i, i.c.id == r.c.item_id).where(sub.c.is_current, counted(), r.c.role == LEAD))
    out: dict[int, str] = {}
    for lineage, status, period in conn.execute(query):
        if vocabulary.is_(status, "done") and period > out.get(lineage, ""):
            out[lineage] = period
    return out


def _lineage(items: sa.Table):
    return sa.func.coalesce(items.c.lineage, items.c.id)


def _state(rows: list, done: bool) -> tuple[str | None, Any]:
    """The item's state from its rows (oldest first) and the decision row in force."""
    decision = next((row for row in reversed(rows) if row.action in (APPROVED, REJECT)), None)
    if decision is not None and decision.action == APPROVED:
        return SIGNED_OFF, decision
    after = [row for row in rows if row.action == EVIDENCE and (decision is None or row.id > decision.id)]
    if after:
        return AWAITING_SIGNOFF, decision
    if decision is not None:
        return REJECTED, decision
    return (AWAITING_EVIDENCE, None) if done else (None, None)


def item_states(engine: Engine, vocabulary, lineages: set[int] | None = None, plan=None) -> list[ItemSignoff]:
    """Every item of the current plan (``plan``, when the caller has read it) that was reported
    已完成 or has sign-off rows, in plan order."""
    from ledger.store.plans import load_plan

    plan = plan or load_plan(engine)
    refs = references(plan.items)
    so, u = s.signoffs, s.units
    with engine.connect() as conn:
        done = done_lineages(conn, vocabulary)
        rows = conn.execute(sa.select(so, u.c.name.label("unit")).outerjoin(u, u.c.id == so.c.unit_id)
                            .order_by(so.c.id)).all()
    by_lineage: dict[int, list] = {}
    for row in rows:
        by_lineage.setdefault(row.item_lineage, []).append(row)
    out = []
    for item in plan.items:
        if lineages is not None and item.identity not in lineages:
            continue
        mine = by_lineage.get(item.identity, [])
        state, decision = _state(mine, item.identity in done)
        if state is None:
            continue
        evidence = [Evidence(r.id, r.file_name, r.stored_path, r.unit or "", r.by_name, _utc(r.at))
                    for r in mine if r.action == EVIDENCE]
        found = ItemSignoff(refs[item.id], item.title, list(item.lead), state, done.get(item.identity), evidence,
                            comment=decision.comment if decision is not None else "", identity=item.identity)
        if state == SIGNED_OFF:
            found.signed_off_by, found.signed_off_at = decision.by_name, _utc(decision.at)
        out.append(found)
    return out


def signoff_list(engine: Engine, vocabulary, state: str | None = None) -> list[ItemSignoff]:
    return [i for i in item_states(engine, vocabulary) if state is None or i.state == state]


def item_state(engine: Engine, vocabulary, number: str) -> ItemSignoff:
    """One item's sign-off state, the item named by its reference (``find_item``); an unknown or
    ambiguous reference, or an item not reported 已完成, is refused."""
    from ledger.store.plans import load_plan

    plan = load_plan(engine)
    item = find_item(plan.items, number)
    found = item_states(engine, vocabulary, {item.identity}, plan)
    if not found:
        raise SignoffError(f"第 {references(plan.items)[item.id]} 项任务尚未由牵头单位报为“已完成”，不能销号")
    return found[0]


def signed_off(engine: Engine) -> dict[int, datetime]:
    """Items signed off, by lineage, with when (later templates lock them as 已销号)."""
    so = s.signoffs
    with engine.connect() as conn:
        rows = conn.execute(sa.select(so.c.item_lineage, so.c.action, so.c.at)
                            .where(so.c.action.in_((APPROVED, REJECT))).order_by(so.c.id)).all()
    latest: dict[int, Any] = {}
    for row in rows:
        latest[row.item_lineage] = row
    return {n: _utc(r.at) for n, r in latest.items() if r.action == APPROVED}


@dataclass(frozen=True)
class SignedOff:
    """An item signed off, as the status, report and 通报 name it."""

    number: str
    title: str
    at: datetime          # aware; the office's zone once read for a period
    by: str
    this_month: bool = False
    evidence: tuple[tuple[str, str], ...] = ()     # (file name, workspace-relative path)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title, "signed_off_at": self.at.isoformat(),
                "signed_off_by": self.by, "this_month": self.this_month,
                "evidence": [{"file": name, "path": path} for name, path in self.evidence]}


def signed_off_in(conn: Connection, plan_id: int, period: str, zone, until: datetime | None = None) -> list[SignedOff]:
    """Items of the plan signed off by the end of the month after ``period`` (when its ledgers are
    reviewed), and by ``until`` (a locked month's lock), in plan order; ``this_month``: signed off in
    that month (本月销号)."""
    from ledger.period import shift

    from ledger.store.plans import plan_by_id

    reporting = shift(period, 1)
    so = s.signoffs
    rows = conn.execute(sa.select(so.c.item_lineage, so.c.action, so.c.at, so.c.by_name, so.c.file_name,
                                  so.c.stored_path).order_by(so.c.id)).all()
    latest: dict[int, Any] = {}
    evidence: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        when = _utc(row.at).astimezone(zone)
        if when.strftime("%Y-%m") > reporting or (until is not None and _utc(row.at) > until):
            continue
        if row.action == EVIDENCE:
            evidence.setdefault(row.item_lineage, []).append((row.file_name, row.stored_path))
        else:
            latest[row.item_lineage] = (row, when)
    if not latest:
        return []
    items = plan_by_id(conn, plan_id).items
    refs = references(items)
    return [SignedOff(refs[item.id], item.title, when, row.by_name, when.strftime("%Y-%m") == reporting,
                      tuple(evidence.get(item.identity, ())))
            for item in items if (found := latest.get(item.identity)) and (row := found[0]).action == APPROVED
            for when in (found[1],)]


# --- Decisions ----------------------------------------------------------------------------------
def _comment(comment: str, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not comment:
        raise SignoffError("请写明退回佐证材料的意见")
    if len(comment) > MAX_COMMENT:
        raise SignoffError(f"意见太长：{len(comment)} 个字，最多 {MAX_COMMENT} 个字")
    return comment


def serialise(conn: Connection) -> None:
    """Decisions on sign-offs one at a time (two reviewers deciding the same item)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE signoffs IN SHARE ROW EXCLUSIVE MODE")
    else:
        conn.execute(s.signoffs.update().where(sa.false()).values(comment=""))


def _decide(engine: Engine, vocabulary, number: str, action: str, by: str, comment: str) -> ItemSignoff:
    found = item_state(engine, vocabulary, number)
    with engine.begin() as conn:
        serialise(conn)
        found = item_state(engine, vocabulary, number) if conn.dialect.name == "postgresql" else found
        if found.state == SIGNED_OFF:
            raise SignoffError(f"第 {found.number} 项已于 {found.signed_off_at:%Y-%m-%d} 销号")
        if found.state != AWAITING_SIGNOFF:
            raise SignoffError(f"第 {found.number} 项还没有待审核的佐证材料（{found.label}），不能"
                               + ("销号" if action == APPROVED else "退回"))
        now = s._now()
        conn.execute(s.signoffs.insert().values(item_number=found.number, item_lineage=found.identity,
                                                action=action, by_name=by, at=now, comment=comment))
        verb = "销号" if action == APPROVED else "退回佐证材料"
        events.record(conn, "signoff", f"signoff-{action}",
                      f"{by}{verb}：第 {found.number} 项 {found.title}" + (f"：{comment}" if comment else ""),
                      {"item": found.number, "by": by, "comment": comment})
    return item_state(engine, vocabulary, found.number)


def approve(engine: Engine, vocabulary, number: str, by: str, comment: str = "") -> ItemSignoff:
    """Sign the item off (已销号) on the evidence attached."""
    return _decide(engine, vocabulary, number, APPROVED, by, _comment(comment, False))


def reject(engine: Engine, vocabulary, number: str, comment: str, by: str) -> ItemSignoff:
    """Send the evidence back with a comment; the unit may attach more."""
    return _decide(engine, vocabulary, number, REJECT, by, _comment(comment, True))


def evidence_target(engine: Engine, vocabulary, unit: str, number: str) -> tuple[ItemSignoff, int]:
    """The item a unit may attach evidence to, and the unit's id: its lead, reported 已完成, not signed off."""
    found = item_state(engine, vocabulary, number)
    if unit not in found.lead:
        raise SignoffError(f"第 {found.number} 项不是{unit}牵头的任务，只能由牵头单位（{'、'.join(found.lead)}）上传佐证材料")
    if found.state == SIGNED_OFF:
        raise SignoffError(f"第 {found.number} 项已销号，无需再上传佐证材料")
    with engine.connect() as conn:
        unit_id = conn.execute(sa.select(s.units.c.id).where(s.units.c.name == unit)).scalar()
    return found, unit_id


def record_evidence(conn: Connection, number: str, unit_id: int, unit: str, by: str, file_name: str,
                    stored_path: str, sha256: str, size: int, lineage: int) -> int:
    """Record a piece of evidence for the item of ``lineage`` (``number``: its reference then)."""
    row_id = conn.execute(s.signoffs.insert().values(
        item_number=number, item_lineage=lineage, unit_id=unit_id, action=EVIDENCE, by_name=by, at=s._now(),
        comment="", file_name=file_name, stored_path=stored_path, sha256=sha256, size=size)).inserted_primary_key[0]
    events.record(conn, "signoff", "signoff-evidence", f"{by}为{unit}上传第 {number} 项佐证材料“{file_name}”",
                  {"item": number, "unit": unit, "by": by, "file": stored_path})
    return row_id


def evidence_file(engine: Engine, evidence_id: int) -> dict[str, Any] | None:
    so = s.signoffs
    with engine.connect() as conn:
        row = conn.execute(sa.select(so).where(so.c.id == evidence_id, so.c.action == EVIDENCE)).mappings().first()
    return dict(row) if row else None


def evidenced_by_unit(engine: Engine) -> dict[str, frozenset[int]]:
    """The items (by lineage) each unit has attached evidence to (佐证材料), whatever their state: the
    content check on 已完成 rows asks it (``collect.quality``), once a collect run."""
    so = s.signoffs.c
    found: dict[str, set[int]] = {}
    with engine.connect() as conn:
        for unit, lineage in conn.execute(sa.select(s.units.c.name, so.item_lineage)
                                          .join(s.units, s.units.c.id == so.unit_id).where(so.action == EVIDENCE)):
            found.setdefault(unit, set()).add(lineage)
    return {unit: frozenset(lineages) for unit, lineages in found.items()}


def evidenced_items(engine: Engine, unit: str) -> frozenset[int]:
    """The items (by lineage) one unit has attached evidence to."""
    return evidenced_by_unit(engine).get(unit, frozenset())
