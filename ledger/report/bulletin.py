"""The monthly 督查通报: its wording from the workspace's template, its figures from the period's data.

The template (``templates/通报模板.md``, written on first use) is plain text the office edits without
code: ``# `` starts the title, ``## `` a first-level heading (一、), ``### `` a second-level one
（（一）), ``> `` a line set right (the issuing office, the date), any other line a paragraph.
``{名称}`` placeholders are filled from ``fields``; a placeholder standing alone on its line may
become several paragraphs (one per lagging item, say). The figures are those of the consolidated
report and ``ledger status --json``: the same ``Consolidated`` gives both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.errors import LedgerError
from ledger.period import label, schedule_share
import ledger.report.merge as merge
from ledger.report.merge import count_changes, count_statuses
from ledger.report.sheets import date_text, percent_text, section_label
from ledger.report.status import LATE, MISSING, REJECTED

if TYPE_CHECKING:
    from ledger.report.model import Consolidated
    from ledger.workspace import Workspace

TEMPLATE_NAME = "通报模板.md"
PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")

DEFAULT_TEMPLATE = """\
# {计划名称}落实情况督查通报
（{月份}）

{报送范围}：

按照工作安排，{发文单位}对{月份}{计划名称}落实情况进行了调度。现将有关情况通报如下。

## 一、总体情况
{总体情况}
{报送情况}

## 二、分部分推进情况
{分部分情况}

## 三、存在的问题
### （一）滞后事项
{滞后情况}
{滞后事项}
### （二）逾期未完成事项
{逾期情况}
{逾期事项}
### （三）报送不及时单位
{报送不及时情况}
{红黑榜}

## 四、与上月比较
{与上月比较}

## 五、下步工作要求
一是加快滞后事项推进。各牵头单位要对照目标任务，逐项分析滞后原因，制定整改措施，明确完成时限，确保按序时进度推进。
二是压实工作责任。各责任单位主要负责同志要亲自调度，分管负责同志要靠上抓落实，配合单位要主动对接、协同推进。
三是按时报送台账。各单位要于每月{报送截止日}日前报送上月工作台账，如实填写进展情况、存在问题和下步计划，确保数据真实准确。

> {发文单位}
> {落款日期}
"""


class BulletinTemplateError(LedgerError):
    """The office's 通报模板 uses a placeholder the bulletin does not know."""


def template_path(ws: Workspace) -> Path:
    return ws.templates_dir / TEMPLATE_NAME


def read_template(ws: Workspace) -> str:
    """The workspace's template; the default one is written there on first use."""
    path = template_path(ws)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEFAULT_TEMPLATE, encoding="utf-8")
    return path.read_text(encoding="utf-8-sig")


def fields(report: Consolidated, office: str, deadline_day: int) -> dict[str, str | list[str]]:
    """Every placeholder's text: a string, or a list of paragraphs for the block placeholders."""
    totals, counts, total = report.status.totals, report.counts, len(report.merged)
    pace = schedule_share(report.period)
    as_of = report.status.as_of
    return {
        "计划名称": report.plan.title, "月份": label(report.period), "发文单位": office or "督查室",
        "报送范围": "各责任单位", "报送截止日": str(deadline_day),
        "落款日期": date_text(as_of.date() if as_of else report.status.deadline),
        "序时进度": percent_text(pace), "任务总数": str(total),
        "报送率": percent_text(totals.reporting_rate), "按时率": percent_text(totals.on_time_rate),
        "总体情况": _overall(report, counts, total, pace) + report.revision_text(),
        "报送情况": totals.sentence() + _corrections(report),
        "分部分情况": _sections(report),
        "滞后情况": _lag_sentence(report),
        "滞后事项": _lag_lines(report),
        "逾期情况": _overdue_sentence(report),
        "逾期事项": _overdue_lines(report),
        "报送不及时情况": _units_sentence(report),
        "与上月比较": _changes(report),
        "红黑榜": [],        # off unless [scoring] honour_roll: the best and worst scores (honour_roll)
    }


def _corrections(report: Consolidated) -> str:
    """The units whose figures of the month were corrected after its deadline (更正于 …)."""
    corrected = [f"{u.unit.name}（{u.correction_text()}）" for u in report.status.units if u.corrected_at]
    return f"其中{'、'.join(corrected)}的台账为截止后更正的内容，报送时间仍按原报送计。" if corrected else ""


def honour_roll(report: Consolidated, size: int = 3) -> list[str]:
    """红黑榜: the units with the best and the worst 考评 scores of the period, as paragraphs."""
    scores = report.scores
    if not scores:
        return []
    best = scores[:size]
    worst = [s for s in scores[::-1][:size] if s.score < scores[0].score and s not in best][::-1]
    line = lambda group: "、".join(f"{s.unit}（{s.score:g} 分）" for s in group)  # noqa: E731
    out = ["### （四）考评红黑榜", f"红榜：{line(best)}。"]
    if worst:
        out.append(f"黑榜：{line(worst)}。")
    return out


def _count_text(counts: dict[str, int]) -> str:
    return "，".join(f"{s} {n} 项" for s, n in counts.items() if n)


def _overall(report: Consolidated, counts: dict[str, int], total: int, pace: float) -> str:
    text = (f"{label(report.period)}，{report.plan.title}共有重点任务 {total} 项，"
            f"序时进度为 {percent_text(pace)}。其中{_count_text(counts)}。")
    if report.no_submissions:
        text = f"{label(report.period)}尚无单位报送，全部任务按未报送统计。" + text
    return text


def _sections(report: Consolidated) -> list[str]:
    groups: dict[tuple[str, str], list] = {}
    for m in report.merged.values():
        groups.setdefault((m.item.section_number, m.item.section), []).append(m)
    return [f"{title or section_label(number, title)}：共 {len(items)} 项，{_count_text(count_statuses(items, report.vocabulary))}。"
            for (number, title), items in groups.items()]


def _running(report: Consolidated) -> int:
    return sum(1 for n in report.streaks.values() if n >= 2)


def _lag_sentence(report: Consolidated) -> str:
    lagging = report.lagging()
    if not lagging:
        return "本月无滞后事项。"
    return f"本月滞后事项 {len(lagging)} 项，其中连续两个月及以上滞后 {_running(report)} 项："


def _lag_lines(report: Consolidated) -> list[str]:
    lines = []
    for n, m in enumerate(report.lagging(), start=1):
        streak = report.streaks.get(m.item.id, 1)
        text = f"{n}. {m.item.title}（牵头单位：{'、'.join(m.item.lead)}）：{m.status}"
        if m.percent is not None:
            text += f"，完成进度 {m.percent}%"
        if streak >= 2:
            text += f"，已连续滞后 {streak} 个月"
        problems = merge.problems(m).replace("\n", "；").rstrip("。；; ")
        lines.append(text + (f"。存在问题：{problems}" if problems else "") + "。")
    return lines


def _overdue_sentence(report: Consolidated) -> str:
    watch = report.status.deadlines
    if watch is None or not watch.overdue:
        return f"截至{date_text(report.status.deadline)}，无逾期未完成事项。" if watch else "本计划任务未设具体完成日期。"
    return f"已过完成时限仍未完成的事项 {len(watch.overdue)} 项："


def _overdue_lines(report: Consolidated) -> list[str]:
    watch = report.status.deadlines
    if watch is None:
        return []
    return [f"{n}. {d.item.title}（牵头单位：{'、'.join(d.item.lead)}）：完成时限{d.item.deadline_text}，"
            f"已逾期 {d.days} 天，目前{d.status}。" for n, d in enumerate(watch.overdue, start=1)]


def _names(report: Consolidated, outcome: str) -> list[str]:
    return [u.unit.name for u in report.status.units if u.outcome == outcome]


def _units_sentence(report: Consolidated) -> str:
    late, rejected, missing = (_names(report, o) for o in (LATE, REJECTED, MISSING))
    parts = [f"{what} {len(names)} 个：{'、'.join(names)}" for what, names in
             (("逾期报送", late), ("报送后被退回、尚未重报", rejected), ("未报送", missing)) if names]
    if not parts:
        return "各单位均按时报送。"
    return "；".join(parts) + "。"


def _changes(report: Consolidated) -> str:
    before = label(report.previous_period)
    if report.previous is None:
        return f"上月（{before}）无报送数据，未作比较。"
    counts = count_changes(report.changes)
    text = f"与上月（{before}）相比：" + "，".join(f"{k} {n} 项" for k, n in counts.items()) + "。"
    return text if report.changes else text + "各项任务状态与上月相同。"


def fill(template: str, values: dict[str, str | list[str]]) -> list[str]:
    """The template's lines with their placeholders filled; a block placeholder alone on its line
    becomes its paragraphs (none when empty)."""
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(template)} - set(values))
    if unknown:
        raise BulletinTemplateError(
            f"通报模板中的{'、'.join('{' + u + '}' for u in unknown)}不是可用的占位符：请改正模板"
            f"（可用的有：{'、'.join('{' + k + '}' for k in values)}）")
    out: list[str] = []
    for line in template.splitlines():
        alone = PLACEHOLDER.fullmatch(line.strip())
        if alone and isinstance(values[alone.group(1)], list):
            out.extend(values[alone.group(1)])
            continue
        out.append(PLACEHOLDER.sub(lambda m: _text(values[m.group(1)]), line))
    return out


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)

