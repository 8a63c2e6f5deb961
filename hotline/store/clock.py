"""Timestamps as the records write them: ISO-8601 UTC with milliseconds and a Z."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


def now_iso(ts: float | None = None) -> str:
    moment = datetime.fromtimestamp(ts if ts is not None else time.time(), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_from_ms(ms: int) -> str:
    """ISO-8601 of a whole number of milliseconds, exactly (no float rounding on the way)."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
