"""The reminders' wording: the workspace's ``templates/催报消息模板.md``, written on first use.

The office edits it without code. ``## 种类`` (``## due_soon``) starts a kind's section; its first
line is the subject (an e-mail's subject, a robot message's bold first line), the other lines the
body. Lines starting with a single ``#`` are notes for the office and are never sent. ``{名称}``
placeholders are filled from ``FIELDS``; an unknown one is refused, naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import LedgerError
from ledger.settings import MESSAGE_KINDS

TEMPLATE_NAME = "催报消息模板.md"
PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")
FIELDS = ("单位", "月份", "截止日期", "剩余天数", "链接", "应报事项", "退回原因", "发文单位", "联系人", "联系电话",
          "督办单号", "督办颜色", "反馈时限", "督办事项")       # the last four: a 督办单 (escalation)
ADDED_LATER = ("sent_back", "escalation")     # kinds an older workspace's template has no section for
KIND_LABELS = {"due_soon": "即将截止", "due_today": "今日截止", "overdue": "逾期未报", "rejected": "退回待重报",
               "sent_back": "退回修改", "escalation": "督办单待反馈", "digest": "催报汇总"}

DEFAULT_TEMPLATE = """\
# 催报消息模板（ledger remind 按此发送）。“## 种类”下第一行是标题，其余各行是正文；以单个 # 开头的行是说明，不会发出。
# 可用的占位符：{单位} {月份} {截止日期} {剩余天数} {链接} {应报事项} {退回原因} {发文单位} {联系人} {联系电话}
# 督办单另有：{督办单号} {督办颜色} {反馈时限} {督办事项}
# 种类：due_soon 即将截止、due_today 今日截止、overdue 逾期未报、rejected 退回待重报（未通过校验）、
# sent_back 督查室审核退回、escalation 督办单待反馈。

## due_soon
【提醒】{月份}工作台账将于{截止日期}截止报送
{单位}：
{月份}工作台账（{应报事项}）将于{截止日期}截止报送，还有 {剩余天数} 天，请及时填报。
报送链接：{链接}
{发文单位}　联系人：{联系人} {联系电话}

## due_today
【提醒】今天是{月份}工作台账报送截止日
{单位}：
{月份}工作台账（{应报事项}）今天（{截止日期}）截止报送，贵单位尚未报送，请于今天内完成。
报送链接：{链接}
{发文单位}　联系人：{联系人} {联系电话}

## overdue
【催报】{月份}工作台账已逾期未报
{单位}：
{月份}工作台账（{应报事项}）已于{截止日期}截止，贵单位尚未报送，请尽快报送。
报送链接：{链接}
{发文单位}　联系人：{联系人} {联系电话}

## rejected
【退回】{月份}工作台账未通过校验，请修改后重新报送
{单位}：
贵单位报送的{月份}工作台账未通过校验：{退回原因}
请按退回意见修改后重新报送（截止{截止日期}）。
报送链接：{链接}
{发文单位}　联系人：{联系人} {联系电话}

## sent_back
【退回修改】{月份}工作台账经督查室审核退回，请修改后重新报送
{单位}：
贵单位报送的{月份}工作台账经督查室审核退回：{退回原因}
请按意见修改后重新报送（报送页可下载《退回意见》表）。
报送链接：{链接}
{发文单位}　联系人：{联系人} {联系电话}

## escalation
【督办】{督办颜色}督办单 {督办单号}，请于{反馈时限}前反馈
{单位}：
督查室已就{月份}工作向贵单位发出{督办颜色}督办单（{督办单号}）：{督办事项}
请于{反馈时限}前在报送页填写办理情况并反馈。
报送链接：{链接}
{发文单位}　联系人：{联系人} {联系电话}
"""


class WordingError(LedgerError):
    """The office's 催报消息模板 cannot be used as it stands."""


@dataclass(frozen=True)
class Wording:
    subject: str
    body: list[str]

    def fill(self, values: dict[str, str]) -> tuple[str, str]:
        """(subject, body) with the placeholders filled."""
        def one(line: str) -> str:
            return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), line)
        return one(self.subject), "\n".join(one(line) for line in self.body).strip("\n")


def template_path(templates_dir: Path) -> Path:
    return templates_dir / TEMPLATE_NAME


def read_wordings(templates_dir: Path, write: bool = True) -> dict[str, Wording]:
    """The workspace's wording by kind; the default template is written on first use (``write``;
    a preview reads the default without writing it)."""
    path = template_path(templates_dir)
    if not path.is_file():
        if not write:
            return parse(DEFAULT_TEMPLATE)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEFAULT_TEMPLATE, encoding="utf-8")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WordingError(f"无法读取催报消息模板“{path.name}”（{type(exc).__name__}）：请用 UTF-8 编码保存") from None
    found = parse(text, path.name)
    # Kinds added after a workspace's template may have been written speak in the default words
    # until the office writes a section of its own (to send none, leave them out of a channel's kinds).
    defaults = parse(DEFAULT_TEMPLATE)
    return {**{k: defaults[k] for k in ADDED_LATER if k in defaults and f"## {k}" not in text}, **found}



def parse(text: str, name: str = TEMPLATE_NAME) -> dict[str, Wording]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            kind = line[3:].strip()
            if kind not in MESSAGE_KINDS:
                raise WordingError(f"催报消息模板“{name}”第 {n} 行：“{kind}”不是消息种类，应为以下之一：{'、'.join(MESSAGE_KINDS)}")
            current = sections.setdefault(kind, [])
        elif line.startswith("#") and not line.startswith("##"):
            continue
        elif current is not None:
            current.append(line.rstrip())
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(text)} - set(FIELDS))
    if unknown:
        raise WordingError(f"催报消息模板“{name}”中的{'、'.join('{' + u + '}' for u in unknown)}不是可用的占位符，"
                           f"可用的有：{'、'.join('{' + f + '}' for f in FIELDS)}")
    out = {}
    for kind, lines in sections.items():
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            raise WordingError(f"催报消息模板“{name}”中“## {kind}”一节是空的：第一行写标题，其余写正文")
        out[kind] = Wording(lines[0].strip(), lines[1:])
    return out
