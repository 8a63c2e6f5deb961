"""Redis: the only module that knows key names. Conversation state (atomic), the durable log
staff read, opt-outs, webhook idempotency, follow-up bookkeeping and retention.

A webhook turn costs two round trips: one MGET for everything the step needs, then one Lua
script that checks nothing changed meanwhile (a version number, compare-and-set) and writes the
state, the log, the record and the idempotency entry together. On a conflict (two texts from one
number at once) the turn is recomputed on the fresh state, so no answer is lost or doubled.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis

from hotline.followup_schedule import followup_due
from hotline.settings import Settings

PREFIX = "hotline:"
SID_TTL = 24 * 3600  # Twilio retries a webhook within minutes; a day is ample
MAX_TURN_ATTEMPTS = 8

LUA_DIR = Path(__file__).with_name("lua")


def state_key(session: str) -> str:
    return f"{PREFIX}state:{session}"


def sid_key(dedupe_id: str) -> str:
    return f"{PREFIX}sid:{dedupe_id}"


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


INDEX_KEY = f"{PREFIX}index:started"  # conversation id -> started_at, for listing and purge
DUE_KEY = f"{PREFIX}followups:due"  # follow-up id -> due time (unix seconds)


def now_iso(ts: float | None = None) -> str:
    moment = datetime.fromtimestamp(ts if ts is not None else time.time(), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_conversation_id(ts: float | None = None) -> str:
    """Sortable by start time, unguessable: c<ms since epoch in hex><random>."""
    ms = int((ts if ts is not None else time.time()) * 1000)
    return f"c{ms:011x}{secrets.token_hex(5)}"


def connect(url: str) -> redis.Redis:
    """A client that fails fast: a webhook must answer even when Redis does not."""
    return redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=1.0,
                                health_check_interval=15, decode_responses=True)


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


@dataclass
class TurnResult:
    conversation_id: str
    replies: list[dict]
    effects: list[dict]
    duplicate: bool = False
    followup_ids: list[tuple[str, float]] = field(default_factory=list)


class Store:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._commit = client.register_script((LUA_DIR / "commit_turn.lua").read_text())

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    # --- one turn ---------------------------------------------------------------------------

    def run_turn(self, session: str, phone: str, channel: str, dedupe_id: str | None,
                 compute: Callable[[TurnInput], TurnOutput]) -> TurnResult:
        """Load, compute, commit; recompute on a concurrent change; replay a duplicate."""
        for _ in range(MAX_TURN_ATTEMPTS):
            keys = [state_key(session), last_key(phone), optout_key(phone)]
            if dedupe_id:
                keys.append(sid_key(dedupe_id))
            raw_state, last_conv, opted, *dup = self.r.mget(keys)
            if dup and dup[0]:
                return self._replayed(dup[0])
            version, stored = _decode_state(raw_state)
            conv_id = stored.get("conv") if stored else None
            output = compute(TurnInput(stored.get("state") if stored else None, conv_id,
                                       bool(opted)))
            result = self._commit_turn(session, phone, channel, dedupe_id, version, conv_id,
                                       last_conv, output, bool(opted))
            if result is not None:
                return result
        raise RuntimeError("conversation state kept changing under this turn")

    def _replayed(self, raw: str) -> TurnResult:
        saved = json.loads(raw)
        return TurnResult(saved["conv"], saved["replies"], [], duplicate=True)

    def _commit_turn(self, session: str, phone: str, channel: str, dedupe_id: str | None,
                     version: int, conv_id: str | None, last_conv: str | None,
                     out: TurnOutput, opted_out: bool) -> TurnResult | None:
        now = time.time()
        types = [e["type"] for e in out.effects]
        old_conv = conv_id or last_conv
        starting = conv_id is None or "new_conversation" in types
        if starting:
            conv_id = new_conversation_id(now)
        fields = self._record_fields(phone, channel, out, now, starting, opted_out)
        followups, plan_ids = self._plan_followups(conv_id, out.effects, now)
        replies_blob = json.dumps({"conv": conv_id, "replies": out.replies}) if dedupe_id else ""
        state_blob = json.dumps({"conv": conv_id, "phone": phone, "state": out.state})
        args = [
            version, state_blob, int(self.settings.session_ttl), replies_blob, SID_TTL,
            json.dumps(fields), json.dumps(self._log_entries(out, channel, now)),
            int(self.settings.retention), _optout_action(types), now, conv_id,
            "1" if starting and old_conv and old_conv != conv_id else "",
            _cancel_scope(types, starting), json.dumps(followups),
            json.dumps(_checkin_answer(out, now)),
        ]
        keys = [state_key(session), sid_key(dedupe_id or "-"), conv_key(conv_id),
                log_key(conv_id), followups_key(conv_id), last_key(phone), optout_key(phone),
                INDEX_KEY, DUE_KEY, conv_key(old_conv or conv_id),
                followups_key(old_conv or conv_id)]
        outcome = self._commit(keys=keys, args=args)
        if outcome[0] == "conflict":
            return None
        if outcome[0] == "dup":
            return self._replayed(outcome[1])
        return TurnResult(conv_id, out.replies, out.effects, followup_ids=plan_ids)

    def _record_fields(self, phone: str, channel: str, out: TurnOutput, now: float,
                       starting: bool, opted_out: bool) -> dict[str, str]:
        state = out.state
        fields = {"phone": phone, "language": state.get("lang", "en"), "updated_at": now_iso(now),
                  "red_flags": json.dumps(state.get("red_flags", [])),
                  "answers": json.dumps(state.get("answers", {})),
                  "disposition": state.get("disposition") or "",
                  "rule": state.get("rule") or "",
                  "status": _status(state, out.effects, opted_out)}
        if starting:
            fields.update(started_at=now_iso(now), channel=channel)
        return fields

    def _log_entries(self, out: TurnOutput, channel: str, now: float) -> list[dict]:
        at = now_iso(now)
        entries = []
        if out.inbound_text is not None:
            entries.append({"at": at, "direction": "in", "channel": channel,
                            "text": out.inbound_text})
        for reply in out.replies:
            entries.append({"at": at, "direction": "out", "channel": channel,
                            "text": reply["text"], "key": reply["key"]})
        for effect in out.effects:
            if effect["type"] in ("finished", "opt_out", "opt_in", "alert_staff"):
                entries.append({"at": at, "direction": "event", "channel": channel,
                                "text": json.dumps(effect)})
        entries.extend(out.extra_log)
        return entries

    def _plan_followups(self, conv_id: str, effects: Iterable[dict],
                        now: float) -> tuple[list[dict], list[tuple[str, float]]]:
        planned, ids = [], []
        for effect in effects:
            if effect["type"] != "schedule_followup":
                continue
            due = followup_due(effect["disposition"], datetime.fromtimestamp(now, UTC),
                               self.settings)
            if due is None:
                continue
            fid = f"{conv_id}:{secrets.token_hex(4)}"
            planned.append({"id": fid, "disposition": effect["disposition"],
                            "due_at": now_iso(due.timestamp()), "due_ts": due.timestamp(),
                            "sent_at": None, "status": "scheduled", "reply": None})
            ids.append((fid, due.timestamp()))
        return planned, ids

    # --- reading ----------------------------------------------------------------------------

    def get_state(self, session: str) -> dict | None:
        _, stored = _decode_state(self.r.get(state_key(session)))
        return stored

    def is_opted_out(self, phone: str) -> bool:
        return bool(self.r.exists(optout_key(phone)))

    def conversation_ids(self, start: int = 0, stop: int = -1, newest_first: bool = True
                         ) -> list[str]:
        if newest_first:
            return self.r.zrevrange(INDEX_KEY, start, stop)
        return self.r.zrange(INDEX_KEY, start, stop)

    def get_record(self, conv_id: str) -> dict | None:
        """One conversation in the record format of interfaces.md."""
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(conv_key(conv_id))
        pipe.xrange(log_key(conv_id))
        pipe.hgetall(followups_key(conv_id))
        meta, log, fus = pipe.execute()
        if not meta:
            return None
        return build_record(conv_id, meta, log, fus, self.settings.session_ttl)

    def iter_records(self, since: datetime | None = None) -> Iterable[dict]:
        low = since.timestamp() if since else "-inf"
        for conv_id in self.r.zrangebyscore(INDEX_KEY, low, "+inf"):
            record = self.get_record(conv_id)
            if record:
                yield record

    def append_log(self, conv_id: str, entries: Iterable[dict]) -> None:
        pipe = self.r.pipeline(transaction=True)
        for entry in entries:
            pipe.xadd(log_key(conv_id), {k: str(v) for k, v in entry.items()})
        pipe.expire(log_key(conv_id), int(self.settings.retention))
        pipe.execute()

    def record_outage_turn(self, entry: dict) -> str:
        """Write a turn answered while Redis was down into the phone's conversation log."""
        phone, at = entry["phone"], entry["at"]
        conv_id = self.r.get(last_key(phone))
        if not conv_id:
            conv_id = new_conversation_id()
            self.r.hset(conv_key(conv_id), mapping={
                "phone": phone, "channel": entry.get("channel", "sms"), "language": "en",
                "status": "expired", "started_at": at, "updated_at": at})
            self.r.expire(conv_key(conv_id), int(self.settings.retention))
            self.r.zadd(INDEX_KEY, {conv_id: time.time()}, nx=True)
        lines = [{"at": at, "direction": "in", "channel": entry.get("channel", "sms"),
                  "text": entry.get("in", ""), "outage": "1"}]
        lines += [{"at": at, "direction": "out", "channel": entry.get("channel", "sms"),
                   "text": text, "outage": "1"} for text in entry.get("out", [])]
        self.append_log(conv_id, lines)
        return conv_id

    # --- retention ----------------------------------------------------------------------------

    def purge(self, now: float | None = None) -> int:
        """Delete conversations that started longer ago than HOTLINE_RETENTION."""
        cutoff = (now if now is not None else time.time()) - self.settings.retention
        removed = 0
        while True:
            batch = self.r.zrangebyscore(INDEX_KEY, "-inf", cutoff, start=0, num=500)
            if not batch:
                return removed
            pipe = self.r.pipeline(transaction=False)
            for conv_id in batch:
                pipe.delete(conv_key(conv_id), log_key(conv_id), followups_key(conv_id))
                pipe.zrem(INDEX_KEY, conv_id)
            pipe.execute()
            removed += len(batch)


def _decode_state(raw: str | None) -> tuple[int, dict | None]:
    if not raw:
        return 0, None
    version, _, body = raw.partition("|")
    return int(version), json.loads(body)


def _status(state: dict, effects: Iterable[dict], opted_out: bool) -> str:
    types = {e["type"] for e in effects}
    if "opt_out" in types or (opted_out and "opt_in" not in types):
        return "opted_out"
    finished = state.get("disposition") and state.get("phase") in ("finished", "checkin")
    if finished:
        return "completed"
    return "expired" if "hung_up" in types else "active"  # a call that ended mid-questions


def _optout_action(types: list[str]) -> str:
    if "opt_out" in types:
        return "set"
    return "del" if "opt_in" in types else ""


def _cancel_scope(types: list[str], starting: bool) -> str:
    """Which follow-ups to cancel: STOP cancels this conversation's, a new one the old one's."""
    scopes = []
    if "opt_out" in types or ("cancel_followups" in types and not starting):
        scopes.append("current")
    if starting:
        scopes.append("old")
    return ",".join(scopes)


def _checkin_answer(out: TurnOutput, now: float) -> dict | None:
    for effect in out.effects:
        if effect["type"] == "checkin_answered":
            return {"reply": effect["reply"], "text": out.inbound_text or "",
                    "at": now_iso(now)}
    return None


def build_record(conv_id: str, meta: dict, log: list, fus: dict, session_ttl: float) -> dict:
    transcript, events = [], []
    for _, entry in log:
        item = {"at": entry.get("at"), "direction": entry.get("direction"),
                "text": entry.get("text", ""), "channel": entry.get("channel")}
        (events if item["direction"] == "event" else transcript).append(item)
    transcript.sort(key=lambda item: item["at"] or "")  # outage turns are written late
    followups = sorted((json.loads(v) for v in fus.values()), key=lambda f: f.get("due_ts", 0))
    for fu in followups:
        fu.pop("due_ts", None)
    status = meta.get("status", "active")
    if status == "active" and _silent_for(meta.get("updated_at"), session_ttl):
        status = "expired"
    return {
        "id": conv_id, "phone": meta.get("phone"), "channel": meta.get("channel", "sms"),
        "language": meta.get("language", "en"), "status": status,
        "started_at": meta.get("started_at"), "updated_at": meta.get("updated_at"),
        "disposition": meta.get("disposition") or None,
        "red_flags": json.loads(meta.get("red_flags") or "[]"),
        "answers": json.loads(meta.get("answers") or "{}"), "rule": meta.get("rule") or None,
        "transcript": transcript, "events": events, "followups": followups,
        "review": json.loads(meta["review"]) if meta.get("review") else None,
    }


def _silent_for(updated_at: str | None, seconds: float) -> bool:
    if not updated_at:
        return False
    then = datetime.fromisoformat(updated_at.replace("Z", "+00:00")).timestamp()
    return time.time() - then > seconds
