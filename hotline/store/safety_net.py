"""Redis for the safety net: the silence index (texters in the middle of the questions, by when
to look at them next) and safety-net tasks (a nudge, the no-reply text, each on-call alert).

A task is bookkept exactly like a follow-up (hotline/store/followups.py): a JSON value in a
hash of its conversation (`hotline:conv:<id>:sn`) and its id in a due index, sent through the
same claim / sent / retry / failed scripts (store/lua/followup_*.lua), so it is sent once
whichever worker runs it and whatever is killed around the REST call. What differs is only
which keys those scripts are given: an alert is not held back by the texter's opt-out, nor
cancelled by a newer conversation.

A task id says what the task is for, so planning it twice plans it once:
`<conv>:nudge-<ms of the last message>` (one per silence), `<conv>:noreply`,
`<conv>:alert-<level>-t<n>` (the n-th on-call number) and `<conv>:alert-<level>-webhook`.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

import redis

from hotline.settings import Settings
from hotline.store import load_script
from hotline.store.clock import now_iso
from hotline.store.followups import decode_state
from hotline.store.keys import (
    NO_KEY,
    PREFIX,
    SILENCE_KEY,
    conv_key,
    last_key,
    log_key,
    optout_key,
    state_key,
)
from hotline.store.records import record_fields
from hotline.store.send_scripts import Attempt, SendScripts

# Keys only the safety net uses (hotline/store/keys.py holds the conversation keys).
TASKS_DUE_KEY = f"{PREFIX}safetynet:due"  # task id -> due time (unix seconds)


def tasks_key(conv_id: str) -> str:
    return f"{PREFIX}conv:{conv_id}:sn"


def conversation_of(task_id: str) -> str:
    return task_id.rsplit(":", 1)[0]


NUDGE, NO_REPLY, ALERT_TEXT, ALERT_WEBHOOK = "nudge", "noreply", "alert_text", "alert_webhook"
TEXT_KINDS = (NUDGE, NO_REPLY)  # texts to the texter: their opt-out holds them back
ALERT_KINDS = (ALERT_TEXT, ALERT_WEBHOOK)


@dataclass(frozen=True)
class Silence:
    """What the sweeper needs to judge one watched session."""

    session: str
    version: int
    stored: dict | None  # {"conv", "phone", "state"} or None
    updated_at: str | None  # the record's last activity
    status: str | None
    opted_out: bool


@dataclass(frozen=True)
class TaskClaim:
    """FollowupStore.Claim's counterpart: outcome claimed | in_flight | unconfirmed |
    confirmed | done | early | opted_out | superseded | missing."""

    outcome: str
    task_id: str
    conversation_id: str
    to: str | None
    task: dict | None
    meta: dict

    @property
    def token(self) -> str | None:
        attempt = (self.task or {}).get("attempt")
        return attempt.get("token") if isinstance(attempt, dict) else None


class SafetyNetStore:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._plan = load_script(client, "safety_net_plan")
        self._close = load_script(client, "safety_net_close")
        self._cancel = load_script(client, "safety_net_cancel")
        self._claim = load_script(client, "followup_claim")
        self._sending = SendScripts(client, settings, tasks_key, TASKS_DUE_KEY)

    # --- the silence index -------------------------------------------------------------------

    def watched(self, before_ts: float, limit: int = 500) -> list[str]:
        return self.r.zrangebyscore(SILENCE_KEY, "-inf", before_ts, start=0, num=limit)

    def unwatch(self, session: str) -> None:
        self.r.zrem(SILENCE_KEY, session)

    def conversation_facts(self, conv_id: str) -> dict[str, str | None]:
        meta = record_fields(self.r.hgetall(conv_key(conv_id)))
        return {name: meta.get(name)
                for name in ("phone", "channel", "language", "disposition", "red_flags")}

    def phone_of(self, conv_id: str) -> str | None:
        return self.r.hget(conv_key(conv_id), "phone")

    def silence(self, session: str) -> Silence:
        raw, opted = self.r.mget(state_key(session), optout_key(session))
        version, stored = decode_state(raw)
        updated_at = status = None
        if stored and stored.get("conv"):
            updated_at, status = self.r.hmget(conv_key(stored["conv"]), "updated_at", "status")
        return Silence(session, version, stored, updated_at, status, bool(opted))

    # --- planning ----------------------------------------------------------------------------

    def plan(
        self,
        conv_id: str,
        tasks: Iterable[dict],
        *,
        session: str = "",
        next_check: float | None = None,
    ) -> list[str]:
        """Create the tasks not planned yet; returns the ids created. With `session`, its
        silence is looked at next at `next_check` (None: no more)."""
        args: list = [
            int(self.settings.retention),
            session,
            "" if next_check is None else next_check,
        ]
        args += [json.dumps(task) for task in tasks]
        keys = [tasks_key(conv_id), TASKS_DUE_KEY, SILENCE_KEY]
        return list(self._plan(keys=keys, args=args))

    def close(
        self,
        silence: Silence,
        stopped_at: str,
        flags_open: int,
        task: dict | None,
        now: float | None = None,
    ) -> str:
        """Close a silent conversation with status no_reply: ok | conflict (it moved)."""
        now = time.time() if now is None else now
        conv_id = (silence.stored or {}).get("conv") or ""
        event = {"type": "no_reply", "stopped_at": stopped_at}
        return self._close(
            keys=[
                state_key(silence.session),
                conv_key(conv_id),
                log_key(conv_id),
                tasks_key(conv_id),
                TASKS_DUE_KEY,
                SILENCE_KEY,
            ],
            args=[
                silence.version,
                silence.session,
                stopped_at,
                flags_open,
                now_iso(now),
                json.dumps(event),
                json.dumps(task) if task else "",
                int(self.settings.retention),
            ],
        )

    def cancel(self, task_id: str, reason: str) -> str:
        keys = [tasks_key(conversation_of(task_id)), TASKS_DUE_KEY]
        return self._cancel(keys=keys, args=[task_id, reason])

    # --- reading ----------------------------------------------------------------------------

    def get(self, task_id: str) -> dict | None:
        raw = self.r.hget(tasks_key(conversation_of(task_id)), task_id)
        return json.loads(raw) if raw else None

    def tasks(self, conv_id: str) -> list[dict]:
        return sorted(
            (json.loads(v) for v in self.r.hgetall(tasks_key(conv_id)).values()),
            key=lambda task: (task.get("due_ts", 0), task["id"]),
        )

    def overdue(self, before_ts: float, limit: int = 1000) -> list[str]:
        return self.r.zrangebyscore(TASKS_DUE_KEY, "-inf", before_ts, start=0, num=limit)

    def forget_due(self, task_ids: Iterable[str]) -> None:
        ids = list(task_ids)
        if ids:
            self.r.zrem(TASKS_DUE_KEY, *ids)

    # --- sending: the follow-up scripts on the safety net's keys ----------------------------

    def claim(self, task_id: str, in_flight_window: float, now: float | None = None) -> TaskClaim:
        now = time.time() if now is None else now
        conv_id = conversation_of(task_id)
        meta = record_fields(self.r.hgetall(conv_key(conv_id)))
        task = self.get(task_id)
        if not meta or task is None:
            self.forget_due([task_id])
            return TaskClaim("missing", task_id, conv_id, None, task, meta)
        phone = meta.get("phone") or ""
        to_texter = task.get("kind") in TEXT_KINDS
        to = phone if to_texter else task.get("to")
        outcome, raw = self._claim(
            keys=[
                tasks_key(conv_id),
                TASKS_DUE_KEY,
                # The texter's STOP holds back texts to them, never an alert about them; a
                # newer conversation makes a nudge pointless, never an alert.
                optout_key(phone) if to_texter else NO_KEY,
                last_key(phone) if to_texter else NO_KEY,
            ],
            args=[task_id, now, secrets.token_hex(8), in_flight_window, conv_id, now_iso(now), 2.0],
        )
        return TaskClaim(outcome, task_id, conv_id, to, json.loads(raw) if raw else None, meta)

    def record_sent(
        self,
        claim: TaskClaim,
        *,
        sid: str | None,
        twilio_status: str,
        entry: dict,
        now: float | None = None,
    ) -> str:
        """The send's result and its log entry, together (the conversation's state is left
        alone): ok | lost | missing."""
        keys, args = self._sending.sent_call(
            _attempt(claim), sid=sid, twilio_status=twilio_status, entry=entry,
            now=time.time() if now is None else now,
        )
        [outcome] = self._sending.sent_script(keys=keys, args=args)
        return outcome

    def record_retry(
        self,
        claim: TaskClaim,
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

    def record_failure(
        self,
        claim: TaskClaim,
        *,
        code: int | None,
        http_status: int | None,
        opt_out: bool,
        entry: dict,
        now: float | None = None,
    ) -> str:
        return self._sending.failed(
            _attempt(claim),
            code=code,
            http_status=http_status,
            opt_out_key=optout_key(claim.to or "") if opt_out else None,
            entry=entry,
            now=time.time() if now is None else now,
        )


def _attempt(claim: TaskClaim) -> Attempt:
    return Attempt(claim.conversation_id, claim.task_id, claim.token)
