"""The roles stage: role words around unit lists → lead units, support units, leaders, deadline.

A notice says who does what in many forms — ``（县科技局负责）``,
``[牵头单位：县发改局(粮食局)；责任单位：各镇人民政府]``, ``部门分工：省发展改革委牵头，各地、各部门配合``,
``责任单位：A、B分别牵头``, own lines ``牵头负责领导：张三`` / ``协同责任单位：…`` / ``完成时限：…``.
:func:`read_annotation` reads the inside of one such annotation; :meth:`Responsibility.resolve`
settles the lists whose role depends on context (a bare 责任单位 list: all lead when alone,
support after a lead label, first-leads when the notice states that rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ledger.plan.deadlines import deadline_date
from ledger.plan.model import ItemField
from ledger.plan.units import (CATEGORY_ONLY, EDGE_PUNCT, OPENERS, CLOSERS, WHITESPACE, is_collective,
                               normalise_unit, split_list, split_units)
from ledger.plan.vocabulary import (DEADLINE, DEFAULT, EITHER, FIRST_IS_LEAD, LABEL, LEAD,
                                    LIST_NOTE, PEOPLE, PLACE, SENTENCE, SUPPORT, SURNAMES, TITLES,
                                    Vocabulary, field_role, label_role)

# A role word closing a group of units: "A、B负责", "A牵头", "B、C等部门配合", "A、B分别牵头".
ROLE_SUFFIX = re.compile(
    r"(?:等(?:\d{1,3}|[一二三四五六七八九十]{1,3})?个?(?:有关|相关)?(?:部门|单位)?"
    r"|等[\u4e00-\u9fff]{0,8}?(?:有关|相关|直|级|属)[\u4e00-\u9fff]{0,4}?(?:部门|单位|机构))?(?:按职责分工)?(?:共同|分别|负责)?"
    r"(牵头负责|负责|牵头|配合|参与|协助|协办|协同)$")
# A unit marked as the lead inside a list: 县发改局（牵头）.
LEAD_MARK = re.compile(r"[（(](?:牵头|牵头单位|主责|牵头负责)[）)]")
# Words joining two units in one list token: 县科技局和县财政局, 县科技局及县财政局.
JOINED = re.compile(r"(?<=[局委办厅院所站队心司团府道镇乡会门位])(?:和|及|与|以及)(?=[县市区省州镇乡各])")
# A unit with its responsible person in brackets: 县工信局（赵一）.
PERSON_AFTER = re.compile(r"^(.+?)[（(]([^（()）]{2,20})[）)]$")
# A slash between two units of one list: 县工信局/县商务局.
SLASH = re.compile(r"\s*[/／]\s*")
# A character every time limit has: a digit, 年, 月, 季(度), 底, 末, 半(年), 持续, 长期 …
TIME_WORD = re.compile(r"[\d０-９年月季底末半持长常每]")
# Place names (a county 范县 is no person): their last character.
PLACE_ENDINGS = "县市区旗州盟村"
# A time limit and nothing else: 2024年6月底前 / 年底前完成 / 三季度末 / 2024.6.30.
TIME_LIMIT = re.compile(
    r"(?:完成时限|时限)?(?:\d{4}年|\d{4}[-/.．])?"
    r"(?:\d{1,2}(?:月|[-/.．])(?:\d{1,2}[日号]?)?(?:底|末|中旬|上旬|下旬|份)?|年底|年末|年内|底|"
    r"第?[一二三四1-4]季度(?:末|底)?|上半年|下半年)"
    r"(?:前|以前|之前)?(?:全面|基本)?(?:完成|办结|建成)?")
# A word that makes a date a time limit rather than a period: 前, 底, 末, 月 …
LIMIT_WORD = re.compile(r"前|底|末|月|季度|半年|年内|[-/.．]")
# A time limit written in a unit list without a label: 持续推进, 长期坚持, 全年.
ONGOING = re.compile(r"^(?:持续推进|长期坚持|长期|持续|全年|常态化(?:推进)?|每年|每季度|每月)$")
# A label of any word (known or not) where a field begins: after a separator, before a colon.
FIELD_START = re.compile(r"(?:^|(?<=[；;，,。]))([\u4e00-\u9fff]{2,10})[：:]")
# An unknown label that names a time limit: 时间, 截止期限, 办结节点 ….
DEADLINE_WORD = re.compile(r"时限|时间|期限|节点")
# A piece of a unit list that is a rule about the list, not a name: 列第一位的为牵头单位 / 下同.
RULE_PIECE = re.compile(r"(?:.{0,6}(?:第一位|首位|第一个|最前).{0,10}(?:牵头|主办|主责|汇总).{0,6})|以?下同|同上"
                        r"|排名不分先后|排序不分先后")
SUPPORT_WORDS = ("配合", "参与", "协助", "协办", "协作", "协同")
TITLE_START = re.compile("^(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + ")(?P<name>.+)$")
TITLE_END = re.compile("(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + ")$")


@dataclass
class Responsibility:
    """Who answers for one item, as read so far.

    ``either`` holds units listed under 责任单位 (or bare, without a role word): their role is
    settled by :meth:`resolve`. ``doubts`` are names the office should look at.
    """

    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    either: list[str] = field(default_factory=list)
    deadline_text: str = ""
    states_rule: bool = False          # the annotation states "the first listed unit leads"
    doubts: list[tuple[str, str]] = field(default_factory=list)   # (code, name)
    places: list[str] = field(default_factory=list)     # 责任科室: a department's own sections
    fields: list[ItemField] = field(default_factory=list)   # labels naming no unit: 实际完成情况 …

    def merge(self, other: Responsibility) -> None:
        _extend(self.lead, other.lead)
        _extend(self.support, other.support)
        _extend(self.leaders, other.leaders)
        _extend(self.either, other.either)
        _extend(self.places, other.places)
        _extend(self.fields, other.fields)
        self.deadline_text = other.deadline_text or self.deadline_text
        self.states_rule = self.states_rule or other.states_rule
        self.doubts += [d for d in other.doubts if d not in self.doubts]
        self.support = [u for u in self.support if u not in self.lead]

    @property
    def empty(self) -> bool:
        return not (self.lead or self.support or self.leaders or self.either or self.deadline_text
                    or self.places or self.fields)

    def resolve(self, first_is_lead: bool = False) -> Responsibility:
        """Settle ``either``: support after a lead, first-leads under the rule, else all lead.

        责任科室 (a department's own plan: 办公室、法规股) are the units when no other unit is named.
        """
        lead, support = list(self.lead), list(self.support)
        if self.places and not (lead or support or self.either):
            lead = list(self.places)
        if self.either:
            if lead:
                support = _merged(self.either, support)
            elif first_is_lead:
                lead, support = self.either[:1], _merged(self.either[1:], support)
            else:
                lead = list(self.either)
        support = [u for u in support if u not in lead]
        return Responsibility(lead, support, list(self.leaders), [], self.deadline_text,
                              self.states_rule, list(self.doubts), fields=list(self.fields))


def read_annotation(content: str, vocab: Vocabulary = DEFAULT) -> Responsibility | None:
    """Read the inside of a unit annotation; None when it is not one (e.g. ``2023—2025年``)."""
    content = WHITESPACE.sub("", content)
    result = Responsibility(states_rule=bool(FIRST_IS_LEAD.search(content)))
    content, result.fields = other_fields(strip_list_notes(content))
    parts = LABEL.split(content)
    head, labelled = parts[0], list(zip(parts[1::2], parts[2::2]))
    if head.strip(EDGE_PUNCT):
        roles = read_roles(head, EITHER, vocab, strict=True)
        if roles is None and not labelled:
            return Responsibility(deadline_text=head.strip(EDGE_PUNCT)) if is_time_limit(head) else None
        if roles is not None:
            result.merge(roles)
    elif not labelled:
        return result if result.states_rule else None
    for label, segment in labelled:
        result.merge(_read_labelled(label, segment, vocab))
    return None if result.empty and not result.states_rule else result     # （列第一位的为牵头单位，下同）


def read_sentence(text: str, vocab: Vocabulary = DEFAULT) -> Responsibility | None:
    """A sentence naming roles without a label: ``县科技局牵头，县财政局、各镇配合``.

    Only when it has a role word and every name in it is shaped like a unit, so that prose
    such as ``加强部门协同配合`` is never read as units.
    """
    text = WHITESPACE.sub("", text).strip(EDGE_PUNCT)
    if not text or len(text) > 200 or LABEL.search(text):
        return None
    roles = read_roles(text, EITHER, vocab, strict=True)
    if roles is None or roles.either or roles.doubts or not (roles.lead or roles.support):
        return None
    return roles


def other_fields(content: str) -> tuple[str, list[ItemField]]:
    """Labels in an annotation that name no unit list — 实际完成情况：…, 备注：…, 形象进度：… — taken
    out as fields (a field ends where the next label begins, known or not); a label ending in a
    known one (项目责任人 → 责任人, 区级牵头单位 → 牵头单位) is read as that label."""
    if not LABEL.search(content):
        return content, []
    starts = list(FIELD_START.finditer(content))
    if not starts:
        return content, []
    kept, fields = [content[:starts[0].start()]], []
    for m, end in zip(starts, [n.start() for n in starts[1:]] + [len(content)]):
        word, value = m.group(1), content[m.end():end].rstrip("；;，,。")
        known = _known_label_at(word)
        if known is not None:                          # 项目责任人 → 责任人: the known label
            kept.append(content[m.start() + known:end])
        elif DEADLINE_WORD.search(word):               # 时间：6月底, 截止期限：… read as 完成时限
            kept.append("；完成时限：" + value)
        else:
            fields.append(ItemField(word, field_role(word) or "other", value))
    return "".join(kept), fields


@lru_cache(maxsize=4096)
def _known_label_at(word: str) -> int | None:
    """Where a known label ending the word begins (0 for the label itself), or None."""
    known = LABEL.search(word + "：")
    return known.start() if known and known.end() == len(word) + 1 else None


def strip_list_notes(text: str) -> str:
    """Remove notes that are rules, not names: ``A(列第一位为牵头单位,下同)`` → ``A``, and the
    same rule unbracketed as a piece of the list (``A、B，列第一位的为牵头单位，下同``)."""
    if not LIST_NOTE.search(text):
        return text
    text = _strip_rule_pieces(text)
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in OPENERS:
            end = _group_end(text, i)
            if end is not None and LIST_NOTE.search(text[i + 1:end]):
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _strip_rule_pieces(text: str) -> str:
    """Drop the list pieces (between ，；outside brackets) that are a rule: 列第一位的为牵头单位, 下同."""
    pieces, current, depth = [], "", 0
    for ch in text + "\0":
        depth += (ch in OPENERS) - (ch in CLOSERS and depth > 0)
        if (ch in "，,；;\0") and depth == 0:
            pieces.append((current, "" if ch == "\0" else ch))
            current = ""
        else:
            current += ch
    kept = [(p, sep) for p, sep in pieces if not RULE_PIECE.fullmatch(p.strip(EDGE_PUNCT))]
    return "".join(p + sep for p, sep in kept).rstrip("，,；;")


def _group_end(text: str, start: int) -> int | None:
    depth = 0
    for j in range(start, len(text)):
        depth += (text[j] in OPENERS) - (text[j] in CLOSERS)
        if depth == 0:
            return j
    return None


def _read_labelled(label: str, segment: str, vocab: Vocabulary) -> Responsibility:
    role = label_role(label)
    segment = segment.strip(EDGE_PUNCT)
    if role == PEOPLE:
        return Responsibility(leaders=split_people(segment))
    if role == PLACE:                       # 责任科室: a department's sections, units of its own plan only
        return Responsibility(places=split_units(segment))
    if role == DEADLINE:
        return Responsibility(deadline_text=segment.rstrip("。；;，,"))
    default = EITHER if role == SENTENCE else role
    return read_roles(segment, default, vocab, strict=False) or Responsibility()


def read_roles(text: str, default: str, vocab: Vocabulary = DEFAULT,
               strict: bool = False) -> Responsibility | None:
    """Assign roles by suffix: tokens up to a 负责/牵头 token lead, up to a 配合 token support.

    Tokens after the last role word take ``default``. With ``strict`` (no label anywhere), the
    text must read as a unit list: a role word, or every token shaped like a unit name.
    """
    tokens = [t for token in split_list(strip_list_notes(text)) for t in _split_joined(token, vocab)]
    result = Responsibility()
    for token in (t for t in tokens if is_deadline(t)):   # （县科技局负责，2024年6月底前完成）
        result.deadline_text = token.strip(EDGE_PUNCT)
    tokens = [t for t in tokens if not is_deadline(t)]
    if any(LEAD_MARK.search(t) for t in tokens):          # 县发改局（牵头）、县财政局
        return _read_marked(tokens, result, vocab)
    pending: list[str] = []
    seen_role = False
    for token in tokens:
        pending.append(token)
        match = ROLE_SUFFIX.search(token)
        if match and len(token) > len(match.group(0)):
            role = SUPPORT if match.group(1) in SUPPORT_WORDS else LEAD
            if "按职责" in match.group(0) and result.lead:      # A牵头，B按职责分工负责: B supports
                role = SUPPORT
            _assign(result, pending, role, vocab)
            pending, seen_role = [], True
    if strict and not _plausible(tokens, seen_role, vocab):
        return None
    _assign(result, pending, default, vocab)
    return result


def _read_marked(tokens: list[str], result: Responsibility, vocab: Vocabulary) -> Responsibility:
    """A list with its lead marked (县发改局（牵头）、县财政局): the marked units lead, the others support."""
    _assign(result, [LEAD_MARK.sub("", t) for t in tokens if LEAD_MARK.search(t)], LEAD, vocab)
    _assign(result, [t for t in tokens if not LEAD_MARK.search(t)], SUPPORT, vocab)
    return result


def _split_joined(token: str, vocab: Vocabulary) -> list[str]:
    """县科技局和县财政局, 县工信局/县商务局 → two units, when every part ends like a unit
    (县人力资源和社会保障局 stays one); 县工信局/赵一 → a unit and a person."""
    parts = JOINED.split(token)
    if len(parts) > 1 and all(len(p) >= 3 and looks_like_unit(normalise_unit(p), vocab) for p in parts):
        return parts
    parts = SLASH.split(token)
    if len(parts) > 1 and _units_or_people([normalise_unit(p) for p in parts], vocab):
        return parts
    return [token]


def is_deadline(token: str) -> bool:
    """A list token that is a time limit, not a unit: 2024年6月底前完成 / 年底前 / 持续推进."""
    token = WHITESPACE.sub("", token).strip(EDGE_PUNCT)
    if not TIME_WORD.search(token):
        return False
    return len(token) <= 20 and (
        bool(ONGOING.match(token)) or deadline_date(token, 2000) is not None and not DEFAULT.is_unit_like(token))


def is_time_limit(text: str) -> bool:
    """A bracket holding only a time limit: （2024年6月底前）, （年底前）, （长期坚持）; not （2023—2025年）."""
    text = WHITESPACE.sub("", text).strip(EDGE_PUNCT)
    return bool(ONGOING.match(text) or TIME_LIMIT.fullmatch(text) and LIMIT_WORD.search(text))


def split_people(text: str) -> list[str]:
    """Names after a people label: 张三、李四 / 张三同志 / 王 红 (spaces inside a name dropped)."""
    out: list[str] = []
    for token in split_list(text):
        name = WHITESPACE.sub("", token).strip(EDGE_PUNCT + "等")
        if name:
            _extend(out, [name])
    return out


def is_person(name: str, vocab: Vocabulary = DEFAULT) -> bool:
    """A name with a title (张三副县长), or a 2–3 character name that ends in no unit word."""
    if not name or is_collective(name):
        return False
    if TITLE_END.search(name) and not vocab.is_unit_like(TITLE_END.sub("", name)):
        return True
    if (m := TITLE_START.match(name)) and _is_name(m.group("name"), vocab):   # 副县长朱伟
        return True
    return _is_name(name, vocab)


def _is_name(name: str, vocab: Vocabulary) -> bool:
    """A 2–3 character name starting with a common surname and ending in no unit or place word."""
    return (2 <= len(name) <= 3 and name[0] in SURNAMES and all("\u4e00" <= c <= "\u9fff" for c in name)
            and not vocab.is_unit_like(name) and name[-1] not in PLACE_ENDINGS)


def looks_like_unit(name: str, vocab: Vocabulary = DEFAULT) -> bool:
    """A name ending in an organisational word, or a collective name (各镇, 各地, 有关部门)."""
    return vocab.is_unit_like(_without_trailing_group(name)) or vocab.is_unit_like(name) or \
        is_collective(name)


def _without_trailing_group(name: str) -> str:
    """县发改局(粮食局) → 县发改局: the ending is read before a name's own parentheses."""
    if name and name[-1] in CLOSERS:
        depth = 0
        for i in range(len(name) - 1, -1, -1):
            depth += (name[i] in CLOSERS) - (name[i] in OPENERS)
            if depth == 0:
                return name[:i]
    return name


def spaced_units(text: str, vocab: Vocabulary = DEFAULT) -> str | None:
    """``县财政局 县住建局`` → ``县财政局、县住建局`` when every piece between spaces is shaped like a
    unit (a table cell, a label's list); None when the text is not such a list."""
    pieces = [normalise_unit(LEAD_MARK.sub("", p)) for p in text.split()]
    if len(pieces) >= 2 and _units_or_people(pieces, vocab):
        return "、".join(text.split())
    return None


def _units_or_people(names: list[str], vocab: Vocabulary) -> bool:
    """Every name a unit or a person (县工信局 赵一: a unit and its responsible person), one a unit."""
    units = [looks_like_unit(n, vocab) and not is_person(n, vocab) for n in names]
    return any(units) and all(u or is_person(n, vocab) for u, n in zip(units, names))


def _plausible(tokens: list[str], seen_role: bool, vocab: Vocabulary) -> bool:
    names = [normalise_unit(t) for t in tokens]
    if not names or any(not n or len(n) > 40 or "。" in n for n in names):
        return False
    if seen_role:
        return True
    units = [n for n in names if not (TITLE_END.search(n) and is_person(n, vocab))]
    return bool(units) and all((len(n) >= 3 or len(names) > 1 and is_collective(n)) and looks_like_unit(n, vocab)
                               for n in units) and (
        len(names) > 1 or names[0][0] in "县市区省州盟旗镇乡各团")


def _assign(result: Responsibility, tokens: list[str], role: str, vocab: Vocabulary) -> None:
    names = []
    for name in (normalise_unit(t) for t in tokens):
        if not name or name in CATEGORY_ONLY:         # X、Y等部门、单位: 单位 is a category
            continue
        if (m := PERSON_AFTER.match(name)) and looks_like_unit(m.group(1), vocab) \
                and all(is_person(p, vocab) for p in split_list(m.group(2))):
            name = m.group(1)                          # 县工信局（赵一）: the unit, and its person
            _extend(result.leaders, split_list(m.group(2)))
        if is_person(name, vocab):
            _extend(result.leaders, [name])
            result.doubts.append(("maybe_person", name))
            continue
        if len(name) > 25 or not looks_like_unit(name, vocab):
            result.doubts.append(("split_doubt", name))
        names.append(name)
    target = {LEAD: result.lead, SUPPORT: result.support}.get(role, result.either)
    _extend(target, names)
    result.support = [u for u in result.support if u not in result.lead]


def _merged(first: list[str], then: list[str]) -> list[str]:
    out: list[str] = []
    _extend(out, first)
    _extend(out, then)
    return out


def _extend(target: list, values: list) -> None:
    for value in values:
        if value and value not in target:
            target.append(value)
