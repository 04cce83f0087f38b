"""Unit names: normalising a name, splitting a list of names, telling collective names.

Reading who leads and who supports is the roles stage (:mod:`ledger.plan.roles`); the words it
reads are in :mod:`ledger.plan.vocabulary`.
"""

from __future__ import annotations

import re


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

# Annotation words after a unit name: 等部门 / 等有关单位 / 等, role words 负责 / 分别牵头 / 配合 ...
ANNOTATION_SUFFIX = re.compile(
    r"(?:等(?:\d{1,3}|[一二三四五六七八九十]{1,3})?个?(?:有关|相关)?(?:部门|单位)?"
    r"|等[\u4e00-\u9fff]{0,8}?(?:有关|相关|直|级|属)[\u4e00-\u9fff]{0,4}?(?:部门|单位|机构)|(?:按职责分工)?(?:共同|分别|牵头)?负责|(?:分别|共同)?牵头|"
    r"配合|参与|协助|协办|协同)$")

# Collective names: every unit of a kind rather than one unit (各镇、县直各部门、有关镇街 ...).
COLLECTIVE = re.compile(
    r"^各|有关部门|有关单位|相关部门|相关单位|各部门|各单位|成员单位|镇街|"
    r"(?:有关|相关).*(?:部门|单位)$|^(?:乡镇|镇|街道|镇办|区县|县区)(?:[（(]街道[）)])?$")

def normalise_unit(name: str) -> str:
    """A unit name as stored: no white space, no edge punctuation, no 等部门/负责/牵头 suffix."""
    name = WHITESPACE.sub("", name or "")
    previous = None
    while name != previous:
        previous = name
        name = ANNOTATION_SUFFIX.sub("", _strip_brackets(name.strip(EDGE_PUNCT)))
    return name


# Category words that are never a unit on their own: the tail of X、Y等部门、单位.
CATEGORY_ONLY = frozenset({"单位", "部门", "机构", "部门单位", "部门和单位"})


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
