"""The after-call text's exactly-once record (hotline/store/lua/call_summary.lua): the same
before-and-after bookkeeping as a follow-up's, kept in the conversation's hash."""

from __future__ import annotations

import json
import secrets
import time

import redis

from hotline.settings import Settings
from hotline.store import load_script
from hotline.store.clock import now_iso
from hotline.store.keys import conv_key, log_key
from hotline.store.records import compact_entry


class CallSummaryStore:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._script = load_script(client, "call_summary")

    def claim(self, conv_id: str, in_flight_window: float, now: float | None = None) -> tuple[
        str, str
    ]:
        """(outcome, attempt token): claimed | in_flight | unconfirmed | done | missing."""
        token = secrets.token_hex(8)
        return self._run("claim", conv_id, token, now, in_flight_window), token

    def record_sent(self, conv_id: str, token: str, sid: str, entry: dict) -> str:
        """The text went out as `sid`; `entry` ({at, direction, channel, text}) is logged."""
        return self._run(
            "sent", conv_id, token, None, sid, json.dumps(compact_entry(entry)),
            int(self.settings.retention),
        )

    def release(self, conv_id: str, token: str) -> str:
        return self._run("release", conv_id, token, None)

    def record_refused(self, conv_id: str, token: str, code: int | None) -> str:
        return self._run("refused", conv_id, token, None, "" if code is None else str(code))

    def _run(self, action: str, conv_id: str, token: str, now: float | None, *rest) -> str:
        now = time.time() if now is None else now
        return self._script(
            keys=[conv_key(conv_id), log_key(conv_id)],
            args=[action, token, now, now_iso(now), *rest],
        )
