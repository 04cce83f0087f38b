"""Target extraction: reads the measurable targets (value, unit, comparator) out of a plan item's text.

``extract_targets(text)`` returns one :class:`~ledger.plan.model.Target` per quantity the item
commits to, in text order. Only numbers written in Arabic digits are read; Chinese-numeral
quantities (三年, 五年二十万) are ignored.

Conventions
-----------
indicator
    The noun phrase measured, as written (spaces removed): the words between the previous
    clause boundary (，。；：》) or the previous target and the number, without leading filler
    and action verbs (力争、确保、全年、年内、全县、实施、完成、培育 …) and without the trailing
    comparator or change words (达到、突破、控制在、同比增长、分别较2020年下降 …).
    A leading verb that makes the count one of *new* things is kept: 新增、新引进、新建、
    新改建、新培育、新培养 … (``新增市级以上绿色工厂``). A classifier counts the noun right
    after the unit when one follows (``完成 37 个行政村生活污水治理任务``,
    ``推进 6 大重点领域 28 项重点任务``), with the kept 新-verb in front
    (``新增 2 家电商“双基地”企业`` → ``新增电商“双基地”企业``); a measure does so only after a
    bare verb or before a task noun (``剩余 27.34 公里雨污分流改造任务``). A bare
    ``占比``/``比重``/``总数`` takes the previous target's indicator in front of it; an empty one
    (``，同比增长10%以上``) repeats the previous target's indicator.
value, unit
    The number as a float and the unit as written, magnitude included (``万立方米``, ``亿元``,
    ``场（次）``). A range ``1—2家`` gives its lower bound with ``≥``.
comparator
    From the word after the unit (以上 ``≥``; 以内/之内/以下 ``≤``; 左右 ``≈``), else 余/多
    between number and unit (``≥``), else the word before the number (不少于/突破/超过/达到/达
    ``≥``; 控制在/低于/不超过 ``≤``), else 力争/争取 earlier in the sentence (``≥``), else ``=``
    (确保, 提高到 and 保持 set no comparator).
kind
    ``growth`` (增长/提高 x% or any 个百分点), ``reduction`` (下降/降低 x%), ``share``
    (other %), ``amount`` (money and measures: 亿元, 公里, 万亩, 万千瓦 …), else ``count``.
lists
    Adjacent values joined by 、/和 (``分别达到 72 家、78 家``) pair with the subject list
    split on 、/和 when the counts agree, a tail after 等 shared by all
    (``新医药、新材料等产业产值`` → ``新医药产业产值`` …); a rate after a 、 list without 等
    (``技术合同登记额、技术合同交易额同比增长10%``) and a quoted ``“两个 100%”`` give one
    target per listed indicator. A count after a 、 list is one combined target.
not targets
    Years, months, days and document numbers (no target unit follows), numbers inside
    quotes, book-title or document brackets (``“103060”``, ``“2132”``), numbers touching
    Latin letters or ``+``/``/`` (``5G``, ``PM2.5``, ``3+4``, ``100MW``), ranks and ordinals
    (``第4``, ``前10位``, ``进5强``), sizes ending in 级 or 版 (``30 亿元级``, ``2.0版本``),
    durations (``15分钟``), measures that qualify the following noun
    (``3 万千瓦煤电机组项目``, ``投资 500 万元以上技术改造项目``, ``超过 20 万元的行政村``),
    policy names counted in 条 (``八抓20条``, ``人才金政50条``, ``20条措施``), ``（含5%）``,
    counts of the scope in clauses led by 围绕/聚焦/依托/以…为, and conditions (或/如果/若).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.plan.model import Target

GE, LE, APPROX, EQ = "≥", "≤", "≈", "="

# Full-width digits and signs mapped one to one, so offsets into the original text stay valid.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％～", "0123456789.%~")

# Units counted in items (classifiers). A magnitude 万/亿 may precede any unit.
COUNT_UNITS = ("场（次）", "人次", "场次", "家", "项", "个", "人", "套", "场", "件", "处", "条", "所",
               "张", "户", "辆", "座", "部", "名", "次", "种", "台", "头", "只", "株", "间", "支")
# Units of money and physical measure: their quantities are amounts.
AMOUNT_UNITS = ("平方公里", "平方千米", "千瓦时", "立方米", "平方米", "美元", "千瓦", "兆瓦", "公里",
                "千米", "公顷", "元", "米", "亩", "吨", "斤", "分")
PERCENT_UNITS = ("%",)
POINT_UNITS = ("个百分点", "百分点")
_BASE_UNITS = sorted(COUNT_UNITS + AMOUNT_UNITS + PERCENT_UNITS + POINT_UNITS, key=len, reverse=True)

# A quantity: number (or range a—b), optional 余/多, unit, optional comparator suffix.
# Not preceded by a digit, a decimal point, a Latin letter or + / - (PM2.5, 3+4, 2023-07).
# The unit (matched atomically, longest first) must not run on into 级, 版, / or a Latin
# letter (30 亿元级, 立方米/秒).
QUANTITY = re.compile(
    r"(?<![\d.A-Za-z+/\-])(?P<num>\d+(?:\.\d+)?)"
    r"(?:\s*[—–~\-]\s*(?P<hi>\d+(?:\.\d+)?))?"
    r"\s*(?P<approx>[余多])?\s*"
    r"(?P<unit>(?>[万亿]?(?:" + "|".join(map(re.escape, _BASE_UNITS)) + r")|[万亿]))"
    r"(?![级版/A-Za-z])"
    r"(?P<suffix>\s*(?:及以上|以上|以内|之内|以下|左右))?"
)

# A unit that is really the first character of a longer word: 3个月, 15分钟, 应用场景.
UNIT_RUN_ON = re.compile(r"个月|分钟|家庭|场[景所地馆]|处理|条[件例]|名单")

# A quoted shared value: 项目开工率、年度投资完成率“两个 100%”.
QUOTED_SHARED = re.compile(r"“(?P<n>[两双三四])个?\s*(?P<num>\d+(?:\.\d+)?)\s*%”")
_SHARED_COUNTS = {"两": 2, "双": 2, "三": 3, "四": 4}

# Sentence ends: a target's 力争 scope and its pairing never cross them. Line breaks are not
# sentence ends: extracted notices break sentences across pages (扎实推动\n\n45 个).
SENTENCE_END = re.compile(r"[。；;！？!?]")
# Clause boundaries an indicator never crosses (a bracketed note stays inside it:
# 省级文明单位（校园、村镇、社区、家庭）8个左右).
STRONG_BOUNDARY = re.compile(r"[，,。；;：:！？!?》]")
# Where a noun read after the unit ends; at 、 only when another value follows (5家A、2家B).
NOUN_END = re.compile(r"[，,。；;：:！？!?（）()》、]")
# A unit followed directly by one of those (or nothing): no noun follows it.
NO_NOUN_AFTER = re.compile(r"\s*(?:[，,。；;：:！？!?（）()》、]|$)")
# Separators between adjacent values of one group (72 家、78 家; 70家和80家).
VALUE_JOINER = re.compile(r"\s*[、和及与]\s*")
# Separators inside a subject list paired with a value group, tried in this order.
SUBJECT_SEPARATORS = (re.compile(r"[、和及与]"), re.compile(r"、"))
# A subject list that names one combined indicator, not several (A、B等C; A（B、C）).
COMBINED_LIST = re.compile(r"[等（(]")
# Brackets whose content is a name, a title or a document number.
OPENERS, CLOSERS = "“‘《〔【「", "”’》〕】」"
# Right before a number: an ordinal or rank (第4, 前10) or an inclusion note (含5%).
NOT_QUANTITY_BEFORE = ("第", "前", "含")
# Right after a quantity: a rank (进5强, 前10位).
RANK_AFTER = ("强", "位")

SUFFIX_COMPARATORS = {"及以上": GE, "以上": GE, "以内": LE, "之内": LE, "以下": LE, "左右": APPROX}
# Words right before the number, tried longest first so 不少于 wins over 少于.
PREFIX_COMPARATORS = sorted(
    (("不超过", LE), ("不高于", LE), ("控制在", LE), ("低于", LE), ("少于", LE), ("不少于", GE),
     ("不低于", GE), ("至少", GE), ("突破", GE), ("超过", GE), ("达到", GE), ("达", GE)),
    key=lambda pair: len(pair[0]), reverse=True)
# 力争 (and its synonym 争取) anywhere earlier in the sentence makes the target a floor.
STRIVE = re.compile(r"力争|争取")

# Change words right before a percentage (提高到 is a level, not a change).
GROWTH_BEFORE = re.compile(r"(?:增长|增加|提高|提升|上升|增幅|增速)(?:为|达到?)?$")
REDUCTION_BEFORE = re.compile(r"(?:下降|降低|减少|压减|削减|降)(?:为|达到?)?$")

# Filler and action verbs dropped from the front of an indicator (新增/新建 … are kept).
LEADING_FILLER = re.compile(
    r"^(?:力争|确保|争取|努力|全年|年内|年底前?|今年|全县|全市|全区|各类|累计|实现|完成|实施|推动|推进|"
    r"扎实|积极|加快|着力|持续|深入|大力|计划|共|再(?=[打建培新实推])|打造|立项|建设|培育|开展|举办|"
    r"组织|支持|申请|策划|"
    r"滚动|梳理|引进|培养|招引|吸引|推出|争创|创建|拉动|发放|投放|培训|招聘|列入|推荐|提供|改建|全力|"
    r"建成(?!区)|获评|认定|提档升级|改造提升|建设提升|"
    r"做大做强|开工|关于|为|将|把|我县|我市|其中|\d{4}年(?:度|底)?|[（(][^）)]*[）)])")
# Comparator and change words dropped from the end of an indicator
# (the comparator words of PREFIX_COMPARATORS are added below).
TRAILING_WORDS = re.compile(
    r"(?:分别|同比|较上年|比上年|较去年|较\d{4}年(?:同期)?|累计|继续|力争|争取|"
    r"稳定在|保持在|保持|提高到|提高至|提升至|提升到|增加到|降低到|下降到|降至|"
    r"增长|增加|提高|提升|下降|降低|减少|压减|(?:高于|低于|优于)全?[国省市县区]?平均水平|"
    + "|".join(word for word, _ in PREFIX_COMPARATORS) + r")$")
# Words that start an indicator with the count of new things: kept in front of a noun after the unit.
NEW_VERBS = ("新增", "新引进", "新建", "新改建", "新建改建", "新改扩建", "新培育", "新培养", "新实施",
             "新建成", "新完成", "新认定")
# Indicators that only make sense after the previous target's indicator.
GENERIC_INDICATORS = ("占比", "比重", "总数", "总量")
# A noun after a measure that names no work of its own: 0.5万亩建设任务.
GENERIC_TASK = re.compile(r"^(?:建设)?(?:任务|目标)$")
# A connector that starts the next value: 6个A和2个B.
NEXT_VALUE = re.compile(r"[、和及与]\s*(?=\d)")
# Trailing words dropped from a noun read after the unit (推进 12 条新经济赛道发展).
POST_NOUN_TAIL = re.compile(r"(?:建设|发展|培育)$")
# A clause that sets the scope rather than a target (围绕 … 7 个重点领域, 以 1 家 … 为核心)
# or states a condition (或未达到5%则…).
CONTEXT_CLAUSE = re.compile(r"^\s*(?:围绕|聚焦|依托|立足|瞄准|按照|根据|以.*为|或|如果|若)")
# Policy names counted in 条: 行动20条措施, 20条创新举措 (after the unit) and 八抓20条,
# 人才金政50条 (a numeral-led slogan or a policy word right before the number).
POLICY_NAME_AFTER = re.compile(r"^[^，,。；;、]{0,4}?(?:措施|举措|意见|政策|规定)")
POLICY_NAME_BEFORE = re.compile(r"(?:[一二三四五六七八九十百千][\u4e00-\u9fff]|金政|新政|政策|条例|办法|意见)$")
# What may follow a measure that is a target: a boundary, or a task noun ending the clause
# (剩余 27.34 公里雨污分流改造任务). Any other word makes the measure an attribute of that word.
MEASURE_FOLLOWER = re.compile(
    r"^\s*(?:$|[，,。；;：:、和及与（）()”\s]|[^，,。；;：:、]*?(?:任务|目标)(?:[，,。；;：:、]|$))")
# A work verb right before a measure makes "measure + noun" the amount of that work
# (启动4万亩高标准农田改造提升项目), not an attribute of the noun.
# 实施/建设 are left out: 实施 3 万千瓦煤电机组项目 describes the project's size.
WORK_VERB_BEFORE = re.compile(r"(?:启动|完成|新增|改造|治理|修复|绿化|整治)\s*$")


@dataclass
class _Quantity:
    """One number with its unit, as found in the text."""

    start: int          # first digit
    end: int            # after the unit and its suffix
    value: float
    unit: str
    suffix: str = ""    # 以上, 左右 ... ("" when none)
    floor: bool = False  # 余/多 or a range: the value is a lower bound
    copies: int = 1     # “两个 100%” stands for two values
    unit_end: int = 0   # after the unit, before the suffix


@dataclass
class _Sentence:
    text: str    # the whole item text, full-width digits translated
    raw: str     # the whole item text as given: sources are cut from it
    start: int
    end: int


def extract_targets(text: str) -> list[Target]:
    """Return the quantitative targets of an item's text, in text order."""
    targets: list[Target] = []
    for sentence in _sentences(text):
        targets.extend(_sentence_targets(sentence))
    return targets


def _sentences(raw: str) -> list[_Sentence]:
    """The text's sentences as spans, each keeping its end mark."""
    text = raw.translate(_FULLWIDTH)
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append(_Sentence(text, raw, start, m.end()))
        start = m.end()
    spans.append(_Sentence(text, raw, start, len(text)))
    return [s for s in spans if s.end > s.start]


def _sentence_targets(s: _Sentence) -> list[Target]:
    """Targets of one sentence; each starts reading its words after the previous one."""
    found = [q for q in _quantities(s) if _is_target(s, q)]
    out: list[Target] = []
    cursor = s.start
    for group in _groups(s.text, found):
        made, cursor = _group_targets(s, group, cursor, out[-1] if out else None)
        out.extend(made)
    return out


# --- finding quantities --------------------------------------------------------------------

def _quantities(s: _Sentence) -> list[_Quantity]:
    found = [_quantity(m) for m in QUANTITY.finditer(s.text, s.start, s.end)]
    found += [_shared(m) for m in QUOTED_SHARED.finditer(s.text, s.start, s.end)]
    return sorted(found, key=lambda q: q.start)


def _quantity(m: re.Match) -> _Quantity:
    suffix = (m.group("suffix") or "").strip()
    floor = bool(m.group("approx") or m.group("hi"))
    return _Quantity(m.start(), m.end(), float(m.group("num")), m.group("unit"), suffix, floor,
                     unit_end=m.end("unit"))


def _shared(m: re.Match) -> _Quantity:
    return _Quantity(m.start(), m.end(), float(m.group("num")), "%",
                     copies=_SHARED_COUNTS[m.group("n")], unit_end=m.end() - 1)


def _is_target(s: _Sentence, q: _Quantity) -> bool:
    """False for the numbers that are not targets (see the module docstring)."""
    if q.copies > 1:
        return True
    text = s.text
    before = text[s.start:q.start].rstrip()
    after = text[q.end:s.end]
    if _inside_brackets(text[s.start:q.start]) or before.endswith(NOT_QUANTITY_BEFORE):
        return False
    if UNIT_RUN_ON.match(text, q.unit_end - 1):
        return False
    if after.startswith(RANK_AFTER) or _is_policy_name(q, before, after):
        return False
    if _is_attribute(q, before, after):
        return False
    return not CONTEXT_CLAUSE.match(_clause(text, q.start, s))


def _is_policy_name(q: _Quantity, before: str, after: str) -> bool:
    """八抓20条, 人才金政50条, 20条措施: the count of a policy's articles names the policy."""
    if _base_unit(q.unit) != "条":
        return False
    return bool(POLICY_NAME_AFTER.match(after) or POLICY_NAME_BEFORE.search(before))


def _inside_brackets(before: str) -> bool:
    """True when the text before a number leaves a quote, title or document bracket open."""
    depth = 0
    for ch in before:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
    return depth > 0


def _is_attribute(q: _Quantity, before: str, after: str) -> bool:
    """A money or measure quantity directly followed by a noun or 的 qualifies that noun."""
    if _base_unit(q.unit) not in AMOUNT_UNITS or MEASURE_FOLLOWER.match(after):
        return False
    work = WORK_VERB_BEFORE.search(before) and not q.suffix and not after.startswith("的")
    return not work


def _clause(text: str, pos: int, s: _Sentence) -> str:
    """The comma-delimited clause around position pos."""
    start = max([m.end() for m in STRONG_BOUNDARY.finditer(text, s.start, pos)], default=s.start)
    end = STRONG_BOUNDARY.search(text, pos, s.end)
    return text[start:end.start() if end else s.end]


def _base_unit(unit: str) -> str:
    """The unit without its magnitude: 万千瓦 → 千瓦, 亿元 → 元 (a bare 万 stays 万)."""
    return unit[1:] if len(unit) > 1 and unit[0] in "万亿" else unit


def _groups(text: str, found: list[_Quantity]) -> list[list[_Quantity]]:
    """Adjacent values joined only by 、/和/及/与 (72 家、78 家) form one group."""
    groups: list[list[_Quantity]] = []
    for q in found:
        if groups and VALUE_JOINER.fullmatch(text, groups[-1][-1].end, q.start):
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


# --- turning a group into targets ----------------------------------------------------------

def _group_targets(s: _Sentence, group: list[_Quantity], cursor: int,
                   previous: Target | None) -> tuple[list[Target], int]:
    """Targets of a value group and where the next one may start reading: one per listed
    indicator when the subject is a list that pairs with the values, else one indicator."""
    first, last = group[0], group[-1]
    values = [q for q in group for _ in range(q.copies)]
    subject_start = _subject_start(s.text, cursor, first.start)
    subject = _clean(s.text[subject_start:first.start])
    names = _split_subject(subject, len(values)) if len(values) > 1 else None
    if names is None and len(values) == 1 and _kind(s, first) in ("growth", "share", "reduction"):
        names = _split_rate_subject(subject)
    if names is None:
        return _single_targets(s, group, cursor, previous)
    source = s.raw[subject_start:last.end].strip()
    values = values * len(names) if len(values) == 1 else values
    made = [_target(s, q, first, name, source) for q, name in zip(values, names)]
    return made, last.end


def _single_targets(s: _Sentence, group: list[_Quantity], cursor: int,
                    previous: Target | None) -> tuple[list[Target], int]:
    """All values of the group read one indicator (改造老旧片区2个、1580户)."""
    first = group[0]
    start = _subject_start(s.text, cursor, first.start)
    indicator, end = _indicator(s, start, group, previous)
    source = s.raw[start:max(end, group[-1].end)].strip()
    return [_target(s, q, first, indicator, source) for q in group], max(end, group[-1].end)


def _subject_start(text: str, cursor: int, pos: int) -> int:
    """Where the words before a value start: after the last clause boundary or previous target."""
    start = max([m.end() for m in STRONG_BOUNDARY.finditer(text, cursor, pos)], default=cursor)
    while start < pos and text[start] in " 、和及与":
        start += 1
    return start


def _indicator(s: _Sentence, start: int, group: list[_Quantity],
               previous: Target | None) -> tuple[str, int]:
    """The indicator of a group's values and where its source span ends."""
    first, last = group[0], group[-1]
    pre = _clean(s.text[start:first.start] if start < first.start else "")
    noun, end = _post_noun(s, last.end)
    if noun and _reads_after(pre, last, noun):
        pre = _new_verb(pre) + noun
    else:
        end = last.end
    if pre in NEW_VERBS:
        pre = ""
    if previous and pre in GENERIC_INDICATORS:
        pre = previous.indicator + pre
    if previous and not pre:
        pre = previous.indicator
    return pre, end


def _reads_after(pre: str, q: _Quantity, noun: str) -> bool:
    """The noun after a classifier is what it counts (6 大重点领域 28 项重点任务); a measure
    names its work after it (27.34 公里雨污分流改造任务) unless that is a bare 建设任务."""
    if not pre or pre in NEW_VERBS or _base_unit(q.unit) in COUNT_UNITS:
        return True
    return _base_unit(q.unit) in AMOUNT_UNITS and bool(GENERIC_TASK.sub("", noun))


def _new_verb(pre: str) -> str:
    """The 新增-type verb that ends the words before the number, if any."""
    return next((v for v in sorted(NEW_VERBS, key=len, reverse=True) if pre.endswith(v)), "")


def _post_noun(s: _Sentence, pos: int) -> tuple[str, int]:
    """The noun after a unit, up to the next 、 that starts another value or the clause end."""
    if NO_NOUN_AFTER.match(s.text[pos:s.end]):
        return "", pos
    stop = NOUN_END.search(s.text, pos, s.end)
    end = stop.start() if stop else s.end
    before_value = NEXT_VALUE.search(s.text, pos, end)
    if before_value:
        return _tidy_noun(s.text[pos:before_value.start()]), before_value.start()
    if stop and stop.group() == "、":
        clause_end = STRONG_BOUNDARY.search(s.text, end, s.end)
        rest_end = clause_end.start() if clause_end else s.end
        end = end if any(ch.isdigit() for ch in s.text[end:rest_end]) else rest_end
    return _tidy_noun(s.text[pos:end]), end


def _tidy_noun(noun: str) -> str:
    return POST_NOUN_TAIL.sub("", re.sub(r"\s+", "", noun)).removeprefix("的")


def _clean(phrase: str) -> str:
    """Drop spaces, trailing comparator/change words and leading filler from an indicator."""
    phrase = re.sub(r"\s+", "", phrase)
    while (stripped := TRAILING_WORDS.sub("", phrase)) != phrase:
        phrase = stripped
    while (stripped := LEADING_FILLER.sub("", phrase)) != phrase:
        phrase = stripped
    return phrase


def _split_subject(subject: str, n: int) -> list[str] | None:
    """Split 高新技术企业、科技型中小企业 into n names, sharing a tail after 等."""
    for separators in SUBJECT_SEPARATORS:
        parts = [p for p in separators.split(subject) if p]
        if len(parts) == n:
            return _share_tail(parts)
    return None


def _split_rate_subject(subject: str) -> list[str] | None:
    """A rate after a 、 list without 等 applies to each listed indicator."""
    parts = [p for p in subject.split("、") if p]
    return parts if len(parts) > 1 and not COMBINED_LIST.search(subject) else None


def _share_tail(parts: list[str]) -> list[str]:
    head, sep, tail = parts[-1].partition("等")
    if not sep or not head:
        return parts
    return [p + tail for p in parts[:-1]] + [head + tail]


def _target(s: _Sentence, q: _Quantity, first: _Quantity, indicator: str, source: str) -> Target:
    return Target(indicator=indicator, value=q.value, unit=q.unit,
                  comparator=_comparator(s, q, first), kind=_kind(s, first), source=source)


def _comparator(s: _Sentence, q: _Quantity, first: _Quantity) -> str:
    """Suffix of this value, else 余/range, else the word before the group, else 力争, else =."""
    if q.suffix:
        return SUFFIX_COMPARATORS[q.suffix]
    if q.floor:
        return GE
    before = re.sub(r"\s+", "", s.text[s.start:first.start])
    for word, comparator in PREFIX_COMPARATORS:
        if before.endswith(word):
            return comparator
    return GE if STRIVE.search(before) else EQ


def _kind(s: _Sentence, q: _Quantity) -> str:
    base = _base_unit(q.unit)
    if base in POINT_UNITS or base in PERCENT_UNITS:
        before = re.sub(r"\s+", "", s.text[s.start:q.start])
        if REDUCTION_BEFORE.search(before):
            return "reduction"
        return "growth" if base in POINT_UNITS or GROWTH_BEFORE.search(before) else "share"
    return "amount" if base in AMOUNT_UNITS else "count"
