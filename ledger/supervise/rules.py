"""Which unit gets a 督办单 of which colour, and why: a pure function of the period's facts.

Blue: a task not done whose 完成时限 falls within ``blue_days`` after the period's end. Yellow: a
task ``behind_points`` or more behind 序时进度, lagging ``lag_months`` months running, or a ledger
with ``content_flags`` or more content findings. Red: a task past its 完成时限 and not done, or a
unit with no accepted ledger ``missing_periods`` periods running. A task is named once, in its most
severe colour. An open notice past its 反馈时限 is raised one colour (``raise_overdue``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.settings import EscalationSettings

BLUE, YELLOW, RED = "blue", "yellow", "red"
COLOURS = (BLUE, YELLOW, RED)                      # least to most severe
COLOUR_LABELS = {BLUE: "蓝色", YELLOW: "黄色", RED: "红色"}
NEXT = {BLUE: YELLOW, YELLOW: RED}


@dataclass(frozen=True)
class Reason:
    """One 督办事项: a stable key (rule and task), the task's number and title, and why."""

    key: str
    number: str
    title: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "number": self.number, "title": self.title, "why": self.why}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Reason":
        return cls(d["key"], d.get("number", ""), d.get("title", ""), d.get("why", ""))


@dataclass
class Draft:
    """A notice to issue: one unit, one colour, its items."""

    unit: str
    colour: str
    items: list[Reason] = field(default_factory=list)
    raised_from: int | None = None         # the open notice this one raises a colour


@dataclass(frozen=True)
class Task:
    """A unit's task as reported for the period (the unit leads it)."""

    unit: str
    key: str                   # the task's stable name: part path numerals and number
    number: str
    title: str
    deadline: date | None
    deadline_text: str
    done: bool
    percent: int | None        # None: not reported
    lagging: bool
    streak: int = 0            # months lagging running, this one included


@dataclass(frozen=True)
class UnitFacts:
    unit: str
    missing_run: int = 0       # periods running, ending with this one, without an accepted ledger
    content_flags: int = 0     # content findings in its current ledger of the period


def decide(tasks: list[Task], units: list[UnitFacts], as_of: date, pace: int,
           rules: EscalationSettings) -> list[Draft]:
    """The notices the facts call for, one per unit and colour, units in the order given."""
    found: dict[tuple[str, str], dict[str, Reason]] = {}
    named: dict[tuple[str, str], str] = {}     # (unit, task key) -> its colour so far

    def add(unit: str, colour: str, reason: Reason, task_key: str = "") -> None:
        if task_key:
            before = named.get((unit, task_key))
            if before and COLOURS.index(before) >= COLOURS.index(colour):
                return
            if before:
                found[(unit, before)] = {k: r for k, r in found[(unit, before)].items() if not k.endswith(":" + task_key)}
            named[(unit, task_key)] = colour
        found.setdefault((unit, colour), {})[reason.key] = reason

    for fact in units:
        if fact.missing_run >= rules.missing_periods:
            add(fact.unit, RED, Reason("missing", "", "工作台账报送", f"连续 {fact.missing_run} 期未报送工作台账"))
        if fact.content_flags >= rules.content_flags:
            add(fact.unit, YELLOW, Reason("content", "", "工作台账填报质量",
                                          f"本期台账有 {fact.content_flags} 处内容审核提示（照搬上月、过于简略等）"))
    for t in tasks:
        for colour, why in _task_reasons(t, as_of, pace, rules):
            add(t.unit, colour, Reason(f"{colour}:{t.key}", t.number, t.title, why), t.key)
    order = {u.unit: n for n, u in enumerate(units)}
    drafts = [Draft(unit, colour, list(reasons.values())) for (unit, colour), reasons in found.items() if reasons]
    return sorted(drafts, key=lambda d: (order.get(d.unit, len(order)), d.unit, COLOURS.index(d.colour)))


def _task_reasons(t: Task, as_of: date, pace: int, rules: EscalationSettings):
    if t.done:
        return
    when = f"完成时限 {t.deadline_text or t.deadline}"
    if t.deadline is not None and t.deadline < as_of:
        yield RED, f"{when}，已逾期 {(as_of - t.deadline).days} 天未完成"
    elif t.deadline is not None and (t.deadline - as_of).days <= rules.blue_days:
        yield BLUE, f"{when}，距完成时限 {(t.deadline - as_of).days} 天，尚未完成"
    if t.percent is not None and pace - t.percent >= rules.behind_points:
        yield YELLOW, f"完成进度 {t.percent}%，落后序时进度（{pace}%）{pace - t.percent} 个百分点"
    elif t.lagging and t.streak >= rules.lag_months:
        yield YELLOW, f"连续 {t.streak} 个月滞后"


def raise_overdue(notice: dict[str, Any], today: date) -> Draft | None:
    """The notice one colour up for an open notice past its 反馈时限 (none for red, or not yet due)."""
    if notice["state"] != "open" or notice["reply_due"] >= today or notice.get("escalated_to"):
        return None
    colour = NEXT.get(notice["colour"])
    if colour is None:
        return None
    number = notice.get("number", "")
    items = [Reason(f"raised:{notice['id']}:{r['key']}", r.get("number", ""), r.get("title", ""),
                    f"{r.get('why', '')}；{number}督办单逾期未反馈（反馈时限 {notice['reply_due']:%Y年%m月%d日}）")
             for r in notice["items"]]
    return Draft(notice["unit"], colour, items, raised_from=notice["id"])
