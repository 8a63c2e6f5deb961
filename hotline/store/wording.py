"""Outbound wording stored once: the protocol's texts are the same for thousands of
conversations, so the log refers to each by a hash of it (hotline:wording) instead of a copy."""

from __future__ import annotations

import base64
import hashlib
import threading
import weakref
from collections.abc import Iterable

import redis

from hotline.store.keys import WORDING_KEY


def wording_ref(text: str) -> str:
    """A text's name in WORDING_KEY: 72 bits of its BLAKE2b hash, in 12 characters."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=9).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


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
