"""Issue 11, collect: one file never stops the inbox; hostile entries; crash debris; the work log."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.collect import intake
from ledger.collect.intake import collect_inbox
from ledger.store import schema as s
from ledger.template import writer
from tests.collect.invariants import files_under, inbox_snapshot, violations
from tests.collect.test_collect import count, drop, inbox_files, issued, only, returned, template  # noqa: F401
from tests.conftest import age, fill_all

LONG_NAME = ("关于县科技局二〇二四年七月份重点工作任务推进情况的工作台账报送材料" * 3)[:75] + "（修改稿）.xlsx"   # 245 bytes


class Crash(BaseException):
    pass


def crash_at(step: str):
    """A step hook that kills the run (as a BaseException, like a real kill) when it reaches ``step``."""
    def hook(at: str) -> None:
        if at == step:
            raise Crash(at)
    return hook


def cli_collect(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), "collect", *args])


def fault_events(ws):
    with ws.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(s.events).where(s.events.c.action == "collect-fault")).mappings()]


# --- 1. long names; one failing file does not stop the others -------------------------------------

def test_a_long_name_is_stored_within_limits_keeping_extension_and_hash(issued, tmp_path):
    first = returned(issued, tmp_path, name="科技局.xlsx")
    drop(issued, first, "副本/" + LONG_NAME)            # the same bytes again: goes to archive/duplicates/
    returned(issued, tmp_path, name=LONG_NAME, status="差不多")      # rejected: goes to outbox/returns/
    original = inbox_snapshot(issued.inbox_dir)
    result = collect_inbox(issued)
    assert sorted(f.outcome for f in result.files) == ["accepted", "duplicate", "rejected"]
    assert violations(issued, original) == [] and inbox_files(issued) == []
    for f in result.files:
        stored = Path(f.stored)
        assert len(stored.name.encode()) <= 255 and stored.suffix == ".xlsx"
        assert stored.name[:16] == original[f.file][:16]           # the file's own sha256 starts the name


def test_a_file_that_cannot_be_stored_is_held_and_the_rest_collected(issued, tmp_path, monkeypatch):
    returned(issued, tmp_path, name="good.xlsx")
    returned(issued, tmp_path, name="bad.xlsx", status="差不多")
    monkeypatch.setattr(writer, "write_template", lambda spec, path, **_: (_ for _ in ()).throw(
        OSError(errno.ENOSPC, "No space left on device")))
    result = cli_collect(issued)
    assert result.exit_code == 4, result.output                  # something needs the office
    assert "需督查室处理 1" in result.output
    assert "bad.xlsx：磁盘空间不足：无法写入" in result.output and "退回.xlsx”：文件仍留在 inbox/ 中" in result.output
    assert inbox_files(issued) == ["bad.xlsx"]                    # stays put ...
    assert files_under(issued.root, "outbox/returns") == set()    # ... with no copy left behind
    with issued.engine.connect() as conn:
        assert conn.execute(sa.select(s.intake.c.original_name, s.intake.c.outcome)).all() == [("good.xlsx", "accepted")]
    again = cli_collect(issued, "--json")                        # held again while the disk is still full
    assert again.exit_code == 4
    [held] = json.loads(again.output)["files"]
    assert (held["file"], held["outcome"]) == ("bad.xlsx", "held")
    assert [(f["code"], f["severity"]) for f in held["findings"]] == [("file-held", "error")]
    monkeypatch.undo()
    assert only(collect_inbox(issued)).outcome == "rejected"     # once the disk has room, it goes through


# --- 2. our own bugs are not blamed on the department ---------------------------------------------

def test_a_bug_while_judging_leaves_the_file_in_the_inbox_and_logs_the_traceback(issued, tmp_path, monkeypatch):
    from ledger.collect import validate

    returned(issued, tmp_path)

    def buggy(*args, **kwargs):
        return {}["status"]
    monkeypatch.setattr(validate, "validate_ledger", buggy)
    out = only(collect_inbox(issued))
    assert out.outcome == "held"
    assert "程序内部错误（KeyError）" in out.findings[0].message and "文件已损坏" not in out.findings[0].message
    assert len(inbox_files(issued)) == 1 and count(issued, s.intake) == 0
    assert files_under(issued.root, "outbox/returns") == set()   # no feedback sent to the department
    [event] = fault_events(issued)
    assert "Traceback" in event["detail"]["traceback"] and "KeyError" in event["detail"]["traceback"]
    monkeypatch.undo()
    assert only(collect_inbox(issued)).outcome == "accepted"


def test_unreadable_content_is_still_the_files_finding(issued, tmp_path):
    (issued.inbox_dir / "坏文件.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    age(issued.inbox_dir / "坏文件.xlsx")
    out = only(collect_inbox(issued))
    assert (out.outcome, out.findings[0].code) == ("rejected", "file-corrupt")


# --- 3. links, FIFOs, sockets, devices, folders named like workbooks ------------------------------

def test_special_entries_are_never_read_nor_copied(issued, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    inbox = issued.inbox_dir
    (inbox / "link.xlsx").symlink_to(secret)
    os.mkfifo(inbox / "管道.xlsx")
    (inbox / "文件夹.xlsx").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(fill_all(template(issued), tmp_path / "f.xlsx"), elsewhere / "台账.xlsx")
    (inbox / "链接的文件夹").symlink_to(elsewhere, target_is_directory=True)
    returned(issued, tmp_path, name="good.xlsx")
    result = cli_collect(issued, "--json")
    assert result.exit_code == 4
    data = json.loads(result.output)
    outcomes = {f["file"]: (f["outcome"], f["findings"][0]["message"] if f["findings"] else "") for f in data["files"]}
    assert outcomes.pop("good.xlsx")[0] == "accepted"
    assert outcomes["link.xlsx"][0] == "held" and "符号链接" in outcomes["link.xlsx"][1]
    assert outcomes["管道.xlsx"][0] == "held" and "命名管道" in outcomes["管道.xlsx"][1]
    assert outcomes["文件夹.xlsx"][0] == "held" and "文件夹" in outcomes["文件夹.xlsx"][1]
    assert outcomes["链接的文件夹"][0] == "held"
    assert {f["findings"][0]["code"] for f in data["files"] if f["outcome"] == "held"} == {"entry-not-file"}
    assert len(outcomes) == 4                                  # nothing read through the linked folder
    stored = [p for p in issued.root.rglob("*")
              if p.is_file() and not p.is_symlink() and p.read_bytes() == secret.read_bytes()]
    assert stored == [] and count(issued, s.intake) == 1
    assert (inbox / "link.xlsx").is_symlink() and (elsewhere / "台账.xlsx").exists()


def test_a_file_swapped_for_a_link_after_the_scan_is_not_read(issued, tmp_path, monkeypatch):
    from ledger.collect.examine import fingerprint

    secret = tmp_path / "secret.xlsx"
    secret.write_bytes(b"secret")
    path = returned(issued, tmp_path, name="swap.xlsx")
    path.unlink()
    path.symlink_to(secret)
    with pytest.raises(OSError):
        fingerprint(path)
    out = intake.examine(path, "swap.xlsx", issued.db_url, issued.settings)
    assert out.fault and out.sha256 == ""


# --- 4. JSON output is valid UTF-8 whatever the file names ----------------------------------------

def test_an_undecodable_file_name_is_shown_escaped_in_valid_json(issued, tmp_path):
    raw = os.fsencode(issued.inbox_dir) + b"/\xb1\xa8\xcb\xcd.xlsx"     # GBK bytes of 报送
    with open(raw, "wb") as fh:
        fh.write(fill_all(template(issued), tmp_path / "f.xlsx").read_bytes())
    age(Path(os.fsdecode(raw)))
    result = CliRunner().invoke(cli, ["-w", str(issued.root), "collect", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout_bytes.decode("utf-8"))      # strict: raises on invalid UTF-8
    [f] = data["files"]
    assert f["findings"] == []
    assert f["file"] == "\\xb1\\xa8\\xcb\\xcd.xlsx" and f["outcome"] == "accepted"
    log = CliRunner().invoke(cli, ["-w", str(issued.root), "log", "--json"])
    json.loads(log.stdout_bytes.decode("utf-8"))


# --- 5. a rerun reuses the copy; temporaries are swept --------------------------------------------

def test_a_rerun_after_a_crash_reuses_the_copy_and_stale_temporaries_are_swept(issued, tmp_path, monkeypatch):
    returned(issued, tmp_path)
    stale = [issued.archive_dir / "2024-07" / ".tmp-half.xlsx", issued.outbox_dir / "returns" / ".tmp-x.xlsx"]
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"half")

    monkeypatch.setattr(intake, "_step_hook", crash_at("copied"))
    with pytest.raises(Crash):
        collect_inbox(issued)
    copies = files_under(issued.root, "archive") - {issued.relative(stale[0])}
    assert len(copies) == 1
    monkeypatch.setattr(intake, "_step_hook", lambda at: None)
    out = only(collect_inbox(issued))
    assert files_under(issued.root, "archive") == copies == {out.stored}
    assert not any(p.exists() for p in stale)


# --- 6. a duplicate is recorded once, even when it cannot be deleted ------------------------------

def test_a_crash_after_committing_a_duplicate_does_not_record_it_twice(issued, tmp_path, monkeypatch):
    first = returned(issued, tmp_path, name="first.xlsx")
    again = tmp_path / "again.xlsx"
    shutil.copyfile(first, again)
    collect_inbox(issued)
    drop(issued, again, "again.xlsx")

    monkeypatch.setattr(intake, "_step_hook", crash_at("committed"))
    with pytest.raises(Crash):
        collect_inbox(issued)
    monkeypatch.setattr(intake, "_step_hook", lambda at: None)
    out = only(collect_inbox(issued))
    assert (out.outcome, out.resumed) == ("duplicate", True)
    assert count(issued, s.intake) == 2 and inbox_files(issued) == []


def test_a_duplicate_that_cannot_be_deleted_is_recorded_once(issued, tmp_path, monkeypatch):
    first = returned(issued, tmp_path, name="first.xlsx")
    held_open = tmp_path / "open.xlsx"
    shutil.copyfile(first, held_open)
    collect_inbox(issued)
    path = drop(issued, held_open, "open.xlsx")
    real_unlink = Path.unlink

    def refuse(self, missing_ok=False):
        if self == path:
            raise PermissionError(errno.EACCES, "in use")      # as Windows does for an open file
        return real_unlink(self, missing_ok=missing_ok)
    monkeypatch.setattr(Path, "unlink", refuse)
    runs = [collect_inbox(issued) for _ in range(3)]
    assert [only(r).outcome for r in runs] == ["duplicate"] * 3
    assert [only(r).left_in_inbox for r in runs] == [True] * 3
    assert count(issued, s.intake) == 2
    with issued.engine.connect() as conn:
        logged = conn.execute(sa.select(s.events.c.detail).where(s.events.c.action == "collect")).scalars().all()
    assert sum(d["duplicate"] for d in logged) == 1


# --- 8. the commit that lets files leave the inbox is durable -------------------------------------

@pytest.mark.sqlite_only          # synchronous=FULL is SQLite's
def test_copies_are_synced_and_the_commit_is_full_sync_before_the_inbox_is_emptied(issued, tmp_path, monkeypatch):
    from ledger.store import submissions

    returned(issued, tmp_path)
    order = []
    monkeypatch.setattr(intake, "sync_folders", lambda folders: order.extend(("fsync", issued.relative(f)) for f in folders))
    real = submissions.durable_commits

    class Watched:
        def __init__(self, conn):
            self.conn, self.inner = conn, real(conn)

        def __enter__(self):
            self.inner.__enter__()
            order.append(("synchronous", self.conn.exec_driver_sql("PRAGMA synchronous").scalar()))
            return self.conn

        def __exit__(self, *exc):
            order.append(("inbox", len(inbox_files(issued))))
            return self.inner.__exit__(*exc)
    monkeypatch.setattr(intake, "durable_commits", Watched)
    collect_inbox(issued)
    assert order[0] == ("synchronous", 2)                       # FULL
    assert ("fsync", "archive/2024-07/县科技局") in order
    assert order.index(("fsync", "archive/2024-07/县科技局")) < order.index(("inbox", 1))
    assert inbox_files(issued) == []


# --- 10. the work log shows what was recorded -----------------------------------------------------

def test_the_work_log_keeps_a_run_that_crashed_after_committing_and_does_not_count_cleanups(issued, tmp_path, monkeypatch):
    returned(issued, tmp_path)

    monkeypatch.setattr(intake, "_step_hook", crash_at("committed"))
    with pytest.raises(Crash):
        collect_inbox(issued)
    monkeypatch.setattr(intake, "_step_hook", lambda at: None)
    collect_inbox(issued)
    log = CliRunner().invoke(cli, ["-w", str(issued.root), "log"]).output
    lines = [line for line in log.splitlines() if "收取" in line]
    assert len(lines) == 2
    assert "接收 0 个" in lines[0] and "完成上次中断的收尾 1 个" in lines[0]       # newest first
    assert "接收 1 个" in lines[1]
    with issued.engine.connect() as conn:
        logged = conn.execute(sa.select(s.events.c.detail).where(s.events.c.action == "collect")).scalars().all()
    assert sum(d["accepted"] for d in logged) == 1


# --- 13. a formula with no saved result, where text was expected -----------------------------------

def test_a_formula_without_a_result_in_a_text_cell_is_named_as_a_formula(issued, tmp_path):
    import openpyxl
    from ledger import layout

    filled = fill_all(template(issued), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(filled)
    cell = wb[layout.LEDGER_SHEET].cell(row=layout.FIRST_DATA_ROW, column=layout.column_index("progress") + 1)
    cell.value = '=CONCATENATE("已完成","申报")'            # openpyxl saves formulas without a result
    wb.save(filled)
    drop(issued, filled)
    out = only(collect_inbox(issued))
    [finding] = [f for f in out.findings if f.is_error]
    assert (out.outcome, finding.code, finding.cell) == ("rejected", "formula-no-text", f"{layout.column_letter(layout.column_index('progress'))}{layout.FIRST_DATA_ROW}")
    assert "单元格中是公式" in finding.message and "直接填写文字" in finding.message
    assert "不能为空" not in finding.message


# --- 14. a finding names the cell where the value is ----------------------------------------------

def test_a_finding_names_the_cell_where_the_department_moved_the_value(issued, tmp_path):
    import openpyxl
    from ledger import layout

    filled = fill_all(template(issued), tmp_path / "f.xlsx", phone="不知道")
    wb = openpyxl.load_workbook(filled)
    phone = layout.column_index("phone")
    issued_at, moved_to = layout.column_letter(phone), layout.column_letter(phone + 3)
    wb[layout.LEDGER_SHEET].move_range(f"{issued_at}1:{layout.column_letter(phone + 1)}20", cols=3)  # 联系电话 moved 3 right
    wb.save(filled)
    drop(issued, filled)
    out = only(collect_inbox(issued))
    phones = [f for f in out.findings if f.code == "phone-invalid"]
    assert out.outcome == "accepted" and phones
    assert [f.cell for f in phones] == [f"{moved_to}{layout.FIRST_DATA_ROW + i}" for i in range(len(phones))]
    assert phones[0].message.startswith(f"{moved_to}{layout.FIRST_DATA_ROW}“联系电话”")


# --- 15. a rejected file sent again unchanged ------------------------------------------------------

def test_a_rejected_file_sent_again_unchanged_points_to_its_feedback(issued, tmp_path):
    bad = returned(issued, tmp_path, name="first.xlsx", status="差不多")
    again = tmp_path / "again.xlsx"
    shutil.copyfile(bad, again)
    first = only(collect_inbox(issued))
    drop(issued, again, "再次报送.xlsx")
    result = cli_collect(issued, "--json")
    [out] = json.loads(result.output)["files"]
    [note] = out["findings"]
    assert (out["outcome"], note["code"], out["feedback"]) == ("duplicate", "file-rejected-before", first.feedback)
    assert "已被退回过" in note["message"] and first.feedback in note["message"]
    assert count(issued, s.submissions) == 0 and inbox_files(issued) == []


# --- 1. a fault while recording one file holds that file alone -------------------------------------

def test_a_fault_while_recording_one_file_holds_it_and_the_batch_goes_on(issued, tmp_path, monkeypatch):
    returned(issued, tmp_path, name="bad.xlsx", status="差不多")       # rejected, but recording it fails
    returned(issued, tmp_path, name="good.xlsx")
    real_record = intake._record

    def buggy(conn, ws, exam, *args, **kw):
        if exam.name == "bad.xlsx":
            raise KeyError("a bug of ours")
        return real_record(conn, ws, exam, *args, **kw)
    monkeypatch.setattr(intake, "_record", buggy)
    result = cli_collect(issued)
    assert result.exit_code == 4, result.output
    assert "bad.xlsx：记录本文件的结果时程序出错（不是报送单位的问题）：文件仍留在 inbox/ 中" in result.output
    assert inbox_files(issued) == ["bad.xlsx"]
    assert files_under(issued.root, "outbox/returns") == set()          # its copy and feedback undone
    with issued.engine.connect() as conn:
        assert conn.execute(sa.select(s.intake.c.original_name, s.intake.c.outcome)).all() == [("good.xlsx", "accepted")]
    [fault] = fault_events(issued)
    assert "KeyError" in fault["detail"]["traceback"]
    monkeypatch.undo()
    assert only(collect_inbox(issued)).outcome == "rejected"          # the bug fixed, the file goes through


# --- 14. a write of another connection while a file is being recorded (the web server's uploads) ---

def test_a_write_committed_while_a_file_is_recorded_does_not_fail_the_run(issued, tmp_path, monkeypatch):
    """``ledger serve`` records an upload, a login or a review while its collector is mid-file. The
    collector's transaction has read by then; on SQLite it must already hold the write lock, or the
    other write would make its snapshot stale and the whole run fail as "database busy"."""
    import threading

    from ledger.store import events

    returned(issued, tmp_path)
    other: dict[str, object] = {}

    def write_elsewhere() -> None:
        try:
            other["id"] = events.record(issued.engine, "serve", "upload", "另一个连接的写入")
        except Exception as exc:  # noqa: BLE001 - reported below
            other["error"] = exc

    def hook(at: str) -> None:
        if at == "copied":                     # the run has read what it needs and is about to write
            writer = threading.Thread(target=write_elsewhere)
            writer.start()
            writer.join(0.5)                   # waits for our commit when we hold the lock (as we must)
            other["thread"] = writer

    monkeypatch.setattr(intake, "_step_hook", hook)
    result = collect_inbox(issued)
    other["thread"].join(30)
    assert [f.outcome for f in result.files] == ["accepted"]
    assert "error" not in other and other["id"]
    with issued.engine.connect() as conn:
        assert conn.execute(sa.select(s.events.c.action).where(s.events.c.command == "serve")).scalars().all() == ["upload"]
