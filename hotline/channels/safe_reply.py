"""What a person is told when the hotline itself fails (Redis away, a bug): always something,
always the emergency number and every emergency sign, and a level's own advice at once when
the message alone names a red flag (its words, or a yes to the red-flag question a call's
callback URL names). STOP, START and HELP are answered as usual."""

from __future__ import annotations

from hotline.triage.conversation import flags_heard, heard_level
from hotline.triage.keywords import match_keyword
from hotline.triage.language import detect_language
from hotline.triage.protocol import Protocol

KEYWORD_REPLIES = {"stop": "opted_out", "start": "opted_in", "help": "help"}


def safe_replies(protocol: Protocol, text: str, emergency_number: str, channel: str = "sms",
                 lang: str | None = None, question: str | None = None,
                 keypress: str = "") -> list[dict]:
    """Replies that need nothing but the request itself: no Redis, no state."""
    keys = _keys(protocol, text, lang, channel, question, keypress)
    lang = keys.pop()
    return [{"key": k, "text": protocol.text(lang, k, channel, emergency_number=emergency_number)}
            for k in keys]


def _keys(protocol: Protocol, text: str, lang: str | None, channel: str, question: str | None,
          keypress: str) -> list[str]:
    """The message keys to say, followed by the language to say them in."""
    try:
        lang = lang or detect_language(text)
        keyword = match_keyword(text) if channel == "sms" else None
        if keyword in KEYWORD_REPLIES:
            return [KEYWORD_REPLIES[keyword], lang]
        level = heard_level(flags_heard(protocol, text, lang, question, keypress))
    except Exception:  # the fallback must not fail for the same reason the turn did
        lang, level = lang or "en", None
    advice = [f"advice.{level}"] if level else []
    return [*advice, "safe_fallback", "outage_wait", lang]
