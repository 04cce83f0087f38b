"""The words plan notices use: organisational endings, role labels, people's titles, list rules.

One place for every word list the parser reads, so that a new word is one line here. The
organisational endings accept additions (``ledger.toml`` ``[units] unit_endings``) through
:func:`vocabulary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Roles a label gives the units (or people, or dates) that follow it.
LEAD, SUPPORT, EITHER = "lead", "support", "either"      # EITHER: 责任单位 — depends on context
PEOPLE, SENTENCE, DEADLINE = "people", "sentence", "deadline"
PLACE = "place"       # 责任科室: a section inside a department, not a unit of the plan

# The last characters of a unit name. Longer endings first is not needed: any match counts.
UNIT_ENDINGS: tuple[str, ...] = (
    "局", "委", "办", "厅", "署", "部", "中心", "公司", "集团", "政府", "办事处", "管委会", "委员会",
    "办公室", "分局", "支行", "分行", "专班", "大队", "中队", "支队", "所", "站", "院", "校", "会",
    "社", "联", "团", "队", "处", "科", "行", "工委", "党组", "指挥部", "领导小组", "开发区", "园区",
    "街道", "镇", "乡", "单位", "部门", "馆", "台", "班", "组", "监狱", "法院", "检察院", "股", "股室",
    "机构", "企业", "新区", "片区", "景区", "社区", "城区", "矿区", "林场", "农场", "协", "海关",
    "机关", "控股",
)

# Labels before a list, by role. A label is a word followed by ： or :.
LABELS: dict[str, str] = {
    "牵头单位": LEAD, "牵头责任单位": LEAD, "牵头部门": LEAD, "主办单位": LEAD, "主责单位": LEAD,
    "承办单位": LEAD, "牵头责任部门": LEAD, "主责部门": LEAD, "责任主体": LEAD,
    "配合单位": SUPPORT, "配合部门": SUPPORT, "参与单位": SUPPORT, "参与部门": SUPPORT,
    "协同责任单位": SUPPORT, "协同单位": SUPPORT, "协同部门": SUPPORT, "协办单位": SUPPORT,
    "协作单位": SUPPORT, "配合责任单位": SUPPORT, "协助单位": SUPPORT, "参加单位": SUPPORT,
    "协同配合单位": SUPPORT,
    "责任单位": EITHER, "责任部门": EITHER, "实施单位": EITHER,
    "部门分工": SENTENCE, "责任分工": SENTENCE, "任务分工": SENTENCE,
    "完成时限": DEADLINE, "时限要求": DEADLINE, "时间节点": DEADLINE, "完成时间": DEADLINE,
    "办结时限": DEADLINE, "完成期限": DEADLINE, "时间要求": DEADLINE, "推进时限": DEADLINE,
    "时限": DEADLINE,     # （市人社局负责，时限：2022年12月底）
    "责任科室": PLACE, "责任股室": PLACE,
    # short forms: （牵头：市发改委；配合：市财政局）
    "牵头": LEAD, "主办": LEAD, "配合": SUPPORT, "参与": SUPPORT, "协办": SUPPORT, "协同": SUPPORT,
}
# People labels: 责任领导, 分管省领导, 牵头负责领导, 牵头市领导, 联系县领导, 责任人 …
PEOPLE_LABEL = (r"(?:牵头负责|牵头|分管|责任|联系|包保|包联|挂点|主抓)(?:省|市|县|区|州|镇|乡)?级?领导"
                r"|(?:省|市|县|区|州)级?领导|分管副?(?:省|市|县|区)长|责任人")

# Titles that make a name a person: 张三副县长, 李四同志.
TITLES: tuple[str, ...] = (
    "常务副县长", "常务副市长", "常务副区长", "常务副省长", "副县长", "副市长", "副区长", "副省长",
    "县长", "市长", "区长", "省长", "镇长", "乡长", "副主任", "主任", "副书记", "书记", "副局长",
    "局长", "副部长", "部长", "副主席", "主席", "秘书长", "副秘书长", "调研员", "同志",
)
# Common surnames: a 2–3 character name starting with one and ending in no unit word is a person.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
            "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤束")

# A notice's own rule that the first unit of a list leads: （列第一位的为牵头单位，下同）.
FIRST_IS_LEAD = re.compile(
    r"(?:排名|排序|列在|排在|位列|位于|名列|列|排)?(?:第一位|第一个|第一|首位|首个|最前)(?:的|位)?"
    r"(?:单位|部门|责任单位)?(?:为|是|系|即为)(?:牵头|主办|主责|汇总)")
# A note inside a unit list, never part of a unit's name: a rule, 下同, 排名不分先后 …
LIST_NOTE = re.compile(r"下同|以下同|同上|第一位|首位|为牵头|汇总单位|除标注|不分先后|排名|排序|按职责")


@dataclass(frozen=True)
class Vocabulary:
    """The organisational endings in use: the built-in ones plus the office's additions."""

    endings: tuple[str, ...]

    @property
    def unit_ending(self) -> re.Pattern:
        return _ending_pattern(self.endings)

    def is_unit_like(self, name: str) -> bool:
        return bool(self.unit_ending.search(name))


@lru_cache(maxsize=32)
def _ending_pattern(endings: tuple[str, ...]) -> re.Pattern:
    words = sorted(set(endings), key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")$")


def vocabulary(extra_endings: tuple[str, ...] | list[str] = ()) -> Vocabulary:
    """The vocabulary with the office's extra organisational endings added."""
    extra = tuple(e.strip() for e in extra_endings if e and e.strip())
    return Vocabulary(UNIT_ENDINGS + tuple(e for e in extra if e not in UNIT_ENDINGS))


DEFAULT = vocabulary()


# Every label word, longest first so that 牵头责任单位 wins over 责任单位.
LABEL_WORDS = "|".join(sorted(LABELS, key=len, reverse=True)) + "|" + PEOPLE_LABEL
# A label and its colon (a short bracket may come between: 责任单位（部门）：); group 1 is the word.
LABEL = re.compile("(" + LABEL_WORDS + r")\s*(?:[（(][^（()）]{1,6}[）)])?\s*[：:]")
# A label in brackets without a colon: 【牵头单位】县科技局 / [责任领导]张三 (read as 牵头单位：…).
BRACKETED_LABEL = re.compile(r"[【\[［]\s*(" + LABEL_WORDS + r")\s*[】\]］]\s*[：:]?")


def label_role(label: str) -> str:
    """The role a label gives: LEAD, SUPPORT, EITHER, SENTENCE, DEADLINE, PLACE or PEOPLE."""
    return LABELS.get(label, PEOPLE)


# --- columns of a task table, and labels naming no unit -------------------------------------

def _words(role: str) -> tuple[str, ...]:
    """The label words of a role (one vocabulary for labels in text and column headers)."""
    return tuple(sorted((w for w, r in LABELS.items() if r == role and len(w) > 2), key=len, reverse=True))


# Header words of each column role, in the order a header cell is tried against them. A 责任单位
# column ("either") leads when alone and supports when a 牵头单位 column is there too. One table
# for every table form (Word, Excel, flattened text) and for labels run together in a line
# (:func:`field_role`): a progress table's columns (推进情况, 形象进度, 是否达序, 说明) have roles of
# their own, so their text is never read as units; a header no role names is "other".
ROLES: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号"),
    "section": ("类别", "领域", "板块", "部分", "方面"),
    "deadline": _words(DEADLINE) + ("时限",),
    "leaders": ("责任领导", "牵头领导", "分管领导", "分管县领导", "分管市领导", "县级领导", "市级领导",
                "联系领导", "牵头负责领导", "责任人"),
    "support": _words(SUPPORT),
    "lead": _words(LEAD),
    "either": _words(EITHER),
    "place": ("责任科室", "责任股室", "承办科室", "牵头科室"),
    "indicator": ("指标名称", "主要指标", "预期指标", "指标"),
    "percent": ("形象进度", "完成比例", "完成率", "完成进度", "进度比例", "百分比"),
    "progress": ("推进情况", "进展情况", "完成情况", "进度情况", "工作进展", "工作进度", "落实情况",
                 "实施情况", "执行情况", "推进成效", "进展"),
    "on_pace": ("是否达序", "是否达到序时", "序时进度", "是否滞后", "是否按序", "是否按时", "进度状态", "达序"),
    "remark": ("说明", "备注", "存在问题", "存在的问题", "问题及措施", "原因"),
    "target": ("全年目标", "年度目标", "攻坚目标", "目标值", "年度目标值", "预期成效"),
    "title": ("重点任务", "主要任务", "工作任务", "任务名称", "重点工作", "工作要点", "目标任务", "预期目标",
              "项目名称", "实事项目", "民生实事", "任务", "目标", "事项"),
    "text": ("具体措施", "工作措施", "主要措施", "具体举措", "工作举措", "主要举措", "推进措施", "工作内容",
             "任务内容", "具体内容", "建设内容", "主要内容", "工作目标", "目标要求", "具体要求", "工作要求"),
}
# What each role is, as the office reads it in a dry run (``plan import --dry-run``).
ROLE_NAMES: dict[str, str] = {
    "number": "序号", "section": "分组", "deadline": "完成时限", "leaders": "责任领导（人名）",
    "support": "配合单位", "lead": "牵头单位", "either": "责任单位", "place": "责任科室（作为责任单位）",
    "paired": "牵头单位/配合单位", "indicator": "指标", "percent": "完成进度（%）", "progress": "推进情况",
    "on_pace": "是否达序", "remark": "说明", "title": "任务", "text": "具体措施", "target": "目标",
    "other": "其他（不作为单位）",
}
# Columns kept beside an item as fields of its own (never units): a progress table's columns.
FIELD_ROLES = ("target", "progress", "percent", "on_pace", "remark", "other")
# The columns that are a month's progress, kept as that month's reports with --progress-period.
PROGRESS_ROLES = ("progress", "percent", "on_pace")
def field_role(label: str) -> str | None:
    """The role of a label that is no unit label (实际完成情况, 形象进度, 备注): progress, percent,
    on_pace, remark, target, leaders — or None when the word names nothing known."""
    word = re.sub(r"[\s（()）]", "", label)
    for role in ("leaders", "percent", "progress", "on_pace", "remark", "target"):
        if any(w in word for w in ROLES[role]):
            return role
    return None
