"""CLI commands, one module each, imported only when used so that every command starts fast.

``COMMANDS`` names each command's module and attribute, and the one-line help ``ledger --help``
lists without importing it; a test checks the line against the command's own help.
"""

from __future__ import annotations

from importlib import import_module

import click

# command name -> (module under ledger.commands, attribute, one-line help as listed)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "plan": ("plan", "plan", "计划：导入工作要点通知、查看、导出审核表并导回。"),
    "templates": ("templates", "templates", "为每个责任单位生成本月台账模板（templates/<月份>/）。"),
    "collect": ("collect", "collect", "收取 inbox/ 中报回的台账：校验后入库，或生成退回意见。"),
    "status": ("report", "status", "查看各责任单位某月的报送情况：按时、逾期、退回待重报、未报送。"),
    "report": ("report", "report", "生成某月工作台账汇总表和督查通报（outbox/reports/<月份>/），供领导审阅。"),
    "corrections": ("corrections", "corrections", "更正审核：报送截止且已汇总后，单位再报已报送月份的台账（更正），暂存待督查室审核。"),
    "schedule": ("schedule", "schedule", "定时任务：按 schedules/*.toml 自动下发模板、收集报送、催报和汇总。"),
    "links": ("links", "links", "各单位的网页报送链接：列出；签发新链接时写入本月分发清单（templates/<月份>/分发清单.xlsx）。"),
    "serve": ("serve", "serve", "网页报送：各单位凭专属链接下载模板、上传台账并当场看到校验结果；督查室查看报送看板。"),
    "codes": ("codes", "codes", "问题代码一览：退回意见、网页结果和 --json 中每个问题代码的含义和修改方法。"),
    "escalate": ("escalate", "escalate", "督办：按规则给进度滞后、临近或超过完成时限、报送缺失的单位签发督办单（outbox/督办单/<月份>/）。"),
    "escalations": ("escalate", "escalations", "督办单：列出已签发的督办单及各单位反馈，办结销号。"),
    "score": ("score", "score", "考评：按 ledger.toml 的 [scoring] 计算各单位得分和排名，每项扣分都注明原因。"),
    "log": ("log", "log", "工作日志：最近的导入、下发、收取、催报、汇总记录（谁在何时做了什么）。"),
    "review": ("review", "review", "审核：校验通过的台账须经督查室通过，或写明意见退回修改（需在 ledger.toml 中开启 [review] required）。"),
    "lock": ("lock", "lock", "锁定某月：此后不再接收该月报送（迟到的文件以“已锁定”退回），汇总表和督查通报标为终版。"),
    "unlock": ("lock", "unlock", "解锁某月（须写明理由，记入工作日志），此后重新接收该月报送。"),
    "signoff": ("signoff", "signoff", "销号：牵头单位报“已完成”的任务，凭佐证材料由督查室销号，或写明意见退回佐证材料。"),
    "evidence": ("signoff", "evidence", "佐证材料：督查室代单位上传已完成任务的佐证材料（PDF、JPG、PNG、DOCX、XLSX）。"),
    "users": ("users", "users", "督查室账号：添加、查看、停用、改密码（网页上每次操作都记下是谁）。"),
    "units": ("units", "units", "单位及其联系人（联系人、手机、邮箱）：催报消息按这里的手机和邮箱发送。"),
    "remind": ("remind", "remind", "催报：按设置的发送渠道（邮件、企业微信、钉钉、飞书、网关）提醒未报送的单位，每条只发一次。"),
    "backup": ("backup", "backup", "备份工作区：数据库快照和 ledger.toml、链接密钥、模板、归档、outbox 等打成一个带校验值的备份文件。"),
    "restore": ("backup", "restore", "从备份文件恢复出一个新的工作区（目录须不存在或为空；备份文件损坏时不做任何恢复）。"),
    "demo": ("demo", "demo", "演示：在新工作区中用示例通知跑通导入、下发、收取、催报、汇总的完整流程。"),
}


def load(name: str) -> click.Command | None:
    """The command of that name, importing its module now."""
    if name not in COMMANDS:
        return None
    module, attr, _ = COMMANDS[name]
    return getattr(import_module(f"ledger.commands.{module}"), attr)
