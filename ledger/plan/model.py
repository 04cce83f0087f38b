"""The plan as data: sections, items and the units responsible for each item.

These are plain values shared by the parser, the review workbook and the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

LEAD = "lead"        # 牵头 / 负责: reports the item
SUPPORT = "support"  # 配合 / 参与: reports its own part

ROLE_LABELS = {LEAD: "牵头", SUPPORT: "配合"}


@dataclass
class Target:
    """A measurable target read from an item's text (e.g. 新增绿色工厂 3 家以上)."""

    indicator: str        # the noun phrase measured, e.g. "新增市级以上绿色工厂"
    value: float          # the number as written, e.g. 3 or 10.5
    unit: str             # unit as written: 家, 项, %, 亿元 ...; "" when none
    comparator: str       # "≥", "≤", "≈" or "="
    kind: str             # count, amount, growth, share, reduction
    source: str = ""      # the text span the target was read from


@dataclass
class Section:
    number: str   # numeral as written, e.g. "一" or "（二）"
    title: str    # heading text without the numeral


@dataclass(frozen=True)
class ItemField:
    """A column of a task table (or a label in an item's line) that names no unit: 推进情况,
    形象进度(%), 是否达序, 说明, 全年目标, or a header no role names ("other")."""

    header: str           # the header or label as written: 1-9月推进情况
    role: str             # progress, percent, on_pace, remark, target, other
    value: str            # the cell's text


@dataclass(frozen=True)
class TableColumn:
    """How a task table's column was read: its header as written and the role given to it."""

    header: str
    role: str             # a key of ledger.plan.tables.ROLE_NAMES


@dataclass
class PlanItem:
    """One numbered task of the notice with its responsible units."""

    number: str                                     # as written: "1", "（七十八）", "一是"
    title: str                                      # first sentence without the final 。
    text: str                                       # the whole item text, unit annotation removed
    section: str = ""                               # nearest heading's text without its numeral
    section_number: str = ""                        # nearest heading's numeral as written: "一", "（三）"
    lead: list[str] = field(default_factory=list)   # lead units, first = consolidating unit
    support: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)  # 责任领导: people, not units
    targets: list[Target] = field(default_factory=list)
    deadline_text: str = ""                         # 完成时限 as written: "2024年6月底", "持续推进"
    deadline: date | None = None                    # the date the text gives, when it gives one
    parents: list[Section] = field(default_factory=list)   # the headings above the section, top first
    identity: int | None = None     # the item across plan versions (the store's lineage); None: new
    fields: list[ItemField] = field(default_factory=list)  # a progress table's other columns, as read

    @property
    def units(self) -> list[str]:
        return self.lead + [u for u in self.support if u not in self.lead]

    @property
    def part_path(self) -> list[Section]:
        """Every heading above the item, top first: its parents, then its section (一、/（一）/1.)."""
        own = [Section(self.section_number, self.section)] if self.section or self.section_number else []
        return list(self.parents) + own

    @property
    def path_key(self) -> tuple[tuple[str, str], ...]:
        """The part path as a key: two （一）重点项目 under different parts are different sections."""
        return tuple((sec.number, sec.title) for sec in self.part_path)

    @property
    def path_numbers(self) -> str:
        """The numerals of the part path run together (一（二）): what tells apart items numbered
        again in each part."""
        return "".join(sec.number for sec in self.part_path)


def sections_of(items: list[PlanItem]) -> list[Section]:
    """The sections the items name, in order of first appearance (one per part path: the same
    title under two parts is two sections)."""
    seen: dict[tuple, Section] = {}
    for item in items:
        if item.section and item.path_key not in seen:
            seen[item.path_key] = Section(item.section_number, item.section)
    return list(seen.values())


@dataclass
class ParseNote:
    """Something in the notice that needs the office's eye, found while parsing it."""

    code: str         # a key of NOTE_MESSAGES: no_lead, maybe_person, split_doubt, numbering_gap …
    line: int         # 1-based line number in the text the parser received
    snippet: str      # the text there, shortened
    message: str      # what to check, in Chinese
    item: str = ""    # the item's number as written, when the note is about one item


# Every note the parser can leave, by code: the message shown to the office ({} filled in).
NOTE_MESSAGES = {
    "no_lead": "{label}没有找到牵头单位，请在计划分解表中填写",
    "unnumbered": "通知中的任务没有编号，已按出现顺序编为 1、2、3……，请核对任务的划分",
    "narrative": "叙述式计划：任务为“一是、二是”等表述，通知未写责任单位，请在计划分解表中逐项填写",
    "maybe_person": "“{name}”像是人名而非单位，已记为责任领导；如是单位请在计划分解表中改回",
    "split_doubt": "“{name}”不像单位名称（没有局、委、办、中心等结尾），请核对单位是否拆分正确",
    "traditional": "通知为繁体字，已按简体字读取，任务和单位名称均以简体字保存，请核对",
    "numbering_gap": "编号不连续：此处应为第 {expected} 项，通知写的是第 {found} 项，请核对是否漏项或编号有误",
}


@dataclass
class Plan:
    """A parsed plan notice, before it is stored as a plan version."""

    title: str
    year: int | None
    items: list[PlanItem]
    sections: list[Section] = field(default_factory=list)
    notes: list[ParseNote] = field(default_factory=list)   # what needs the office's eye
    tables: list[list[TableColumn]] = field(default_factory=list)   # each task table's columns, as read
