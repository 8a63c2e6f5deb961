"""The safety net's rules and texts, pure: which red flags to name to someone who went quiet
(or hung up) in the middle of the questions, and the words of the nudge, of the closing text and
of an on-call alert. One rule and one wording set for texts and calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hotline.triage.decision import EMERGENCY, FLAG_LEVELS, NO
from hotline.triage.protocol import Protocol

ALERT_LANGUAGE = "en"  # on-call staff read the clinic's language, whatever the texter's


def signs_to_name(answers: Mapping[str, object]) -> list[str]:
    """The emergency red flags not yet ruled out (answered no), in the protocol's danger order.
    When all were ruled out, all of them again: a sign can still appear, and naming too many
    is the safe side."""
    emergency = [flag for flag, level in FLAG_LEVELS.items() if level == EMERGENCY]
    open_flags = [flag for flag in emergency if answers.get(flag) != NO]
    return open_flags or emergency


def red_flags_unanswered(answers: Mapping[str, object]) -> int:
    """How many red-flag questions were never answered (staff look at those conversations
    first: the person may have stopped because they got worse)."""
    return sum(1 for flag in FLAG_LEVELS if flag not in answers)


def _signs(protocol: Protocol, lang: str, answers: Mapping[str, object]) -> str:
    names = [protocol.text(lang, f"sign.{flag}") for flag in signs_to_name(answers)]
    return "; ".join(names) + "."


def nudge_text(
    protocol: Protocol, lang: str, answers: Mapping[str, object], emergency_number: str
) -> str:
    """After silence: are you there, the signs that need the emergency number now, and that a
    reply answers the question still waiting."""
    return " ".join([
        protocol.text(lang, "silence.nudge"),
        protocol.text(lang, "silence.call_now", emergency_number=emergency_number),
        _signs(protocol, lang, answers),
        protocol.text(lang, "silence.resume"),
    ])


def closing_text(
    protocol: Protocol, lang: str, answers: Mapping[str, object], emergency_number: str
) -> str:
    """No reply (or a call hung up mid-way): closed, the emergency number and the red flags,
    and how to start again."""
    return " ".join([
        protocol.text(lang, "silence.closed"),
        protocol.text(lang, "silence.call_now", emergency_number=emergency_number),
        _signs(protocol, lang, answers),
        protocol.text(lang, "silence.start_again"),
    ])


@dataclass(frozen=True)
class AlertFacts:
    """All an alert may carry: minimum necessary, never the texter's words or full number."""

    level: str
    red_flags: tuple[str, ...]
    channel: str
    language: str
    phone_last4: str
    url: str


def alert_text(protocol: Protocol, facts: AlertFacts) -> str:
    lang = ALERT_LANGUAGE
    flags = ", ".join(protocol.text(lang, f"sign.{flag}") for flag in facts.red_flags
                      if flag in FLAG_LEVELS) or protocol.text(lang, "alert.no_flags")
    by = protocol.text(lang, "alert.by_voice" if facts.channel == "voice" else "alert.by_sms")
    number = protocol.text(lang, "alert.number")
    return (f"{protocol.text(lang, 'alert.intro')} {facts.level.upper()} ({flags}). {by}, "
            f"{facts.language.upper()}, {number} {facts.phone_last4}. {facts.url}")


def flags_of(effect_flags: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(flag for flag in (effect_flags or ()) if flag in FLAG_LEVELS)
