"""Every conversation key name (follow-ups' own keys are in followups.py, the staff area's in
staff.py). Nothing outside hotline/store/ names a key."""

from __future__ import annotations

import hashlib

PREFIX = "hotline:"
# Given to a script in place of a key it must not touch (no check applies, no id to remember):
# nothing ever writes it.
NO_KEY = f"{PREFIX}-"


def state_key(session: str) -> str:
    return f"{PREFIX}state:{session}"


def conv_key(conv_id: str) -> str:
    return f"{PREFIX}conv:{conv_id}"


def log_key(conv_id: str) -> str:
    return f"{PREFIX}conv:{conv_id}:log"


def followups_key(conv_id: str) -> str:
    return f"{PREFIX}conv:{conv_id}:fu"


def last_key(phone: str) -> str:
    return f"{PREFIX}last:{phone}"


def optout_key(phone: str) -> str:
    return f"{PREFIX}optout:{phone}"


def once_key(what: str) -> str:
    return f"{PREFIX}once:{what}"  # something done at most once (the reply owed after an outage)


def seen_key(dedupe_id: str) -> str:
    """A webhook already answered (a MessageSid, a call's CallSid:turn) and its reply. Hashed:
    the id comes from the request, and key names should not grow with it."""
    return f"{PREFIX}seen:{hashlib.sha256(dedupe_id.encode()).hexdigest()[:32]}"


INDEX_KEY = f"{PREFIX}index:started"  # conversation id -> started_at, for listing and purge
DUE_KEY = f"{PREFIX}followups:due"  # follow-up id -> due time (unix seconds)
WORDING_KEY = f"{PREFIX}wording"  # hash: wording ref -> an outbound text, exactly as sent
SILENCE_KEY = f"{PREFIX}safetynet:silence"  # session -> when to look at its silence next
HEALTH_KEY = f"{PREFIX}health"  # written by /healthz: does Redis take writes?
