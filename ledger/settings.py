"""Typed settings loaded from a workspace's ``ledger.toml``, with defaults for every key.

An unknown key or a value of the wrong type is a ``SettingsError`` naming the key and the file.
"""

from __future__ import annotations

import codecs
import math
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import SettingsError, os_reason

DEFAULT_STATUSES = ["已完成", "超序时", "序时推进", "滞后", "严重滞后", "未启动"]

# Common words departments use, mapped to the canonical status (see shared/notes/practice.md).
DEFAULT_SYNONYMS = {
    "已办结": "已完成", "提前完成": "已完成", "基本完成": "已完成", "完成": "已完成",
    "超进度": "超序时", "进度超前": "超序时",
    "达进度": "序时推进", "正常推进": "序时推进", "按序时": "序时推进", "有序推进": "序时推进",
    "正在办理": "序时推进", "按序时推进": "序时推进", "正常": "序时推进", "推进中": "序时推进",
    "欠进度": "滞后", "慢序时": "滞后", "未达序时": "滞后", "进度滞后": "滞后",
    "未开始": "未启动", "暂未开启": "未启动", "尚未启动": "未启动",
}


@dataclass
class DatabaseSettings:
    url: str = "sqlite:///ledger.db"   # relative SQLite paths are inside the workspace


@dataclass
class OfficeSettings:
    name: str = "县委县政府督查室"
    contact: str = ""
    phone: str = ""
    deadline_day: int = 5             # 每月N日前报送
    timezone: str = "Asia/Shanghai"


@dataclass
class TemplateSettings:
    password: str = ""                # sheet protection password; empty = no password
    carry_progress: bool = False      # carry 本月进展情况 forward, or show it in a note only
    statuses: list[str] = field(default_factory=lambda: list(DEFAULT_STATUSES))


@dataclass
class CollectSettings:
    settle_seconds: float = 2.0       # a file must be unchanged this long before it is read
    max_file_mb: float = 20.0
    lag_tolerance: int = 20           # warn when 序时推进 is this many points below 序时进度
    synonyms: dict[str, str] = field(default_factory=dict)   # the office's own; the common ones are added


@dataclass
class UnitSettings:
    aliases: dict[str, str] = field(default_factory=dict)       # other name -> canonical name
    groups: dict[str, list[str]] = field(default_factory=dict)  # collective name -> member units
    unit_endings: list[str] = field(default_factory=list)     # extra 局/委/中心-like name endings


@dataclass
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    office: OfficeSettings = field(default_factory=OfficeSettings)
    templates: TemplateSettings = field(default_factory=TemplateSettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    units: UnitSettings = field(default_factory=UnitSettings)

    def __post_init__(self) -> None:
        """Add the common synonyms whose status is in use; the office's own take precedence."""
        statuses = set(self.templates.statuses)
        common = {k: v for k, v in DEFAULT_SYNONYMS.items() if v in statuses and k not in statuses}
        self.collect.synonyms = {**common, **self.collect.synonyms}

    def check(self, source: str) -> None:
        """Check values that types alone cannot: a value that would reject everything (no file small
        enough, every file waiting for ever, no status to choose) is refused, naming key and file."""
        def refuse(message: str) -> None:
            raise SettingsError(f"{source}：{message}")

        if not 1 <= self.office.deadline_day <= 28:
            refuse("office.deadline_day 应为 1 到 28 之间的整数（每月截止日）")
        try:
            ZoneInfo(self.office.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            refuse(f"office.timezone “{self.office.timezone}” 不是有效的时区名，例如 Asia/Shanghai")
        if not self.database.url.strip():
            refuse("database.url 不能为空（默认 sqlite:///ledger.db）")
        for key, low, high, unit in NUMBER_RANGES:
            number = _get(self, key)
            if not (math.isfinite(number) and low(number) and number <= high):
                refuse(f"{key} 的值 {number:g} 无效，{unit}")
        self._check_statuses(refuse)
        for key, table in (("collect.synonyms", self.collect.synonyms), ("units.aliases", self.units.aliases)):
            blank = next((k for k, v in table.items() if not k.strip() or not v.strip()), None)
            if blank is not None:
                refuse(f"{key} 中有空白的名称（“{blank}”）")
        for group, members in self.units.groups.items():
            if not group.strip() or not members or any(not m.strip() for m in members):
                refuse(f"units.groups 中的“{group}”应列出至少一个单位名称，且不能有空白项")

    def _check_statuses(self, refuse: Callable[[str], None]) -> None:
        statuses = self.templates.statuses
        if not statuses:
            refuse("templates.statuses 不能为空")
        if any(not s.strip() for s in statuses):
            refuse("templates.statuses 中有空白的状态")
        dup = next((s for s in statuses if statuses.count(s) > 1), None)
        if dup is not None:
            refuse(f"templates.statuses 中的状态“{dup}”重复")
        if any("," in s for s in statuses):
            refuse("templates.statuses 中的状态不能含英文逗号（Excel 下拉列表用它分隔）")
        if len(",".join(statuses)) > 255:
            refuse("templates.statuses 合计太长（Excel 下拉列表最多 255 个字符），请精简状态名称")
        unknown = sorted(set(self.collect.synonyms.values()) - set(statuses))
        if unknown:
            refuse(f"collect.synonyms 映射到了不在 templates.statuses 中的状态“{unknown[0]}”")
        remapped = next((k for k, v in self.collect.synonyms.items() if k in statuses and k != v), None)
        if remapped is not None:
            refuse(f"collect.synonyms 中的“{remapped}”本身是 templates.statuses 中的状态，不能再换成别的状态")


# Numeric settings and the values that keep ledger usable: (key, lower test, upper bound, what is allowed).
NUMBER_RANGES: list[tuple[str, Callable[[float], bool], float, str]] = [
    ("collect.max_file_mb", lambda v: v > 0, 1024, "应为大于 0、不超过 1024 的数（单个报送文件的大小上限，单位 MB）"),
    ("collect.settle_seconds", lambda v: v >= 0, 3600, "应为 0 到 3600 之间的秒数（文件保持不变多久才收取）"),
    ("collect.lag_tolerance", lambda v: v >= 0, 100, "应为 0 到 100 之间的整数（百分点）"),
]


def _get(settings: "Settings", key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(settings, section), name)


def load_settings(path: Path) -> Settings:
    """Read ``ledger.toml``; a missing file gives the defaults."""
    source = str(path)
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}：不是有效的 TOML 文件（{exc}）") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{source}：无法识别文件编码，请用记事本另存为 UTF-8 编码") from None
    except OSError as exc:
        raise SettingsError(f"{source}：无法读取（{os_reason(exc)}）") from None
    settings = _build(Settings, data, "", source)
    settings.check(source)
    return settings


def read_text(path: Path) -> str:
    """The file's text as Windows editors save it: UTF-8 with or without a BOM, UTF-16 (Notepad's
    "Unicode") or GBK/GB18030 (Notepad's "ANSI" on Chinese Windows)."""
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _build(cls: type, data: Any, prefix: str, source: str) -> Any:
    if not isinstance(data, dict):
        raise SettingsError(f"{source}：“{prefix.rstrip('.')}” 应为一个表（[{prefix.rstrip('.')}]）")
    hints = get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key not in names:
            raise SettingsError(f"{source}：未知的设置项“{prefix}{key}”")
        kwargs[key] = _convert(hints[key], value, f"{prefix}{key}", source)
    return cls(**kwargs)


def _convert(hint: Any, value: Any, key: str, source: str) -> Any:
    if is_dataclass(hint):
        return _build(hint, value, key + ".", source)
    origin = get_origin(hint)
    if origin is list:
        (inner,) = get_args(hint)
        if not isinstance(value, list):
            raise SettingsError(f"{source}：设置项“{key}”应为列表")
        return [_convert(inner, v, key, source) for v in value]
    if origin is dict:
        _, inner = get_args(hint)
        if not isinstance(value, dict):
            raise SettingsError(f"{source}：设置项“{key}”应为表")
        return {str(k): _convert(inner, v, f"{key}.{k}", source) for k, v in value.items()}
    return _scalar(hint, value, key, source)


_TYPE_NAMES = {str: "文本", int: "整数", float: "数字", bool: "true 或 false"}


def _scalar(hint: type, value: Any, key: str, source: str) -> Any:
    ok = isinstance(value, hint) and not (hint is int and isinstance(value, bool))
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not ok:
        raise SettingsError(f"{source}：设置项“{key}”的值 {value!r} 无效，应为{_TYPE_NAMES[hint]}")
    return value
