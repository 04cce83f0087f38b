
import pytest
import sqlalchemy as sa

from ledger.errors import LockedError, WorkspaceError
from ledger.store.schema import SCHEMA_VERSION, schema_info
from ledger.workspace import FOLDERS, find_workspace, init_workspace


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
