"""The protocol's decision rules, over every combination of answers (including unknown)."""

from __future__ import annotations

import itertools

import pytest

from hotline.triage.decision import (
    EMERGENCY,
    FLAG_LEVELS,
    SELF_CARE,
    SOON,
    UNKNOWN,
    URGENT,
    decide,
    higher,
    rank,
)

FLAGS = list(FLAG_LEVELS)
EMERGENCY_FLAGS = [f for f in FLAGS if FLAG_LEVELS[f] == EMERGENCY]
URGENT_FLAGS = [f for f in FLAGS if FLAG_LEVELS[f] == URGENT]
ANSWERS = ("yes", "no", UNKNOWN)
DURATIONS = (0.05, 5.0, 23.9, 24.0, 400.0, UNKNOWN)
STORY_YES_NO = ("worsening", "recurring", "pressure_cause", "risk_condition", "resolved")


def expected(answers: dict) -> str:
    """The protocol restated independently: triage-protocol.md, 'The decision'."""
    present = lambda f: answers.get(f) in ("yes", UNKNOWN)  # noqa: E731
    if any(present(f) for f in EMERGENCY_FLAGS):
        return EMERGENCY
    if any(present(f) for f in URGENT_FLAGS):
        return URGENT
    hours = answers.get("duration")
    if (answers.get("pressure_cause") == "yes" and isinstance(hours, float) and hours < 24
            and answers.get("worsening") == "no" and answers.get("recurring") == "no"
            and answers.get("risk_condition") == "no"):
        return SELF_CARE
    return SOON


def story_combinations():
    for values in itertools.product(ANSWERS, repeat=len(STORY_YES_NO)):
        for hours in DURATIONS:
            yield {**dict(zip(STORY_YES_NO, values, strict=True)), "duration": hours}


def test_every_red_flag_combination_gets_at_least_its_highest_level():
    story = {"duration": 1.0, "pressure_cause": "yes", "worsening": "no", "recurring": "no",
             "risk_condition": "no", "resolved": "yes"}
    count = 0
    for values in itertools.product(ANSWERS, repeat=len(FLAGS)):
        answers = {**story, **dict(zip(FLAGS, values, strict=True))}
        got = decide(answers)
        assert got.disposition == expected(answers), answers
        assert set(got.red_flags) == {f for f, v in zip(FLAGS, values, strict=True)
                                      if v != "no"}
        count += 1
    assert count == 3 ** 9


def test_every_story_combination_follows_rules_two_and_three():
    count = 0
    for story in story_combinations():
        answers = {**dict.fromkeys(FLAGS, "no"), **story}
        got = decide(answers)
        assert got.disposition == expected(answers), story
        assert got.red_flags == ()
        count += 1
    assert count == 3 ** 5 * len(DURATIONS)


@pytest.mark.parametrize("flag_state", [
    {}, {"weakness": "yes"}, {"difficulty_walking": UNKNOWN}, {"injury": "yes"},
    {"sudden_onset": UNKNOWN}, {"weakness": "yes", "bladder_bowel": "yes"}])
def test_red_flags_win_over_every_story(flag_state):
    for story in story_combinations():
        answers = {**dict.fromkeys(FLAGS, "no"), **story, **flag_state}
        assert decide(answers).disposition == expected(answers)


def test_missing_story_answers_rule_out_self_care():
    assert decide({"pressure_cause": "yes", "duration": 1.0}).disposition == SOON
    assert decide({}).disposition == SOON


def test_the_rule_is_named():
    assert decide({"injury": "yes"}).rule.startswith("rule 1")
    assert "not answered" in decide({"injury": UNKNOWN}).rule
    assert decide({"pressure_cause": "yes", "duration": 1.0, "worsening": "no",
                   "recurring": "no", "risk_condition": "no"}).rule.startswith("rule 2")


def test_levels_only_go_up():
    levels = [None, SELF_CARE, SOON, URGENT, EMERGENCY]
    for a, b in itertools.product(levels, repeat=2):
        assert rank(higher(a, b)) == max(rank(a), rank(b))
