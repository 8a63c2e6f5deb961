"""The conversation store the channels, the worker and staff use: turns (turns.py) plus reading
records back, the log's late writes, opt-out look-ups, write health and retention."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

import redis

from hotline.store.keys import (
    HEALTH_KEY,
    INDEX_KEY,
    conv_key,
    followups_key,
    log_key,
    once_key,
    optout_key,
    state_key,
)
from hotline.store.records import build_record, compact_entry, wording_refs
from hotline.store.safety_net import tasks_key
from hotline.store.turns import TurnStore, _decode_state
from hotline.store.wording import WORDING


class Store(TurnStore):
    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def can_write(self) -> bool:
        """Redis answers and takes writes (not refusing them for maxmemory, a lost replica or a
        read-only replica)."""
        try:
            return bool(self.r.set(HEALTH_KEY, "1", ex=60))
        except redis.RedisError:
            return False

    # --- one turn ---------------------------------------------------------------------------

    # --- reading ----------------------------------------------------------------------------

    def get_state(self, session: str) -> dict | None:
        """{"conv", "phone", "state"} of a session, or None."""
        _, stored = _decode_state(self.r.get(state_key(session)))
        if stored:
            stored.pop("last", None)
        return stored

    def last_turn_id(self, session: str) -> str | None:
        """The dedupe id (MessageSid, a call's turn) of the session's latest turn, if any."""
        _, stored = _decode_state(self.r.get(state_key(session)))
        return (stored or {}).get("last")

    def claim_once(self, what: str, ttl: float = 7 * 86400) -> bool:
        """True the first time `what` is claimed (a text that must go at most once)."""
        return bool(self.r.set(once_key(what), "1", nx=True, ex=int(ttl)))

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
        pipe.hgetall(tasks_key(conv_id))
        meta, log, fus, tasks = pipe.execute()
        if not meta:
            return None
        texts = WORDING.texts(wording_refs(log), self.r)
        return build_record(conv_id, meta, log, fus, self.settings.session_ttl, texts, tasks)

    def iter_records(self, since: datetime | None = None) -> Iterable[dict]:
        low = since.timestamp() if since else "-inf"
        for conv_id in self.r.zrangebyscore(INDEX_KEY, low, "+inf"):
            record = self.get_record(conv_id)
            if record:
                yield record

    def append_log(self, conv_id: str, entries: Iterable[dict]) -> None:
        """Entries given whole ({at, direction, channel, text[, key]}), written compact."""
        pipe = self.r.pipeline(transaction=True)
        for entry in entries:
            pipe.xadd(log_key(conv_id), compact_entry(entry))
        pipe.expire(log_key(conv_id), int(self.settings.retention))
        pipe.execute()

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
                pipe.delete(
                    conv_key(conv_id), log_key(conv_id), followups_key(conv_id), tasks_key(conv_id)
                )
                pipe.zrem(INDEX_KEY, conv_id)
            pipe.execute()
            removed += len(batch)

