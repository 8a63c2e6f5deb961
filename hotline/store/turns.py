"""One turn of a conversation: load, compute, commit atomically; opt-outs and webhook
idempotency are written in the same commit.

A webhook turn costs two round trips: one MGET for everything the step needs, then one Lua
script that checks nothing changed meanwhile (a version number, compare-and-set) and writes the
state, the log, the record and the silence watch together. On a conflict (two texts from one
number at once) the turn is recomputed on the fresh state, so no answer is lost or doubled.

Idempotency: every webhook id (Twilio's MessageSid, a call's CallSid and turn) is remembered
for REPLAY_MEMORY with the reply it got, in a key of its own written by the same commit
(SET NX) and read by the same MGET, so no turn pays a round trip for it. A retried or replayed
webhook is answered the same again and changes nothing; the compare-and-set (and the NX) make
a retry racing its original lose and replay.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
import redis

from hotline.outbound.schedule import followup_due
from hotline.settings import Settings
from hotline.store import load_script
from hotline.store.clock import iso_from_ms, now_iso
from hotline.store.direct import DirectCommands
from hotline.store.keys import (
    DUE_KEY,
    INDEX_KEY,
    NO_KEY,
    SILENCE_KEY,
    WORDING_KEY,
    conv_key,
    followups_key,
    last_key,
    log_key,
    optout_key,
    seen_key,
    state_key,
)
from hotline.store.wording import WORDING, wording_ref

# What every reader of a record takes a missing field for (records.build_record, the staff
# queue's lua/queue_scan.lua, the safety net and follow-ups), so it is not stored.
RECORD_DEFAULTS = {
    "language": "en", "red_flags": "[]", "answers": "{}", "disposition": "", "rule": "",
    "channel": "sms",
}
# How long a webhook id is remembered: beyond Twilio's retries (minutes) and a replay window.
REPLAY_MEMORY = 48 * 3600
MAX_TURN_ATTEMPTS = 8


def new_conversation_id(ts: float | None = None) -> str:
    """Sortable by start time, unguessable: c<ms since epoch in hex><random>."""
    ms = int((ts if ts is not None else time.time()) * 1000)
    return f"c{ms:011x}{secrets.token_hex(5)}"


@dataclass
class TurnInput:
    """What the step needs from Redis for one turn."""

    state: dict | None
    conversation_id: str | None
    opted_out: bool


@dataclass
class TurnOutput:
    """What the step produced, to be written atomically."""

    state: dict
    replies: list[dict]
    effects: list[dict]
    inbound_text: str | None = None
    extra_log: list[dict] = field(default_factory=list)
    # When the silence sweeper first looks at this session (a turn that began asking; see
    # outbound/nudges.silence_check_at), written by the same commit.
    watch_silence_at: float | None = None
    # A turn that ended the asking (nudges.ends_silence_watch): the same commit drops the watch.
    unwatch_silence: bool = False


@dataclass
class TurnResult:
    conversation_id: str
    replies: list[dict]
    effects: list[dict]
    duplicate: bool = False
    followup_ids: list[tuple[str, float]] = field(default_factory=list)
    committed: bool = True



class TurnStore:
    """The turn half of the conversation store (conversations.Store adds reading back)."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._commit = load_script(client, "commit_turn")
        self._direct = DirectCommands(client)  # the turn's two commands: store/direct.py
        WORDING.attach(client)

    # --- one turn ---------------------------------------------------------------------------

    def run_turn(
        self,
        session: str,
        phone: str,
        channel: str,
        dedupe_id: str | None,
        compute: Callable[[TurnInput], TurnOutput | None],
    ) -> TurnResult:
        """Load, compute, commit; recompute on a concurrent change; replay a duplicate.

        `compute` may return None to commit nothing (one round trip instead of two)."""
        for _ in range(MAX_TURN_ATTEMPTS):
            keys = [state_key(session), last_key(phone), optout_key(phone)]
            if dedupe_id:
                keys.append(seen_key(dedupe_id))
            raw_state, last_conv, opted, *replay = self._direct.mget(keys)
            if replay and replay[0]:
                return self._replayed(json.loads(replay[0]))
            version, stored = _decode_state(raw_state)
            conv_id = stored.get("conv") if stored else None
            output = compute(
                TurnInput(stored.get("state") if stored else None, conv_id, bool(opted))
            )
            if output is None:  # the caller decided, from the state, that nothing changes
                return TurnResult(conv_id or "", [], [], committed=False)
            result = self._commit_turn(
                session,
                phone,
                channel,
                dedupe_id,
                version,
                conv_id,
                last_conv,
                output,
                bool(opted),
                stored.get("prev") if stored else None,
            )
            if result is not None:
                return result
        raise RuntimeError("conversation state kept changing under this turn")

    def _replayed(self, seen: list) -> TurnResult:
        conv_id, replies = seen
        texts = WORDING.texts((ref for _, ref in replies), self.r)
        return TurnResult(
            conv_id, [{"key": key, "text": texts[ref]} for key, ref in replies], [], duplicate=True
        )

    def _commit_turn(
        self,
        session: str,
        phone: str,
        channel: str,
        dedupe_id: str | None,
        version: int,
        conv_id: str | None,
        last_conv: str | None,
        out: TurnOutput,
        opted_out: bool,
        prev: str | None = None,
    ) -> TurnResult | None:
        now = time.time()
        now_ms = int(now * 1000)
        at = iso_from_ms(now_ms)
        types = [e["type"] for e in out.effects]
        old_conv = conv_id or last_conv
        starting = conv_id is None or "new_conversation" in types
        if starting:
            conv_id = new_conversation_id(now)
            # The phone's conversation before this one: its pending check-in is cancelled only
            # once this one reaches a disposition (whose own follow-up replaces it), not by a
            # call that answered nothing or an "ok thanks" the day after.
            prev = old_conv if old_conv and old_conv != conv_id else None
        reached = "finished" in types
        fields, cleared = self._record_fields(phone, channel, out, at, starting, opted_out)
        followups, plan_ids = self._plan_followups(conv_id, out.effects, now)
        refs = [wording_ref(reply["text"]) for reply in out.replies]
        seen = ""
        if dedupe_id:
            answered = [[r["key"], ref] for r, ref in zip(out.replies, refs, strict=True)]
            seen = _compact_json([conv_id, answered])
        stored = {"conv": conv_id, "phone": phone, "state": out.state}
        if dedupe_id:  # the latest webhook's id: the reply owed after an outage checks it
            stored["last"] = dedupe_id
        if prev and not reached:
            stored["prev"] = prev
        args = [
            version,
            _compact_json(stored),
            int(self.settings.session_ttl),
            int(self.settings.retention),
            now,
            now_ms,
            at,
            conv_id,
            "1" if starting and old_conv and old_conv != conv_id else "",
            _cancel_scope(types, starting, bool(prev) and reached),
            _optout_action(types),
            json.dumps(followups) if followups else "",
            _checkin_answer(out, at),
            _log_compaction(starting, types, out.state),
            len(fields),
        ]
        for name, value in fields.items():
            args += [name, value]
        args += [len(cleared), *cleared]
        args += _log_args(out, channel, at, refs)
        watch = "" if out.watch_silence_at is None else repr(out.watch_silence_at)
        if out.unwatch_silence:
            watch = "-"
        args += [watch, session if watch else "", seen, REPLAY_MEMORY]
        keys = [
            state_key(session),
            conv_key(conv_id),
            log_key(conv_id),
            followups_key(conv_id),
            last_key(phone),
            optout_key(phone),
            INDEX_KEY,
            DUE_KEY,
            conv_key(prev or old_conv or conv_id),
            followups_key(prev or old_conv or conv_id),
            WORDING_KEY,
            seen_key(dedupe_id) if dedupe_id else NO_KEY,
            SILENCE_KEY,
        ]
        # "replay": the same webhook was committed meanwhile; the next MGET answers it.
        if self._direct.run_script(self._commit, keys, args) in ("conflict", "replay"):
            return None
        return TurnResult(conv_id, out.replies, out.effects, followup_ids=plan_ids)

    def _record_fields(
        self, phone: str, channel: str, out: TurnOutput, at: str, starting: bool, opted_out: bool
    ) -> tuple[dict[str, str], list[str]]:
        """The record's fields to write, and those to clear: a field at its default (RECORD_
        DEFAULTS) is left out (each field of a record costs ~60 bytes kept), and cleared in
        case an earlier turn wrote it. Its start is in its id (records.started_at_of)."""
        state = out.state
        fields = {
            "phone": phone,
            "updated_at": at,
            "status": _status(state, out.effects, opted_out),
        }
        values = {
            "language": state.get("lang") or "en",
            "red_flags": _compact_json(state.get("red_flags") or []),
            "answers": _compact_json(state.get("answers") or {}),
            "disposition": state.get("disposition") or "",
            "rule": state.get("rule") or "",
        }
        cleared = []
        for name, value in values.items():
            if value != RECORD_DEFAULTS[name]:
                fields[name] = value
            elif not starting:
                cleared.append(name)
        if starting and channel != RECORD_DEFAULTS["channel"]:
            fields["channel"] = channel  # written once: a conversation keeps its channel
        hung_up = next((e for e in out.effects if e["type"] == "hung_up"), None)
        if hung_up and hung_up.get("stopped_at") and fields["status"] == "no_reply":
            fields.update(stopped_at=hung_up["stopped_at"],
                          flags_open=str(hung_up.get("flags_open", 0)))
        return fields, cleared

    def _plan_followups(
        self, conv_id: str, effects: Iterable[dict], now: float
    ) -> tuple[list[dict], list[tuple[str, float]]]:
        planned, ids = [], []
        for effect in effects:
            if effect["type"] != "schedule_followup":
                continue
            due = followup_due(
                effect["disposition"], datetime.fromtimestamp(now, UTC), self.settings
            )
            if due is None:
                continue
            fid = f"{conv_id}:{secrets.token_hex(4)}"
            planned.append(
                {
                    "id": fid,
                    "disposition": effect["disposition"],
                    "due_at": now_iso(due.timestamp()),
                    "due_ts": due.timestamp(),
                    "sent_at": None,
                    "status": "scheduled",
                    "reply": None,
                }
            )
            ids.append((fid, due.timestamp()))
        return planned, ids


def _decode_state(raw: str | None) -> tuple[int, dict | None]:
    if not raw:
        return 0, None
    version, _, body = raw.partition("|")
    return int(version), orjson.loads(body)


def _status(state: dict, effects: Iterable[dict], opted_out: bool) -> str:
    types = {e["type"] for e in effects}
    if "opt_out" in types or (opted_out and "opt_in" not in types):
        return "opted_out"
    finished = state.get("disposition") and state.get("phase") in ("finished", "checkin")
    if finished:
        return "completed"
    return "no_reply" if "hung_up" in types else "active"  # a call that ended mid-questions


def _optout_action(types: list[str]) -> str:
    if "opt_out" in types:
        return "set"
    return "del" if "opt_in" in types else ""


def _cancel_scope(types: list[str], starting: bool, replaces_old: bool) -> str:
    """Which follow-ups to cancel: STOP cancels this conversation's; a new conversation the
    old one's once it reaches a disposition."""
    scopes = []
    if "opt_out" in types or ("cancel_followups" in types and not starting):
        scopes.append("current")
    if replaces_old:
        scopes.append("old")
    return ",".join(scopes)


def _checkin_answer(out: TurnOutput, at: str) -> str:
    for effect in out.effects:
        if effect["type"] == "checkin_answered":
            return json.dumps({"reply": effect["reply"], "text": out.inbound_text or "", "at": at})
    return ""


def _log_compaction(starting: bool, types: list[str], state: dict) -> str:
    """commit_turn.lua's ARGV[14]. A new log is rewritten at its real size (Redis 7 gives its
    first node 4 KB up front). Once the conversation has had its say, or past the advice
    (thanks, questions, a check-in reply: a tail that may go on for a while), the script looks
    at the log: rewritten when it has grown a node of its own since, and a repeated answer
    written as '='. Turns in the middle of the questions do neither (no extra commands)."""
    if starting:
        return "1"
    settled = "finished" in types or "opt_out" in types
    return "2" if settled or state.get("phase") in ("finished", "checkin") else ""


def _compact_json(value: object) -> str:
    """The state and the replay memory, compact (orjson: a few µs where json takes tens)."""
    return orjson.dumps(value).decode()


LOGGED_EFFECTS = ("finished", "opt_out", "opt_in", "alert_staff")


def _log_args(out: TurnOutput, channel: str, at: str, refs: list[str]) -> list[str]:
    """The turn's log entries for commit_turn.lua: (m, text, wording ref) each, where m is
    "direction|channel|key", with "|at" added when the entry is not of the turn's own time
    (never a tab: the script writes m, refs and text tab-separated).
    (An outbound text's message key is left out: the text itself is what staff read.)"""
    args = []
    if out.inbound_text is not None:
        args += [f"in|{channel}|", out.inbound_text, ""]
    for reply, ref in zip(out.replies, refs, strict=True):
        args += [f"out|{channel}|", reply["text"], ref]
    for effect in out.effects:
        if effect["type"] in LOGGED_EFFECTS:
            args += [f"event|{channel}|", json.dumps(effect), ""]
    for entry in out.extra_log:
        m = f"{entry['direction']}|{entry.get('channel', channel)}|{entry.get('key', '')}"
        if entry.get("at") and entry["at"] != at:
            m += f"|{entry['at']}"
        args += [m.replace("\t", " "), entry.get("text", ""), ""]
    return args
