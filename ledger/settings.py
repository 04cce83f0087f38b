"""Typed settings loaded from a workspace's ``ledger.toml``, with defaults for every key.

An unknown key or a value of the wrong type is a ``SettingsError`` naming the key and the file.
"""

from __future__ import annotations

import codecs
import keyword
import math
import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ledger.errors import SettingsError, os_reason
from ledger.statuses import BY_KEY as MEANINGS_BY_KEY
from ledger.statuses import DEFAULT_STATUSES, DEFAULT_VOCABULARY, Vocabulary

# The statuses and their meanings are declared in ledger.statuses; the common words departments use
# (已办结, 慢序时, …) are mapped by meaning there.

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
    # a file replacing a unit's accepted month after that month's deadline: refuse, review (held for
    # the office: ledger corrections accept|refuse) or accept; never changes the month's timeliness
    late_corrections: str = "review"
    synonyms: dict[str, str] = field(default_factory=dict)   # the office's own; the common ones are added


@dataclass
class UnitSettings:
    aliases: dict[str, str] = field(default_factory=dict)       # other name -> canonical name
    groups: dict[str, list[str]] = field(default_factory=dict)  # collective name -> member units
    unit_endings: list[str] = field(default_factory=list)     # extra 局/委/中心-like name endings


@dataclass
class ColumnSettings:
    """An office column (``[[columns]]``): an input column of the 台账 after the layout's own."""

    header: str = ""
    kind: str = "text"               # text | longtext | percent | number | date | phone | choice | yesno
    min: float | None = None         # number: bounds
    max: float | None = None
    unit: str = ""                   # number: unit, not typed in the cell
    choices: list[str] = field(default_factory=list)   # choice: the values offered
    required: bool = False
    required_if: list[str] = field(default_factory=list)   # status meanings that make it required
    help: str = ""                   # the cell's input prompt
    width: float = 12

    def column(self):
        """The layout column this declares (its key is its header)."""
        from ledger.layout import office_column

        return office_column(self.header, self.kind, minimum=self.min, maximum=self.max, unit=self.unit,
                             choices=tuple(self.choices), required=self.required, help=self.help, width=self.width,
                             required_if=tuple(self.required_if))


@dataclass
class ServeSettings:
    """``ledger serve``: the web pages where units upload and the office watches."""

    base_url: str = ""                # the address departments reach, as put in their links
    office_password: str = ""         # the office pages' password; empty: office pages closed
    uploads_per_hour: int = 30        # uploads a unit may make in an hour


# Message kinds a reminder may be (ledger.remind.messages says what each one is).
MESSAGE_KINDS = ("due_soon", "due_today", "overdue", "rejected", "sent_back", "escalation")
CHANNEL_KINDS = ("smtp", "wecom", "dingtalk", "feishu", "webhook")
TLS_MODES = ("starttls", "ssl", "none")


@dataclass
class ChannelSettings:
    """A way reminders leave (``[[channels]]``): e-mail, a group robot or the county's own gateway."""

    kind: str = ""                   # smtp | wecom | dingtalk | feishu | webhook
    name: str = ""                   # shown in the log and on the board; default: the kind
    url: str = ""                    # robots and webhook: where to POST
    secret: str = ""                 # dingtalk / feishu: the robot's signing secret
    host: str = ""                   # smtp
    port: int = 0                    # smtp; 0: 587 (starttls), 465 (ssl), 25 (none)
    tls: str = "starttls"            # smtp: starttls | ssl | none
    user: str = ""                   # smtp login; empty: no login
    password_env: str = ""           # smtp: the environment variable holding the password
    from_: str = ""                  # smtp: the sender address (``from`` in ledger.toml)
    to: list[str] = field(default_factory=list)       # smtp: the office's addresses for each run's digest
    units: list[str] = field(default_factory=list)    # only these units; empty: all
    kinds: list[str] = field(default_factory=list)    # only these kinds of message; empty: all
    timeout: float = 10.0            # seconds to wait for the server
    # smtp and https: a CA certificate file (PEM) trusted besides the system's, such as the government
    # network's own CA; a relative path is from the workspace folder (where ledger.toml is)
    ca_file: str = ""

    @property
    def label(self) -> str:
        return self.name or self.kind

    def smtp_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465}.get(self.tls, 25)


@dataclass
class RemindSettings:
    """``ledger remind``: when messages go and how failures are retried."""

    due_soon_days: int = 2           # due_soon: this many days before the deadline (and fewer)
    max_attempts: int = 5            # a message failing this many times is given up (shown on the board)
    backoff_seconds: float = 30.0    # wait before the 2nd attempt, doubled for each next one
    retry_within_seconds: float = 120.0   # a run waits for retries due this soon; later ones wait for the next run
    stale_seconds: float = 300.0     # a message another process began sending this long ago is taken over


@dataclass
class ReviewSettings:
    """The office's review of what came in (审核) and its sign-off of finished items (销号)."""

    required: bool = False            # accepted ledgers wait for an office user's approval (待审核)
    max_evidence_mb: float = 20.0     # a piece of evidence (佐证材料) at most this large


SEVERITIES = ("warning", "error", "off")      # a content check's severity in [quality]


@dataclass
class QualitySettings:
    """``[quality]``: the content checks on accepted ledgers (``ledger.collect.quality``) and how
    severe each one is: "warning" (a 提示, the file is accepted), "error" (the file is returned) or "off"."""

    copied: str = "warning"           # progress-copied: 本月进展 the same as, or nearly, the last period's
    thin: str = "warning"             # progress-thin: too short, or only stock phrases
    fell: str = "warning"             # percent-fell: percent below the last period's with no 存在问题
    pace: str = "warning"             # behind-schedule: 序时推进/超序时 far below 序时进度 (collect.lag_tolerance)
    no_effect: str = "warning"        # done-no-effect: 已完成 with no 成效 in the text and no evidence
    similarity: float = 0.9           # copied when this similar (0–1) to the last period's text
    min_length: int = 5               # thin when shorter than this, counting letters, digits and 汉字 only
    stock_phrases: list[str] = field(default_factory=lambda: [
        "按计划推进", "正在推进中", "正在推进", "推进中", "有序推进", "稳步推进", "积极推进", "持续推进",
        "按序时推进", "序时推进", "正常推进", "正在办理", "正在落实", "进行中", "已完成", "正常", "同上",
        "无", "暂无", "工作", "各项", "目前", "本月"])
    effect_words: list[str] = field(default_factory=lambda: [
        "成效", "效果", "验收", "投用", "投入使用", "投产", "建成", "竣工", "通过", "达到", "实现", "累计",
        "共计", "惠及", "交付", "运营", "上线", "印发", "出台", "签订", "获批", "挂牌", "办结", "提升", "减少",
        "增长", "覆盖"])


@dataclass
class EscalationSettings:
    """``[escalation]``: when a unit is sent a 督办单 and of which colour (``ledger escalate``)."""

    blue_days: int = 30               # blue: a task not done whose 完成时限 falls within this many days
    behind_points: int = 20           # yellow: a task this many points or more behind 序时进度
    lag_months: int = 2               # yellow: a task 滞后 this many months running
    content_flags: int = 3            # yellow: this many content findings (提示) in the unit's ledger
    missing_periods: int = 2          # red: a unit that did not report this many periods running
    reply_days: int = 7               # 反馈时限: days after issue; an open notice past it goes up a colour


@dataclass
class ScoringSettings:
    """``[scoring]``: the monthly 考评 of each unit (``ledger score``): a base, minus points per event."""

    base: float = 100.0
    late: float = 0.1                 # a ledger reported after the deadline
    missing: float = 0.5              # no accepted ledger for the period
    rejected: float = 0.1             # each file returned by the machine
    sent_back: float = 0.2            # each ledger sent back by the office (审核退回)
    content_flag: float = 0.05        # each content finding (照搬上月, 过于简略, …)
    yellow: float = 0.3               # each yellow 督办单
    red: float = 0.5                  # each red 督办单
    reply_late: float = 0.2           # each 督办单 answered after its 反馈时限
    ahead_bonus: float = 0.0          # each task reported 超序时
    early_close_bonus: float = 0.0    # each task closed (销号) before its 完成时限
    honour_roll: bool = False         # the 通报's {红黑榜}: name the best and worst scores
    honour_roll_size: int = 3         # how many units on each list


@dataclass
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    office: OfficeSettings = field(default_factory=OfficeSettings)
    templates: TemplateSettings = field(default_factory=TemplateSettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    units: UnitSettings = field(default_factory=UnitSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    # The office's status words by meaning ("进度滞后" = "lagging"), laid over templates.statuses.
    statuses: dict[str, str] = field(default_factory=dict)
    columns: list[ColumnSettings] = field(default_factory=list)   # the office's own 台账 columns
    remind: RemindSettings = field(default_factory=RemindSettings)
    channels: list[ChannelSettings] = field(default_factory=list)  # where reminders go
    vocabulary: Vocabulary = field(default=DEFAULT_VOCABULARY, init=False, repr=False)

    def __post_init__(self) -> None:
        """Resolve the vocabulary (``templates.statuses`` then becomes its words), and add the common
        synonyms and the renamed default words whose meaning is in use; the office's own take precedence."""
        self.vocabulary = Vocabulary.of(self.templates.statuses, self.statuses)
        self.templates.statuses = self.vocabulary.words
        self.collect.synonyms = {**self.vocabulary.synonyms(), **self.collect.synonyms}

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
        self._check_rules(refuse)
        for key, table in (("collect.synonyms", self.collect.synonyms), ("units.aliases", self.units.aliases)):
            blank = next((k for k, v in table.items() if not k.strip() or not v.strip()), None)
            if blank is not None:
                refuse(f"{key} 中有空白的名称（“{blank}”）")
        if self.collect.late_corrections not in LATE_CORRECTIONS:
            refuse(f"collect.late_corrections “{self.collect.late_corrections}” 无效，应为以下之一："
                   + "、".join(LATE_CORRECTIONS))
        base = self.serve.base_url.strip()
        if base and not base.startswith(("http://", "https://")):
            refuse(f"serve.base_url “{base}” 应以 http:// 或 https:// 开头，例如 https://dc.example.gov.cn/ledger")
        for group, members in self.units.groups.items():
            if not group.strip() or not members or any(not m.strip() for m in members):
                refuse(f"units.groups 中的“{group}”应列出至少一个单位名称，且不能有空白项")
        self._check_channels(refuse)

    def _check_channels(self, refuse: Callable[[str], None]) -> None:
        seen: set[str] = set()
        for n, c in enumerate(self.channels, start=1):
            name = f"第 {n} 个 [[channels]]" + (f"（“{c.name}”）" if c.name else "")
            if c.kind not in CHANNEL_KINDS:
                refuse(f"{name}的 kind “{c.kind}”无效，应为以下之一：{'、'.join(CHANNEL_KINDS)}")
            if c.label in seen:
                refuse(f"{name}与前面的渠道同名（“{c.label}”）：同类渠道有多个时，请用 name 区分")
            seen.add(c.label)
            for problem in _channel_problems(c):
                refuse(f"{name}的 {problem}")
            if c.timeout * 2 >= self.remind.stale_seconds:
                refuse(f"remind.stale_seconds（{self.remind.stale_seconds:g} 秒）应大于{name}的 timeout 的两倍，"
                       "否则可能把仍在发送的消息当作中断而重发")

    def _check_rules(self, refuse: Callable[[str], None]) -> None:
        """The content checks' severities and word lists (``[quality]``)."""
        for name in ("copied", "thin", "fell", "pace", "no_effect"):
            if getattr(self.quality, name) not in SEVERITIES:
                refuse(f"quality.{name} 的值“{getattr(self.quality, name)}”无效，应为 \"warning\"（提示）、"
                       f"\"error\"（退回）或 \"off\"（不检查）")
        for key in ("quality.stock_phrases", "quality.effect_words"):
            if any(not w.strip() for w in _get(self, key)):
                refuse(f"{key} 中有空白项")

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
        self._check_meanings(refuse)
        self._check_columns(refuse)

    @property
    def office_columns(self) -> tuple:
        """The office's own columns as layout columns, in the order declared."""
        return tuple(c.column() for c in self.columns)

    def _check_columns(self, refuse: Callable[[str], None]) -> None:
        from ledger.kinds import OFFICE_KINDS
        from ledger.layout import BY_HEADER, BY_KEY

        seen: set[str] = set()
        for n, c in enumerate(self.columns, start=1):
            name = f"第 {n} 个 [[columns]]（“{c.header}”）"
            if not c.header.strip():
                refuse(f"第 {n} 个 [[columns]] 缺少 header（列标题）")
            key = "".join(c.header.split())
            if key in BY_HEADER or key in BY_KEY or key in seen:
                refuse(f"{name}的列标题与已有的列重名，请换一个标题")
            seen.add(key)
            if c.kind not in OFFICE_KINDS:
                refuse(f"{name}的 kind “{c.kind}”无效，应为以下之一：{'、'.join(OFFICE_KINDS)}")
            if c.kind == "choice" and not c.choices:
                refuse(f"{name}是 choice 类型，请用 choices 列出可选的值")
            if any(not x.strip() or "," in x for x in c.choices) or len(",".join(c.choices)) > 255:
                refuse(f"{name}的 choices 不能有空白项或英文逗号，合计不超过 255 个字符（Excel 下拉列表的限制）")
            wrong = next((m for m in c.required_if if m not in MEANINGS_BY_KEY), None)
            if wrong is not None:
                refuse(f"{name}的 required_if 中“{wrong}”不是完成状态的含义，应为以下之一：{'、'.join(MEANINGS_BY_KEY)}")
            if c.min is not None and c.max is not None and c.min > c.max:
                refuse(f"{name}的 min 大于 max")
            if not 2 <= c.width <= 100:
                refuse(f"{name}的 width 应在 2 到 100 之间")

    def _check_meanings(self, refuse: Callable[[str], None]) -> None:
        """Every ``[statuses]`` meaning is one we know, and every meaning a rule needs has a word."""
        valid = "、".join(MEANINGS_BY_KEY)
        wrong = next(((w, m) for w, m in self.statuses.items() if m not in MEANINGS_BY_KEY), None)
        if wrong is not None:
            refuse(f"statuses 中“{wrong[0]}”的含义“{wrong[1]}”无效，应为以下之一：{valid}")
        for meaning in self.vocabulary.missing():
            refuse(f"完成状态中没有表示“{meaning.word}”（{meaning.key}）的状态，{meaning.rule}需要它："
                   f"请在 [statuses] 中写明，例如 \"{meaning.word}\" = \"{meaning.key}\"")


LATE_CORRECTIONS = ("refuse", "review", "accept")     # collect.late_corrections

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ROBOT_HOSTS = {"wecom": "qyapi.weixin.qq.com", "dingtalk": "oapi.dingtalk.com", "feishu": "open.feishu.cn"}


def _channel_problems(c: ChannelSettings) -> list[str]:
    """What cannot be right in one channel, each starting with the key it is about."""
    problems = []
    wrong_kinds = [k for k in c.kinds if k not in MESSAGE_KINDS]
    if wrong_kinds:
        problems.append(f"kinds 中的“{wrong_kinds[0]}”无效，应为以下之一：{'、'.join(MESSAGE_KINDS)}")
    if any(not u.strip() for u in c.units):
        problems.append("units 中有空白的单位名称")
    if not 0 < c.timeout <= 300:
        problems.append(f"timeout 的值 {c.timeout:g} 无效，应为 0 到 300 之间的秒数")
    if c.ca_file:
        problems += _ca_file_problems(c)
    if c.kind == "smtp":
        problems += _smtp_problems(c)
    elif c.kind in CHANNEL_KINDS:
        if not c.url.startswith(("http://", "https://")):
            example = f"https://{_ROBOT_HOSTS[c.kind]}/…" if c.kind in _ROBOT_HOSTS else "https://sms.example.gov.cn/notify"
            problems.append(f"url “{c.url}” 无效，应为以 http:// 或 https:// 开头的网址，如 {example}")
        unused = [k for k in ("host", "user", "password_env", "from_", "to") if getattr(c, k)]
        if unused:
            problems.append(f"{unused[0].rstrip('_')} 只用于 smtp（邮件）渠道")
        if c.secret and c.kind not in ("dingtalk", "feishu"):
            problems.append("secret 只用于 dingtalk（钉钉）和 feishu（飞书）渠道")
    return problems


def _public_address(host: str) -> bool:
    """Whether ``host`` is an IP address on the public internet (a name is taken at its word)."""
    import ipaddress

    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_global


def _ca_file_problems(c: ChannelSettings) -> list[str]:
    import ssl

    if c.kind != "smtp" and not c.url.startswith("https://"):
        return ["ca_file 只用于 smtp（邮件）渠道和 https:// 网址"]
    if not Path(c.ca_file).is_file():
        return [f"ca_file “{c.ca_file}” 不存在或不是文件（应为 PEM 格式的根证书，相对路径从工作区目录算起）"]
    try:
        ssl.create_default_context().load_verify_locations(c.ca_file)
    except (ssl.SSLError, OSError, ValueError):
        return [f"ca_file “{c.ca_file}” 不是可用的 PEM 格式证书（以 -----BEGIN CERTIFICATE----- 开头）"]
    return []


def _smtp_problems(c: ChannelSettings) -> list[str]:
    problems = []
    if not c.host.strip():
        problems.append("host 不能为空（邮件服务器地址，如 smtp.example.gov.cn）")
    if c.tls not in TLS_MODES:
        problems.append(f"tls “{c.tls}” 无效，应为 starttls、ssl 或 none（none 仅限本机或本单位内网的中继）")
    elif c.tls == "none" and _public_address(c.host):
        problems.append(f"tls = \"none\" 只可用于本机或内网的邮件中继，{c.host} 是公网地址：请用 starttls 或 ssl")
    if not 0 <= c.port <= 65535:
        problems.append(f"port 的值 {c.port} 无效，应为 1 到 65535 之间的端口号")
    if "@" not in c.from_:
        problems.append(f"from “{c.from_}” 无效，应为发件邮箱，如 ducha@example.gov.cn")
    if c.password_env and not _ENV_NAME.fullmatch(c.password_env):
        problems.append(f"password_env “{c.password_env}” 应为环境变量的名称（如 LEDGER_SMTP_PASSWORD），不是密码本身")
    if c.user and not c.password_env:
        problems.append("password_env 不能为空：填写 user 时，请把密码放在一个环境变量中，并在此写出它的名称")
    if c.url or c.secret:
        problems.append(f"{'url' if c.url else 'secret'} 不用于 smtp（邮件）渠道")
    from ledger.contacts import email_problem

    wrong = next((why for why in (email_problem(a)[1] for a in c.to) if why), None)
    if wrong or any(not a.strip() for a in c.to):
        problems.append(f"to 中的{wrong or '空白邮箱'}（to 列出接收催报汇总的督查室邮箱）")
    return problems


# Numeric settings and the values that keep ledger usable: (key, lower test, upper bound, what is allowed).
NUMBER_RANGES: list[tuple[str, Callable[[float], bool], float, str]] = [
    ("collect.max_file_mb", lambda v: v > 0, 1024, "应为大于 0、不超过 1024 的数（单个报送文件的大小上限，单位 MB）"),
    ("collect.settle_seconds", lambda v: v >= 0, 3600, "应为 0 到 3600 之间的秒数（文件保持不变多久才收取）"),
    ("collect.lag_tolerance", lambda v: v >= 0, 100, "应为 0 到 100 之间的整数（百分点）"),
    ("review.max_evidence_mb", lambda v: v > 0, 1024, "应为大于 0、不超过 1024 的数（单个佐证材料的大小上限，单位 MB）"),
    ("quality.similarity", lambda v: v > 0, 1, "应为大于 0、不超过 1 的数（与上期进展的相似度，1 表示完全相同）"),
    ("quality.min_length", lambda v: v >= 0, 1000, "应为 0 到 1000 之间的整数（进展情况的最少字数）"),
    ("escalation.blue_days", lambda v: v >= 0, 366, "应为 0 到 366 之间的天数（完成时限前多少天发蓝色督办单）"),
    ("escalation.behind_points", lambda v: v >= 1, 100, "应为 1 到 100 之间的整数（落后序时进度多少个百分点发黄色督办单）"),
    ("escalation.lag_months", lambda v: v >= 1, 12, "应为 1 到 12 之间的整数（连续滞后几个月发黄色督办单）"),
    ("escalation.content_flags", lambda v: v >= 1, 10000, "应为不小于 1 的整数（内容审核提示达到几处发黄色督办单）"),
    ("escalation.missing_periods", lambda v: v >= 1, 12, "应为 1 到 12 之间的整数（连续几期未报送发红色督办单）"),
    ("escalation.reply_days", lambda v: v >= 1, 90, "应为 1 到 90 之间的天数（督办单的反馈时限）"),
    *[(f"scoring.{k}", lambda v: v >= 0, 1000, "应为 0 到 1000 之间的分值") for k in (
        "base", "late", "missing", "rejected", "sent_back", "content_flag", "yellow", "red", "reply_late",
        "ahead_bonus", "early_close_bonus")],
    ("scoring.honour_roll_size", lambda v: v >= 1, 100, "应为 1 到 100 之间的整数（红黑榜各列几个单位）"),
    ("serve.uploads_per_hour", lambda v: v >= 1, 100000, "应为不小于 1 的整数（每个单位每小时可上传的次数）"),
    ("remind.due_soon_days", lambda v: v >= 1, 27, "应为 1 到 27 之间的整数（截止前几天发“即将截止”提醒）"),
    ("remind.max_attempts", lambda v: v >= 1, 100, "应为 1 到 100 之间的整数（一条消息最多尝试发送的次数）"),
    ("remind.backoff_seconds", lambda v: v >= 0, 86400, "应为 0 到 86400 之间的秒数（第一次重试前的等待）"),
    ("remind.retry_within_seconds", lambda v: v >= 0, 3600, "应为 0 到 3600 之间的秒数（一次催报最多等待多久再重试发送失败的消息）"),
    ("remind.stale_seconds", lambda v: v >= 1, 86400, "应为 1 到 86400 之间的秒数（接管他人未发完的消息前的等待）"),
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
    for channel in settings.channels:        # files named in ledger.toml are found beside it
        if channel.ca_file and not Path(channel.ca_file).is_absolute():
            channel.ca_file = str(path.parent / channel.ca_file)
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
    names = {f.name for f in fields(cls) if f.init}
    kwargs = {}
    for key, value in data.items():
        attr = f"{key}_" if keyword.iskeyword(key) else key      # ``from`` is kept as ``from_``
        if attr not in names:
            raise SettingsError(f"{source}：未知的设置项“{prefix}{key}”")
        kwargs[attr] = _convert(hints[attr], value, f"{prefix}{key}", source)
    return cls(**kwargs)


def _convert(hint: Any, value: Any, key: str, source: str) -> Any:
    args = get_args(hint)
    if type(None) in args:                       # X | None: TOML has no null, so a value is an X
        (hint,) = [a for a in args if a is not type(None)]
    if is_dataclass(hint):
        return _build(hint, value, key + ".", source)
    origin = get_origin(hint)
    if origin is list:
        (inner,) = get_args(hint)
        if is_dataclass(inner) and isinstance(value, list):     # [[columns]]: a list of tables
            return [_build(inner, v, f"{key}.", source) for v in value]
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
