"""The office's review: approve or send back with a comment; a sent-back unit counts as 退回待重报
everywhere until it uploads again; each decision is one row naming who, never rewritten."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger import review
from ledger.cli import cli
from ledger.report import period_status
from ledger.report.status import REJECTED, write_reminders
from ledger.review import ReviewError
from ledger.store import schema as s
from tests.report.report_scenario import at, build_scenario, row, submit

JULY = "2024-07"


@pytest.fixture
def ws(tmp_path):
    ws = build_scenario(tmp_path / "ws")
    ws.set_setting("review.required", True)
    return ws


def states(ws) -> dict[str, str]:
    return {r.unit: r.state for r in review.review_list(ws.engine, JULY)}


def outcome(ws, unit: str):
    return next(u for u in period_status(ws, JULY).units if u.unit.name == unit)


def test_an_accepted_ledger_waits_for_review_then_is_approved_by_name(ws):
    assert states(ws)["发改局"] == "pending" and outcome(ws, "发改局").review_label == "待审核"
    done = review.approve(ws.engine, JULY, "发改局", "张三")
    assert done.state == "approved" and done.reviewed_by == "张三"
    assert outcome(ws, "发改局").review == "approved" and outcome(ws, "发改局").reported


def test_a_sent_back_unit_counts_as_rejected_until_it_uploads_again(ws):
    before = period_status(ws, JULY).totals
    review.send_back(ws.engine, JULY, "工信局", "“手续办理中”太笼统，请写明办到哪一步", "张三", item="3")
    status = outcome(ws, "工信局")
    assert status.outcome == REJECTED and "请写明办到哪一步" in status.reason() and "第 3 项" in status.reason()
    after = period_status(ws, JULY).totals
    assert (after.rejected, after.reported) == (before.rejected + 1, before.reported - 1)
    assert "工信局" in [u.unit.name for u in period_status(ws, JULY).waiting()]
    path = write_reminders(ws, period_status(ws, JULY))
    assert path.is_file()
    submit(ws, JULY, "工信局", at("2024-08-05 20:00"), {"3": row("严重滞后", 12, "已完成土地预审", problems="土地指标不足")})
    again = outcome(ws, "工信局")
    assert again.reported and again.review == "pending" and states(ws)["工信局"] == "pending"


def test_the_report_leaves_out_a_sent_back_ledgers_rows(ws):
    from ledger.report.data import period_entries, snapshot, unit_names
    from ledger.store.plans import load_plan

    def reporters() -> set[str]:
        plan = load_plan(ws.engine)
        with snapshot(ws.engine) as conn:
            return {e.unit for e in period_entries(conn, JULY, plan, unit_names(conn))}

    assert "民政局" in reporters()
    review.send_back(ws.engine, JULY, "民政局", "数据与民政系统不符", "张三")
    assert "民政局" not in reporters() and "发改局" in reporters()


@pytest.mark.parametrize("call, says", [
    (lambda e: review.approve(e, JULY, "教育局", "张三"), "教育局没有2024年7月可审核的报送"),
    (lambda e: review.approve(e, JULY, "不存在局", "张三"), "没有名为“不存在局”的单位"),
    (lambda e: review.send_back(e, JULY, "发改局", "意" * 2001, "张三"), "意见太长：2001 个字，最多 2000 个字"),
    (lambda e: review.send_back(e, JULY, "发改局", "  ", "张三"), "请写明退回意见"),
    (lambda e: review.send_back(e, JULY, "发改局", "不对", "张三", item="5"), "编号“5”不是该单位承担的任务"),
    (lambda e: review.send_back(e, JULY, "发改局", "不对", "张三", item="99"), "编号“99”不是该单位承担的任务"),
])
def test_bad_input_is_one_line_and_changes_nothing(ws, call, says):
    with pytest.raises(ReviewError, match=says):
        call(ws.engine)
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.reviews)).scalar() == 0


def test_a_decision_is_made_once_and_an_approval_applies_to_the_submission_it_named(ws):
    named = review.review_list(ws.engine, JULY)[0]
    submit(ws, JULY, named.unit, at("2024-08-05 21:00"), {"1": row("已完成", 100, "新版")})     # a new upload lands
    done = review.approve(ws.engine, JULY, named.unit, "张三", submission_id=named.submission_id)
    assert done.submission_id == named.submission_id
    assert states(ws)[named.unit] == "pending"                  # the new submission waits for its own review
    with pytest.raises(ReviewError, match="不能再次审核"):
        review.send_back(ws.engine, JULY, named.unit, "晚了", "李四", submission_id=named.submission_id)


def test_two_reviewers_racing_end_in_one_decision(ws):
    import threading

    from ledger.store.schema import connect

    engines = [connect(ws.db_url) for _ in range(2)]
    target = review.review_list(ws.engine, JULY)[0]
    results: list = []

    def decide(engine, who):
        try:
            results.append(review.approve(engine, JULY, target.unit, who, submission_id=target.submission_id).reviewed_by)
        except ReviewError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=decide, args=(e, n)) for e, n in zip(engines, ("张三", "李四"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r in ("张三", "李四") for r in results) == 1, results
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.reviews)).scalar() == 1


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


def test_review_commands_and_their_json(ws):
    sent = run(ws, "review", "send-back", "--period", JULY, "--unit", "商务局", "--comment", "资金问题请细化", "--item", "2")
    assert sent.exit_code == 0, sent.output
    assert run(ws, "review", "approve", "--period", JULY, "--unit", "发改局").exit_code == 0
    listed = json.loads(run(ws, "review", "list", "--period", JULY, "--json").output)
    assert listed["period"] == JULY and "schema_version" in listed
    by_unit = {r["unit"]: r for r in listed["submissions"]}
    assert by_unit["商务局"]["state"] == "sent_back" and by_unit["商务局"]["items"] == [{"number": "2", "comment": "资金问题请细化"}]
    assert by_unit["发改局"]["state"] == "approved" and by_unit["发改局"]["reviewed_by"].endswith("（命令行）")
    assert by_unit["工信局"]["state"] == "pending" and by_unit["工信局"]["reviewed_at"] is None
    pending = json.loads(run(ws, "review", "list", "--period", JULY, "--state", "pending", "--json").output)
    assert {r["unit"] for r in pending["submissions"]} == {"工信局", "财政局", "民政局"}
    assert run(ws, "review", "approve", "--period", JULY, "--all").exit_code == 0
    assert states(ws) == {"发改局": "approved", "商务局": "sent_back", "工信局": "approved", "财政局": "approved", "民政局": "approved"}
    bad = run(ws, "review", "approve", "--period", JULY, "--unit", "教育局")
    assert bad.exit_code == 1 and bad.output.strip() == "错误：教育局没有2024年7月可审核的报送"
    log = run(ws, "log").output
    assert "退回修改商务局2024年7月台账（第 2 项）：资金问题请细化" in log


def test_without_review_required_the_commands_refuse(ws):
    ws.set_setting("review.required", False)
    result = run(ws, "review", "approve", "--period", JULY, "--unit", "发改局")
    assert result.exit_code == 1 and "未开启审核" in result.output
    assert outcome(ws, "发改局").review is None


def test_an_approval_racing_a_new_upload_ends_with_the_new_upload_pending(ws):
    import threading

    from ledger.store.schema import connect
    from ledger.workspace import Workspace

    named = next(r for r in review.review_list(ws.engine, JULY) if r.unit == "工信局")
    other = Workspace(ws.root)
    other.__dict__["engine"] = connect(ws.db_url)
    start = threading.Barrier(2)
    errors: list = []

    def approve():
        start.wait()
        try:
            review.approve(connect(ws.db_url), JULY, "工信局", "张三", submission_id=named.submission_id)
        except Exception as exc:       # noqa: BLE001 - reported below
            errors.append(exc)

    def upload():
        start.wait()
        submit(other, JULY, "工信局", at("2024-08-05 22:00"), {"3": row("严重滞后", 15, "新版")})

    threads = [threading.Thread(target=approve), threading.Thread(target=upload)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert review.submission_review(ws.engine, named.submission_id).state == "approved"
    current = next(r for r in review.review_list(ws.engine, JULY) if r.unit == "工信局")
    assert current.submission_id != named.submission_id and current.state == "pending"


def test_a_locked_month_is_not_reviewed(ws):
    from ledger.period_lock import lock_period

    lock_period(ws.engine, JULY, "张三")
    with pytest.raises(ReviewError, match="2024年7月已锁定（终版），不能再审核"):
        review.send_back(ws.engine, JULY, "发改局", "晚了", "李四")
    assert states(ws)["发改局"] == "pending"


def test_a_sent_back_ledger_costs_its_unit_in_the_score_with_the_offices_words(ws):
    from ledger.report.scores import score_units

    def of(unit):
        return next(u for u in score_units(ws, JULY).units if u.unit == unit)
    before = of("工信局").score
    review.send_back(ws.engine, JULY, "工信局", "请写明办到哪一步", "张三", item="3")
    after = of("工信局")
    [cut] = [d for d in after.deductions if "审核退回" in d.reason]
    assert cut.points == -ws.settings.scoring.sent_back and cut.item == "3" and "请写明办到哪一步" in cut.reason
    assert "张三" in cut.reason and cut.period == JULY
    assert after.score < before or "未报送" in " ".join(d.reason for d in after.deductions)


def test_the_review_page_rows_carry_the_content_flags_of_their_entries(ws):
    """What collect's content checks say of a row is beside it for the reviewer: a progress copied
    from last month is flagged, an honest one is not."""
    text = "完成用地预审和环评批复，正在办理施工许可，计划9月开工。"
    submit(ws, "2024-06", "工信局", at("2024-07-03 10:00"), {"3": row("滞后", 20, progress=text, problems="资金未到位")})
    submit(ws, JULY, "工信局", at("2024-08-03 10:00"), {"3": row("滞后", 30, progress=text, problems="资金未到位")})
    submit(ws, "2024-06", "民政局", at("2024-07-02 10:00"), {"6": row("超序时", 60, progress="新建日间照料中心2处，完成主体工程。")})
    submit(ws, JULY, "民政局", at("2024-08-02 10:00"), {"6": row("超序时", 75, progress="新建日间照料中心2处，完成装修并投入试运行。")})
    ids = {r.unit: r.submission_id for r in review.review_list(ws.engine, JULY)}
    [copied] = review.compare_rows(ws.engine, ids["工信局"], ws.settings)
    assert copied.number == "3" and len(copied.flags) == 1 and "疑似照搬上期内容" in copied.flags[0]
    [honest] = review.compare_rows(ws.engine, ids["民政局"], ws.settings)
    assert honest.flags == [] and honest.before["percent"] == 60
