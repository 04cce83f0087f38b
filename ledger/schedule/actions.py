"""The action registry: action name -> callable ``(workspace, period) -> one-line Chinese summary``.

Implementations are imported inside each action, so a missing or broken module only fails the
job that uses it. Tests swap the registry with ``override``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ledger.period import label
from ledger.workspace import Workspace

Action = Callable[[Workspace, str], str]

LABELS = {"templates": "下发模板", "collect": "收集报送", "reminders": "催报名单", "report": "汇总表", "lock": "锁定月份",
          "escalate": "督办单", "backup": "备份",
          "remind_due_soon": "催报：即将截止", "remind_due_today": "催报：今日截止", "remind_overdue": "催报：逾期未报",
          "remind_rejected": "催报：退回待重报", "remind_sent_back": "催报：审核退回",
          "remind_escalation": "催报：督办单待反馈"}
PERIODLESS = {"collect", "backup"}   # actions that take no period from the job (collect: from the workbooks)
_COLLECT_LABELS = {"accepted": "接收", "rejected": "退回", "duplicate": "重复", "pending": "等待写入完成",
                  "held": "需督查室处理", "resumed": "完成上次中断的收尾"}


def templates(ws: Workspace, period: str) -> str:
    from ledger.template.generate import generate_templates

    from ledger.links import after_templates

    result = generate_templates(ws, period, command="schedule")
    links = after_templates(ws, period, command="schedule")
    return f"已生成{label(period)}模板 {len(result.files)} 个" + ("，报送链接已写入分发清单" if links else "")


def collect(ws: Workspace, period: str) -> str:
    """Collect the inbox; the period comes from each returned workbook, not from the job."""
    from ledger.collect.intake import collect_inbox

    result = collect_inbox(ws, command="schedule")
    return summarise_collect(result)


def reminders(ws: Workspace, period: str) -> str:
    from ledger.report import period_status, write_reminders

    status = period_status(ws, period)
    path = write_reminders(ws, status, command="schedule")
    waiting = len(status.waiting())
    return f"已生成{label(period)}催报名单（{waiting} 个单位待报送）：{ws.relative(Path(path))}"


def report(ws: Workspace, period: str) -> str:
    from ledger.report import make_report

    result = make_report(ws, period, command="schedule")
    return f"已生成{label(period)}汇总表：{ws.relative(Path(result.path))}"


def lock(ws: Workspace, period: str) -> str:
    """Lock the period (终版); a period locked already is left as it is."""
    from ledger.period_lock import locked, lock_period

    if locked(ws.engine, period):
        return f"{label(period)}已锁定，无需再锁"
    lock_period(ws.engine, period, "定时任务")
    return f"已锁定{label(period)}：不再接收该月报送"


def remind_action(kind: str) -> Action:
    """The action sending one kind of reminder; it sends nothing (and says so) until a channel is set."""
    def remind(ws: Workspace, period: str) -> str:
        from ledger.remind.run import remind as send

        if not ws.settings.channels:
            return "未设置发送渠道，未发送（在 ledger.toml 中添加 [[channels]] 后生效）"
        return send(ws, period, [kind], command="schedule").summary()
    remind.__name__ = f"remind_{kind}"
    return remind


def escalate(ws: Workspace, period: str) -> str:
    from ledger.supervise.escalate import escalate as run

    result = run(ws, period, command="schedule")
    if not result.issued:
        return f"{label(period)}没有需要签发的督办单"
    return f"已签发{label(period)}督办单 {len(result.issued)} 份：outbox/督办单/{period}/"


def backup(ws: Workspace, period: str) -> str:
    """Back the whole workspace up into backups/, keeping the latest eight (two months of weeks)."""
    from ledger.backup import make_backup

    result = make_backup(ws, keep=KEEP_BACKUPS, command="schedule")
    return f"已备份工作区：{ws.relative(result.path)}（{result.files} 个文件）"


KEEP_BACKUPS = 8


def summarise_collect(result: Any) -> str:
    """``收件箱 3 个文件：接收 2，退回 1``, tolerant of what the result carries."""
    files = list(getattr(result, "files", None) or [])
    totals = getattr(result, "totals", None) or {}
    if not files:
        return "收件箱没有新文件"
    counts = "，".join(f"{_COLLECT_LABELS.get(str(k), str(k))} {v}" for k, v in dict(totals).items() if v)
    return f"收件箱 {len(files)} 个文件" + (f"：{counts}" if counts else "")


DEFAULT_ACTIONS: dict[str, Action] = {
    "templates": templates,
    "collect": collect,
    "reminders": reminders,
    "report": report,
    "lock": lock,
    **{f"remind_{kind}": remind_action(kind) for kind in ("due_soon", "due_today", "overdue", "rejected",
                                                          "sent_back", "escalation")},
    "escalate": escalate,
    "backup": backup,
}
_registry: dict[str, Action] = dict(DEFAULT_ACTIONS)


def registry() -> Mapping[str, Action]:
    """The actions jobs may name, in the order they are documented."""
    return _registry


def action_label(name: str) -> str:
    return LABELS.get(name, name)


@contextmanager
def override(actions: Mapping[str, Action]) -> Iterator[None]:
    """Use ``actions`` instead of the real registry inside the block (for tests)."""
    global _registry
    saved = _registry
    _registry = dict(actions)
    try:
        yield
    finally:
        _registry = saved
