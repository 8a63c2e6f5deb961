"""The sent / retry / failed scripts (store/lua/followup_*.lua) called for one kind of text.

Follow-ups (store/followups.py) and safety-net tasks (store/safety_net.py) are bookkept alike:
a JSON value in a hash of their conversation, their id in a due index, an attempt token taken
by the claim. Only the keys differ (which hash, which due index; whether the state or an
opt-out is touched), so each store gives its own keys and this module the rest of the call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson
import redis

from hotline.settings import Settings
from hotline.store import load_script
from hotline.store.clock import now_iso
from hotline.store.keys import NO_KEY, PREFIX, conv_key, log_key
from hotline.store.records import compact_entry

# Twilio's message statuses in the order they happen; a callback never moves a status back.
DELIVERY_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "receiving": 3,
    "received": 4,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "read": 5,
    "canceled": 4,
}


def sid_index_key(sid: str) -> str:
    """The text a Twilio message sid belongs to, for status callbacks that arrive without its
    id in their URL (e.g. a Messaging Service's own callback URL)."""
    return f"{PREFIX}fu-sid:{sid}"


@dataclass(frozen=True)
class Attempt:
    """Which text a send was for and the claim's token: only the run holding it records."""

    conversation_id: str
    text_id: str
    token: str | None


class SendScripts:
    """The three scripts on one kind of text's keys: its hash (per conversation) and due index."""

    def __init__(self, client: redis.Redis, settings: Settings, hash_key, due_key: str) -> None:
        self.settings = settings
        self.hash_key = hash_key
        self.due_key = due_key
        self.sent_script = load_script(client, "followup_sent")
        self.retry_script = load_script(client, "followup_retry")
        self.failed_script = load_script(client, "followup_failed")

    def sent_call(
        self,
        attempt: Attempt,
        *,
        sid: str | None,
        twilio_status: str,
        entry: dict,
        now: float,
        state_key: str = NO_KEY,
        expected_version: int = -1,
        blob: str = "",
    ) -> tuple[list[str], list]:
        """followup_sent.lua's keys and args: the send's result, its log entry and (with a
        state key) the conversation's state, together."""
        conv_id = attempt.conversation_id
        keys = [
            self.hash_key(conv_id),
            self.due_key,
            state_key,
            log_key(conv_id),
            sid_index_key(sid) if sid else NO_KEY,
        ]
        args = [
            attempt.text_id,
            attempt.token or "",
            sid or "",
            twilio_status or "",
            now_iso(now),
            expected_version if blob else -1,
            blob,
            int(self.settings.session_ttl),
            orjson.dumps(compact_entry({"at": now_iso(now), **entry})).decode(),
            int(self.settings.retention),
            DELIVERY_RANK.get(twilio_status, 0),
        ]
        return keys, args

    def retry(
        self, attempt: Attempt, *, next_try: float, code: int | None,
        http_status: int | None, now: float,
    ) -> str:
        """Nothing went out (429, 5xx): the attempt cleared, due again at `next_try`."""
        error = {"code": code, "http_status": http_status, "at": now_iso(now)}
        [outcome] = self.retry_script(
            keys=[self.hash_key(attempt.conversation_id), self.due_key],
            args=[attempt.text_id, attempt.token or "", next_try, json.dumps(error)],
        )
        return outcome

    def failed(
        self, attempt: Attempt, *, code: int | None, http_status: int | None,
        opt_out_key: str | None, entry: dict, now: float,
    ) -> str:
        """Refused for good; with an opt-out key (Twilio's 21610) that number is opted out."""
        conv_id = attempt.conversation_id
        error = {"code": code, "http_status": http_status, "at": now_iso(now)}
        [outcome] = self.failed_script(
            keys=[
                self.hash_key(conv_id),
                self.due_key,
                conv_key(conv_id),
                log_key(conv_id),
                opt_out_key or NO_KEY,
            ],
            args=[
                attempt.text_id,
                attempt.token or "",
                json.dumps(error),
                now,
                now_iso(now),
                "1" if opt_out_key else "",
                json.dumps(compact_entry({"at": now_iso(now), **entry})),
                int(self.settings.retention),
            ],
        )
        return outcome
