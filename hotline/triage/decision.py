"""The clinical rules of the leg-numbness protocol (../shared/triage-protocol.md), in one place.

Everything here is a pure function of the answers so far. An answer is "yes", "no" or "unknown"
(asked and never understood, or never asked); a duration is hours or None (unknown). Unknown
never lowers a level: an unknown red flag counts at that flag's level, and an unknown story
answer counts against self-care.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Hashable, Mapping, Sequence
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
    """Rule 2: self-care only when every condition is known to hold.

    The reason given is the first condition an answer rules out; only when none does is it one
    that is unknown (not understood, or not asked because the story was already decided).
    """
    hours = answers.get("duration")
    failed, unknown = [], []
    if "pressure_cause" not in answers:
        unknown.append("pressure cause not asked")
    elif answers["pressure_cause"] == UNKNOWN:
        unknown.append("pressure cause unknown")
    elif answers["pressure_cause"] != YES:
        failed.append("no clear pressure cause")
    if not isinstance(hours, int | float):
        unknown.append("duration unknown, counted as long")
    elif hours >= SELF_CARE_MAX_HOURS:
        failed.append(f"lasted {hours:g} h (24 h or more)")
    for key, why in (("worsening", "worsening"), ("recurring", "recurring"),
                     ("risk_condition", "a risk condition")):
        if answers.get(key) == YES:
            failed.append(why)
        elif key not in answers:
            unknown.append(f"{why} not asked")
        elif answers[key] != NO:
            unknown.append(f"{why} unknown")
    if failed or unknown:
        return False, (failed or unknown)[0]
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


# --- stopping the story early ----------------------------------------------------------------

# What each story answer can still turn out to be, for deciding whether asking it can matter.
# A duration only matters on either side of the self-care limit.
_STORY_OUTCOMES: Mapping[str, tuple[object, ...]] = {
    "duration": (1.0, SELF_CARE_MAX_HOURS, UNKNOWN),
    "worsening": (YES, NO, UNKNOWN),
    "recurring": (YES, NO, UNKNOWN),
    "pressure_cause": (YES, NO, UNKNOWN),
    "risk_condition": (YES, NO, UNKNOWN),
}
# `resolved` never changes the level; it changes the self-care advice (advice_keys), so it is
# asked only when the answer is self-care.
ADVICE_ONLY_KEYS = ("resolved",)


def story_settled(answers: Mapping[str, object]) -> str | None:
    """The disposition when no story answer still to come can change it, else None.

    Only the story can be cut short: with a red flag raised the story is not asked at all, and
    red-flag questions are never skipped (the flow asks them all before the story).
    """
    if flag_level(answers) is not None:
        return None
    known = tuple((key, answers[key]) for key in _STORY_OUTCOMES if key in answers)
    if not all(isinstance(value, Hashable) for _, value in known):
        return _settled_from(known)
    return _settled_cached(known)


def _settled_from(known: tuple[tuple[str, object], ...]) -> str | None:
    """story_settled for the story answers known (no red flag raised): every combination of
    the answers still missing, stopped at the first two that disagree."""
    answers = dict(known)
    missing = [key for key in _STORY_OUTCOMES if key not in answers]
    outcomes = set()
    for values in itertools.product(*(_STORY_OUTCOMES[key] for key in missing)):
        outcomes.add(decide({**answers, **dict(zip(missing, values, strict=True))}).disposition)
        if len(outcomes) > 1:
            return None
    return outcomes.pop()


# The answer only depends on the known story answers, and the same few sets recur in every
# conversation: up to 243 decisions each, computed once per process instead of once per turn.
_settled_cached = functools.lru_cache(maxsize=4096)(_settled_from)


def story_question_needed(answers: Mapping[str, object], key: str) -> bool:
    """Whether asking story question `key` can still change the disposition or its advice."""
    settled = story_settled(answers)
    if key in ADVICE_ONLY_KEYS:
        return settled == SELF_CARE
    return settled is None


def skipped_note(answers: Mapping[str, object], asked: Sequence[str]) -> str:
    """For the record's rule, so staff see it: which story questions were not asked, and why."""
    skipped = [key for key in asked if key not in answers]
    if not skipped:
        return ""
    level = story_settled(answers)
    return f"; not asked: {', '.join(skipped)} (no answer could change {level})"


def story_from_words(
    stated: frozenset[str] | set[str], lasting_hours: float | None
) -> dict[str, object]:
    """Story answers a message states in passing, kept only where they rule out self-care:
    a yes to worsening, recurring or a risk condition, or a duration of 24 hours or more said
    as how long it has lasted. Words never give a no or a short duration: those are asked."""
    found: dict[str, object] = {key: YES for key in stated if key in _STORY_OUTCOMES}
    if lasting_hours is not None and lasting_hours >= SELF_CARE_MAX_HOURS:
        found["duration"] = lasting_hours
    return found


def raises_story(key: str, before: object, after: object) -> bool:
    """Whether an answer from free text replaces what is known: only toward "not self-care"."""
    if before is None or before == UNKNOWN:
        return True
    if key == "duration":
        return isinstance(before, int | float) and isinstance(after, int | float) and after > before
    return before == NO and after == YES


def advice_keys(disposition: str, answers: Mapping[str, object]) -> tuple[str, ...]:
    """The advice messages for a disposition. Self-care differs while the leg is still numb:
    move now, and what to do if it has not gone (the `resolved` answer)."""
    keys = [f"advice.{disposition}"]
    if disposition == SELF_CARE:
        keys.append("self_care.gone" if answers.get("resolved") == YES else "self_care.still_numb")
    return tuple(keys)
