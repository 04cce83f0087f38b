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
    "schedule": ("schedule", "schedule", "定时任务：按 schedules/*.toml 自动下发模板、收集报送、催报和汇总。"),
    "links": ("links", "links", "各单位的网页报送链接：列出；签发新链接时写入本月分发清单（templates/<月份>/分发清单.xlsx）。"),
    "serve": ("serve", "serve", "网页报送：各单位凭专属链接下载模板、上传台账并当场看到校验结果；督查室查看报送看板。"),
    "log": ("log", "log", "工作日志：最近的导入、下发、收取、催报、汇总记录（谁在何时做了什么）。"),
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
