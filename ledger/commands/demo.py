"""``ledger demo``: the whole cycle on a sample notice, for a new user."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.commands.common import PipeSafeEcho, echo_json
from ledger.commands.options import json_option
from ledger.demo import run_demo


@click.command()
@click.argument("directory", metavar="[目录]", required=False, default="demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-libreoffice", is_flag=True, help="不调用 LibreOffice 模拟另存")
@click.option("--db", "db_url", metavar="数据库地址",
              help="在数据库服务器上演示（须为空库），如 postgresql+psycopg://用户:密码@主机/库名")
@json_option
def demo(directory: Path, no_libreoffice: bool, db_url: str | None, as_json: bool) -> None:
    """演示：在新工作区中用示例通知跑通导入、下发、收取、催报、汇总的完整流程。

    示例：

    \b
      ledger demo
      ledger demo 演示2 --no-libreoffice
      ledger demo --db postgresql+psycopg://台账:密码@localhost/空库
      ledger demo --json
    """
    echo = PipeSafeEcho()            # `ledger demo | head -1` still builds the whole demo workspace
    if not as_json:
        echo(f"在 {directory}/ 中演示完整流程（模拟各单位填报，时间为模拟时间）……")
    result = run_demo(directory, echo=(lambda line: None) if as_json else echo, use_libreoffice=not no_libreoffice,
                      db_url=db_url)
    rel = lambda p: p.relative_to(result.root).as_posix()
    if as_json:
        echo_json({"workspace": str(result.root), "periods": result.periods, "story": result.story,
                   "status_line": result.status_line, "report": rel(result.report), "bulletin": rel(result.bulletin), "reminders": rel(result.reminders),
                   "returns": f"outbox/returns/{result.periods[-1]}", "templates": f"templates/{result.periods[-1]}",
                   "escalations": {"issued": result.escalated, "folder": f"outbox/督办单/{result.periods[-1]}"},
                   "libreoffice": result.libreoffice, "collect_rounds": [r.totals for r in result.rounds],
                   "web": {"office": "http://127.0.0.1:8000/office", "office_password": result.office_password,
                           "links": result.links, "missing": result.missing}})
        return
    echo("⑥ 各单位情况：")
    for line in result.story:
        echo(f"   · {line}")
    echo(f"⑦ {result.status_line}")
    echo("输出文件：")
    echo(f"   汇总表（领导阅）：{directory}/{rel(result.report)}")
    echo(f"   督查通报：        {directory}/{rel(result.bulletin)}")
    echo(f"   催报名单：        {directory}/{rel(result.reminders)}")
    echo(f"   退回意见：        {directory}/outbox/returns/{result.periods[-1]}/")
    echo(f"   各单位模板：      {directory}/templates/{result.periods[-1]}/")
    echo(f"   督办单（{result.escalated} 份）：{directory}/outbox/督办单/{result.periods[-1]}/"
         f"（ledger escalations list 查看，ledger score 查看考评得分）")
    echo(f"接下来可以试试：cd {directory} && ledger status --period {result.periods[-1]}")
    echo(f"在浏览器中继续这个月：cd {directory} && ledger serve，然后打开 http://127.0.0.1:8000/office"
         f"（演示密码 {result.office_password}）查看报送看板；")
    if result.missing:
        unit = result.missing[0]
        echo(f"   再以{unit}（未报送）的身份打开它的报送链接，下载模板、填好后上传，看板随即更新：")
        echo(f"   {result.links[unit]}")
    echo(f"   全部单位的链接：cd {directory} && ledger links")
    if echo.closed:
        click.echo(f"提示：输出在中途被截断（管道已关闭），演示仍已完整运行：{directory}/", err=True)
