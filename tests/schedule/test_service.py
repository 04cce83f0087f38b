"""``ledger.schedule.service``: the systemd unit and the Windows task that keep the scheduler running."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.schedule import service

NS = {"t": service.TASK_NS}
analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
linux_only = pytest.mark.skipif(service.WINDOWS, reason="systemd units are for Linux")


def fields(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("["):
            key, value = line.split("=", 1)
            out.setdefault(key, []).append(value)
    return out


def verify(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)


def test_name_is_safe_stable_and_differs_per_workspace(tmp_path):
    a, b = tmp_path / "台账 2024", tmp_path / "台账2025"
    assert service.service_name(a) == service.service_name(a / ".." / a.name)
    assert service.service_name(a) != service.service_name(b)
    assert all(ch.isalnum() and ch.isascii() or ch == "-" for ch in service.service_name(a))


@linux_only
def test_install_status_uninstall_in_a_unit_dir(ws, tmp_path):
    units = tmp_path / "units"
    assert not service.status(ws.root, unit_dir=units).installed
    state = service.install(ws.root, unit_dir=units)
    path = units / f"{service.service_name(ws.root)}.service"
    assert state.installed and Path(state.path) == path and path.exists()
    assert "未启用" in state.manager and any("enable --now" in c for c in state.commands)
    f = fields(path.read_text(encoding="utf-8"))
    exe = str(service.ledger_executable())
    assert Path(exe).is_absolute()
    assert f["ExecStart"] == [f'"{exe}" "-w" "{ws.root.resolve()}" "schedule" "run"']
    assert f["WorkingDirectory"] == [str(ws.root.resolve())]
    assert f["Restart"] == ["on-failure"] and f["RestartSec"] == [str(service.RESTART_SECONDS)]
    assert "LANG=C.UTF-8" in f["Environment"][0] and f["WantedBy"] == ["default.target"]
    assert "User" not in f
    assert service.status(ws.root, unit_dir=units).installed
    gone = service.uninstall(ws.root, unit_dir=units)
    assert not gone.installed and not path.exists()
    assert not service.status(ws.root, unit_dir=units).installed


@linux_only
def test_two_workspaces_get_two_units(tmp_path):
    from ledger.workspace import init_workspace

    one, two = init_workspace(tmp_path / "a"), init_workspace(tmp_path / "b")
    units = tmp_path / "units"
    service.install(one.root, unit_dir=units)
    service.install(two.root, unit_dir=units)
    assert len(list(units.glob("ledger-*.service"))) == 2
    service.uninstall(one.root, unit_dir=units)
    assert [p.name for p in units.iterdir()] == [f"{service.service_name(two.root)}.service"]


@linux_only
def test_system_unit_runs_as_a_user_at_boot(ws, tmp_path):
    text = service.unit_text(ws.root, service.ledger_executable(), system=True, user="ledger")
    f = fields(text)
    assert f["User"] == ["ledger"] and f["WantedBy"] == ["multi-user.target"]
    assert f["After"] == ["network-online.target"]


@analyze
@linux_only
@pytest.mark.parametrize("system", [False, True])
def test_systemd_analyze_accepts_the_unit(tmp_path, system):
    from ledger.workspace import init_workspace

    ws = init_workspace(tmp_path / "台账 50%$x")      # spaces, %, $ and Chinese in the path
    state = service.install(ws.root, system=system, unit_dir=tmp_path / "units")
    result = verify(Path(state.path))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@analyze
def test_systemd_analyze_would_reject_a_broken_unit(tmp_path):
    """The check above can fail: a relative command and a bad Restart= are reported."""
    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nExecStart=ledger schedule run\nRestart=sometimes\n", encoding="utf-8")
    result = verify(bad)
    assert result.returncode != 0 or result.stderr.strip()


class FakeSystemctl:
    def __init__(self, fail: str | None = None, active: str = "active"):
        self.calls: list[tuple[bool, tuple[str, ...]]] = []
        self.fail, self.active = fail, active

    def __call__(self, system, *args):
        self.calls.append((system, args))
        if self.fail and args[0] == self.fail:
            return subprocess.CompletedProcess(args, 1, "", "Failed to connect to bus: No medium found")
        out = {"is-active": self.active, "is-enabled": "enabled"}.get(args[0], "")
        return subprocess.CompletedProcess(args, 0, out + "\n", "")


@linux_only
def test_install_in_the_user_dir_enables_and_starts(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    fake = FakeSystemctl()
    monkeypatch.setattr(service, "_systemctl", fake)
    name = service.service_name(ws.root)
    state = service.install(ws.root)
    assert Path(state.path) == tmp_path / "config" / "systemd" / "user" / f"{name}.service"
    assert [args for _, args in fake.calls[:2]] == [("daemon-reload",), ("enable", "--now", f"{name}.service")]
    assert all(system is False for system, _ in fake.calls)
    assert state.active is True and state.enabled is True and state.manager == ""
    fake.calls.clear()
    service.uninstall(ws.root)
    assert ("disable", "--now", f"{name}.service") in [args for _, args in fake.calls]
    assert not Path(state.path).exists()


@linux_only
def test_unusable_systemctl_leaves_the_file_and_says_what_to_run(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(service, "_systemctl", FakeSystemctl(fail="daemon-reload"))
    name = service.service_name(ws.root)
    state = service.install(ws.root)
    assert Path(state.path).exists() and state.active is None
    assert "systemctl 无法使用（Failed to connect to bus" in state.manager
    assert f"systemctl --user enable --now {name}.service" in state.commands


def test_windows_task_xml_parses_and_runs_at_logon(tmp_path):
    root = tmp_path / "台账 & <2024>"
    exe = Path("C:/venv/Scripts/ledger.exe")
    text = service.task_xml(root, exe, user="COUNTY\\office")
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    task = ET.fromstring(text.split("\n", 1)[1])
    assert task.tag == f"{{{service.TASK_NS}}}Task"
    assert task.find("t:Triggers/t:LogonTrigger/t:UserId", NS).text == "COUNTY\\office"
    action = task.find("t:Actions/t:Exec", NS)
    assert action.find("t:Command", NS).text == str(exe)
    assert action.find("t:Arguments", NS).text == f'-w "{root}" schedule run'
    assert action.find("t:WorkingDirectory", NS).text == str(root)
    assert task.find("t:Settings/t:RestartOnFailure/t:Count", NS).text == "999"
    assert task.find("t:Settings/t:ExecutionTimeLimit", NS).text == "PT0S"
    assert task.find("t:RegistrationInfo/t:URI", NS).text == "\\" + service.service_name(root)


@linux_only
def test_cli_install_status_uninstall(ws, tmp_path):
    units = str(tmp_path / "units")

    def invoke(*args):
        return CliRunner().invoke(cli, ["-w", str(ws.root), "schedule", *args, "--unit-dir", units])

    result = invoke("status")
    assert result.exit_code == 0 and "未安装后台服务" in result.output
    result = invoke("install", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema_version"] and data["service"]["installed"] is True
    assert Path(data["service"]["path"]).exists()
    result = invoke("install")
    assert "已写入服务文件" in result.output and "systemctl --user enable --now" in result.output
    result = invoke("status", "--json")
    assert json.loads(result.output)["service"]["installed"] is True
    result = invoke("uninstall")
    assert result.exit_code == 0 and "已停止并删除服务" in result.output
    assert not Path(data["service"]["path"]).exists()


@linux_only
def test_the_web_server_is_a_service_of_its_own_beside_the_scheduler(ws, tmp_path):
    units = tmp_path / "units"
    web = service.web_job("0.0.0.0", 8080)
    service.install(ws.root, unit_dir=units)
    state = service.install(ws.root, unit_dir=units, job=web)
    assert state.name == service.service_name(ws.root) + "-web"
    assert sorted(p.name for p in units.iterdir()) == sorted([f"{service.service_name(ws.root)}.service",
                                                              f"{state.name}.service"])
    f = fields(Path(state.path).read_text(encoding="utf-8"))
    exe = str(service.ledger_executable())
    assert f["ExecStart"] == [f'"{exe}" "-w" "{ws.root.resolve()}" "serve" "--host" "0.0.0.0" "--port" "8080"']
    assert "网页报送" in f["Description"][0] and f["Restart"] == ["on-failure"]
    assert service.status(ws.root, unit_dir=units, job=web).installed
    service.uninstall(ws.root, unit_dir=units, job=web)
    assert [p.name for p in units.iterdir()] == [f"{service.service_name(ws.root)}.service"]   # the scheduler stays


def test_the_web_servers_windows_task_runs_ledger_serve(tmp_path):
    root = tmp_path / "台账"
    task = ET.fromstring(service.task_xml(root, Path("C:/venv/Scripts/ledger.exe"), "DC\\clerk",
                                          service.web_job(port=8081)).split("\n", 1)[1])
    assert task.find("t:Actions/t:Exec/t:Arguments", NS).text == f'-w "{root}" serve --host 127.0.0.1 --port 8081'
    assert task.find("t:RegistrationInfo/t:URI", NS).text == "\\" + service.service_name(root) + "-web"


@linux_only
def test_cli_installs_the_web_server_with_its_address(ws, tmp_path):
    units = str(tmp_path / "units")
    out = CliRunner().invoke(cli, ["-w", str(ws.root), "schedule", "install", "--web", "--port", "8090",
                                   "--unit-dir", units, "--json"])
    assert out.exit_code == 0, out.output
    path = Path(json.loads(out.output)["service"]["path"])
    assert path.name.endswith("-web.service") and '"--port" "8090"' in path.read_text(encoding="utf-8")
    status = CliRunner().invoke(cli, ["-w", str(ws.root), "schedule", "status", "--unit-dir", units])
    assert "未安装后台服务" in status.output                 # the scheduler's own service is another one
    web = CliRunner().invoke(cli, ["-w", str(ws.root), "schedule", "status", "--web", "--unit-dir", units])
    assert "已安装" in web.output


@analyze
@linux_only
def test_systemd_analyze_accepts_the_web_unit(tmp_path):
    from ledger.workspace import init_workspace

    ws = init_workspace(tmp_path / "台账 web")
    state = service.install(ws.root, system=True, unit_dir=tmp_path / "units", job=service.web_job())
    result = verify(Path(state.path))
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
