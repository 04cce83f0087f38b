"""The status vocabulary: the one declaration of what each completion status *means*.

An office may call its statuses what it likes (``ledger.toml`` ``[statuses]``: ``"进度滞后" =
"lagging"``); validation, merging, the report and the template writer ask a ``Vocabulary`` for the
meaning of a word and never compare words. The rules that need a meaning say so in ``Meaning.rule``,
and the settings check refuses a vocabulary that lacks one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

DONE = "done"
AHEAD = "ahead"
ON_PACE = "on_pace"
LAGGING = "lagging"
SEVERELY_LAGGING = "severely_lagging"
NOT_STARTED = "not_started"


@dataclass(frozen=True)
class Meaning:
    """One meaning a status word can carry."""

    key: str
    word: str            # the default word
    rank: int            # least (0) to most advanced: used when co-leads disagree and for changes
    help: str            # shown in the template's guide sheet
    lagging: bool = False   # needs 存在问题; counted among the lagging items
    rule: str = ""       # the rule that needs a word of this meaning ("" when none does)


# Display order is the default vocabulary's order. 未启动 ranks above 滞后 because an item may rightly
# not have started yet (practice.md counts lagging by 序时进度, not by start).
MEANINGS: tuple[Meaning, ...] = (
    Meaning(DONE, "已完成", 5, "任务已全部完成，完成进度应为 100",
            rule="“已完成的完成进度应为 100”、逾期未完成和新完成的判断"),
    Meaning(AHEAD, "超序时", 4, "进度快于时间进度（序时进度）"),
    Meaning(ON_PACE, "序时推进", 3, "进度与时间进度基本一致"),
    Meaning(LAGGING, "滞后", 1, "进度慢于时间进度，须在“存在问题”中说明原因", lagging=True,
            rule="“滞后须在存在问题中说明原因”和滞后事项统计"),
    Meaning(SEVERELY_LAGGING, "严重滞后", 0, "进度明显落后（低于序时进度 30 个百分点以上），须说明原因", lagging=True),
    Meaning(NOT_STARTED, "未启动", 2, "尚未开始实施"),
)
BY_KEY = {m.key: m for m in MEANINGS}
BY_WORD = {m.word: m for m in MEANINGS}
DEFAULT_RANK = BY_KEY[ON_PACE].rank     # a word of no known meaning ranks as on pace
CHECKED_PACE = frozenset({ON_PACE, AHEAD})   # warned when far below 序时进度

# Common words departments use, by meaning (see shared/notes/practice.md).
COMMON_WORDS: dict[str, str] = {
    "已办结": DONE, "提前完成": DONE, "基本完成": DONE, "完成": DONE,
    "超进度": AHEAD, "进度超前": AHEAD,
    "达进度": ON_PACE, "正常推进": ON_PACE, "按序时": ON_PACE, "有序推进": ON_PACE,
    "正在办理": ON_PACE, "按序时推进": ON_PACE, "正常": ON_PACE, "推进中": ON_PACE,
    "欠进度": LAGGING, "慢序时": LAGGING, "未达序时": LAGGING, "进度滞后": LAGGING,
    "未开始": NOT_STARTED, "暂未开启": NOT_STARTED, "尚未启动": NOT_STARTED,
}


def known_meaning(word: str) -> str | None:
    """The meaning a word has without configuration: a default word or a common synonym."""
    meaning = BY_WORD.get(word)
    return meaning.key if meaning else COMMON_WORDS.get(word)


@dataclass(frozen=True)
class Vocabulary:
    """The office's statuses in order, each with its meaning (``None``: a word of its own, which
    ranks as on pace and carries no rule). Frozen and hashable: a cache key, picklable to workers."""

    pairs: tuple[tuple[str, str | None], ...]

    @classmethod
    def of(cls, words: Iterable[str], meanings: dict[str, str] | None = None) -> "Vocabulary":
        """Words (today's ``templates.statuses`` form) with their known meanings, then the office's
        ``[statuses]`` table laid over them: the words it names for a meaning replace that
        meaning's words, in place; words of a meaning not yet present are added at the end."""
        base = [(w, known_meaning(w)) for w in words]
        overlay = dict(meanings or {})
        if not overlay:
            return cls(tuple(base))
        named = set(overlay.values())
        pairs: list[tuple[str, str | None]] = []
        emitted: set[str] = set()
        for word, meaning in base:
            if word in overlay:
                meaning = overlay[word]
            if meaning in named:
                if meaning not in emitted:
                    emitted.add(meaning)
                    pairs += [(w, m) for w, m in overlay.items() if m == meaning]
                continue
            pairs.append((word, meaning))
        pairs += [(w, m) for w, m in overlay.items() if m not in emitted]
        return cls(tuple(pairs))

    @cached_property
    def _by_word(self) -> dict[str, str | None]:
        return dict(self.pairs)

    @property
    def words(self) -> list[str]:
        return [w for w, _ in self.pairs]

    def meaning(self, word: str | None) -> str | None:
        """The meaning of a word: the office's own words first, then the default and common words
        (rows stored before an office renamed a status keep their meaning)."""
        if not word:
            return None
        if word in self._by_word:
            return self._by_word[word]
        return known_meaning(word)

    def word(self, meaning: str) -> str:
        """The office's (first) word for a meaning; the default word when it has none."""
        return next((w for w, m in self.pairs if m == meaning), BY_KEY[meaning].word)

    def words_of(self, *meanings: str) -> list[str]:
        return [w for w, m in self.pairs if m in meanings]

    def canonical(self, word: str) -> str:
        """The office's word for a word of the same meaning (a row stored as 滞后 before the office
        renamed it 进度滞后 counts as 进度滞后); a word of no meaning stays itself."""
        if word in self._by_word:
            return word
        meaning = known_meaning(word)
        return self.word(meaning) if meaning and meaning in {m for _, m in self.pairs} else word

    def rank(self, word: str | None) -> int:
        meaning = self.meaning(word)
        return BY_KEY[meaning].rank if meaning in BY_KEY else DEFAULT_RANK

    def is_(self, word: str | None, meaning: str) -> bool:
        return self.meaning(word) == meaning

    def lagging(self, word: str | None) -> bool:
        meaning = self.meaning(word)
        return meaning in BY_KEY and BY_KEY[meaning].lagging

    def help(self, word: str) -> str:
        meaning = self.meaning(word)
        return BY_KEY[meaning].help if meaning in BY_KEY else ""

    def lagging_words(self) -> list[str]:
        return [w for w, m in self.pairs if m in BY_KEY and BY_KEY[m].lagging]

    def missing(self) -> list[Meaning]:
        """Meanings a rule needs that no word of the vocabulary carries."""
        present = {m for _, m in self.pairs}
        return [m for m in MEANINGS if m.rule and m.key not in present]

    def synonyms(self) -> dict[str, str]:
        """Common words and the default words the office renamed, to the office's word of the same
        meaning; a word that is itself a status is never rewritten."""
        present = {m for _, m in self.pairs}
        table = {**{m.word: m.key for m in MEANINGS}, **COMMON_WORDS}
        return {w: self.word(m) for w, m in table.items() if m in present and w not in self._by_word}


DEFAULT_VOCABULARY = Vocabulary.of(m.word for m in MEANINGS)
DEFAULT_STATUSES = DEFAULT_VOCABULARY.words
