"""Taking due work from a due index (a sorted set of id -> due time): the follow-ups' and the
safety net's. The dispatchers of several worker processes take from the same index, so a take
is atomic and leases what it took (store/lua/due_take.lua): no two dispatchers start on the
same id, and an id a killed dispatcher had taken is due again once its lease ends."""

from __future__ import annotations

import redis

from hotline.store import load_script
from hotline.store.keys import DUE_KEY
from hotline.store.safety_net import TASKS_DUE_KEY


class DueIndex:
    def __init__(self, client: redis.Redis, key: str) -> None:
        self.r = client
        self.key = key
        self._take = load_script(client, "due_take")

    def take(self, now: float, lease: float, limit: int) -> list[str]:
        """Up to `limit` ids due at `now` or earlier, oldest first, each leased for `lease` s."""
        if limit <= 0:
            return []
        return self._take(keys=[self.key], args=[now, lease, limit])


def followups_due(client: redis.Redis) -> DueIndex:
    """Check-ins, by when each is due."""
    return DueIndex(client, DUE_KEY)


def safety_net_due(client: redis.Redis) -> DueIndex:
    """Nudges, no-reply texts and on-call alerts, by when each is due."""
    return DueIndex(client, TASKS_DUE_KEY)
