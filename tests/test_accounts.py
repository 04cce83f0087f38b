"""Office accounts: scrypt hashes kept in the database only, sessions that end server-side, the CLI."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ledger import accounts
from ledger.accounts import AccountError
from ledger.cli import cli
from ledger.store import schema as s

PASSWORD = "督查-口令-2024"


def test_a_password_is_kept_as_a_salted_scrypt_hash(workspace):
    user = accounts.add_user(workspace.engine, "张三", "office", PASSWORD)
    with workspace.engine.connect() as conn:
        stored = conn.execute(sa.select(s.users.c.password_hash)).scalar()
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert accounts.hash_password(PASSWORD) != accounts.hash_password(PASSWORD)       # salted
    assert accounts.authenticate(workspace.engine, "张三", PASSWORD) == user
    assert accounts.authenticate(workspace.engine, "张三", PASSWORD + "x") is None
    assert accounts.authenticate(workspace.engine, "李四", PASSWORD) is None
    assert PASSWORD not in (workspace.root / "ledger.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, role, password, says", [
    ("", "office", PASSWORD, "姓名不能为空"),
    ("张三", "boss", PASSWORD, "角色应为"),
    ("张三", "office", "短", "密码太短"),
])
def test_a_bad_account_is_refused_and_nothing_is_stored(workspace, name, role, password, says):
    with pytest.raises(AccountError, match=says):
        accounts.add_user(workspace.engine, name, role, password)
    assert accounts.list_users(workspace.engine) == []


def test_a_name_is_taken_once(workspace):
    accounts.add_user(workspace.engine, "张三", "office", PASSWORD)
    with pytest.raises(AccountError, match="已有名为“张三”的账号"):
        accounts.add_user(workspace.engine, "张三", "leader", PASSWORD)


def test_logout_a_password_change_and_disabling_end_sessions_at_once(workspace):
    engine = workspace.engine
    accounts.add_user(engine, "张三", "office", PASSWORD)
    first, second = (accounts.start_session(engine, accounts.authenticate(engine, "张三", PASSWORD)) for _ in range(2))
    assert accounts.session_user(engine, first).name == "张三"
    assert accounts.end_session(engine, first)
    assert accounts.session_user(engine, first) is None and accounts.session_user(engine, second) is not None
    assert accounts.set_password(engine, "张三", "新的口令-87654321") == 1
    assert accounts.session_user(engine, second) is None
    assert accounts.authenticate(engine, "张三", PASSWORD) is None
    third = accounts.start_session(engine, accounts.authenticate(engine, "张三", "新的口令-87654321"))
    accounts.disable_user(engine, "张三")
    assert accounts.session_user(engine, third) is None
    assert accounts.authenticate(engine, "张三", "新的口令-87654321") is None


def test_the_shared_password_signs_in_until_the_first_user_exists(workspace):
    engine, key = workspace.engine, b"k" * 32
    tag = accounts.shared_tag(key, "共用口令-1")
    token = accounts.start_session(engine, accounts.SHARED, tag)
    assert accounts.session_user(engine, token, tag) == accounts.SHARED
    assert accounts.session_user(engine, token, accounts.shared_tag(key, "共用口令-2")) is None   # changed
    assert accounts.session_user(engine, token, None) is None                                     # removed
    accounts.add_user(engine, "张三", "office", PASSWORD)
    assert accounts.session_user(engine, token, tag) is None


def test_an_expired_or_unknown_session_signs_in_nobody(workspace):
    engine = workspace.engine
    accounts.add_user(engine, "张三", "office", PASSWORD)
    user = accounts.authenticate(engine, "张三", PASSWORD)
    assert accounts.session_user(engine, accounts.start_session(engine, user, seconds=-1)) is None
    for junk in (None, "", "x", "9" * 300):
        assert accounts.session_user(engine, junk) is None


def run(ws, *args, input=None):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args], input=input)


def test_users_commands_add_list_passwd_disable(workspace):
    added = run(workspace, "users", "add", "张三", "--role", "office", "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0 and "已添加督查室账号：张三" in added.output
    asked = run(workspace, "users", "add", "李四", "--role", "leader", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert asked.exit_code == 0, asked.output
    listed = json.loads(run(workspace, "users", "list", "--json").output)
    assert [(u["name"], u["role"], u["active"]) for u in listed["users"]] == [("张三", "office", True), ("李四", "leader", True)]
    changed = run(workspace, "users", "passwd", "李四", "--password-stdin", input="另一个口令-123\n")
    assert changed.exit_code == 0 and accounts.authenticate(workspace.engine, "李四", "另一个口令-123")
    assert run(workspace, "users", "disable", "李四").exit_code == 0
    again = run(workspace, "users", "disable", "李四")
    assert again.exit_code == 1 and again.output.strip() == "错误：账号“李四”已停用"
    unknown = run(workspace, "users", "passwd", "王五", "--password-stdin", input=PASSWORD + "\n")
    assert unknown.exit_code == 1 and "没有名为“王五”的账号" in unknown.output
    log = run(workspace, "log").output
    assert "添加督查室账号：张三" in log and "停用账号：李四" in log
