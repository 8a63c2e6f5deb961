"""A local stand-in for Twilio's Messages REST API, served over real HTTP.

Point TWILIO_API_BASE_URL at `FakeTwilioAPI.url` and outbound texts land in `.messages`
instead of on phones. `FakeTwilioAPI(keep_alive=True)` serves it with aiohttp instead of
Werkzeug's development server, which closes every connection: a sender that keeps its
connections open (as Twilio's API allows) is then measured, not the stand-in's reconnects.
It answers what Twilio answers (201 + the Message JSON, or Twilio's error JSON) and can be
told to fail or stall, so retry and opt-out paths are testable:

    with FakeTwilioAPI() as twilio:
        twilio.fail_next(1, status=500)
        twilio.fail_for("+15550001111", status=400, code=21610)
        ...
        [message] = twilio.wait_for(1)
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEFAULT_AUTH_TOKEN = "fake-twilio-auth-token"

# Twilio's own error codes for plain HTTP failures and the messages it sends with common ones.
CODE_FOR_STATUS = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}
MESSAGE_FOR_CODE = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    20503: "Service unavailable",
    21211: "The 'To' number is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
}


@dataclass(frozen=True)
class FakeMessage:
    """One message the stand-in accepted, as Twilio would have queued it."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    date_created: datetime
    form: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class Failure:
    status: int
    code: int
    message: str


def _failure(status: int, code: int | None, message: str | None) -> Failure:
    code = code if code is not None else CODE_FOR_STATUS.get(status, status)
    message = message or MESSAGE_FOR_CODE.get(code, f"Error {code}")
    return Failure(status=status, code=code, message=message)


def _rfc2822(moment: datetime) -> str:
    # Twilio's v2010 API dates look like "Thu, 30 Jul 2015 20:12:31 +0000".
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request would drown test output


class FakeTwilioAPI:
    """Twilio's `Messages.json` endpoint on 127.0.0.1, in a background thread."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        keep_alive: bool = False,
    ) -> None:
        self.keep_alive = keep_alive
        self._aio: _AioServer | None = None
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._lock = threading.Condition()
        self._messages: list[FakeMessage] = []
        self._attempts: list[dict[str, str]] = []
        self._fail_next: list[Failure] = []
        self._fail_for: dict[str, Failure] = {}
        self._delay = 0.0
        self._held = 0  # requests that arrived while a delay was set
        self._refuse_lookups = False
        self.lookups: list[dict[str, str]] = []  # query of every GET of the message list
        self._stopping = threading.Event()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._routes = Map(
            [
                Rule(
                    f"/{API_VERSION}/Accounts/<account_sid>/Messages.json",
                    methods=["POST"],
                    endpoint="create",
                ),
                Rule(
                    f"/{API_VERSION}/Accounts/<account_sid>/Messages.json",
                    methods=["GET"],
                    endpoint="list",
                ),
                Rule(
                    f"/{API_VERSION}/Accounts/<account_sid>/Messages/<sid>.json",
                    methods=["GET"],
                    endpoint="fetch",
                ),
            ]
        )

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeTwilioAPI:
        self._stopping.clear()
        if self.keep_alive:
            self._aio = _AioServer(self).start()
            return self
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-twilio-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in delay()
        if self._aio is not None:
            self._aio.stop()
            self._aio = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeTwilioAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._aio is not None:
            return self._aio.port
        if self._server is None:
            raise RuntimeError("FakeTwilioAPI is not running; call start()")
        return self._server.server_port

    @property
    def url(self) -> str:
        """Base URL for TWILIO_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}"

    # -- what arrived --------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """Accepted messages, oldest first (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def attempts(self) -> list[dict[str, str]]:
        """Form fields of every POST, accepted or refused, oldest first: counts retries."""
        with self._lock:
            return [dict(form) for form in self._attempts]

    @property
    def held(self) -> int:
        """Requests that arrived while a delay was set: each was held before its answer, so a
        sender killed after this count rose died with that request in flight."""
        with self._lock:
            return self._held

    def wait_for(self, count: int, timeout: float = 5.0) -> list[FakeMessage]:
        """Block until at least `count` messages were accepted; return them all."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._messages) >= count, timeout):
                raise AssertionError(
                    f"expected {count} message(s) within {timeout:g} s, "
                    f"got {len(self._messages)}: {self._messages!r}"
                )
            return list(self._messages)

    def clear(self) -> None:
        """Forget messages and attempts, and drop every programmed failure and delay."""
        with self._lock:
            self._messages.clear()
            self._attempts.clear()
            self.lookups.clear()
            self._refuse_lookups = False
            self._held = 0
            self._fail_next.clear()
            self._fail_for.clear()
            self._delay = 0.0

    # -- programming ---------------------------------------------------------------------

    def fail_next(
        self, n: int = 1, status: int = 500, code: int | None = None, message: str | None = None
    ) -> None:
        """The next `n` requests fail (500 → code 20500, 429 → 20429 unless `code` says)."""
        with self._lock:
            self._fail_next.extend([_failure(status, code, message)] * n)

    def fail_for(
        self, number: str, status: int = 400, code: int = 21610, message: str | None = None
    ) -> None:
        """Every message to `number` is refused from now on (default: it texted STOP)."""
        with self._lock:
            self._fail_for[number] = _failure(status, code, message)

    def refuse_lookups(self, refuse: bool = True) -> None:
        """GETs of the message list answer 500 (Twilio cannot be asked) until told otherwise."""
        with self._lock:
            self._refuse_lookups = refuse

    def delay(self, seconds: float) -> None:
        """Wait this long before answering each request (0 to stop waiting)."""
        with self._lock:
            self._delay = seconds

    # -- HTTP ----------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            delay = self._delay
            self._held += 1 if delay else 0
        if delay:
            self._stopping.wait(delay)
        adapter = self._routes.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except Exception:  # no route, or wrong method: Twilio answers 404 either way
            return self._error(_failure(404, None, None))
        if not self._authorized(request):
            response = self._error(_failure(401, None, None))
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        if args["account_sid"] != self.account_sid:
            return self._error(_failure(404, None, None))
        if endpoint == "fetch":
            return self._fetch(args["sid"])
        if endpoint == "list":
            return self._list(request.args.to_dict())
        return self._create(request.form.to_dict())

    def _authorized(self, request: Request) -> bool:
        auth = request.authorization
        return (
            auth is not None
            and auth.type == "basic"
            and secrets.compare_digest(auth.username or "", self.account_sid)
            and secrets.compare_digest(auth.password or "", self.auth_token)
        )

    def _create(self, form: dict[str, str]) -> Response:
        status, payload = self._create_result(form)
        return self._json(payload, status)

    def _create_result(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self._attempts.append(form)
            failure = self._refusal(form)
            if failure is not None:
                return failure.status, self._error_payload(failure)
            message = self._accept(form)
            self._lock.notify_all()
        return 201, self._resource(message)

    def _refusal(self, form: dict[str, str]) -> Failure | None:
        if self._fail_next:
            return self._fail_next.pop(0)
        if not form.get("To"):
            return _failure(400, 21604, None)
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _failure(400, 21603, None)
        if not (form.get("Body") or form.get("MediaUrl") or form.get("ContentSid")):
            return _failure(400, 21602, None)
        return self._fail_for.get(form["To"])

    def _accept(self, form: dict[str, str]) -> FakeMessage:
        message = FakeMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=self.account_sid,
            to=form["To"],
            from_=form.get("From") or None,
            messaging_service_sid=form.get("MessagingServiceSid") or None,
            body=form.get("Body", ""),
            status_callback=form.get("StatusCallback") or None,
            date_created=datetime.now(UTC),
            form=dict(form),
        )
        self._messages.append(message)
        return message

    def _fetch(self, sid: str) -> Response:
        with self._lock:
            found = [m for m in self._messages if m.sid == sid]
        if not found:
            return self._error(_failure(404, None, None))
        return self._json(self._resource(found[0]), 200)

    def _list(self, query: dict[str, str]) -> Response:
        """Messages.json?To=…: newest first, one page, as Twilio lists them."""
        with self._lock:
            self.lookups.append(query)
            if self._refuse_lookups:
                return self._error(_failure(500, None, None))
            found = [m for m in reversed(self._messages) if m.to == query.get("To", m.to)]
        size = int(query.get("PageSize") or 50)
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        return self._json(
            {
                "messages": [self._resource(m) for m in found[:size]],
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
                "page": 0,
                "page_size": size,
                "start": 0,
                "end": max(len(found[:size]) - 1, 0),
                "uri": uri,
            },
            200,
        )

    def _resource(self, message: FakeMessage) -> dict[str, Any]:
        uri = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
        created = _rfc2822(message.date_created)
        return {
            "account_sid": message.account_sid,
            "api_version": API_VERSION,
            "body": message.body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            # Twilio says "accepted" while a Messaging Service still has to pick a sender.
            "status": "queued" if message.from_ else "accepted",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": message.to,
            "uri": f"{uri}.json",
        }

    def _error(self, failure: Failure) -> Response:
        return self._json(self._error_payload(failure), failure.status)

    @staticmethod
    def _error_payload(failure: Failure) -> dict[str, Any]:
        return {
            "code": failure.code,
            "message": failure.message,
            "more_info": f"https://www.twilio.com/docs/errors/{failure.code}",
            "status": failure.status,
        }

    @staticmethod
    def _json(payload: dict[str, Any], status: int) -> Response:
        return Response(json.dumps(payload), status=status, mimetype="application/json")


class _AioServer:
    """The stand-in's WSGI app behind aiohttp's HTTP/1.1 server (keep-alive), on a loop of its
    own thread. A request is answered on the loop unless a delay is set: then in a thread, so
    one held request does not hold the others."""

    def __init__(self, api: FakeTwilioAPI) -> None:
        import asyncio

        self.api = api
        self.loop = asyncio.new_event_loop()
        self.pool = ThreadPoolExecutor(max_workers=64, thread_name_prefix="fake-twilio")
        self.port = 0
        self._basic_auth = "Basic " + base64.b64encode(
            f"{api.account_sid}:{api.auth_token}".encode()
        ).decode()  # what an authorized request carries, worked out once
        self._ready = threading.Event()
        self._runner: Any = None
        self._thread = threading.Thread(target=self._run, name="fake-twilio-aio", daemon=True)

    def start(self) -> _AioServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the aiohttp stand-in did not start")
        return self

    def stop(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        from aiohttp import web

        async def serve() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]
            self._ready.set()

        self.loop.run_until_complete(serve())
        self.loop.run_forever()

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        fast = self._create_fast(request.method, request.path, request.headers)
        if fast:
            form = dict(parse_qsl((await request.read()).decode(), keep_blank_values=True))
            status, payload = self.api._create_result(form)
            return web.Response(body=json.dumps(payload), status=status,
                                content_type="application/json")
        environ = {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query_string,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(await request.read()),
            "wsgi.errors": BytesIO(),
        }
        environ["CONTENT_LENGTH"] = str(environ["wsgi.input"].getbuffer().nbytes)
        if "Authorization" in request.headers:
            environ["HTTP_AUTHORIZATION"] = request.headers["Authorization"]
        with self.api._lock:
            delayed = bool(self.api._delay)
        if delayed:
            status, headers, body = await self.loop.run_in_executor(
                self.pool, self._call, environ
            )
        else:
            status, headers, body = self._call(environ)
        return web.Response(body=body, status=status, headers=headers)

    def _create_fast(self, method: str, path: str, headers: Any) -> bool:
        """A plain, authorized POST of a message with no delay set: answered without building
        a WSGI request (the bench sends thousands a second, and the stand-in's own cost is not
        what it measures). Everything else goes through the WSGI app."""
        api = self.api
        if method != "POST" or path != f"/{API_VERSION}/Accounts/{api.account_sid}/Messages.json":
            return False
        with api._lock:
            if api._delay:
                return False
        return secrets.compare_digest(headers.get("Authorization", ""), self._basic_auth)

    def _call(self, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

        body = b"".join(self.api._wsgi(environ, start_response))
        headers = {k: v for k, v in answer["headers"].items() if k.lower() != "content-length"}
        return answer["status"], headers, body
