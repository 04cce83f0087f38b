"""ledger escalate on a small month: the right notice of the right colour to each unit, once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.store.escalations import notices
from ledger.supervise import escalate as escalate_module
from ledger.supervise.escalate import escalate
from ledger.supervise.replies import NoticeStateError, close_notice, reply_notice
from tests.supervise.scenario import CST, build

ISSUED = datetime(2024, 8, 8, 9, tzinfo=CST)

pytestmark = pytest.mark.slow     # each builds a workspace with two months of templates (over a second)


@pytest.fixture
def ws(tmp_path):
    return build(tmp_path / "ws")


def summary(ws):
    return sorted((n["unit"], n["colour"], [i["key"] for i in n["items"]]) for n in notices(ws.engine))


EXPECTED = [("发改局", "red", ["red:一1"]), ("商务局", "blue", ["blue:一2"]),
            ("工信局", "yellow", ["content", "yellow:一3"]), ("教育局", "red", ["missing"])]


def test_each_lagging_or_overdue_unit_gets_one_notice_of_the_right_colour(ws):
    run = escalate(ws, "2024-07", now=ISSUED)
    assert summary(ws) == EXPECTED
    assert len(run.issued) == 4
    files = sorted(p.name for p in (ws.outbox_dir / "督办单" / "2024-07").iterdir())
    assert files == sorted(f"{i.number}_{i.draft.unit}_{ {'red': '红色', 'blue': '蓝色', 'yellow': '黄色'}[i.draft.colour]}督办单.docx"
                           for i in run.issued)
    red = next(n for n in notices(ws.engine) if n["unit"] == "发改局")
    assert "已逾期 16 天未完成" in red["items"][0]["why"]
    assert red["reply_due"].isoformat() == "2024-08-15" and red["state"] == "open"


def test_a_dry_run_issues_nothing(ws):
    run = escalate(ws, "2024-07", dry_run=True, now=ISSUED)
    assert len(run.issued) == 4 and notices(ws.engine) == []
    assert not (ws.outbox_dir / "督办单" / "2024-07").exists()


def test_a_rerun_issues_nothing_twice(ws):
    escalate(ws, "2024-07", now=ISSUED)
    again = escalate(ws, "2024-07", now=ISSUED + timedelta(hours=1))
    assert again.issued == [] and len(notices(ws.engine)) == 4


@pytest.mark.parametrize("step", ["recorded", "renamed"])
def test_a_run_killed_while_issuing_leaves_no_half_and_its_rerun_issues_each_notice_once(ws, monkeypatch, step):
    calls = []

    def crash(where):
        calls.append(where)
        if where == step and len(calls) > 2:       # the second notice dies at that step
            raise KeyboardInterrupt

    monkeypatch.setattr(escalate_module, "_step_hook", crash)
    with pytest.raises(KeyboardInterrupt):
        escalate(ws, "2024-07", now=ISSUED)
    assert len(notices(ws.engine)) == 1
    monkeypatch.setattr(escalate_module, "_step_hook", lambda where: None)
    escalate(ws, "2024-07", now=ISSUED)
    assert summary(ws) == EXPECTED
    folder = ws.outbox_dir / "督办单" / "2024-07"
    assert sorted(p.name for p in folder.iterdir()) == sorted(n["file"].rsplit("/", 1)[-1] for n in notices(ws.engine))
    assert [n["number"] for n in notices(ws.engine)] == [f"督办〔2024〕{k}号" for k in (1, 2, 3, 4)]


def test_an_unanswered_notice_goes_up_one_colour_on_the_next_run_and_only_once(ws):
    escalate(ws, "2024-07", now=ISSUED)
    blue = next(n for n in notices(ws.engine) if n["colour"] == "blue")
    yellow = next(n for n in notices(ws.engine) if n["colour"] == "yellow")
    assert escalate(ws, "2024-07", now=ISSUED + timedelta(days=7)).issued == []     # on the reply date: not late
    late = escalate(ws, "2024-07", now=ISSUED + timedelta(days=8))
    # blue -> yellow, yellow -> red; the red ones have nowhere higher to go
    assert [(i.draft.unit, i.draft.colour, i.draft.raised_from) for i in late.issued] == [
        ("商务局", "yellow", blue["id"]), ("工信局", "red", yellow["id"])]
    assert escalate(ws, "2024-07", now=ISSUED + timedelta(days=9)).issued == []
    assert next(n for n in notices(ws.engine) if n["id"] == blue["id"])["escalated_to"] == late.issued[0].id


def test_a_reply_stops_the_escalation_and_the_office_closes_the_notice(ws):
    escalate(ws, "2024-07", now=ISSUED)
    blue = next(n for n in notices(ws.engine) if n["colour"] == "blue")
    with pytest.raises(NoticeStateError):
        reply_notice(ws, "商务局", blue["id"], "   ")
    replied = reply_notice(ws, "商务局", blue["id"], "已倒排工期，8月15日前完成。", "计划.pdf", b"%PDF-1.4 ...",
                           now=ISSUED + timedelta(days=2))
    assert replied["state"] == "replied" and (ws.root / replied["reply_file"]).read_bytes() == b"%PDF-1.4 ..."
    later = escalate(ws, "2024-07", now=ISSUED + timedelta(days=30))
    assert [i.draft.unit for i in later.issued] == ["工信局"]        # the unit that did not answer
    kept = close_notice(ws, blue["id"], "请补充施工进度照片", keep_open=True, now=ISSUED + timedelta(days=3))
    assert kept["state"] == "open" and kept["comment"] == "请补充施工进度照片"
    assert kept["reply_due"].isoformat() == "2024-08-18"          # a new 反馈时限 from the day it was kept open
    closed = close_notice(ws, blue["id"], "已整改到位", by="王科长")
    assert closed["state"] == "closed" and closed["closed_by"] == "王科长"
    with pytest.raises(NoticeStateError):
        reply_notice(ws, "商务局", blue["id"], "补充说明")


def test_the_cli_lists_and_closes_notices(ws):
    runner = CliRunner()
    args = ["-w", str(ws.root)]
    assert runner.invoke(cli, [*args, "escalate", "--period", "2024-07", "--dry-run"]).exit_code == 0
    out = runner.invoke(cli, [*args, "escalate", "--period", "2024-07", "--json"])
    assert out.exit_code == 0, out.output
    issued = json.loads(out.output)
    assert issued["schema_version"] == 1 and len(issued["notices"]) == 4
    listed = json.loads(runner.invoke(cli, [*args, "escalations", "list", "--open", "--json"]).output)["escalations"]
    assert {n["colour"] for n in listed} == {"blue", "yellow", "red"}
    assert set(listed[0]) >= {"id", "unit", "colour", "items", "issued_at", "reply_due", "state", "reply"}
    done = runner.invoke(cli, [*args, "escalations", "close", str(listed[0]["id"]), "--comment", "已整改"])
    assert done.exit_code == 0 and "已办结" in done.output
    left = json.loads(runner.invoke(cli, [*args, "escalations", "list", "--open", "--json"]).output)["escalations"]
    assert len(left) == 3
    missing = runner.invoke(cli, [*args, "escalations", "close", "999"])
    assert missing.exit_code == 1 and "没有编号（ID）为 999 的督办单" in missing.output


def test_the_schedule_action_issues_the_notices_and_says_how_many(ws):
    from ledger.schedule import actions

    assert "escalate" in actions.registry()
    said = actions.registry()["escalate"](ws, "2024-07")
    assert said == "已签发2024年7月督办单 4 份：outbox/督办单/2024-07/"
    assert actions.registry()["escalate"](ws, "2024-07") == "2024年7月没有需要签发的督办单"


def test_a_unit_answers_its_notice_in_the_next_templates_column(ws):
    """A unit holding a 督办单 finds a 督办反馈 column in its next template; what it writes on the
    notice's task row is its reply, recorded when the file is accepted. Units without one have no such column."""
    import openpyxl

    from ledger import layout
    from ledger.collect.intake import collect_inbox
    from ledger.template.generate import generate_templates
    from tests.conftest import age, fill_all

    escalate(ws, "2024-07", now=ISSUED)
    made = {f.unit: f.path for f in generate_templates(ws, "2024-08").files}
    headers = {unit: [c.value for c in openpyxl.load_workbook(path)[layout.LEDGER_SHEET][layout.HEADER_ROW]]
               for unit, path in made.items()}
    assert all("督办反馈" in h for h in headers.values())           # every unit of this month holds one
    blue = next(n for n in notices(ws.engine) if n["unit"] == "商务局")
    close_notice(ws, blue["id"], "已整改到位", by="王科长")
    again = {f.unit: f.path for f in generate_templates(ws, "2024-08", units=["商务局"]).files}
    assert "督办反馈" not in [c.value for c in openpyxl.load_workbook(again["商务局"])[layout.LEDGER_SHEET][layout.HEADER_ROW]]

    filled = fill_all(made["发改局"], ws.root / "发改局8月.xlsx")
    book = openpyxl.load_workbook(filled)
    sheet = book[layout.LEDGER_SHEET]
    column = headers["发改局"].index("督办反馈") + 1
    sheet.cell(row=layout.FIRST_DATA_ROW, column=column, value="已于8月10日完成竣工验收，逾期原因系设备到货延迟。")
    book.save(ws.inbox_dir / "发改局8月.xlsx")
    age(ws.inbox_dir / "发改局8月.xlsx")
    result = collect_inbox(ws)
    assert [f.outcome for f in result.files] == ["accepted"], [f.findings for f in result.files]
    red = next(n for n in notices(ws.engine) if n["unit"] == "发改局")
    assert red["state"] == "replied" and red["reply"] == "第 1 项：已于8月10日完成竣工验收，逾期原因系设备到货延迟。"
