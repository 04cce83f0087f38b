"""Saved web pages: text one block a line, task tables as rows, layout tables flowing as text."""

from __future__ import annotations

from ledger.plan.parse import parse_plan
from ledger.plan.sources import read_notice

PAGE = """<!DOCTYPE html><html><head><title>门户网站</title><style>p {color: red}</style>
<script>var x = "1. 不是任务";</script></head><body>
<table class="layout"><tr><td><div class="nav">首页 &gt; 政策文件</div></td></tr>
<tr><td>
<h1>示范县2024年工作要点</h1>
<p>一、增强科技创新能力</p>
<p>1. 新增高新技术企业10家以上。<br/>（县科技局负责）</p>
<p>2. 建设创新平台。（县发展改革局、县财政局负责）</p>
<table><tr><th>序号</th><th>重点任务</th><th>牵头单位</th></tr>
<tr><td>3</td><td>推进城市更新</td><td>县住建局</td></tr></table>
<p>附件：联系人名单</p>
</td></tr></table></body></html>"""


def test_a_saved_web_page(tmp_path):
    path = tmp_path / "要点.html"
    path.write_text(PAGE, encoding="utf-8")
    assert read_notice(path).splitlines() == [
        "首页 > 政策文件", "示范县2024年工作要点", "一、增强科技创新能力",
        "1. 新增高新技术企业10家以上。", "（县科技局负责）", "2. 建设创新平台。（县发展改革局、县财政局负责）",
        "序号 | 重点任务 | 牵头单位", "3 | 推进城市更新 | 县住建局", "附件：联系人名单"]


def test_a_saved_web_page_parses(tmp_path):
    path = tmp_path / "要点.htm"
    start, end = PAGE.index("<table><tr><th>"), PAGE.index("</table>") + len("</table>")
    path.write_bytes((PAGE[:start] + PAGE[end:]).encode("gb18030"))     # a page without the task table
    items = parse_plan(read_notice(path)).items
    assert [(i.number, i.lead) for i in items] == [("1", ["县科技局"]), ("2", ["县发展改革局", "县财政局"])]
