"""The hotline's parts wired together once per process: settings, protocol, store, context."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from hotline.redis_connect import WEB_OPTIONS, connect_rq
from hotline.settings import Settings
from hotline.store import Store, connect
from hotline.triage.conversation import FOLLOWUP_LEVELS, Context
from hotline.triage.protocol import Protocol, load_protocol


@dataclass
class Hotline:
    settings: Settings
    redis: redis.Redis
    rq_redis: redis.Redis  # RQ stores bytes (pickles): a client without decode_responses
    store: Store
    protocol: Protocol
    context: Context


def build_hotline(settings: Settings, client: redis.Redis | None = None) -> Hotline:
    protocol = load_protocol()
    client = client if client is not None else connect(settings.redis_url)
    context = Context(
        protocol=protocol,
        emergency_number=settings.emergency_number,
        transfer_number=settings.transfer_number or "",
        followup_levels=frozenset(
            level for level in FOLLOWUP_LEVELS if settings.followup_delays.get(level) is not None
        ),
    )
    if settings.redis_sentinel is not None:
        # A Sentinel pool's connections ask the Sentinels for the master: the RQ client needs
        # a pool of its own, not a copy of the text client's connection arguments.
        rq_client = connect_rq(settings.redis_url, **WEB_OPTIONS)
    else:
        rq_client = redis.Redis(
            connection_pool=redis.ConnectionPool(
                **{**client.connection_pool.connection_kwargs, "decode_responses": False}
            )
        )
    return Hotline(settings, client, rq_client, Store(client, settings), protocol, context)
