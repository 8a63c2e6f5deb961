"""The clinical rules of the leg-numbness protocol (../shared/triage-protocol.md), in one place.

Everything here is a pure function of the answers so far. An answer is "yes", "no" or "unknown"
(asked and never understood, or never asked); a duration is hours or None (unknown). Unknown
never lowers a level: an unknown red flag counts at that flag's level, and an unknown story
answer counts against self-care.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

EMERGENCY, URGENT, SOON, SELF_CARE = "emergency", "urgent", "soon", "self_care"
DISPOSITIONS = (EMERGENCY, URGENT, SOON, SELF_CARE)
_RANK = {SELF_CARE: 0, SOON: 1, URGENT: 2, EMERGENCY: 3}

YES, NO, UNKNOWN = "yes", "no", "unknown"

# Which level each red flag carries, and why (the protocol's red-flag table).
FLAG_LEVELS: Mapping[str, str] = {
    "bladder_bowel": EMERGENCY,  # cauda equina syndrome
    "saddle_numbness": EMERGENCY,  # cauda equina syndrome
    "stroke_signs": EMERGENCY,  # stroke (BE-FAST)
    "injury": EMERGENCY,  # possible spinal injury
    "cold_pale_leg": EMERGENCY,  # acute limb ischaemia
    "rapid_spread": EMERGENCY,  # Guillain-Barré syndrome
    "sudden_onset": EMERGENCY,  # sudden onset needs immediate attention
    "weakness": URGENT,  # numbness with weakness needs prompt care
    "difficulty_walking": URGENT,  # difficulty walking needs prompt care
}

SELF_CARE_MAX_HOURS = 24.0
STORY_KEYS = ("duration", "worsening", "recurring", "pressure_cause", "risk_condition", "resolved")


@dataclass(frozen=True)
class Decision:
    disposition: str
    red_flags: tuple[str, ...]
    rule: str


def rank(disposition: str | None) -> int:
    return -1 if disposition is None else _RANK[disposition]


def higher(a: str | None, b: str | None) -> str | None:
    """The more urgent of two dispositions: a level can only go up."""
    return a if rank(a) >= rank(b) else b


def raised_flags(answers: Mapping[str, object]) -> tuple[str, ...]:
    """Red flags answered yes, or never made clear (unknown counts as present)."""
    return tuple(f for f in FLAG_LEVELS if answers.get(f) in (YES, UNKNOWN))


def flag_level(answers: Mapping[str, object]) -> str | None:
    """The highest level among raised red flags, or None when none is raised."""
    level = None
    for flag in raised_flags(answers):
        level = higher(level, FLAG_LEVELS[flag])
    return level


def self_care_holds(answers: Mapping[str, object]) -> tuple[bool, str]:
    """Rule 2: self-care only when every condition is known to hold."""
    hours = answers.get("duration")
    if answers.get("pressure_cause") != YES:
        return False, "no clear pressure cause"
    if not isinstance(hours, int | float):
        return False, "duration unknown, counted as long"
    if hours >= SELF_CARE_MAX_HOURS:
        return False, f"lasted {hours:g} h (24 h or more)"
    for key, why in (("worsening", "worsening"), ("recurring", "recurring"),
                     ("risk_condition", "a risk condition")):
        if answers.get(key) != NO:
            return False, why if answers.get(key) == YES else f"{why} unknown"
    return True, "pressure cause, under 24 h, not worsening, not recurring, no risk condition"


def decide(answers: Mapping[str, object]) -> Decision:
    """The disposition for a finished set of answers.

    A red flag missing from `answers` was not needed (the flow skips questions that cannot change
    the level); a story answer missing counts as unknown, which rules out self-care.
    """
    flags = raised_flags(answers)
    level = flag_level(answers)
    if level is not None:
        named = ", ".join(
            f + ("" if answers.get(f) == YES else " (not answered)")
            for f in flags if FLAG_LEVELS[f] == level
        )
        return Decision(level, flags, f"rule 1: red flag {named} → {level}")
    ok, why = self_care_holds(answers)
    if ok:
        return Decision(SELF_CARE, (), f"rule 2: {why} → self_care")
    return Decision(SOON, (), f"rule 3: {why} → soon")


def decided_early(answers: Mapping[str, object]) -> str | None:
    """The level at which questions stop early: an emergency flag ends them at once."""
    return EMERGENCY if flag_level(answers) == EMERGENCY else None
