"""Content checks on a ledger's rows (审核 by machine): entries that say nothing, or last period's again.

Each check is a declared finding whose severity the office sets in ``[quality]`` ("warning": a 提示,
the file is still accepted; "error": returned; "off"). They compare a row with the same task's row
in the unit's last accepted submission before this period (the one carry-forward reads):

- ``progress-copied`` 照搬上月: 本月进展情况 the same as the last period's, or nearly (a task 已完成 in
  both periods may well say the same again)
  (``quality.similarity``, compared after dropping spaces, punctuation and the period's own name);
  a text whose figures changed (累计完成投资3200万元 → 3800万元) reports something new and is not a copy;
- ``progress-thin``: 本月进展情况 shorter than ``quality.min_length`` characters, or nothing but
  ``quality.stock_phrases`` (按计划推进, 正在推进中, 无, …); a task 未启动 that says why in 存在问题 is not;
- ``percent-fell``: 完成进度 below the last period's of the same year, with no 存在问题 saying why;
- ``behind-schedule``: 序时推进/超序时 chosen far below 序时进度 — made by ``validate`` (threshold
  ``collect.lag_tolerance``), its severity set here as ``quality.pace``;
- ``done-no-effect``: 已完成 with no 成效 in the text (a number, or one of ``quality.effect_words``)
  and no evidence attached (``Expected.evidenced``: items the unit attached 佐证材料 to, ``ledger.signoff``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Any, Callable, Iterable, NamedTuple

from ledger import layout
from ledger import codes
from ledger.codes import Told
from ledger.findings import ERROR, WARNING, Finding, Report
from ledger.period import label
from ledger.settings import QualitySettings, Settings
from ledger.statuses import DONE, NOT_STARTED

# code -> the [quality] key setting its severity
CHECKS = {codes.PROGRESS_COPIED.code: "copied", codes.PROGRESS_THIN.code: "thin", codes.PERCENT_FELL.code: "fell",
          codes.BEHIND_SCHEDULE.code: "pace", codes.DONE_NO_EFFECT.code: "no_effect"}
COMPARED_CHARS = 2000          # a long text is compared on its start: bounded time per row
_NOT_WORDS = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
_PERIOD_NAMES = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(份)?|\d{1,2}\s*月(份)?|本月|上月")
_DIGIT = re.compile(r"\d")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


class Row(NamedTuple):
    """One 台账 row as the checks see it: where it is, what it says now and said last period."""

    number: int                      # worksheet row
    values: dict[str, Any]           # as stored (item_id, role, progress, status, percent, problems …)
    last: dict[str, Any] | None      # the same task's values in the last accepted submission


def core(text: Any) -> str:
    """Text as compared: letters, digits and 汉字 only."""
    return _NOT_WORDS.sub("", text) if isinstance(text, str) else ""


def similarity(now: str, before: str, at_least: float = 0.0) -> float:
    """How alike two progress texts are (0–1), ignoring punctuation, spaces and month names; 0 when
    they cannot be ``at_least`` alike."""
    return _alike(_words(_PERIOD_NAMES.sub("", now)), _words(_PERIOD_NAMES.sub("", before)), at_least)


def copied(now: str, before: str, at_least: float) -> float:
    """``similarity`` of a progress text to the last period's when both report the same figures
    (leaving out the periods' own names, 2026年11月); 0 when the figures differ."""
    now, before = _PERIOD_NAMES.sub("", now), _PERIOD_NAMES.sub("", before)
    if _FIGURE.findall(now) != _FIGURE.findall(before):
        return 0.0
    return _alike(_words(now), _words(before), at_least)


def _words(text: str) -> str:
    return core(text)[:COMPARED_CHARS]


def _alike(a: str, b: str, at_least: float) -> float:
    """``SequenceMatcher.ratio`` of two texts as compared, 0 when it cannot reach ``at_least``. The
    ratio is quadratic in the texts' length, and every row of every month but a year's first is
    compared with its last month: it is worked out only for texts whose cheap upper bounds (their
    lengths, then the characters both have) reach ``at_least``."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) / total < at_least:          # SequenceMatcher.real_quick_ratio
        return 0.0
    common = set(a).intersection(b)                         # a character only one text has matches nothing
    if 2 * min(sum(map(common.__contains__, a)), sum(map(common.__contains__, b))) / total < at_least:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _thin(words: str, min_length: int, phrases: tuple[str, ...]) -> bool:
    """Too short, or nothing but stock phrases (``words``: the text as compared, ``core``)."""
    if len(words) < min_length:
        return True
    rest = words
    for phrase in phrases:
        if phrase in rest:
            rest = rest.replace(phrase, "")
    return len(rest) < 2


@lru_cache(maxsize=8)
def _phrases(stock: tuple[str, ...]) -> tuple[str, ...]:
    """The stock phrases as compared, longest first (prepared once, not once a file)."""
    return tuple(p for p in sorted((core(p) for p in stock), key=len, reverse=True) if p)


def has_effect(text: Any, rules: QualitySettings) -> bool:
    """The text names an outcome: a number, or one of the effect words."""
    return isinstance(text, str) and (bool(_DIGIT.search(text)) or any(w in text for w in rules.effect_words))


def check_rows(rows: Iterable[Row], settings: Settings, last_period: str | None, where: Callable[[int, str], str],
               has_evidence: Callable[[int], bool] = lambda item_id: False, this_period: str = "") -> list[Finding]:
    """Every content finding of the rows; ``where(row, key)`` gives a cell's A1 reference."""
    rules = settings.quality
    when = label(last_period) if last_period else "上期"
    same_year = bool(last_period and this_period and last_period[:4] == this_period[:4])
    phrases = _phrases(tuple(rules.stock_phrases))
    out: list[Finding] = []
    for row in rows:
        out.extend(_row_findings(row, settings, when, same_year, where, has_evidence, phrases))
    return [f for f in out if getattr(rules, CHECKS[f.code]) != "off"]


def _row_findings(row: Row, settings: Settings, when: str, same_year: bool, where, has_evidence,
                  phrases: tuple[str, ...]) -> list[Finding]:
    """The content findings of one row (``when``: the last period as named; ``same_year``: it is of
    this period's year, so 完成进度 may be compared; ``phrases``: the stock phrases as compared)."""
    rules, v, last, out = settings.quality, row.values, row.last or {}, []

    def finding(code: codes.Code, key: str, value: Any, **values: Any) -> Finding:
        told = code.told(_severity(rules, code.code), **values)
        return _located(row.number, key, where(row.number, key), told, value)

    progress, meaning = v.get("progress"), settings.vocabulary.meaning(v.get("status"))
    thin = isinstance(progress, str) and _thin(core(progress), rules.min_length, phrases)
    if thin and meaning == NOT_STARTED and core(v.get("problems")):
        thin = False            # 尚未启动, with the reason where it belongs (存在问题)
    if thin:
        out.append(finding(codes.PROGRESS_THIN, "progress", progress, typed=_short(progress)))
    before = last.get("progress")
    if (not thin and isinstance(progress, str) and isinstance(before, str)
            and not (meaning == DONE and settings.vocabulary.meaning(last.get("status")) == DONE)):
        alike = copied(progress, before, rules.similarity)
        if alike >= rules.similarity:
            same = "相同" if alike >= 1 else f"基本相同（相似度 {alike:.0%}）"
            out.append(finding(codes.PROGRESS_COPIED, "progress", progress, when=when, same=same))
    percent, was = v.get("percent"), last.get("percent")
    if same_year and _whole(percent) and _whole(was) and percent < was and not core(v.get("problems")):
        out.append(finding(codes.PERCENT_FELL, "percent", percent, percent=percent, when=when, before=was))
    if meaning == DONE and not has_effect(progress, rules) and not has_evidence(v.get("item_id")):
        out.append(finding(codes.DONE_NO_EFFECT, "progress", progress))
    return out


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100


def _severity(rules: QualitySettings, code: str) -> str:
    return ERROR if getattr(rules, CHECKS[code]) == "error" else WARNING


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _located(number: int, key: str, cell: str, told: Told, value: Any) -> Finding:
    col = layout.BY_KEY[key]
    return told.at(f"{cell}“{col.header}”：", sheet=layout.LEDGER_SHEET, cell=cell, column=col.header, field=key,
                   value=value if value != "" else None, row=number)


def reweigh(findings: list[Finding], rules: QualitySettings) -> list[Finding]:
    """Findings made elsewhere that ``[quality]`` also governs (``behind-schedule``), at its severity."""
    out = []
    for f in findings:
        setting = getattr(rules, CHECKS[f.code]) if f.code in CHECKS else None
        if setting == "off":
            continue
        out.append(replace(f, severity=_severity(rules, f.code)) if setting else f)
    return out


def review(report: Report, read, matched: list, rows: list[dict[str, Any]], expected, settings: Settings) -> None:
    """Add the content findings of a validated 台账 to its report (called once by ``validate_ledger``).

    ``matched`` pairs each row read with its template row; ``rows`` are the values to store, in the
    same order; ``expected.last_rows`` holds the last period's values by (item id, role).
    """
    report.findings[:] = reweigh(report.findings, settings.quality)
    last_rows = getattr(expected, "last_rows", {}) or {}
    checked = [Row(row.number, values, last_rows.get((values["item_id"], values["role"])))
               for (row, _), values in zip(matched, rows)]

    def where(number: int, key: str) -> str:
        return f"{layout.column_letter(read.columns[key])}{number}"

    report.extend(check_rows(checked, settings, getattr(expected, "last_period", None), where,
                             expected.evidenced.__contains__, expected.period))


def last_rows(carried, identities: dict[int, Any], rows: Iterable[tuple[int, str]]
              ) -> tuple[str | None, dict[tuple[int, str], dict[str, Any]]]:
    """The unit's last accepted 台账 values (``store.submissions.Carried``, or None) for its (item id,
    role) ``rows``, and their period.

    Read the way carry-forward reads them: by the item's identity (``identities``: item id ->
    identity in the rows' plan), which a renumbered or retitled item keeps, so the same task is found
    under a new plan version.
    """
    if carried is None:
        return None, {}
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for item_id, role in rows:
        found = carried.values.get((identities.get(item_id), role))
        if found:
            out[(item_id, role)] = found
    return carried.period, out
