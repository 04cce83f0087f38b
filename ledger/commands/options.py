"""Options several commands share, declared once (importing only click, so the root command stays fast)."""

from __future__ import annotations

from typing import Callable

import click

JSON_HELP = "以 JSON 输出结果（供脚本使用；每份 JSON 都带 schema_version）"
PERIOD_HELP = "报送月份 YYYY-MM（默认上月，即本月截止报送的月份）"

json_option = click.option("--json", "as_json", is_flag=True, help=JSON_HELP)


def period_option(help: str = PERIOD_HELP) -> Callable:
    """``--period 月份``, with the command's own default explained in ``help``."""
    return click.option("--period", metavar="月份", help=help)


def span_options(command: Callable) -> Callable:
    """``--year 年份`` and ``--quarter 季度``: a year or quarter view instead of one month."""
    command = click.option("--quarter", metavar="季度", help="按季度汇总，如 2024Q3（由已记录的各月组成）")(command)
    return click.option("--year", metavar="年份", help="按年度汇总，如 2024（由已记录的各月组成）")(command)
