"""Redis: the only module that knows key names. Conversation state (atomic), the durable log
staff read, opt-outs, webhook idempotency, follow-up bookkeeping and retention.

A webhook turn costs two round trips: one MGET for everything the step needs, then one Lua
script that checks nothing changed meanwhile (a version number, compare-and-set) and writes the
state, the log and the record together. On a conflict (two texts from one number at once) the
turn is recomputed on the fresh state, so no answer is lost or doubled.

Idempotency lives in the state itself: it remembers the last few webhook ids (Twilio's
MessageSid, a call's turn) and the replies they got, so a retried webhook is answered the same
again, and the compare-and-set makes a retry racing its original lose and replay.

The log is kept small, because it is kept for the whole retention period (docs/operations.md):
an entry's stream id is its time, its fields always the same three (so Redis stores their names
once per stream node), and an outbound text, which is the protocol's wording and so the same for
thousands of conversations, is stored once in WORDING_KEY under a hash of it. Staff still see
exactly what was sent: build_record puts the text back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from hotline.followup_schedule import followup_due
from hotline.redis_connect import connect_web
from hotline.settings import Settings

PREFIX = "hotline:"
SEEN_WEBHOOKS = 3  # webhook ids a state remembers: Twilio retries the one it is waiting on
MAX_TURN_ATTEMPTS = 8

LUA_DIR = Path(__file__).with_name("lua")


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


INDEX_KEY = f"{PREFIX}index:started"  # conversation id -> started_at, for listing and purge
DUE_KEY = f"{PREFIX}followups:due"  # follow-up id -> due time (unix seconds)
WORDING_KEY = f"{PREFIX}wording"  # hash: wording ref -> an outbound text, exactly as sent


def now_iso(ts: float | None = None) -> str:
    moment = datetime.fromtimestamp(ts if ts is not None else time.time(), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_from_ms(ms: int) -> str:
    """ISO-8601 of a whole number of milliseconds, exactly (no float rounding on the way)."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def wording_ref(text: str) -> str:
    """A text's name in WORDING_KEY: 72 bits of its BLAKE2b hash, in 12 characters."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=9).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def new_conversation_id(ts: float | None = None) -> str:
    """Sortable by start time, unguessable: c<ms since epoch in hex><random>."""
    ms = int((ts if ts is not None else time.time()) * 1000)
    return f"c{ms:011x}{secrets.token_hex(5)}"


def connect(url: str) -> redis.Redis:
    """A client that fails fast: a webhook must answer even when Redis does not. `url` is
    redis:// or redis+sentinel:// (hotline/redis_connect.py)."""
    return connect_web(url)


class Wording:
    """WORDING_KEY read through a cache. A ref always names the same text (it is a hash of
    it), so what one process has read stays true for every process: the cache needs no
    invalidation, and a second web process is no different from the first."""

    MAX_CACHED = 20_000  # the protocol's wordings are a few hundred; this only bounds a surprise

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._lock = threading.Lock()
        self._clients: weakref.WeakSet = weakref.WeakSet()

    def attach(self, client: redis.Redis) -> None:
        """A client build_record may read WORDING_KEY through when it is given none."""
        self._clients.add(client)

    def texts(self, refs: Iterable[str], client: redis.Redis | None = None) -> dict[str, str]:
        wanted = set(refs)
        found = {ref: self._texts[ref] for ref in wanted if ref in self._texts}
        missing = sorted(wanted - found.keys())
        for source in [client] if client is not None else list(self._clients):
            if not missing:
                break
            values = source.hmget(WORDING_KEY, missing)
            read = {ref: _text(v) for ref, v in zip(missing, values, strict=True) if v is not None}
            found.update(read)
            missing = [ref for ref in missing if ref not in read]
            with self._lock:
                if len(self._texts) + len(read) > self.MAX_CACHED:
                    self._texts.clear()
                self._texts.update(read)
        return found


WORDING = Wording()


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


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
    committed: bool = True


class Store:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._commit = client.register_script((LUA_DIR / "commit_turn.lua").read_text())
        WORDING.attach(client)

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

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
            raw_state, last_conv, opted = self.r.mget(
                state_key(session), last_key(phone), optout_key(phone)
            )
            version, stored = _decode_state(raw_state)
            seen = stored.get("seen", []) if stored else []
            replay = next((s for s in seen if dedupe_id and s[0] == dedupe_id), None)
            if replay is not None:
                return self._replayed(replay)
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
                seen,
            )
            if result is not None:
                return result
        raise RuntimeError("conversation state kept changing under this turn")

    def _replayed(self, seen: list) -> TurnResult:
        _, conv_id, replies = seen
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
        seen: list,
    ) -> TurnResult | None:
        now = time.time()
        now_ms = int(now * 1000)
        at = iso_from_ms(now_ms)
        types = [e["type"] for e in out.effects]
        old_conv = conv_id or last_conv
        starting = conv_id is None or "new_conversation" in types
        if starting:
            conv_id = new_conversation_id(now)
        fields = self._record_fields(phone, channel, out, at, starting, opted_out)
        followups, plan_ids = self._plan_followups(conv_id, out.effects, now)
        refs = [wording_ref(reply["text"]) for reply in out.replies]
        if dedupe_id:
            turn = [
                dedupe_id,
                conv_id,
                [[r["key"], ref] for r, ref in zip(out.replies, refs, strict=True)],
            ]
            seen = [*seen[-(SEEN_WEBHOOKS - 1) :], turn]
        stored = {"conv": conv_id, "phone": phone, "state": out.state}
        if seen:
            stored["seen"] = seen
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
            _cancel_scope(types, starting),
            _optout_action(types),
            json.dumps(followups) if followups else "",
            _checkin_answer(out, at),
            "1" if starting or _settled(types) else "",
            len(fields),
        ]
        for name, value in fields.items():
            args += [name, value]
        args += _log_args(out, channel, at, refs)
        keys = [
            state_key(session),
            conv_key(conv_id),
            log_key(conv_id),
            followups_key(conv_id),
            last_key(phone),
            optout_key(phone),
            INDEX_KEY,
            DUE_KEY,
            conv_key(old_conv or conv_id),
            followups_key(old_conv or conv_id),
            WORDING_KEY,
        ]
        if self._commit(keys=keys, args=args) == "conflict":
            return None
        return TurnResult(conv_id, out.replies, out.effects, followup_ids=plan_ids)

    def _record_fields(
        self, phone: str, channel: str, out: TurnOutput, at: str, starting: bool, opted_out: bool
    ) -> dict[str, str]:
        state = out.state
        fields = {
            "phone": phone,
            "language": state.get("lang", "en"),
            "updated_at": at,
            "red_flags": json.dumps(state.get("red_flags", [])),
            "answers": json.dumps(state.get("answers", {})),
            "disposition": state.get("disposition") or "",
            "rule": state.get("rule") or "",
            "status": _status(state, out.effects, opted_out),
        }
        if starting:
            fields.update(started_at=at, channel=channel)
        return fields

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

    # --- reading ----------------------------------------------------------------------------

    def get_state(self, session: str) -> dict | None:
        """{"conv", "phone", "state"} of a session, or None."""
        _, stored = _decode_state(self.r.get(state_key(session)))
        if stored:
            stored.pop("seen", None)
        return stored

    def is_opted_out(self, phone: str) -> bool:
        return bool(self.r.exists(optout_key(phone)))

    def conversation_ids(
        self, start: int = 0, stop: int = -1, newest_first: bool = True
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
        texts = WORDING.texts(_wording_refs(log), self.r)
        return build_record(conv_id, meta, log, fus, self.settings.session_ttl, texts)

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
            self.r.hset(
                conv_key(conv_id),
                mapping={
                    "phone": phone,
                    "channel": entry.get("channel", "sms"),
                    "language": "en",
                    "status": "expired",
                    "started_at": at,
                    "updated_at": at,
                },
            )
            self.r.expire(conv_key(conv_id), int(self.settings.retention))
            self.r.zadd(INDEX_KEY, {conv_id: time.time()}, nx=True)
        lines = [
            {
                "at": at,
                "direction": "in",
                "channel": entry.get("channel", "sms"),
                "text": entry.get("in", ""),
                "outage": "1",
            }
        ]
        lines += [
            {
                "at": at,
                "direction": "out",
                "channel": entry.get("channel", "sms"),
                "text": text,
                "outage": "1",
            }
            for text in entry.get("out", [])
        ]
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


def _checkin_answer(out: TurnOutput, at: str) -> str:
    for effect in out.effects:
        if effect["type"] == "checkin_answered":
            return json.dumps({"reply": effect["reply"], "text": out.inbound_text or "", "at": at})
    return ""


def _settled(types: list[str]) -> bool:
    """The conversation has had its say: its log is rewritten at its real size once more."""
    return "finished" in types or "opt_out" in types


def _compact_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


LOGGED_EFFECTS = ("finished", "opt_out", "opt_in", "alert_staff")


def _log_args(out: TurnOutput, channel: str, at: str, refs: list[str]) -> list[str]:
    """The turn's log entries for commit_turn.lua: (m, text, wording ref) each, where m is
    "direction|channel|key", with "|at" added when the entry is not of the turn's own time.
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
        args += [m, entry.get("text", ""), ""]
    return args


def _wording_refs(log: list) -> set[str]:
    return {ref for _, entry in log for ref in (entry.get("r") or "").split()}


def log_entries(entry_id: str, entry: Mapping[str, str], texts: Mapping[str, str]) -> list[dict]:
    """A stream entry as log items {at, direction, channel, text, key}, whichever way it was
    written: whole fields (follow-ups, outage turns, call events), or commit_turn.lua's compact
    form, where the refs in "r" are texts sent out after the entry's own."""
    if "m" not in entry:
        return [
            {
                "at": entry.get("at"),
                "direction": entry.get("direction"),
                "channel": entry.get("channel"),
                "text": entry.get("text", ""),
                "key": entry.get("key"),
            }
        ]
    direction, channel, key, *rest = entry["m"].split("|", 3)
    at = rest[0] if rest else iso_from_ms(int(entry_id.partition("-")[0]))
    refs = (entry.get("r") or "").split()
    items = []
    if direction != "out" or entry.get("t") or not refs:
        items.append(
            {
                "at": at,
                "direction": direction,
                "channel": channel,
                "text": entry.get("t", ""),
                "key": key or None,
            }
        )
    for ref in refs:
        if ref not in texts:
            raise LookupError(f"wording {ref} of {entry_id} is not in {WORDING_KEY}")
        items.append(
            {"at": at, "direction": "out", "channel": channel, "text": texts[ref], "key": None}
        )
    return items


def build_record(
    conv_id: str,
    meta: dict,
    log: list,
    fus: dict,
    session_ttl: float,
    texts: Mapping[str, str] | None = None,
) -> dict:
    """The interfaces.md record. `texts` holds the wording the log refers to; without it the
    wording is read through WORDING (from its cache, else from Redis)."""
    if texts is None:
        texts = WORDING.texts(_wording_refs(log))
    transcript, events = [], []
    for entry_id, entry in log:
        for full in log_entries(entry_id, entry, texts):
            item = {
                "at": full["at"],
                "direction": full["direction"],
                "text": full["text"],
                "channel": full["channel"],
            }
            (events if item["direction"] == "event" else transcript).append(item)
    transcript.sort(key=lambda item: item["at"] or "")  # outage turns are written late
    followups = sorted((json.loads(v) for v in fus.values()), key=lambda f: f.get("due_ts", 0))
    for fu in followups:
        fu.pop("due_ts", None)  # bookkeeping of the due index and of delivery order, not record
        fu.pop("delivery_rank", None)
    status = meta.get("status", "active")
    if status == "active" and _silent_for(meta.get("updated_at"), session_ttl):
        status = "expired"
    return {
        "id": conv_id,
        "phone": meta.get("phone"),
        "channel": meta.get("channel", "sms"),
        "language": meta.get("language", "en"),
        "status": status,
        "started_at": meta.get("started_at"),
        "updated_at": meta.get("updated_at"),
        "disposition": meta.get("disposition") or None,
        "red_flags": json.loads(meta.get("red_flags") or "[]"),
        "answers": json.loads(meta.get("answers") or "{}"),
        "rule": meta.get("rule") or None,
        "transcript": transcript,
        "events": events,
        "followups": followups,
        "review": json.loads(meta["review"]) if meta.get("review") else None,
    }


def _silent_for(updated_at: str | None, seconds: float) -> bool:
    if not updated_at:
        return False
    then = datetime.fromisoformat(updated_at.replace("Z", "+00:00")).timestamp()
    return time.time() - then > seconds
