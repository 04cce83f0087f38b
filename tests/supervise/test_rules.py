"""Which notice of which colour: each rule at its boundary (ledger.supervise.rules)."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.settings import EscalationSettings
from ledger.supervise.rules import BLUE, RED, YELLOW, Task, UnitFacts, decide, raise_overdue

END = date(2024, 7, 31)       # the period's end
PACE = 58                     # 序时进度 of July, as a percent
RULES = EscalationSettings()  # blue 30 days, yellow 20 points / 2 months / 3 flags, red 2 periods


def task(unit="发改局", key="一1", deadline=None, done=False, percent=60, lagging=False, streak=0):
    return Task(unit, key, key[-1], f"任务{key}", deadline, str(deadline or ""), done, percent, lagging, streak)


def colours(tasks=(), units=()):
    return [(d.unit, d.colour, [r.key for r in d.items]) for d in decide(list(tasks), list(units), END, PACE, RULES)]


@pytest.mark.parametrize("deadline, expected", [
    (date(2024, 8, 30), [("发改局", BLUE, ["blue:一1"])]),      # 30 days: blue
    (date(2024, 8, 31), []),                                    # 31 days: not yet
    (date(2024, 7, 31), [("发改局", BLUE, ["blue:一1"])]),      # due on the period's last day: not overdue
    (date(2024, 7, 30), [("发改局", RED, ["red:一1"])]),        # one day past: red
])
def test_deadline_rules_at_their_boundaries(deadline, expected):
    assert colours([task(deadline=deadline)]) == expected


def test_a_done_task_is_never_escalated():
    assert colours([task(deadline=date(2024, 7, 1), done=True, percent=100)]) == []


@pytest.mark.parametrize("percent, expected", [(38, [YELLOW]), (39, []), (None, [])])
def test_behind_pace_at_the_boundary(percent, expected):
    assert [c for _, c, _ in colours([task(percent=percent)])] == expected


@pytest.mark.parametrize("streak, expected", [(2, [YELLOW]), (1, [])])
def test_lagging_months_running_at_the_boundary(streak, expected):
    assert [c for _, c, _ in colours([task(percent=50, lagging=True, streak=streak)])] == expected


@pytest.mark.parametrize("flags, expected", [(3, [YELLOW]), (2, [])])
def test_content_flags_at_the_boundary(flags, expected):
    assert [c for _, c, _ in colours(units=[UnitFacts("发改局", content_flags=flags)])] == expected


@pytest.mark.parametrize("missing, expected", [(2, [RED]), (1, [])])
def test_missing_periods_at_the_boundary(missing, expected):
    assert [c for _, c, _ in colours(units=[UnitFacts("教育局", missing_run=missing)])] == expected


def test_one_notice_per_unit_and_colour_and_a_task_in_its_most_severe_colour():
    tasks = [task(key="一1", deadline=date(2024, 7, 1), percent=10),       # overdue and far behind: red only
             task(key="一2", percent=20),                                   # behind: yellow
             task(key="一3", percent=25, lagging=True, streak=3),            # behind and lagging: one yellow reason
             task(key="一4", deadline=date(2024, 8, 10)),                   # due soon: blue
             task(unit="商务局", key="一5", deadline=date(2024, 6, 30))]    # another unit
    found = colours(tasks, [UnitFacts("发改局"), UnitFacts("商务局")])
    assert found == [("发改局", BLUE, ["blue:一4"]), ("发改局", YELLOW, ["yellow:一2", "yellow:一3"]),
                     ("发改局", RED, ["red:一1"]), ("商务局", RED, ["red:一5"])]


def test_an_open_notice_past_its_reply_date_goes_up_one_colour_once():
    notice = {"id": 7, "number": "督办〔2024〕7号", "unit": "发改局", "colour": BLUE, "state": "open",
              "reply_due": date(2024, 8, 10), "escalated_to": None,
              "items": [{"key": "blue:一4", "number": "4", "title": "任务一4", "why": "距完成时限 10 天"}]}
    assert raise_overdue(notice, date(2024, 8, 10)) is None               # on the day: not yet
    raised = raise_overdue(notice, date(2024, 8, 11))
    assert raised.colour == YELLOW and raised.raised_from == 7
    assert "督办〔2024〕7号督办单逾期未反馈" in raised.items[0].why
    assert raise_overdue({**notice, "escalated_to": 9}, date(2024, 9, 1)) is None
    assert raise_overdue({**notice, "state": "replied"}, date(2024, 9, 1)) is None
    assert raise_overdue({**notice, "colour": RED}, date(2024, 9, 1)) is None


@pytest.mark.parametrize("text, key", [
    ("[escalation]\nblue_days = -1\n", "escalation.blue_days"),
    ("[escalation]\nbehind_points = 0\n", "escalation.behind_points"),
    ("[escalation]\nreply_day = 7\n", "escalation.reply_day"),
    ("[scoring]\nlate = -0.1\n", "scoring.late"),
    ('[scoring]\nbase = "100"\n', "scoring.base"),
    ("[scoring]\nhonour_roll_size = 0\n", "scoring.honour_roll_size"),
])
def test_escalation_and_scoring_settings_are_checked(tmp_path, text, key):
    from ledger.errors import SettingsError
    from ledger.settings import load_settings

    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        load_settings(path)


def test_the_shipped_settings_file_gives_the_defaults():
    from importlib import resources
    from pathlib import Path

    from ledger.settings import Settings, load_settings

    shipped = load_settings(Path(str(resources.files("ledger.data").joinpath("ledger.toml"))))
    assert shipped.escalation == Settings().escalation and shipped.scoring == Settings().scoring
    assert shipped.quality == Settings().quality
