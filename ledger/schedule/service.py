"""Running the scheduler (or the web server) unattended: a systemd unit (Linux) or a Task Scheduler
entry (Windows).

The service starts ``<venv>/bin/ledger -w <workspace> schedule run`` (the ``SCHEDULER`` job; the
web server's job runs ``serve --host H --port P``) at login (user unit; at boot with ``loginctl
enable-linger``) or at boot (``--system``), and restarts it when it fails. Its name is derived from
the workspace path (and the job), so two workspaces on one machine never share a unit.
``systemctl`` / ``schtasks`` are called only when they are present and usable; otherwise the file
is written and the caller is told the commands to run.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ledger.errors import LedgerError

RESTART_SECONDS = 30
LANG = "C.UTF-8"                      # present on every glibc system, unlike zh_CN.UTF-8
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
WINDOWS = sys.platform == "win32"


class ServiceError(LedgerError):
    """The service cannot be written or registered."""


@dataclass(frozen=True)
class Job:
    """What a service keeps running: ``ledger -w <workspace> <args>``."""

    args: tuple[str, ...]
    label: str                 # in the service's description
    suffix: str = ""           # of the service's name, beside the workspace's digest


SCHEDULER = Job(("schedule", "run"), "工作台账定时任务")


def web_job(host: str = "127.0.0.1", port: int = 8000) -> Job:
    """The web server (``ledger serve``) as a service."""
    return Job(("serve", "--host", host, "--port", str(port)), "工作台账网页报送", "-web")


@dataclass
class ServiceState:
    """What ``install``/``uninstall``/``status`` found or did, for the CLI and ``--json``."""

    name: str
    path: str
    kind: str                          # "systemd-user", "systemd-system" or "windows-task"
    installed: bool
    active: bool | None = None         # None: the service manager could not be asked
    enabled: bool | None = None
    manager: str = ""                  # why systemctl/schtasks was not used, in Chinese; "" when it was
    commands: list[str] = field(default_factory=list)   # what the user still has to run

    def to_dict(self) -> dict:
        return asdict(self)


def service_name(root: Path, job: Job = SCHEDULER) -> str:
    """``ledger-<10 hex>`` (``-web`` for the web server): safe in unit and task names, unique per
    resolved workspace path and job."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode("utf-8")).hexdigest()[:10]
    return f"ledger-{digest}{job.suffix}"


def ledger_executable() -> Path:
    """The ``ledger`` command of this very environment (venv), by absolute path."""
    here = Path(sys.executable).absolute().parent
    candidate = here / ("ledger.exe" if WINDOWS else "ledger")
    if candidate.exists():
        return candidate
    found = shutil.which("ledger")
    if found:
        return Path(found).absolute()
    raise ServiceError(f"找不到 ledger 命令（应在 {here} 中）：请在安装了 ledger 的虚拟环境中运行本命令")


def default_unit_dir(system: bool) -> Path:
    if WINDOWS:
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ledger" / "tasks"
    if system:
        return Path("/etc/systemd/system")
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


# --- systemd ---------------------------------------------------------------------------------

def _quote(arg: str) -> str:
    """One ExecStart argument: double-quoted, with systemd's specifier (%) and variable ($) escapes."""
    text = arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{text}"'


def unit_text(root: Path, exe: Path, system: bool = False, user: str | None = None, job: Job = SCHEDULER) -> str:
    """The systemd unit that keeps the job (``ledger schedule run``) going for the workspace at ``root``."""
    root = Path(root).resolve()
    command = " ".join(_quote(a) for a in (str(exe), "-w", str(root), *job.args))
    lines = [
        "[Unit]",
        f"Description=ledger {job.label} {str(root).replace('%', '%%')}",
        "Documentation=https://pypi.org/project/ledger-taizhang/",
    ]
    if system:
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += [
        "",
        "[Service]",
        "Type=simple",
        f"ExecStart={command}",
        f"WorkingDirectory={str(root).replace('%', '%%')}",
        f"Environment=LANG={LANG} LC_ALL={LANG} PYTHONUTF8=1 PYTHONUNBUFFERED=1",
        "Restart=on-failure",
        f"RestartSec={RESTART_SECONDS}",
        "SuccessExitStatus=130",        # ledger exits 130 on SIGTERM: a stop, not a failure
    ]
    if system:
        lines.append(f"User={user or getpass.getuser()}")
    lines += ["", "[Install]", f"WantedBy={'multi-user.target' if system else 'default.target'}", ""]
    return "\n".join(lines)


def _systemctl(system: bool, *args: str) -> subprocess.CompletedProcess | None:
    """Run systemctl; None when it is absent or cannot reach its manager (containers, no user bus)."""
    exe = shutil.which("systemctl")
    if exe is None:
        return None
    scope = [] if system else ["--user"]
    try:
        return subprocess.run([exe, *scope, *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


@dataclass
class _UnitFile:
    """Where a workspace's systemd unit goes: ``folder`` (asked for) or systemd's own ``default``."""

    name: str
    folder: Path
    default: Path
    system: bool

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}.service"

    @property
    def standard(self) -> bool:
        """In systemd's own folder, where systemctl can enable it."""
        return self.folder == self.default

    def state(self, installed: bool) -> ServiceState:
        return ServiceState(self.name, str(self.path), "systemd-system" if self.system else "systemd-user",
                            installed=installed)


def _unit_file(root: Path, system: bool, unit_dir: Path | None, job: Job) -> _UnitFile:
    default = default_unit_dir(system)
    return _UnitFile(service_name(root, job), Path(unit_dir).absolute() if unit_dir else default, default, system)


def _manual(unit: _UnitFile) -> list[str]:
    """The commands an administrator runs to enable a unit ledger could not enable itself."""
    ctl = "systemctl" if unit.system else "systemctl --user"
    steps = [] if unit.standard else [f"cp {unit.path} {unit.default}/"]
    steps += [f"{ctl} daemon-reload", f"{ctl} enable --now {unit.name}.service"]
    if not unit.system:
        steps.append(f"loginctl enable-linger {getpass.getuser()}   # 可选：开机即运行，无需登录")
    return steps


def _not_enabled(state: ServiceState, unit: _UnitFile, why: str) -> ServiceState:
    state.manager, state.commands = why, _manual(unit)
    return state


def _reason(result: subprocess.CompletedProcess | None) -> str:
    if result is None:
        return "本机没有可用的 systemctl"
    detail = (result.stderr or result.stdout).strip().splitlines()
    return f"systemctl 无法使用（{detail[0] if detail else f'退出码 {result.returncode}'}）"


def install(root: Path, system: bool = False, unit_dir: Path | None = None, exe: Path | None = None,
            job: Job = SCHEDULER) -> ServiceState:
    """Write the service for ``root`` and, in the standard place with a usable manager, enable and start it."""
    if WINDOWS:
        return _install_task(root, unit_dir, exe, job)
    unit = _unit_file(root, system, unit_dir, job)
    text = unit_text(root, exe or ledger_executable(), system, job=job)
    try:
        unit.folder.mkdir(parents=True, exist_ok=True)
        unit.path.write_text(text, encoding="utf-8")
    except OSError as exc:
        hint = "（系统服务需要管理员权限：sudo）" if system else ""
        raise ServiceError(f"无法写入服务文件 {unit.path}：{exc.strerror or exc}{hint}") from exc
    state = unit.state(installed=True)
    if not unit.standard:
        return _not_enabled(state, unit, f"服务文件写在 {unit.folder}，不在 systemd 的目录中，未启用")
    for args in (("daemon-reload",), ("enable", "--now", f"{unit.name}.service")):
        done = _systemctl(system, *args)
        if done is None or done.returncode != 0:
            return _not_enabled(state, unit, _reason(done))
    return _ask(state, system)


def _ask(state: ServiceState, system: bool) -> ServiceState:
    active = _systemctl(system, "is-active", f"{state.name}.service")
    enabled = _systemctl(system, "is-enabled", f"{state.name}.service")
    if active is None or enabled is None or "bus" in (active.stderr + enabled.stderr).lower():
        state.manager = _reason(active if active is not None and active.returncode else enabled)
        return state
    state.active = active.stdout.strip() == "active"
    state.enabled = enabled.stdout.strip() == "enabled"
    return state


def status(root: Path, system: bool = False, unit_dir: Path | None = None, job: Job = SCHEDULER) -> ServiceState:
    """Whether the service for ``root`` is written and, when the manager can tell, running."""
    if WINDOWS:
        return _status_task(root, unit_dir, job)
    unit = _unit_file(root, system, unit_dir, job)
    state = unit.state(installed=unit.path.exists())
    if not state.installed:
        return state
    if not unit.standard:
        state.manager = f"服务文件在 {unit.folder}，不在 systemd 的目录中"
        return state
    return _ask(state, system)


def uninstall(root: Path, system: bool = False, unit_dir: Path | None = None, job: Job = SCHEDULER) -> ServiceState:
    """Stop, disable and remove the service for ``root`` (nothing to do when it is not installed)."""
    if WINDOWS:
        return _uninstall_task(root, unit_dir, job)
    unit = _unit_file(root, system, unit_dir, job)
    state = unit.state(installed=False)
    if unit.standard and unit.path.exists():
        ctl = "systemctl" if system else "systemctl --user"
        stop = _systemctl(system, "disable", "--now", f"{unit.name}.service")
        if stop is None or stop.returncode != 0:
            state.manager = _reason(stop)
            state.commands = [f"{ctl} disable --now {unit.name}.service", f"{ctl} daemon-reload"]
    try:
        unit.path.unlink(missing_ok=True)
    except OSError as exc:
        raise ServiceError(f"无法删除服务文件 {unit.path}：{exc.strerror or exc}") from exc
    if unit.standard and not state.commands:
        _systemctl(system, "daemon-reload")
    return state


# --- Windows Task Scheduler --------------------------------------------------------------------

def task_xml(root: Path, exe: Path, user: str | None = None, job: Job = SCHEDULER) -> str:
    """The Task Scheduler definition (``schtasks /Create /XML``): at logon, restart on failure, no time limit."""
    ET.register_namespace("", TASK_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{TASK_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    root = Path(root)
    task = ET.Element(f"{{{TASK_NS}}}Task", {"version": "1.2"})
    info = sub(task, "RegistrationInfo")
    sub(info, "Description", f"ledger {job.label} {root}")
    sub(info, "URI", "\\" + service_name(root, job))
    trigger = sub(sub(task, "Triggers"), "LogonTrigger")
    sub(trigger, "Enabled", "true")
    if user:
        sub(trigger, "UserId", user)
    principal = sub(sub(task, "Principals"), "Principal", id="Author")
    if user:
        sub(principal, "UserId", user)
    sub(principal, "LogonType", "InteractiveToken")
    sub(principal, "RunLevel", "LeastPrivilege")
    settings = sub(task, "Settings")
    sub(settings, "MultipleInstancesPolicy", "IgnoreNew")
    sub(settings, "DisallowStartIfOnBatteries", "false")
    sub(settings, "StopIfGoingOnBatteries", "false")
    sub(settings, "StartWhenAvailable", "true")
    restart = sub(settings, "RestartOnFailure")
    sub(restart, "Interval", "PT1M")
    sub(restart, "Count", "999")
    sub(settings, "ExecutionTimeLimit", "PT0S")
    sub(settings, "Enabled", "true")
    exec_ = sub(sub(task, "Actions", Context="Author"), "Exec")
    sub(exec_, "Command", str(exe))
    sub(exec_, "Arguments", f'-w "{root}" ' + " ".join(job.args))
    sub(exec_, "WorkingDirectory", str(root))
    body = ET.tostring(task, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n"


def _windows_user() -> str | None:
    user = os.environ.get("USERNAME")
    domain = os.environ.get("USERDOMAIN")
    return f"{domain}\\{user}" if user and domain else user


def _schtasks(*args: str) -> subprocess.CompletedProcess | None:
    exe = shutil.which("schtasks")
    if exe is None:
        return None
    try:
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _install_task(root: Path, unit_dir: Path | None, exe: Path | None, job: Job) -> ServiceState:
    name = service_name(root, job)
    folder = Path(unit_dir) if unit_dir else default_unit_dir(False)
    path = folder / f"{name}.xml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(task_xml(Path(root).resolve(), exe or ledger_executable(), _windows_user(), job),
                        encoding="utf-16")
    except OSError as exc:
        raise ServiceError(f"无法写入计划任务文件 {path}：{exc.strerror or exc}") from exc
    state = ServiceState(name, str(path), "windows-task", installed=True)
    create = ["/Create", "/TN", name, "/XML", str(path), "/F"]
    done = _schtasks(*create)
    if done is None or done.returncode != 0:
        state.manager = "schtasks 无法使用" + (f"（{done.stderr.strip()}）" if done is not None and done.stderr else "")
        state.commands = [f'schtasks /Create /TN {name} /XML "{path}" /F', f"schtasks /Run /TN {name}"]
        return state
    _schtasks("/Run", "/TN", name)
    return _status_task(root, unit_dir, job)


def _status_task(root: Path, unit_dir: Path | None, job: Job) -> ServiceState:
    name = service_name(root, job)
    folder = Path(unit_dir) if unit_dir else default_unit_dir(False)
    state = ServiceState(name, str(folder / f"{name}.xml"), "windows-task", installed=False)
    query = _schtasks("/Query", "/TN", name, "/FO", "CSV", "/NH")
    if query is None:
        state.installed = Path(state.path).exists()
        state.manager = "schtasks 无法使用"
        return state
    state.installed = query.returncode == 0
    if state.installed:
        state.active = "Running" in query.stdout or "正在运行" in query.stdout
        state.enabled = not ("Disabled" in query.stdout or "已禁用" in query.stdout)
    return state


def _uninstall_task(root: Path, unit_dir: Path | None, job: Job) -> ServiceState:
    name = service_name(root, job)
    folder = Path(unit_dir) if unit_dir else default_unit_dir(False)
    path = folder / f"{name}.xml"
    state = ServiceState(name, str(path), "windows-task", installed=False)
    _schtasks("/End", "/TN", name)
    done = _schtasks("/Delete", "/TN", name, "/F")
    if done is None:
        state.manager = "schtasks 无法使用"
        state.commands = [f"schtasks /Delete /TN {name} /F"]
    path.unlink(missing_ok=True)
    return state
