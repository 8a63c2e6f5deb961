"""The hotline's parts wired together once per process: settings, protocol, store, context."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from hotline.settings import Settings
from hotline.store.connect import clients
from hotline.store.conversations import Store
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


def build_hotline(settings: Settings) -> Hotline:
    protocol = load_protocol()
    client, rq_client = clients(settings.redis_url)
    context = Context(
        protocol=protocol,
        emergency_number=settings.emergency_number,
        transfer_number=settings.transfer_number or "",
        timezone=settings.timezone,
        followup_levels=frozenset(
            level for level in FOLLOWUP_LEVELS if settings.followup_delays.get(level) is not None
        ),
    )
    return Hotline(settings, client, rq_client, Store(client, settings), protocol, context)
