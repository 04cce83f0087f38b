"""Collect end to end: returned workbooks become submissions or feedback; no file is lost."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from ledger import layout
from ledger.collect import intake
from ledger.collect.intake import collect_inbox
from ledger.store import schema as s
from ledger.store.plans import save_plan
from ledger.template.generate import generate_templates
from ledger.workspace import Workspace
from tests.conftest import GOOD, age, fill_all, fill_template, sample_plan

UNIT = "县科技局"   # leads items 1 and 2, supports item 3


@pytest.fixture
def issued(planned):
    generate_templates(planned, "2024-07")
    return planned


def template(ws, unit=UNIT, period="2024-07") -> Path:
    return ws.templates_dir / period / f"{period}_{unit}.xlsx"


def drop(ws, source: Path, name: str | None = None) -> Path:
    target = ws.inbox_dir / (name or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return age(target)


def returned(ws, tmp_path, name="科技局7月台账(1).xlsx", **overrides) -> Path:
    """A correctly filled template of UNIT, renamed as departments do, in the inbox."""
    filled = fill_all(template(ws), tmp_path / "filled.xlsx", **overrides)
    return drop(ws, filled, name)


def stored_rows(ws, unit=UNIT, period="2024-07"):
    q = (sa.select(s.items.c.number, s.submission_rows)
         .join(s.submissions, s.submissions.c.id == s.submission_rows.c.submission_id)
         .join(s.units, s.units.c.id == s.submissions.c.unit_id)
         .join(s.items, s.items.c.id == s.submission_rows.c.item_id)
         .where(s.units.c.name == unit, s.submissions.c.period == period, s.submissions.c.is_current)
         .order_by(s.submission_rows.c.id))
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def count(ws, table) -> int:
    with ws.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def inbox_files(ws):
    return sorted(p.name for p in ws.inbox_dir.rglob("*") if p.is_file() and p.name != "README.md")


def only(result):
    assert len(result.files) == 1
    return result.files[0]


def codes(outcome, severity=None):
    return [f.code for f in outcome.findings if severity is None or f.severity == severity]


# --- the round trip -----------------------------------------------------------------------

def test_filled_template_is_accepted_and_stored_as_typed(issued, tmp_path):
    returned(issued, tmp_path)
    out = only(collect_inbox(issued))
    assert (out.outcome, out.unit, out.period, out.errors) == ("accepted", UNIT, "2024-07", 0)
    rows = stored_rows(issued)
    assert [(r["number"], r["role"]) for r in rows] == [("1", "lead"), ("2", "lead"), ("3", "support")]
    for r in rows:
        assert (r["progress"], r["status"], r["percent"], r["next_steps"], r["person"], r["phone"]) == (
            GOOD["progress"], GOOD["status"], GOOD["percent"], GOOD["next_steps"], GOOD["person"], GOOD["phone"])
        assert r["problems"] is None
    assert inbox_files(issued) == []
    archived = list((issued.archive_dir / "2024-07" / UNIT).iterdir())
    assert len(archived) == 1 and archived[0].name.endswith("科技局7月台账(1).xlsx")
    assert out.stored == issued.relative(archived[0])


def test_identified_by_content_not_by_name_or_folder(issued, tmp_path):
    returned(issued, tmp_path, name="邮件附件/2024/财政局的表.xlsx")
    out = only(collect_inbox(issued))
    assert (out.outcome, out.unit) == ("accepted", UNIT)
    assert not (issued.inbox_dir / "邮件附件").exists()


def test_the_same_bytes_again_are_a_duplicate(issued, tmp_path):
    path = returned(issued, tmp_path)
    copy = tmp_path / "again.xlsx"
    shutil.copyfile(path, copy)
    collect_inbox(issued)
    drop(issued, copy, "再次报送.xlsx")
    out = only(collect_inbox(issued))
    assert out.outcome == "duplicate"
    assert (out.findings[0].code, out.findings[0].severity) == ("file-duplicate", "warning")
    assert "内容完全相同" in out.findings[0].message
    assert count(issued, s.submissions) == 1
    assert inbox_files(issued) == []


def test_a_later_submission_supersedes_and_history_is_kept(issued, tmp_path):
    returned(issued, tmp_path, name="first.xlsx")
    collect_inbox(issued)
    returned(issued, tmp_path, name="second.xlsx", progress="更正后的进展。")
    collect_inbox(issued)
    from ledger.store.submissions import submission_history
    history = submission_history(issued.engine, "2024-07", UNIT)
    assert [h["is_current"] for h in history] == [False, True]
    assert history[0]["superseded_by"] == history[1]["id"]
    assert {r["progress"] for r in stored_rows(issued)} == {"更正后的进展。"}


def test_every_file_gets_exactly_one_recorded_outcome(issued, tmp_path):
    returned(issued, tmp_path, name="good.xlsx")
    returned(issued, tmp_path, name="bad.xlsx", status="差不多")
    (issued.inbox_dir / "notes.txt").write_text("不是工作簿")
    age(issued.inbox_dir / "notes.txt")
    result = collect_inbox(issued)
    assert sorted((f.file, f.outcome) for f in result.files) == [
        ("bad.xlsx", "rejected"), ("good.xlsx", "accepted"), ("notes.txt", "rejected")]
    with issued.engine.connect() as conn:
        recorded = conn.execute(sa.select(s.intake.c.original_name, s.intake.c.outcome, s.intake.c.sha256,
                                          s.intake.c.size)).all()
    assert sorted((r[0], r[1]) for r in recorded) == sorted((f.file, f.outcome) for f in result.files)
    assert all(len(r[2]) == 64 and r[3] > 0 for r in recorded)
    assert inbox_files(issued) == []


# --- intake rules ---------------------------------------------------------------------------

def test_lock_files_hidden_files_and_unsettled_files_are_left_alone(issued, tmp_path):
    (issued.inbox_dir / "~$科技局.xlsx").write_bytes(b"lock")
    (issued.inbox_dir / ".hidden.xlsx").write_bytes(b"x")
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    fresh = issued.inbox_dir / "fresh.xlsx"
    shutil.copyfile(filled, fresh)            # just written: not settled yet
    out = only(collect_inbox(issued))
    assert (out.file, out.outcome) == ("fresh.xlsx", "pending")
    assert sorted(inbox_files(issued)) == sorted([".hidden.xlsx", "fresh.xlsx", "~$科技局.xlsx"])
    assert count(issued, s.intake) == 0


def test_dry_run_reports_without_moving_or_storing(issued, tmp_path):
    returned(issued, tmp_path, name="good.xlsx")
    returned(issued, tmp_path, name="bad.xlsx", percent=150)
    result = collect_inbox(issued, dry_run=True)
    assert sorted((f.file, f.outcome) for f in result.files) == [("bad.xlsx", "rejected"), ("good.xlsx", "accepted")]
    assert inbox_files(issued) == ["bad.xlsx", "good.xlsx"]
    assert count(issued, s.intake) == 0 and count(issued, s.submissions) == 0
    assert not (issued.outbox_dir / "returns").exists()


# --- findings, one per code -------------------------------------------------------------------

@pytest.mark.parametrize("overrides, code, column, fragment", [
    ({"progress": None}, "required-empty", "本月进展情况", "不能为空"),
    ({"status": "差不多"}, "status-unknown", "完成状态", "不是有效的完成状态"),
    ({"percent": 150}, "percent-invalid", "完成进度(%)", "0 到 100"),
    ({"percent": -5}, "percent-invalid", "完成进度(%)", "0 到 100"),
    ({"percent": 55.5}, "percent-invalid", "完成进度(%)", "整数"),
    ({"percent": "八十"}, "percent-invalid", "完成进度(%)", "“八十”"),
    ({"status": "已完成", "percent": 60}, "done-not-100", "完成进度(%)", "应为 100"),
    ({"status": "滞后", "problems": None}, "lag-no-problem", "存在问题", "说明原因"),
])
def test_errors_reject_the_file_and_name_the_cell(issued, tmp_path, overrides, code, column, fragment):
    returned(issued, tmp_path, **overrides)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    errors = [f for f in out.findings if f.is_error]
    assert {f.code for f in errors} == {code}
    assert len(errors) == 3                                    # one per task row
    first = errors[0]
    assert first.column == column and first.sheet == layout.LEDGER_SHEET
    assert first.cell == f"{layout.column_letter(layout.column_index(first.field))}{layout.FIRST_DATA_ROW}"
    assert first.message.startswith(first.cell) and fragment in first.message
    assert count(issued, s.submissions) == 0


@pytest.mark.parametrize("overrides, code, fragment", [
    ({"status": "正常推进"}, "value-normalised", "按“序时推进”处理"),
    ({"status": "超序时", "percent": 10}, "behind-schedule", "序时进度 58"),
    ({"phone": "找张三"}, "phone-invalid", "不是电话号码"),
    ({"next_steps": "=1+1"}, "formula-like", "像公式"),
])
def test_warnings_are_accepted_and_reported(issued, tmp_path, overrides, code, fragment):
    returned(issued, tmp_path, **overrides)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted"
    assert set(codes(out, "warning")) == {code}
    assert fragment in out.findings[0].message


@pytest.mark.parametrize("overrides, code, fragment", [
    ({"status": "进度滞后", "problems": None}, "lag-no-problem", "完成状态为“进度滞后”，须在“存在问题”中说明原因"),
    ({"status": "全部完成", "percent": 60}, "done-not-100", "完成状态为“全部完成”，完成进度应为 100"),
    # the old word, chosen in a template issued before the rename: understood, and the rule holds
    ({"status": "滞后", "problems": None}, "lag-no-problem", "完成状态为“进度滞后”"),
])
def test_renamed_statuses_keep_their_rules(issued, tmp_path, overrides, code, fragment):
    config = issued.root / "ledger.toml"  # the office edits its [statuses] table
    config.write_text(config.read_text(encoding="utf-8").replace("[statuses]\n", '[statuses]\n"进度滞后" = "lagging"\n"全部完成" = "done"\n'), encoding="utf-8")
    issued = Workspace(issued.root)  # settings are read when a workspace opens
    returned(issued, tmp_path, **overrides)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    errors = [f for f in out.findings if f.is_error]
    assert {f.code for f in errors} == {code}
    assert fragment in errors[0].message


def test_formula_looking_text_is_stored_as_text(issued, tmp_path):
    returned(issued, tmp_path, next_steps="=1+1")
    collect_inbox(issued)
    assert {r["next_steps"] for r in stored_rows(issued)} == {"=1+1"}


@pytest.mark.parametrize("typed, stored", [("３０", 30), ("30%", 30), ("30％", 30), (" 45 ", 45), ("100.0", 100), (0.3, 30)])
def test_numbers_are_normalised_and_the_raw_value_kept(issued, tmp_path, typed, stored):
    returned(issued, tmp_path, percent=typed)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", out.findings
    rows = stored_rows(issued)
    assert {r["percent"] for r in rows} == {stored}
    assert rows[0]["raw"] == {"percent": typed.strip() if isinstance(typed, str) else typed}


def test_synonym_is_stored_as_the_canonical_status(issued, tmp_path):
    returned(issued, tmp_path, status="已办结", percent=100)
    collect_inbox(issued)
    rows = stored_rows(issued)
    assert {r["status"] for r in rows} == {"已完成"}
    assert rows[0]["raw"]["status"] == "已办结"


def test_an_edited_plan_cell_is_named(issued, tmp_path):
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    fill_template(filled, {1: {"text": "改过的工作内容"}})
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    (finding,) = out.findings
    cell = f"{layout.column_letter(layout.column_index('text'))}{layout.FIRST_DATA_ROW + 1}"
    assert (finding.code, finding.cell, finding.value) == ("plan-cell-changed", cell, "改过的工作内容")
    assert "不能修改" in finding.message and "强化关键核心技术攻关" in finding.message


def test_a_plan_cell_written_back_with_spaces_around_it_is_not_a_change(issued, tmp_path):
    """A client that pads a locked cell (or writes it in another type) has not changed the plan:
    the cell no longer reads back as issued, and the issued digest of the cells as text decides."""
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    title = openpyxl.load_workbook(filled)[layout.LEDGER_SHEET].cell(
        row=layout.FIRST_DATA_ROW + 1, column=layout.column_index("text") + 1).value
    fill_template(filled, {1: {"text": f"  {title}\u3000"}})
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", out.findings
    assert "plan-cell-changed" not in codes(out, "error")


def test_added_and_deleted_rows_are_errors(issued, tmp_path):
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(filled)
    sheet = wb[layout.LEDGER_SHEET]
    sheet.delete_rows(layout.FIRST_DATA_ROW + 1)
    extra = layout.FIRST_DATA_ROW + 5
    sheet.cell(row=extra, column=layout.column_index("progress") + 1, value="自己加的一行")
    wb.save(filled)
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert sorted(codes(out, "error")) == ["row-added", "row-deleted"]
    deleted = next(f for f in out.findings if f.code == "row-deleted")
    assert "强化关键核心技术攻关" in deleted.message


def test_a_workbook_that_is_not_a_template_is_rejected(issued, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["任务", "进展"])
    wb.save(tmp_path / "own.xlsx")
    drop(issued, tmp_path / "own.xlsx")
    out = only(collect_inbox(issued))
    assert (out.outcome, codes(out)) == ("rejected", ["identity-missing"])
    assert "请使用督查室下发的本单位模板" in out.findings[0].message
    feedback = issued.root / out.feedback
    assert openpyxl.load_workbook(feedback).sheetnames == ["问题清单"]
    assert (issued.outbox_dir / "returns" / "未识别").is_dir()


def test_a_template_of_a_superseded_plan_says_where_the_new_one_is(issued, tmp_path):
    from ledger.template.generate import generate_templates

    filled = fill_all(template(issued), tmp_path / "old.xlsx")
    save_plan(issued.engine, sample_plan(), origin="review")        # plan version 2
    generate_templates(issued, "2024-07")                           # July issued again under it
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert codes(out) == ["plan-superseded"]
    assert "第 1 版计划" in out.findings[0].message and "templates/2024-07/" in out.findings[0].message
    assert any(p.name.endswith("县科技局.xlsx") for p in (issued.root / "templates" / "2024-07").iterdir())


def test_a_past_month_template_stays_valid_after_a_revision_issued_for_a_later_month(issued, tmp_path):
    from ledger.template.generate import generate_templates

    filled = fill_all(template(issued), tmp_path / "old.xlsx")     # July, plan version 1
    save_plan(issued.engine, sample_plan(), origin="review")        # version 2, issued for August only
    generate_templates(issued, "2024-08")
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", out.findings


def test_problem_list_takes_the_fix_from_the_finding_not_from_the_first_qing(issued, tmp_path):
    # a typed value that itself begins with 请: the problem column keeps it, the fix column has only the fix
    returned(issued, tmp_path, name="科技局.xlsx", status="请示领导后推进")
    out = only(collect_inbox(issued))
    finding = next(f for f in out.findings if f.code == "status-unknown")
    assert finding.fix.startswith("请从下拉列表选择：") and finding.to_dict()["fix"] == finding.fix
    wb = openpyxl.load_workbook(issued.root / out.feedback)
    first = [c.value for c in next(wb["问题清单"].iter_rows(min_row=4))]
    status_col = layout.column_letter(layout.column_index("status"))
    assert first[4] == f"{status_col}{layout.FIRST_DATA_ROW}“完成状态”：“请示领导后推进”不是有效的完成状态"
    assert first[5] == finding.fix and "请示领导后推进" not in first[5]


def test_a_template_from_another_workspace_is_unknown(issued, tmp_path):
    from ledger.workspace import init_workspace
    other = init_workspace(tmp_path / "other")
    save_plan(other.engine, sample_plan(), origin="import")
    generate_templates(other, "2024-07")
    drop(issued, fill_all(template(other), tmp_path / "f.xlsx"))
    assert codes(only(collect_inbox(issued))) == ["template-unknown"]


# --- feedback --------------------------------------------------------------------------------

def test_feedback_highlights_cells_lists_problems_and_can_be_resent(issued, tmp_path):
    returned(issued, tmp_path, name="科技局.xlsx", status="差不多")
    out = only(collect_inbox(issued))
    feedback = issued.root / out.feedback
    assert feedback == issued.outbox_dir / "returns" / "2024-07" / f"{UNIT}_退回.xlsx"
    assert (issued.root / out.stored).parent == feedback.parent           # the original beside it
    wb = openpyxl.load_workbook(feedback)
    assert wb.sheetnames[0] == "问题清单" and wb.active.title == "问题清单"
    problems = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=4)]
    status_col = layout.column_letter(layout.column_index("status"))
    assert [p[1] for p in problems] == [f"{status_col}{layout.FIRST_DATA_ROW + i}" for i in range(3)]
    assert problems[0][2:5] == ["完成状态", "差不多", f"{status_col}{layout.FIRST_DATA_ROW}“完成状态”：“差不多”不是有效的完成状态"]
    assert problems[0][5].startswith("请从下拉列表选择")
    sheet = wb[layout.LEDGER_SHEET]
    bad = sheet[f"{status_col}{layout.FIRST_DATA_ROW}"]
    assert bad.value == "差不多" and bad.fill.fgColor.rgb.endswith("FFC7CE") and "不是有效的完成状态" in bad.comment.text
    good = sheet.cell(row=layout.FIRST_DATA_ROW, column=layout.column_index("progress") + 1)
    assert good.value == GOOD["progress"] and good.comment is None
    # the unit fixes the highlighted cells in the feedback file itself and sends it back
    fixed = fill_template(feedback, {i: {"status": "序时推进"} for i in range(3)}, tmp_path / "fixed.xlsx")
    drop(issued, fixed, "科技局-修改后.xlsx")
    again = only(collect_inbox(issued))
    assert again.outcome == "accepted", again.findings
    assert {r["progress"] for r in stored_rows(issued)} == {GOOD["progress"]}


# --- crash safety ---------------------------------------------------------------------------------

class Crash(BaseException):
    pass


@pytest.mark.parametrize("step", ["copied", "recorded", "committed"])
@pytest.mark.parametrize("kind", ["good", "bad"])
def test_a_crash_between_steps_loses_and_duplicates_nothing(issued, tmp_path, monkeypatch, step, kind):
    returned(issued, tmp_path, **({} if kind == "good" else {"percent": 150}))

    def crash(at):
        if at == step:
            raise Crash(at)
    monkeypatch.setattr(intake, "_step_hook", crash)
    with pytest.raises(Crash):
        collect_inbox(issued)
    assert len(inbox_files(issued)) == 1                       # still in the inbox
    monkeypatch.setattr(intake, "_step_hook", lambda at: None)
    result = collect_inbox(issued)                             # the rerun
    assert [f.outcome for f in result.files] == ["accepted" if kind == "good" else "rejected"]
    assert inbox_files(issued) == []
    assert count(issued, s.intake) == 1
    assert count(issued, s.submissions) == (1 if kind == "good" else 0)
    assert collect_inbox(issued).files == []


def test_collect_holds_the_workspace_lock(issued, tmp_path):
    from ledger.errors import LockedError
    returned(issued, tmp_path)
    with issued.lock():
        with pytest.raises(LockedError):
            collect_inbox(type(issued)(issued.root))
    assert len(inbox_files(issued)) == 1


def test_many_files_in_parallel_give_the_same_outcomes(issued, tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "PARALLEL_FROM", 2)
    for unit in ("县科技局", "县财政局", "县发展改革局", "县委组织部"):
        drop(issued, fill_all(template(issued, unit), tmp_path / f"{unit}.xlsx"))
    result = collect_inbox(issued, workers=2)
    assert sorted((f.unit, f.outcome) for f in result.files) == sorted(
        (u, "accepted") for u in ("县科技局", "县财政局", "县发展改革局", "县委组织部"))
    assert count(issued, s.submissions) == 4


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_the_files_given_an_outcome(issued, tmp_path, monkeypatch, workers):
    monkeypatch.setattr(intake, "PARALLEL_FROM", 2)
    for unit in ("县科技局", "县财政局", "县发展改革局"):
        drop(issued, fill_all(template(issued, unit), tmp_path / f"{unit}.xlsx"))
    told: list[tuple[int, int]] = []
    collect_inbox(issued, workers=workers, progress=lambda done, total: told.append((done, total)))
    assert told == [(1, 3), (2, 3), (3, 3)]


def test_carry_forward_starts_next_month_from_accepted_values(issued, tmp_path):
    returned(issued, tmp_path, problems="资金未到位")
    collect_inbox(issued)
    generate_templates(issued, "2024-08")
    sheet = openpyxl.load_workbook(template(issued, period="2024-08"))[layout.LEDGER_SHEET]
    row = layout.FIRST_DATA_ROW
    cell = lambda key: sheet.cell(row=row, column=layout.column_index(key) + 1)
    assert cell("status").value == GOOD["status"] and cell("percent").value == GOOD["percent"]
    assert cell("problems").value == "资金未到位"
    assert cell("status").font.i and cell("status").fill.fgColor.rgb.endswith("E2EFDA")
    assert cell("progress").value is None                     # not carried by default ...
    assert GOOD["progress"] in cell("progress").comment.text  # ... but shown in a note


@pytest.mark.parametrize("step", ["recorded", "committed"])
def test_a_crash_inside_a_batch_of_files_loses_and_duplicates_nothing(issued, tmp_path, monkeypatch, step):
    units = ("县科技局", "县财政局", "县发展改革局", "县委组织部")
    for unit in units:
        drop(issued, fill_all(template(issued, unit), tmp_path / f"{unit}.xlsx"))
    calls = []

    def crash_on_third(at):
        calls.append(at)
        if at == step and calls.count(step) == (3 if step == "recorded" else 1):
            raise Crash(at)
    monkeypatch.setattr(intake, "_step_hook", crash_on_third)
    with pytest.raises(Crash):
        collect_inbox(issued)
    stored_before = count(issued, s.submissions)
    assert stored_before == (0 if step == "recorded" else 4)   # the batch commits whole or not at all
    assert len(inbox_files(issued)) == 4
    monkeypatch.setattr(intake, "_step_hook", lambda at: None)
    result = collect_inbox(issued)
    assert sorted(f.unit for f in result.files) == sorted(units)
    assert {f.outcome for f in result.files} == {"accepted"}
    assert count(issued, s.intake) == 4 and count(issued, s.submissions) == 4
    assert inbox_files(issued) == []


def test_times_in_the_office_zone_are_stored_as_the_same_instant(issued, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo
    path = returned(issued, tmp_path)
    now = datetime(2024, 8, 3, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    mtime = datetime(2024, 8, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    import os
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    collect_inbox(issued, now=now)
    with issued.engine.connect() as conn:
        received = conn.execute(sa.select(s.intake.c.received_at)).scalar()
        submitted = conn.execute(sa.select(s.submissions.c.submitted_at)).scalar()
    assert received == now and received.utcoffset().total_seconds() == 0
    assert submitted == mtime


def test_a_renamed_sheet_moved_columns_and_an_added_sheet_are_still_read(issued, tmp_path):
    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(filled)
    sheet = wb[layout.LEDGER_SHEET]
    sheet.title = "科技局台账"
    phone, remarks = (layout.column_letter(layout.column_index(k)) for k in ("phone", "remarks"))
    sheet.move_range(f"{phone}1:{remarks}20", cols=3)          # 联系电话/备注 moved to the right
    wb.create_sheet("我的草稿").append(["随手记的内容"])
    wb.save(filled)
    drop(issued, filled)
    out = only(collect_inbox(issued))
    assert out.outcome == "accepted", [f.message for f in out.findings]
    assert {r["phone"] for r in stored_rows(issued)} == {GOOD["phone"]}


def test_a_file_that_kills_its_reader_is_rejected_and_the_rest_collected(issued, tmp_path, monkeypatch):
    units = ("县科技局", "县财政局", "县发展改革局", "县委组织部")
    for unit in units:
        drop(issued, fill_all(template(issued, unit), tmp_path / f"{unit}.xlsx"))
    drop(issued, fill_all(template(issued, "县科技局"), tmp_path / "p.xlsx", progress="另一份"), "poison.xlsx")
    real = intake.examine

    def crashing(path, name, url, settings):
        if name == "poison.xlsx":
            os._exit(1)                 # as a reader crashing in native code would
        return real(path, name, url, settings)
    monkeypatch.setattr(intake, "examine", crashing)
    monkeypatch.setattr(intake, "PARALLEL_FROM", 2)
    monkeypatch.setattr(intake, "CHUNK", 2)
    result = collect_inbox(issued, workers=2)
    outcomes = {f.file: f.outcome for f in result.files}
    assert outcomes.pop("poison.xlsx") == "rejected"
    assert set(outcomes.values()) == {"accepted"} and len(outcomes) == 4
    poison = next(f for f in result.files if f.file == "poison.xlsx")
    assert [f.code for f in poison.findings] == ["file-corrupt"] and "程序异常退出" in poison.findings[0].message
    assert inbox_files(issued) == []


def test_a_panic_in_the_reader_is_a_finding_not_a_crash(issued, tmp_path, monkeypatch):
    from ledger.collect import reader

    class PanicException(BaseException):    # what pyo3 raises when Rust code panics
        pass

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")
    returned(issued, tmp_path)
    monkeypatch.setattr(reader, "read_workbook", panic)
    out = only(collect_inbox(issued))
    assert (out.outcome, [f.code for f in out.findings]) == ("rejected", ["file-corrupt"])
    assert "PanicException" in out.findings[0].message


def test_feedback_marks_warnings_amber_and_shows_numbers_as_typed(issued, tmp_path):
    """Only errors must be corrected: their cells are red, a cell with only a warning is amber;
    the 问题清单 quotes 150, not the 150.0 a reader hands back."""
    returned(issued, tmp_path, status="超序时", percent=150)      # 150: an error; 超序时 at 150: fine
    out = only(collect_inbox(issued))
    assert out.outcome == "rejected"
    wb = openpyxl.load_workbook(issued.root / out.feedback)
    problems = [[c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=4)]
    assert [p[3] for p in problems if p[2] == "完成进度(%)"] == ["150"] * 3
    sheet = wb[layout.LEDGER_SHEET]
    percent = sheet.cell(row=layout.FIRST_DATA_ROW, column=layout.column_index("percent") + 1)
    assert percent.fill.fgColor.rgb.endswith("FFC7CE")


def test_feedback_cell_with_only_a_warning_is_amber(issued, tmp_path):
    returned(issued, tmp_path, status="差不多", phone="找张三")     # an error in one column, a warning in another
    out = only(collect_inbox(issued))
    wb = openpyxl.load_workbook(issued.root / out.feedback)
    sheet = wb[layout.LEDGER_SHEET]
    row = layout.FIRST_DATA_ROW
    status = sheet.cell(row=row, column=layout.column_index("status") + 1)
    phone = sheet.cell(row=row, column=layout.column_index("phone") + 1)
    assert status.fill.fgColor.rgb.endswith("FFC7CE")
    assert phone.fill.fgColor.rgb.endswith("FFE699") and "不是电话号码" in phone.comment.text
    levels = {p[2]: p[6] for p in ([c.value for c in r] for r in wb["问题清单"].iter_rows(min_row=4))}
    assert levels["完成状态"] == "错误" and levels[phone_header(sheet)] == "提示"


def phone_header(sheet) -> str:
    return sheet.cell(row=layout.HEADER_ROW, column=layout.column_index("phone") + 1).value
