"""Schedule files (``schedules/*.toml``) turned into validated job definitions.

Every file is read and checked before any job is used, so the scheduler never starts
half-configured. A job's ``day`` may say ``deadline`` / ``deadline+1`` / ``deadline-2``: the deadline
day from ``ledger.toml`` (``office.deadline_day``), so moving the deadline moves the jobs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from ledger.errors import ScheduleError, os_reason
from ledger.period import current_period, shift
from ledger.workspace import Workspace

CRON_FIELDS = ("month", "day", "day_of_week", "hour", "minute")
PERIOD_RULES = {"previous": "previous", "上月": "previous", "current": "current", "本月": "current"}
PERIOD_LABELS = {"previous": "上月", "current": "本月"}
DEFAULT_GRACE_HOURS = 24.0
DEFAULT_LOCK_WAIT_MINUTES = 30.0

# Keys a file may set at its top level as defaults for its jobs, and the keys of one job.
FILE_DEFAULTS = ("timezone", "period", "grace_hours", "lock_wait_minutes")
JOB_KEYS = ("name", "description", "action", "enabled", *FILE_DEFAULTS, *CRON_FIELDS)

_NAME_RE = re.compile(r"^[\w.-]{1,64}$")
_DEADLINE_RE = re.compile(r"deadline\s*(?:([+-])\s*(\d+))?", re.IGNORECASE)
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_FIELD_HINTS = {
    "month": "1–12 的整数或 cron 写法，如 1、3-5、*/3",
    "day": "1–31 的整数、cron 写法（如 1、1-5、last）或 deadline、deadline+1",
    "day_of_week": "星期的英文缩写或 0–6（0 为星期一），如 mon-fri、sat,sun",
    "hour": "0–23 的整数或 cron 写法，如 8、8-18、*/2",
    "minute": "0–59 的整数或 cron 写法，如 0、0,30、*/15",
}
_WEEKDAYS = {"mon": "一", "tue": "二", "wed": "三", "thu": "四", "fri": "五", "sat": "六", "sun": "日"}


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job, validated, with its cron fields resolved against ``ledger.toml``."""

    name: str
    actions: tuple[str, ...]
    period: str                      # "previous" or "current", relative to the scheduled time
    fields: dict[str, str]           # resolved cron fields (deadline replaced by a day number)
    timezone: str
    source: str                      # workspace-relative file the job came from
    description: str = ""
    written: dict[str, str] = field(default_factory=dict)   # cron fields as written in the file
    grace_hours: float = DEFAULT_GRACE_HOURS
    lock_wait_minutes: float = DEFAULT_LOCK_WAIT_MINUTES
    enabled: bool = True

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def grace_seconds(self) -> int:
        return max(1, round(self.grace_hours * 3600))

    def trigger(self) -> CronTrigger:
        return CronTrigger(timezone=self.tz, **self.fields)

    def period_for(self, when: datetime) -> str:
        """The reporting period of a run scheduled (or started) at ``when``."""
        month = current_period(self.timezone, when.astimezone(self.tz))
        return shift(month, -1) if self.period == "previous" else month

    def next_runs(self, after: datetime, count: int) -> list[datetime]:
        """The next ``count`` fire times strictly after ``after``, in the job's time zone."""
        trigger, runs, previous = self.trigger(), [], None
        now = after.astimezone(self.tz) + timedelta(microseconds=1)
        while len(runs) < count:
            fire = trigger.get_next_fire_time(previous, now)
            if fire is None:
                break
            runs.append(fire)
            previous, now = fire, fire + timedelta(seconds=1)
        return runs

    def describe(self) -> str:
        """The firing times in words, e.g. ``每月 1 日 08:00``."""
        return describe_fields(self.written or self.fields, self.fields)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "actions": list(self.actions),
                "period": self.period, "cron": dict(self.fields), "written": dict(self.written),
                "timezone": self.timezone, "grace_hours": self.grace_hours,
                "lock_wait_minutes": self.lock_wait_minutes, "enabled": self.enabled,
                "source": self.source, "describe": self.describe()}


def load_jobs(ws: Workspace, known_actions: Iterable[str] | None = None) -> list[JobSpec]:
    """Every job of every ``schedules/*.toml``, all validated before any is returned."""
    if known_actions is None:
        from ledger.schedule.actions import registry
        known_actions = registry()
    office = ws.settings.office
    jobs: list[JobSpec] = []
    seen: dict[str, str] = {}
    for path in schedule_files(ws):
        source = ws.relative(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ScheduleError(f"{source}：无法读取（{os_reason(exc)}）") from None
        for job in parse_file(data, source, set(known_actions), office.deadline_day, office.timezone):
            if job.name in seen:
                raise ScheduleError(f"{source}：任务名“{job.name}”与 {seen[job.name]} 中的任务重复，任务名须唯一")
            seen[job.name] = source
            jobs.append(job)
    return jobs


def schedule_files(ws: Workspace) -> list[Path]:
    folder = ws.schedules_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if p.is_file() and not p.name.startswith((".", "~")))


def find_job(jobs: list[JobSpec], name: str) -> JobSpec:
    for job in jobs:
        if job.name == name:
            return job
    names = "、".join(j.name for j in jobs) or "（无）"
    raise ScheduleError(f"没有名为“{name}”的定时任务；现有任务：{names}")


def parse_file(data: bytes, source: str, known_actions: set[str], deadline_day: int = 5,
               default_tz: str = "Asia/Shanghai") -> list[JobSpec]:
    """The jobs of one schedule file; ScheduleError names the file, the job and the field."""
    doc = _load_toml(data, source)
    unknown = [k for k in doc if k not in (*FILE_DEFAULTS, "job")]
    if unknown:
        raise ScheduleError(f"{source}：未知的设置项“{unknown[0]}”（文件顶层只能写 {'、'.join(FILE_DEFAULTS)} 和 [[job]]）")
    defaults = {"timezone": default_tz, "period": "previous", "grace_hours": DEFAULT_GRACE_HOURS,
                "lock_wait_minutes": DEFAULT_LOCK_WAIT_MINUTES}
    defaults.update({k: doc[k] for k in FILE_DEFAULTS if k in doc})
    entries = doc.get("job")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise ScheduleError(f"{source}：没有定义任何任务，每个任务写成一个 [[job]] 表")
    return [_job({**defaults, **entry}, _Where(source, n, entry), known_actions, deadline_day)
            for n, entry in enumerate(entries, 1)]


@dataclass
class _Where:
    """Where a value sits, for error messages: file, job number and name."""

    source: str
    number: int
    entry: dict[str, Any]

    def error(self, key: str, problem: str) -> ScheduleError:
        name = self.entry.get("name")
        job = f"任务“{name}”" if isinstance(name, str) and name else f"第 {self.number} 个任务"
        return ScheduleError(f"{self.source}：{job}的 {key} {problem}")


def _load_toml(data: bytes, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScheduleError(f"{source}：文件不是 UTF-8 编码，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        pos = _TOML_POS_RE.search(str(exc))
        where = f"第 {pos.group(1)} 行第 {pos.group(2)} 列附近" if pos else "某处"
        raise ScheduleError(f"{source}：不是有效的 TOML 文件，{where}有语法错误") from None


def _job(entry: dict[str, Any], where: _Where, known_actions: set[str], deadline_day: int) -> JobSpec:
    unknown = [k for k in entry if k not in JOB_KEYS]
    if unknown:
        raise where.error(unknown[0], f"不是可用的设置项（可用：{'、'.join(JOB_KEYS)}）")
    tz = _timezone(entry["timezone"], where)
    written = {k: _cron_text(entry[k], k, where) for k in CRON_FIELDS if k in entry}
    if not written:
        raise where.error("minute/hour/day/month/day_of_week", "都没有填写，至少要给出一个触发时间字段")
    fields = dict(written)
    if "day" in fields:
        fields["day"] = _resolve_deadline(fields["day"], deadline_day, where)
    spec = JobSpec(
        name=_name(entry.get("name"), where), actions=_actions(entry.get("action"), known_actions, where),
        period=_period(entry["period"], where), fields=fields, timezone=tz, source=where.source,
        description=_text(entry.get("description", ""), "description", where), written=written,
        grace_hours=_positive(entry["grace_hours"], "grace_hours", where, allow_zero=False),
        lock_wait_minutes=_positive(entry["lock_wait_minutes"], "lock_wait_minutes", where, allow_zero=True),
        enabled=_bool(entry.get("enabled", True), "enabled", where))
    _check_trigger(spec, where)
    return spec


def _name(value: Any, where: _Where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error("name", "必须填写（任务名，用于 ledger schedule trigger <任务名>）")
    if not _NAME_RE.match(value):
        raise where.error("name", f"“{value}”无效：只能用字母、数字、汉字、下划线、点和连字符，最长 64 个字符")
    return value


def _actions(value: Any, known: set[str], where: _Where) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise where.error("action", f"必须是动作名或动作名列表，可用动作：{'、'.join(sorted(known))}")
    for name in names:
        if name not in known:
            raise where.error("action", f"中的“{name}”不是可用的动作（可用：{'、'.join(sorted(known))}）")
    return tuple(names)


def _period(value: Any, where: _Where) -> str:
    if not isinstance(value, str) or value not in PERIOD_RULES:
        raise where.error("period", f"值“{value}”无效，应为 \"previous\"（上月）或 \"current\"（本月）")
    return PERIOD_RULES[value]


def _timezone(value: Any, where: _Where) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise where.error("timezone", f"值“{value}”不是有效的时区名，例如 Asia/Shanghai") from None
    return value


def _text(value: Any, key: str, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error(key, "应为文本")
    return value


def _bool(value: Any, key: str, where: _Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, "应为 true 或 false")
    return value


def _positive(value: Any, key: str, where: _Where, allow_zero: bool) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (value > 0 or allow_zero and value == 0)
    if not ok:
        raise where.error(key, f"值 {value!r} 无效，应为{'不小于' if allow_zero else '大于'} 0 的数字")
    return float(value)


def _cron_text(value: Any, key: str, where: _Where) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise where.error(key, f"值 {value!r} 无效，应为 {_FIELD_HINTS[key]}")
    text = str(value).strip()
    if key != "day" and _DEADLINE_RE.search(text):
        raise where.error(key, "不能使用 deadline：deadline 只能用在 day（日）字段")
    return text


def _resolve_deadline(text: str, deadline_day: int, where: _Where) -> str:
    """Replace each ``deadline[+-N]`` with the day it means; it must fall on days 1–28."""
    def day(match: re.Match) -> str:
        offset = int(match.group(2) or 0) * (-1 if match.group(1) == "-" else 1)
        value = deadline_day + offset
        if not 1 <= value <= 28:
            raise where.error("day", f"中的“{match.group(0)}”按 ledger.toml 的 office.deadline_day = {deadline_day} "
                                     f"算得 {value} 日，须在 1–28 日之间（每个月都有的日子）")
        return str(value)
    return _DEADLINE_RE.sub(day, text)


def _check_trigger(spec: JobSpec, where: _Where) -> None:
    """Each field must be a valid cron expression, and the whole must fire at least once."""
    for key, text in spec.fields.items():
        try:
            CronTrigger(timezone=spec.tz, **{key: text})
        except (ValueError, TypeError):
            shown = spec.written.get(key, text)
            raise where.error(key, f"值“{shown}”无效，应为 {_FIELD_HINTS[key]}") from None
    try:
        fires = spec.trigger().get_next_fire_time(None, datetime.now(spec.tz))
    except (ValueError, TypeError):
        fires = None
    if fires is None:
        raise where.error("day/month", "组合出的日期永远不会到来（例如 2 月 30 日），请检查")


def describe_fields(written: dict[str, str], fields: dict[str, str]) -> str:
    """Cron fields in Chinese words; ``written`` keeps ``deadline`` for the reader."""
    parts = []
    if "month" in written:
        parts.append(f"{written['month']} 月")
    if "day" in written:
        shown = fields["day"]
        note = f"（{_DEADLINE_RE.sub(_deadline_words, written['day'])}）" if _DEADLINE_RE.search(written["day"]) else ""
        parts.append(f"每月 {shown} 日{note}" if "month" not in written else f"{shown} 日{note}")
    if "day_of_week" in written:
        dow = written["day_of_week"].lower()
        for en, cn in _WEEKDAYS.items():
            dow = dow.replace(en, f"周{cn}")
        parts.append(dow.replace("-", "至").replace(",", "、"))
    if not parts:
        parts.append("每天")
    parts.append(_describe_time(fields.get("hour"), fields.get("minute")))
    return " ".join(parts)


def _deadline_words(match: re.Match) -> str:
    return "截止日" + (f"{match.group(1)}{match.group(2)}" if match.group(1) else "")


def _describe_time(hour: str | None, minute: str | None) -> str:
    if hour is None and minute is None:
        return "00:00"
    if hour is None:
        return f"每小时第 {minute} 分"
    minute = minute or "0"
    if hour.isdigit() and minute.isdigit():
        return f"{int(hour):02d}:{int(minute):02d}"
    if minute == "0":
        return f"{hour.replace('-', '–')} 时整点"
    return f"{hour.replace('-', '–')} 时 {minute} 分"
