"""In-process CPU per webhook, for scripts/bench and for guiding per-request work.

Signed requests (scripts/bench_traffic.py: whole SMS conversations and calls, new numbers and
MessageSids every round) are called straight through each app's WSGI callable, with no server
and no network between, and time.process_time() is read around the lot: what is left is the
CPU one web process spends per webhook (Flask, the signature check, the turn, the Redis client;
the Redis server's own CPU is another process and is not in it). The floor app gets the same
requests, so the two figures are side by side under the same machine load.

    .venv/bin/python scripts/bench_cpu.py [--conversations 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from bench_traffic import (  # noqa: E402
    AUTH_TOKEN,
    PUBLIC_URL,
    Request,
    Signer,
    conversations,
    interleave,
)

from hotline.dev.redis_provision import provision_redis  # noqa: E402


def environ_for(request: Request, body: bytes) -> dict:
    path, _, query = request.path.partition("?")
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_X_TWILIO_SIGNATURE": request.signature,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def call(app: Callable, environ: dict) -> str:
    status: list[str] = []

    def start_response(line: str, headers: list, exc_info=None) -> None:
        status.append(line)

    for _ in app(environ, start_response):
        pass
    return status[0]


def cpu_per_request(app: Callable, requests: list[Request]) -> float:
    """Microseconds of this process's CPU per request; every answer must be 200. The bodies
    are encoded before the clock starts, so only the app's own work is counted."""
    bodies = [request.body.encode() for request in requests]
    environs = [environ_for(request, body) for request, body in zip(requests, bodies, strict=True)]
    started = time.process_time()
    for request, environ in zip(requests, environs, strict=True):
        line = call(app, environ)
        if not line.startswith("200"):
            raise SystemExit(f"{request.path} answered {line}")
    return (time.process_time() - started) / len(requests) * 1e6


def measure(kind: str, count: int, rounds: int) -> tuple[float, float]:
    """(hotline µs, floor µs) per `kind` webhook, the best of `rounds` rounds each."""
    import floor_app

    from hotline import create_app

    app = create_app().wsgi_app
    floor = floor_app.app.wsgi_app
    signer = Signer()
    best_hotline = best_floor = float("inf")
    for run in range(rounds):
        requests = interleave(conversations(kind, 700 + run, count, signer), 32)
        best_hotline = min(best_hotline, cpu_per_request(app, requests))
        best_floor = min(best_floor, cpu_per_request(floor, requests))
    return best_hotline, best_floor


def main() -> int:
    parser = argparse.ArgumentParser(description="In-process CPU per webhook vs the floor.")
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-cpu-") as scratch:
        server = provision_redis(None, Path(scratch) / "redis")
        try:
            os.environ.update(
                REDIS_URL=server.url,
                TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                HOTLINE_PUBLIC_URL=PUBLIC_URL,
                SECRET_KEY="bench-secret",
                HOTLINE_ENV="production",
                HOTLINE_SPOOL_DIR=str(Path(scratch) / "spool"),
            )
            print(f"load average {os.getloadavg()[0]:.2f}")
            for kind in ("sms", "voice"):
                hotline, floor = measure(kind, args.conversations, args.rounds)
                print(f"{kind:5} hotline {hotline:7.0f} µs/turn  floor {floor:5.0f} µs  "
                      f"ratio {hotline / floor:4.2f}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
