"""The status vocabulary: words laid over meanings, and what the rules ask of it."""

from __future__ import annotations

import pytest

from ledger.statuses import (DEFAULT_VOCABULARY, DONE, LAGGING, ON_PACE, SEVERELY_LAGGING, Vocabulary)


def test_default_words_carry_the_six_meanings_in_order():
    assert DEFAULT_VOCABULARY.words == ["已完成", "超序时", "序时推进", "滞后", "严重滞后", "未启动"]
    assert [DEFAULT_VOCABULARY.meaning(w) for w in DEFAULT_VOCABULARY.words] == \
        ["done", "ahead", "on_pace", "lagging", "severely_lagging", "not_started"]
    assert DEFAULT_VOCABULARY.missing() == []


def test_a_rename_replaces_the_word_in_place_and_keeps_its_meaning():
    v = Vocabulary.of(DEFAULT_VOCABULARY.words, {"进度滞后": LAGGING})
    assert v.words == ["已完成", "超序时", "序时推进", "进度滞后", "严重滞后", "未启动"]
    assert v.lagging("进度滞后") and v.rank("进度滞后") == DEFAULT_VOCABULARY.rank("滞后")
    assert v.word(LAGGING) == "进度滞后"
    # a row stored as 滞后 before the rename keeps its meaning, and counts as the new word
    assert v.lagging("滞后") and v.canonical("滞后") == "进度滞后"
    assert v.synonyms()["滞后"] == "进度滞后" and v.synonyms()["慢序时"] == "进度滞后"


def test_two_words_for_one_meaning_and_a_word_of_its_own():
    v = Vocabulary.of(["已完成", "序时推进", "正在论证", "滞后"], {"已完成": DONE, "基本完成": DONE})
    assert v.words == ["已完成", "基本完成", "序时推进", "正在论证", "滞后"]
    assert v.words_of(DONE) == ["已完成", "基本完成"]
    assert v.meaning("正在论证") is None and v.rank("正在论证") == v.rank("序时推进")
    assert "基本完成" not in v.synonyms()        # a status is never rewritten to another


def test_old_form_words_take_the_meaning_of_the_common_word():
    v = Vocabulary.of(["已完成", "推进中", "进度滞后"])
    assert [v.meaning(w) for w in v.words] == [DONE, ON_PACE, LAGGING]


@pytest.mark.parametrize("words, missing", [
    (["已完成", "序时推进", "落后"], ["lagging"]),
    (["办完", "序时推进", "滞后"], ["done"]),
    (["序时推进", "严重滞后"], ["done", "lagging"]),
])
def test_missing_names_the_meanings_a_rule_needs(words, missing):
    assert [m.key for m in Vocabulary.of(words).missing()] == missing


def test_severely_lagging_is_optional_but_lagging_when_present():
    v = Vocabulary.of(["已完成", "序时推进", "滞后"])
    assert v.missing() == [] and v.lagging_words() == ["滞后"]
    assert Vocabulary.of(["已完成", "滞后", "严重滞后"], {"明显滞后": SEVERELY_LAGGING}).lagging_words() == ["滞后", "明显滞后"]
