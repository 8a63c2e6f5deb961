"""A local receiver of the hotline's alert webhook, served over real HTTP.

It checks `X-Hotline-Signature` the way a receiver should (HMAC-SHA256 of the raw body with the
shared secret, compared in constant time) and answers 401 when it is wrong; it can be told to
answer 500 the next N times, or to hold requests longer than the sender waits:

    with AlertWebhookReceiver("secret") as hook:
        hook.fail_next(2)
        ...
        [delivery] = hook.wait_for(1)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class Delivery:
    """One request the receiver got, whatever it answered."""

    alert_id: str
    signature_ok: bool
    body: bytes
    answered: int
    at: float
    headers: dict[str, str] = field(repr=False)

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class AlertWebhookReceiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.deliveries: list[Delivery] = []
        self._failures = 0
        self._failure_status = 500
        self._stall = 0.0
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> AlertWebhookReceiver:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> AlertWebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}/hooks/hotline"

    def fail_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._failures, self._failure_status = count, status

    def fail_always(self, status: int = 503) -> None:
        self.fail_next(10**9, status)

    def stall(self, seconds: float) -> None:
        """Hold every request this long before answering (longer than the sender waits)."""
        self._stall = seconds

    def clear(self) -> None:
        with self._lock:
            self.deliveries.clear()
            self._failures, self._stall = 0, 0.0

    def accepted(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.answered == 200]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        """Wait until `count` deliveries were accepted (2xx); return them."""
        deadline = time.monotonic() + timeout
        while len(self.accepted()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.accepted())} webhook deliveries accepted, expected {count} "
                    f"({len(self.deliveries)} requests in all)"
                )
            time.sleep(0.02)
        return self.accepted()

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Hotline-Signature", "")
        signature_ok = hmac.compare_digest(expected, given)
        if self._stall:
            time.sleep(self._stall)
        with self._lock:
            if not signature_ok:
                status = 401
            elif self._failures > 0:
                self._failures -= 1
                status = self._failure_status
            else:
                status = 200
            self.deliveries.append(
                Delivery(
                    request.headers.get("X-Hotline-Alert-Id", ""),
                    signature_ok,
                    body,
                    status,
                    time.time(),
                    dict(request.headers),
                )
            )
        return Response("ok" if status == 200 else "no", status=status)(environ, start_response)
