"""Redis for follow-ups: the claim / sent / retry / failed / delivery transitions of one planned
check-in text, each one atomic (Lua in hotline/store/lua/followup_*.lua).

A follow-up lives where the store put it when the conversation finished: a JSON value in the
conversation's follow-ups hash, and its id in the due index. This module adds to that JSON the
bookkeeping of sending it (attempt, attempts, sid, confirmed, delivery, error_code, last_error)
and removes the id from the due index once the follow-up is settled.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import orjson
import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from hotline.settings import Settings
from hotline.store import load_script
from hotline.store.clock import now_iso
from hotline.store.keys import (
    DUE_KEY,
    PREFIX,
    conv_key,
    followups_key,
    last_key,
    optout_key,
    state_key,
)
from hotline.store.records import followup_of, record_fields
from hotline.store.send_scripts import DELIVERY_RANK, Attempt, SendScripts, sid_index_key

# Held for one sweep interval, so several worker processes do not all sweep at once.
SWEEP_LOCK_KEY = f"{PREFIX}followups:sweep-lock"

CLOCK_SKEW = 2.0  # seconds the web and worker clocks may differ: earlier than that is early


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def run_script_batch(client: redis.Redis, script: Script, calls: list[tuple[list, list]]) -> list:
    """One Lua script run for each (keys, args), pipelined in one round trip. By its sha alone:
    redis-py's pipelined scripts ask SCRIPT EXISTS first, a second round trip every time. A
    server that lost its scripts (restarted) answers NOSCRIPT; those calls run again one by
    one, which loads the script."""
    if not calls:
        return []
    pipe = client.pipeline(transaction=False)
    for keys, args in calls:
        pipe.evalsha(script.sha, len(keys), *keys, *args)
    results = pipe.execute(raise_on_error=False)
    for index, result in enumerate(results):
        if isinstance(result, NoScriptError):
            keys, args = calls[index]
            results[index] = script(keys=keys, args=args)
        elif isinstance(result, Exception):
            raise result
    return results


def _followup(followup_id: str, raw: str | None) -> dict | None:
    """A follow-up's stored JSON (the hash's or a script's answer) as readers see it."""
    return followup_of(followup_id, orjson.loads(raw)) if raw else None


def conversation_of(followup_id: str) -> str:
    """Follow-up ids are "<conversation id>:<hex>"."""
    return followup_id.rsplit(":", 1)[0]


def decode_state(raw: str | None) -> tuple[int, dict | None]:
    """The state key holds "<version>|<json>"; a missing key is version 0."""
    if not raw:
        return 0, None
    version, _, body = raw.partition("|")
    return int(version), orjson.loads(body)


@dataclass(frozen=True)
class Claim:
    """What FollowupStore.claim found.

    outcome: claimed (this run sends) | in_flight (another run may be sending right now) |
    unconfirmed (an earlier run started a send and never recorded its result) | confirmed
    (an earlier send was confirmed by Twilio's callback) | done (already settled) |
    early (not due yet) | opted_out | superseded (cancelled now) | missing.
    """

    outcome: str
    followup_id: str
    conversation_id: str
    phone: str | None
    followup: dict | None
    meta: dict
    state_version: int = 0  # the phone's state, read just before the claim
    stored_state: dict | None = None

    @property
    def token(self) -> str | None:
        attempt = (self.followup or {}).get("attempt")
        return attempt.get("token") if isinstance(attempt, dict) else None


@dataclass(frozen=True)
class SentRecord:
    """One send to record (FollowupStore.record_sent's arguments)."""

    claim: Claim
    sid: str | None
    twilio_status: str
    text: str
    key: str
    state: dict | None
    expected_version: int


class FollowupStore:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._claim = load_script(client, "followup_claim")
        self._sending = SendScripts(client, settings, followups_key, DUE_KEY)
        self._delivery = load_script(client, "followup_delivery")
        self._postpone = load_script(client, "followup_postpone")
        self._resend = load_script(client, "followup_resend")

    # --- reading ----------------------------------------------------------------------------

    def get(self, followup_id: str) -> dict | None:
        raw = self.r.hget(followups_key(conversation_of(followup_id)), followup_id)
        return _followup(followup_id, raw)

    def updated_at(self, conv_id: str) -> float | None:
        """When a conversation last changed (unix s), None when there is no such record."""
        raw = self.r.hget(conv_key(conv_id), "updated_at")
        if not raw:
            return None
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()

    def phone_state(self, phone: str) -> tuple[int, dict | None]:
        """The phone's SMS conversation state and its compare-and-set version."""
        return decode_state(self.r.get(state_key(phone)))

    def statuses(self, followup_ids: Iterable[str]) -> dict[str, str | None]:
        ids = list(followup_ids)
        pipe = self.r.pipeline(transaction=False)
        for fid in ids:
            pipe.hget(followups_key(conversation_of(fid)), fid)
        return {
            fid: json.loads(raw)["status"] if raw else None
            for fid, raw in zip(ids, pipe.execute(), strict=True)
        }

    def forget_due(self, followup_ids: Iterable[str]) -> None:
        ids = list(followup_ids)
        if ids:
            self.r.zrem(DUE_KEY, *ids)

    def take_sweep_turn(self, seconds: float) -> bool:
        """True for the one sweeper that may sweep now; the others skip this interval."""
        return bool(
            self.r.set(
                SWEEP_LOCK_KEY, secrets.token_hex(4), nx=True, px=max(1, int(seconds * 1000))
            )
        )

    # --- sending ----------------------------------------------------------------------------

    def claim(self, followup_id: str, in_flight_window: float, now: float | None = None) -> Claim:
        """Decide, atomically, whether this run sends; if so, record the attempt first."""
        now = time.time() if now is None else now
        conv_id = conversation_of(followup_id)
        meta = record_fields(self.r.hgetall(conv_key(conv_id)))
        phone = meta.get("phone")
        if not phone:
            self.forget_due([followup_id])
            return Claim("missing", followup_id, conv_id, None, None, meta)
        # Read before claiming, so that between the claim and the REST call nothing can fail.
        version, stored = self.phone_state(phone)
        last = self.r.get(last_key(phone)) or ""
        outcome, raw = self._claim(
            keys=self._claim_keys(conv_id, phone, last),
            args=self._claim_args(followup_id, now, in_flight_window, conv_id, last),
        )
        followup = _followup(followup_id, raw)
        return Claim(outcome, followup_id, conv_id, phone, followup, meta, version, stored)

    def claim_many(
        self, followup_ids: list[str], in_flight_window: float, now: float | None = None
    ) -> list[Claim]:
        """claim() for a batch, in three pipelined round trips instead of four per follow-up:
        the records, then each phone's state and last conversation, then the claims."""
        now = time.time() if now is None else now
        conv_ids = [conversation_of(fid) for fid in followup_ids]
        metas = [
            record_fields(meta)
            for meta in self._pipelined(lambda pipe: [pipe.hgetall(conv_key(c)) for c in conv_ids])
        ]
        phones = [meta.get("phone") for meta in metas]
        known = [phone for phone in phones if phone]
        reads = self._pipelined(
            lambda pipe: [
                pipe.get(key)
                for phone in known
                for key in (state_key(phone), last_key(phone))
            ]
        )
        seen = {phone: (reads[2 * i], reads[2 * i + 1]) for i, phone in enumerate(known)}
        calls = []
        pending: list[tuple[str, str, str, dict, tuple[int, dict | None]]] = []
        missing = []
        for fid, conv_id, meta, phone in zip(followup_ids, conv_ids, metas, phones, strict=True):
            if not phone:
                missing.append(Claim("missing", fid, conv_id, None, None, meta))
                continue
            raw_state, last = seen[phone]
            last = last or ""
            calls.append((self._claim_keys(conv_id, phone, last),
                          self._claim_args(fid, now, in_flight_window, conv_id, last)))
            pending.append((fid, conv_id, phone, meta, decode_state(raw_state)))
        if missing:
            self.forget_due([c.followup_id for c in missing])
        answers = run_script_batch(self.r, self._claim, calls)
        claims = [
            Claim(outcome, fid, conv_id, phone, _followup(fid, raw), meta, *state)
            for (fid, conv_id, phone, meta, state), (outcome, raw) in zip(
                pending, answers, strict=True
            )
        ]
        return missing + claims

    def _pipelined(self, build) -> list:
        pipe = self.r.pipeline(transaction=False)
        build(pipe)
        return pipe.execute()

    @staticmethod
    def _claim_keys(conv_id: str, phone: str, last: str) -> list[str]:
        return [
            followups_key(conv_id),
            DUE_KEY,
            optout_key(phone),
            last_key(phone),
            conv_key(last or conv_id),
        ]

    @staticmethod
    def _claim_args(
        followup_id: str, now: float, in_flight_window: float, conv_id: str, last: str
    ) -> list:
        return [
            followup_id,
            now,
            secrets.token_hex(8),
            in_flight_window,
            conv_id,
            now_iso(now),
            CLOCK_SKEW,
            last,
        ]

    def postpone(self, followup_id: str, until: float, now: float | None = None) -> str:
        """Due again at `until` (the end of quiet hours): postponed | attempted (an earlier
        run tried to send: the claim decides) | done | missing."""
        now = time.time() if now is None else now
        [outcome] = self._postpone(
            keys=[followups_key(conversation_of(followup_id)), DUE_KEY],
            args=[followup_id, until, now_iso(until), now_iso(now)],
        )
        return outcome

    def resend(self, followup_id: str, by: str, now: float | None = None) -> str:
        """Due again now, on a staff member's explicit request: ok | not_unconfirmed (only
        a send Twilio never confirmed can be resent) | missing."""
        now = time.time() if now is None else now
        return self._resend(
            keys=[followups_key(conversation_of(followup_id)), DUE_KEY],
            args=[followup_id, now, now_iso(now), by],
        )

    def record_sent(
        self,
        claim: Claim,
        *,
        sid: str | None,
        twilio_status: str,
        text: str,
        key: str,
        state: dict | None,
        expected_version: int,
        now: float | None = None,
    ) -> str:
        """The send's result, the conversation's check-in state and the logged text, together.

        `state` None leaves the phone's state alone. Returns ok | conflict (the state changed
        since it was read: recompute and call again) | lost (another run recorded it) | missing.
        """
        one = SentRecord(claim, sid, twilio_status, text, key, state, expected_version)
        [outcome] = self.record_sent_many([one], now)
        return outcome

    def record_sent_many(self, sends: list[SentRecord], now: float | None = None) -> list[str]:
        """record_sent() for many sends in one pipelined round trip; the outcomes in order."""
        if not sends:
            return []
        calls = [self._sent_call(one, now) for one in sends]
        return [
            outcome for [outcome] in run_script_batch(self.r, self._sending.sent_script, calls)
        ]

    def _sent_call(self, one: SentRecord, now: float | None) -> tuple[list[str], list]:
        claim, state = one.claim, one.state
        conv_id, phone = claim.conversation_id, claim.phone or ""
        # orjson: the state is the bulk of a batch's record (a few µs where json takes tens)
        blob = _dumps({"conv": conv_id, "phone": phone, "state": state}) if state else ""
        # The log's entry in its compact field: which follow-up it was and whether Twilio
        # confirmed it are the follow-up's own (its JSON), which is what readers show.
        return self._sending.sent_call(
            _attempt(claim),
            sid=one.sid,
            twilio_status=one.twilio_status,
            entry={"direction": "out", "channel": "sms", "text": one.text, "key": one.key},
            now=time.time() if now is None else now,
            state_key=state_key(phone),
            expected_version=one.expected_version,
            blob=blob,
        )

    def record_retry(
        self,
        claim: Claim,
        *,
        next_try: float,
        code: int | None,
        http_status: int | None,
        now: float | None = None,
    ) -> str:
        return self._sending.retry(
            _attempt(claim), next_try=next_try, code=code, http_status=http_status,
            now=time.time() if now is None else now,
        )

    def release(self, claim: Claim, now: float | None = None) -> str:
        """Give the claim back untried (the text could not be built): due again at once."""
        now = time.time() if now is None else now
        return self.record_retry(claim, next_try=now, code=None, http_status=None, now=now)

    def record_failure(
        self,
        claim: Claim,
        *,
        code: int | None,
        http_status: int | None,
        opt_out: bool,
        now: float | None = None,
    ) -> str:
        event = {
            "type": "followup_failed",
            "followup": claim.followup_id,
            "code": code,
            "http_status": http_status,
            "opted_out": opt_out,
        }
        return self._sending.failed(
            _attempt(claim),
            code=code,
            http_status=http_status,
            opt_out_key=optout_key(claim.phone or "") if opt_out else None,
            entry={"direction": "event", "channel": "sms", "text": json.dumps(event)},
            now=time.time() if now is None else now,
        )

    # --- delivery status --------------------------------------------------------------------

    def record_delivery(
        self,
        followup_id: str | None,
        sid: str,
        status: str,
        error_code: str | None,
        now: float | None = None,
    ) -> str:
        """Twilio's status callback: ok | stale (an older status than the one recorded) |
        unknown (no follow-up of ours has this sid)."""
        now = time.time() if now is None else now
        followup_id = followup_id or self.r.get(sid_index_key(sid))
        if not followup_id or ":" not in followup_id:
            return "unknown"
        [outcome] = self._delivery(
            keys=[followups_key(conversation_of(followup_id)), sid_index_key(sid)],
            args=[
                followup_id,
                sid,
                status,
                DELIVERY_RANK.get(status, 0),
                error_code or "",
                now_iso(now),
                int(self.settings.retention),
            ],
        )
        return outcome


def _attempt(claim: Claim) -> Attempt:
    return Attempt(claim.conversation_id, claim.followup_id, claim.token)
