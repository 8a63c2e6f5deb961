"""What a person is told when the hotline itself fails: always something, always the emergency
number, and the emergency advice at once when their own words name an emergency red flag."""

from __future__ import annotations

from hotline.triage.decision import EMERGENCY, FLAG_LEVELS
from hotline.triage.language import detect_language
from hotline.triage.protocol import Protocol
from hotline.triage.redflags import scan_red_flags


def safe_replies(protocol: Protocol, text: str, emergency_number: str, channel: str = "sms",
                 lang: str | None = None) -> list[dict]:
    """Replies that need nothing but the message itself: no Redis, no state."""
    try:
        lang = lang or detect_language(text)
        flags = scan_red_flags(text, lang)
    except Exception:  # the fallback must not fail for the same reason the turn did
        lang, flags = lang or "en", frozenset()
    keys = ["safe_fallback"]
    if any(FLAG_LEVELS[f] == EMERGENCY for f in flags):
        keys.insert(0, "advice.emergency")
    return [{"key": k, "text": protocol.text(lang, k, channel, emergency_number=emergency_number)}
            for k in keys]
