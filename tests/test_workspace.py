
import pytest
import sqlalchemy as sa

from ledger.errors import DatabaseError, LockedError, WorkspaceError
from ledger.store.schema import SCHEMA_VERSION, schema_info
from ledger.workspace import FOLDERS, Workspace, find_workspace, init_workspace
from tests.conftest import needs_server


@pytest.mark.sqlite_only
def test_init_creates_folders_config_and_migrated_database(tmp_path):
    ws = init_workspace(tmp_path / "w")
    assert (ws.root / "ledger.toml").is_file()
    for name in FOLDERS:
        assert (ws.root / name / "README.md").is_file()
    assert (ws.root / "ledger.db").is_file()
    with ws.engine.connect() as conn:
        steps = list(conn.execute(sa.select(schema_info.c.step)).scalars())
    assert steps[-1] == SCHEMA_VERSION


def test_init_refuses_an_existing_workspace(tmp_path):
    init_workspace(tmp_path / "w")
    (tmp_path / "w" / "ledger.toml").write_text("# edited\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="已经是 ledger 工作区"):
        init_workspace(tmp_path / "w")
    assert (tmp_path / "w" / "ledger.toml").read_text(encoding="utf-8") == "# edited\n"


def test_found_from_a_subfolder_the_environment_or_explicitly(tmp_path, monkeypatch):
    ws = init_workspace(tmp_path / "w")
    monkeypatch.delenv("LEDGER_WORKSPACE", raising=False)
    assert find_workspace(cwd=ws.root / "inbox").root == ws.root
    monkeypatch.setenv("LEDGER_WORKSPACE", str(ws.root))
    assert find_workspace(cwd=tmp_path).root == ws.root
    other = init_workspace(tmp_path / "other")
    assert find_workspace(other.root).root == other.root


def test_outside_any_workspace_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("LEDGER_WORKSPACE", raising=False)
    with pytest.raises(WorkspaceError, match="不在任何 ledger 工作区中"):
        find_workspace(cwd=tmp_path)
    with pytest.raises(WorkspaceError, match="不是 ledger 工作区"):
        find_workspace(tmp_path)


def test_lock_is_exclusive(tmp_path):
    ws = init_workspace(tmp_path / "w")
    with ws.lock():
        with pytest.raises(LockedError, match="正在使用此工作区"):
            with type(ws)(ws.root).lock():
                pass
    with ws.lock():  # released
        pass


@pytest.mark.sqlite_only
def test_relative_sqlite_url_lives_in_the_workspace(tmp_path):
    ws = init_workspace(tmp_path / "w")
    assert ws.db_url == "sqlite:///" + str((ws.root / "ledger.db").resolve())


def test_naming_the_settings_file_names_its_workspace(tmp_path, monkeypatch):
    ws = init_workspace(tmp_path / "w")
    monkeypatch.setenv("LEDGER_WORKSPACE", str(ws.root / "ledger.toml"))
    assert find_workspace(cwd=tmp_path).root == ws.root
    assert find_workspace(ws.root / "ledger.toml").root == ws.root
    (tmp_path / "other.toml").write_text("", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="不是 ledger 工作区"):
        find_workspace(tmp_path / "other.toml")


def test_a_missing_settings_file_named_suggests_its_folder(tmp_path):
    with pytest.raises(WorkspaceError, match=f"“{tmp_path / 'w'}” 不是 ledger 工作区"):
        find_workspace(tmp_path / "w" / "ledger.toml")


# --- A server database ------------------------------------------------------------------------------

@needs_server
def test_init_with_a_database_url_writes_it_and_makes_the_tables(tmp_path, server_schema):
    ws = init_workspace(tmp_path / "w", db_url=server_schema)
    assert Workspace(ws.root).settings.database.url == server_schema
    assert ws.db_url == server_schema and not (ws.root / "ledger.db").exists()
    with ws.engine.connect() as conn:
        assert conn.execute(sa.select(schema_info.c.step).order_by(schema_info.c.step)).scalars().all()[-1] == SCHEMA_VERSION


@needs_server
def test_two_workspaces_on_one_database_share_its_plan(tmp_path, server_schema):
    from ledger.store.plans import load_plan, save_plan
    from tests.conftest import sample_plan

    first = init_workspace(tmp_path / "a", db_url=server_schema)
    save_plan(first.engine, sample_plan(), origin="import")
    second = init_workspace(tmp_path / "b", db_url=server_schema)    # the tables exist: nothing to migrate
    assert load_plan(second.engine).title == "测试县2024年工作要点"


@needs_server
@pytest.mark.parametrize("change, line", [
    (lambda u: u.set(password="wrong"), "拒绝登录：用户名或密码不对"),
    (lambda u: u.set(database="ledger_no_such_db"), "数据库服务器上没有数据库“ledger_no_such_db”"),
    (lambda u: u.set(host="127.0.0.1", port=1), "无法连接数据库服务器“127.0.0.1:1/"),
])
def test_init_on_an_unusable_server_is_one_line_and_leaves_no_folder(tmp_path, change, line):
    from tests.conftest import server_url

    url = change(sa.make_url(server_url())).render_as_string(hide_password=False)
    with pytest.raises(DatabaseError) as err:
        init_workspace(tmp_path / "w", db_url=url)
    assert line in str(err.value) and "wrong" not in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "w").exists()
