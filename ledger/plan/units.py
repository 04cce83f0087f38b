"""Unit names and unit annotations: normalising names, splitting lists, reading 牵头/配合 roles.

A notice names the units responsible for an item in an annotation such as
``（县发展改革局、县科技局负责）``, ``（牵头单位：市科技局，参与单位：市工信局）`` or
``(县科技局牵头,县发展改革局等部门配合)``. :func:`read_annotation` turns the text inside such an
annotation into lead units, support units and named leaders; the helpers below clean the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.plan.model import LEAD, SUPPORT

# Separators between units in a list. 和 is deliberately absent: 县人力资源和社会保障局 is one unit.
SEPARATORS = "、，,；;\n\r"

# Brackets that may open or close inside a unit list; separators between them do not split.
OPENERS = "（(【[「『《<"
CLOSERS = "）)】]」』》>"
# Opening bracket -> closing bracket, full- and half-width forms treated as one family.
BRACKET_PAIRS = {"（": "））", "(": "）)", "【": "】]", "[": "】]", "「": "」", "『": "』", "《": "》", "<": ">"}

# Punctuation and quotes stripped from both ends of a unit name (brackets are handled apart).
EDGE_PUNCT = " \t\u3000\xa0、，,；;：:。．.！!？?“”\"‘’'`·•・-—_*#~"

# Whitespace of any width, removed anywhere inside a unit name.
WHITESPACE = re.compile(r"[\s\u3000\xa0]+")

# Annotation words after a unit list: 等部门 / 等有关单位 / 等, and role words 负责 / 牵头 / 配合 ...
ANNOTATION_SUFFIX = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位)?|(?:共同|牵头)?负责|牵头|配合|参与|协助|协办)$")

# A role word closing a group of units: "A、B负责", "A牵头", "B、C等部门配合".
ROLE_SUFFIX = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位)?)?(?:共同)?(牵头负责|负责|牵头|配合|参与|协助|协办)$")

# Labels inside an annotation: 牵头单位：/ 责任单位：/ 配合单位：/ 责任领导：...
LABEL = re.compile(
    r"(牵头单位|责任单位|主责单位|主办单位|承办单位|牵头部门|责任部门|配合单位|参与单位|协办单位|"
    r"协作单位|协同单位|配合部门|责任领导|牵头领导|分管领导|包保领导|责任人)\s*[：:]")

# The last characters of a plausible unit name (局, 委, 中心, 街道, 公司 ...).
UNIT_ENDING = re.compile(
    r"(局|委|办|部|中心|公司|集团|政府|办事处|管委会|委员会|办公室|院|所|站|行|社|联|团|队|处|专班|"
    r"开发区|园区|街道|镇|乡|单位|部门|厅|署|会|馆|台|班|组)$")

# Collective names: every unit of a kind rather than one unit (各镇、县直各部门、有关镇街 ...).
COLLECTIVE = re.compile(
    r"^各|有关部门|有关单位|相关部门|相关单位|各部门|各单位|成员单位|镇街|"
    r"(?:有关|相关).*(?:部门|单位)$|^(?:乡镇|镇|街道|镇办|区县|县区)(?:[（(]街道[）)])?$")

LEADER_LABELS = ("领导", "责任人")
SUPPORT_WORDS = ("配合", "参与", "协助", "协办", "协作", "协同")


@dataclass
class Responsibility:
    """Who answers for one item: lead units (first = consolidating unit), support units, leaders."""

    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)

    def merge(self, other: Responsibility) -> None:
        _extend(self.lead, other.lead)
        _extend(self.support, other.support)
        _extend(self.leaders, other.leaders)
        self.support = [u for u in self.support if u not in self.lead]


def normalise_unit(name: str) -> str:
    """A unit name as stored: no white space, no edge punctuation, no 等部门/负责/牵头 suffix."""
    name = WHITESPACE.sub("", name or "")
    previous = None
    while name != previous:
        previous = name
        name = ANNOTATION_SUFFIX.sub("", _strip_brackets(name.strip(EDGE_PUNCT)))
    return name


def split_units(text: str) -> list[str]:
    """Split a unit list on 、，,；; (never on 和), normalise, drop empties and repeats, keep order."""
    out: list[str] = []
    for token in split_list(text or ""):
        _extend(out, [normalise_unit(token)])
    return out


def is_collective(name: str) -> bool:
    """True for names that stand for many units: 各镇（街道）、县直各部门、有关镇街、街道 ..."""
    return bool(COLLECTIVE.search(normalise_unit(name)))


def split_list(text: str) -> list[str]:
    """Split on list separators outside brackets, so 各镇（街道、园区） stays one token."""
    tokens, current, depth = [], [], 0
    for ch in text:
        depth += (ch in OPENERS) - (ch in CLOSERS and depth > 0)
        if ch in SEPARATORS and depth == 0:
            tokens.append("".join(current))
            current = []
        else:
            current.append(ch)
    tokens.append("".join(current))
    return [t.strip() for t in tokens if t.strip()]


def read_annotation(content: str) -> Responsibility | None:
    """Read the inside of a unit annotation; None when it is not one (e.g. ``2023—2025年``)."""
    content = WHITESPACE.sub("", content)
    parts = LABEL.split(content)
    head, labelled = parts[0], list(zip(parts[1::2], parts[2::2]))
    result = Responsibility()
    if head.strip(EDGE_PUNCT):
        roles = _read_roles(head, LEAD, strict=not labelled)
        if roles is None:
            return None
        result.merge(roles)
    elif not labelled:
        return None
    for label, segment in labelled:
        result.merge(_read_labelled(label, segment))
    return result if result.lead or result.support or result.leaders else None


def _read_labelled(label: str, segment: str) -> Responsibility:
    if label.endswith(LEADER_LABELS):
        return Responsibility(leaders=split_units(segment))
    default = SUPPORT if label.startswith(SUPPORT_WORDS) else LEAD
    return _read_roles(segment, default, strict=False) or Responsibility()


def _read_roles(text: str, default: str, strict: bool) -> Responsibility | None:
    """Assign roles by suffix: tokens up to a 负责/牵头 token lead, up to a 配合 token support.

    Tokens after the last role word take ``default``. With ``strict`` (no label anywhere),
    the text must read as a unit list: a role word, or every token shaped like a unit name.
    """
    tokens = split_list(text)
    pending: list[str] = []
    result, seen_role = Responsibility(), False
    for token in tokens:
        pending.append(token)
        match = ROLE_SUFFIX.search(token)
        if match and len(token) > len(match.group(0)):
            _assign(result, pending, SUPPORT if match.group(1) in SUPPORT_WORDS else LEAD)
            pending, seen_role = [], True
    if strict and not _plausible(tokens, seen_role):
        return None
    _assign(result, pending, default)
    return result


def _plausible(tokens: list[str], seen_role: bool) -> bool:
    names = [normalise_unit(t) for t in tokens]
    if not names or any(not n or len(n) > 40 or "。" in n for n in names):
        return False
    if seen_role:
        return True
    return all(len(n) >= 3 and UNIT_ENDING.search(n) for n in names) and (
        len(names) > 1 or names[0][0] in "县市区省州盟旗镇乡各团")


def _assign(result: Responsibility, tokens: list[str], role: str) -> None:
    names = [n for n in (normalise_unit(t) for t in tokens) if n]
    _extend(result.lead if role == LEAD else result.support, names)
    result.support = [u for u in result.support if u not in result.lead]


def _extend(target: list[str], names: list[str]) -> None:
    for name in names:
        if name and name not in target:
            target.append(name)


def _strip_brackets(name: str) -> str:
    """Drop brackets left over from an annotation, keeping balanced ones: 各镇（街道） stays."""
    while name and name[0] in OPENERS and _closing_at_end(name):
        name = name[1:-1]
    if name and name[0] in OPENERS and not any(c in CLOSERS for c in name):
        name = name[1:]
    if name and name[-1] in CLOSERS and not any(c in OPENERS for c in name):
        name = name[:-1]
    return name


def _closing_at_end(name: str) -> bool:
    """True when the bracket opening ``name`` closes at its last character."""
    closers, depth = BRACKET_PAIRS.get(name[0], ""), 0
    for i, ch in enumerate(name):
        depth += (ch in OPENERS) - (ch in CLOSERS)
        if depth == 0:
            return i == len(name) - 1 and ch in closers
    return False
