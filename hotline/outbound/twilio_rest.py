"""Outbound texts: the only code that calls Twilio's REST API.

With credentials, `TwilioSender` sends through twilio's own client, pointed at
`TWILIO_API_BASE_URL` (a local stand-in in tests and staging). Without them (local
development) `LogSender` writes each text to the log instead, and says so loudly.
`AsyncTwilioSender` is the same on twilio's asyncio client (aiohttp, kept-alive connections):
the follow-up dispatcher (hotline/outbound/dispatcher.py) keeps many texts in flight on it.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote_plus

import aiohttp
import orjson
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.redact import mask_phone

log = logging.getLogger("hotline.outbound")

TWILIO_API_BASE_URL = "https://api.twilio.com"
DEFAULT_TIMEOUT = 10.0
_NUMBER_IN_TEXT = re.compile(r"\+?\d[\d ().-]{5,}\d")


class SendError(Exception):
    """Twilio did not take the message.

    `retryable` is True for throttling (429), Twilio-side failures (5xx) and network
    trouble; any other 4xx is permanent for this recipient or request, e.g. 21610 (the
    recipient texted STOP), 21211 (invalid number), 21614 (not a mobile number).
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.retryable = retryable

    def __str__(self) -> str:
        # Twilio's messages name the number ("The 'To' number +1555... is not valid"), and
        # this text reaches logs and records: only the last digits of a number may.
        parts = [_NUMBER_IN_TEXT.sub(lambda m: mask_phone(m.group()), self.message)]
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.http_status is not None:
            parts.append(f"http_status={self.http_status}")
        parts.append("retryable" if self.retryable else "permanent")
        return " ".join(parts)


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str
    logged_only: bool


class Sender(Protocol):
    def send(self, to: str, body: str, status_callback: str | None = None) -> SentMessage: ...

    def find_sent(self, to: str, body: str, since: float) -> SentMessage | None: ...


class LookupUnavailable(Exception):
    """Twilio's message list could not be read, so whether a text went out stays unknown."""


LOOKUP_LIMIT = 20  # the newest messages to a number looked through; an attempt is minutes old
LOOKUP_SKEW = 2.0  # seconds: Twilio's date_created is whole seconds, and clocks differ a little


def is_retryable_status(http_status: int | None) -> bool:
    return http_status is not None and (http_status == 429 or http_status >= 500)


class TwilioSender:
    """Sends through Twilio's Messages API (or whatever answers at `base_url`)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str = TWILIO_API_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        _require_a_sender(from_number, messaging_service_sid)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.client = _twilio_client(account_sid, auth_token, base_url, timeout)

    def send(self, to: str, body: str, status_callback: str | None = None) -> SentMessage:
        params = message_params(self, to, body, status_callback)
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise _from_rest_exception(exc) from exc
        except TwilioServiceException as exc:
            raise _from_service_exception(exc) from exc
        except requests.RequestException as exc:  # connection refused, timeout, reset…
            raise SendError(f"Twilio unreachable: {exc}", retryable=True) from exc
        log.info("Sent %s to %s (%s)", message.sid, mask_phone(to), message.status)
        return SentMessage(sid=message.sid, status=message.status or "unknown", logged_only=False)

    def find_sent(self, to: str, body: str, since: float) -> SentMessage | None:
        """The message with this body Twilio created for `to` at or after `since` (unix
        seconds), if any: how an attempt whose answer was lost (a killed worker, a timeout) is
        told apart from one that never reached Twilio. Raises LookupUnavailable."""
        try:
            messages = self.client.messages.list(to=to, limit=LOOKUP_LIMIT)
        except (TwilioException, TwilioServiceException, requests.RequestException) as exc:
            raise LookupUnavailable(f"Twilio's message list: {type(exc).__name__}") from exc
        return matching_message(messages, body, since)


_FORM_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Accept": "application/json",
    "User-Agent": "hotline (Twilio REST API, aiohttp)",
}


_FORM_NAMES = {"to": "To", "body": "Body", "from_": "From", "status_callback": "StatusCallback",
               "messaging_service_sid": "MessagingServiceSid"}


@functools.lru_cache(maxsize=512)
def _quoted(value: str) -> str:
    return quote_plus(value)


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def message_params(
    sender: TwilioSender | AsyncTwilioSender, to: str, body: str, status_callback: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {"to": to, "body": body}
    # With a Messaging Service, Twilio picks the sender from its pool; a fixed From
    # would override that choice, so only one of the two is sent.
    if sender.messaging_service_sid:
        params["messaging_service_sid"] = sender.messaging_service_sid
    else:
        params["from_"] = sender.from_number
    if status_callback:
        params["status_callback"] = status_callback
    return params


def matching_message(messages: Any, body: str, since: float) -> SentMessage | None:
    """The message of Twilio's list with this body, created at or after `since`."""
    for message in messages:
        created = message.date_created
        if created is None or created.timestamp() < since - LOOKUP_SKEW:
            continue
        if (message.body or "").strip() == body.strip():
            return SentMessage(message.sid, message.status or "unknown", logged_only=False)
    return None


class AsyncSender(Protocol):
    async def send(
        self, to: str, body: str, status_callback: str | None = None
    ) -> SentMessage: ...

    async def find_sent(self, to: str, body: str, since: float) -> SentMessage | None: ...

    async def close(self) -> None: ...


class AsyncTwilioSender:
    """TwilioSender for the dispatcher, many texts in flight at once on one aiohttp session
    whose connections stay open. A send is the REST API's own request (a form POST to
    Messages.json, Basic auth with the account, the JSON answer read for its sid and status), to
    the host twilio's client would pick (its edge and region rules); going through twilio's
    object layer instead costs about a third more CPU per text (form encoding, a 30-field
    MessageInstance with three dates parsed). The rare lookups use twilio's asyncio client.
    Build it inside the event loop it will run on."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str = TWILIO_API_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        _require_a_sender(from_number, messaging_service_sid)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.http = AsyncTwilioHttpClient(timeout=timeout)
        own_api = base_url.rstrip("/") == TWILIO_API_BASE_URL
        environment = None if own_api else {}  # as _twilio_client: no edge rewrite elsewhere
        self.client = _with_base_url(
            Client(account_sid, auth_token, http_client=self.http, environment=environment),
            base_url,
        )
        path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.messages_url = self.client.get_hostname(self.client.api.base_url + path)
        self._headers = {
            **_FORM_HEADERS, "Authorization": aiohttp.encode_basic_auth(account_sid, auth_token)
        }
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _form(self, to: str, body: str, status_callback: str | None) -> bytes:
        """The POST body, as urlencode() would write it. The sender and most bodies repeat
        (one check-in text per level and language), so their encodings are cached."""
        params = message_params(self, to, body, status_callback)
        return "&".join(
            f"{_FORM_NAMES[key]}={_quoted(value)}" for key, value in params.items()
        ).encode()

    async def send(self, to: str, body: str, status_callback: str | None = None) -> SentMessage:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        try:
            async with self._session.post(
                self.messages_url, data=self._form(to, body, status_callback)
            ) as response:
                status, raw = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(
                f"Twilio unreachable: {type(exc).__name__} {exc}", retryable=True
            ) from exc
        payload = _json_object(raw)
        if not 200 <= status < 300:
            code = payload.get("code")
            raise SendError(
                str(payload.get("message") or f"Twilio answered HTTP {status}"),
                code=code if isinstance(code, int) and code != status else None,
                http_status=status,
                retryable=is_retryable_status(status),
            )
        sid = payload.get("sid")
        if not isinstance(sid, str):  # taken, but the answer is not Twilio's: outcome unknown
            raise SendError(f"Twilio's answer (HTTP {status}) carries no sid", retryable=True)
        return SentMessage(sid=sid, status=payload.get("status") or "unknown", logged_only=False)

    async def find_sent(self, to: str, body: str, since: float) -> SentMessage | None:
        """TwilioSender.find_sent."""
        # A page Twilio refused is a bare TwilioException (twilio/base/page.py).
        lookup_errors = (TwilioException, TwilioServiceException, aiohttp.ClientError, TimeoutError)
        try:
            messages = await self.client.messages.list_async(to=to, limit=LOOKUP_LIMIT)
        except lookup_errors as exc:
            raise LookupUnavailable(f"Twilio's message list: {type(exc).__name__}") from exc
        return matching_message(messages, body, since)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self.http.session is not None:
            await self.http.session.close()


class AsyncLogSender:
    """LogSender for the dispatcher."""

    def __init__(self) -> None:
        self.sync = LogSender()

    async def send(self, to: str, body: str, status_callback: str | None = None) -> SentMessage:
        return self.sync.send(to, body, status_callback)

    async def find_sent(self, to: str, body: str, since: float) -> SentMessage | None:
        return self.sync.find_sent(to, body, since)

    async def close(self) -> None:
        return None


def _require_a_sender(from_number: str | None, messaging_service_sid: str | None) -> None:
    if not (from_number or messaging_service_sid):
        raise ValueError("Set TWILIO_PHONE_NUMBER or TWILIO_MESSAGING_SERVICE_SID to send texts")


def _twilio_client(account_sid: str, auth_token: str, base_url: str, timeout: float) -> Client:
    http_client = TwilioHttpClient(timeout=timeout)
    if base_url.rstrip("/") == TWILIO_API_BASE_URL:
        return Client(account_sid, auth_token, http_client=http_client)
    # TWILIO_EDGE / TWILIO_REGION from the environment would make twilio rewrite the host
    # into "<product>.<edge>.<region>.twilio.com" form, which breaks any other base URL.
    client = Client(account_sid, auth_token, http_client=http_client, environment={})
    return _with_base_url(client, base_url)


def _with_base_url(client: Client, base_url: str) -> Client:
    if base_url.rstrip("/") != TWILIO_API_BASE_URL:
        # Every generated domain (Api, Messaging, …) keeps its root in `Domain.base_url` and
        # builds request URLs from it (twilio/base/domain.py); Messages live on the Api domain.
        client.api.base_url = base_url.rstrip("/")
    return client


def _from_rest_exception(exc: TwilioRestException) -> SendError:
    # twilio puts the HTTP status in `code` when the body carries no Twilio error code.
    code = exc.code if exc.code != exc.status else None
    return SendError(
        str(exc.msg) or "Twilio refused the message",
        code=code,
        http_status=exc.status,
        retryable=is_retryable_status(exc.status),
    )


def _from_service_exception(exc: TwilioServiceException) -> SendError:
    return SendError(
        exc.detail or exc.title,
        code=exc.code,
        http_status=exc.status,
        retryable=is_retryable_status(exc.status),
    )


class LogSender:
    """Development stand-in: nothing leaves the machine, the text goes to the log."""

    def send(self, to: str, body: str, status_callback: str | None = None) -> SentMessage:
        log.warning("NOT SENT (Twilio sending not configured): to=%s body=%s", mask_phone(to), body)
        return SentMessage(sid=f"LOG{secrets.token_hex(16)}", status="logged", logged_only=True)

    def find_sent(self, to: str, body: str, since: float) -> SentMessage | None:
        raise LookupUnavailable("texts go to the log: there is no Twilio to ask")


def sender_config(settings: Any, timeout: float) -> dict[str, Any] | None:
    """The arguments of a Twilio sender for these settings, or None when texts go to the log
    (no credentials; or, in development, credentials without a sender: production settings
    refuse those)."""
    account_sid = getattr(settings, "twilio_account_sid", None)
    auth_token = getattr(settings, "twilio_auth_token", None)
    problem = getattr(settings, "sender_problem", None)
    if problem:
        log.warning("%s; texts go to the log, NOT SENT", problem)
    if not (account_sid and auth_token) or problem:
        return None
    return {
        "account_sid": account_sid,
        "auth_token": auth_token,
        "from_number": settings.twilio_phone_number,
        "messaging_service_sid": settings.twilio_messaging_service_sid,
        "base_url": getattr(settings, "twilio_api_base_url", None) or TWILIO_API_BASE_URL,
        "timeout": timeout,
    }


def make_sender(settings: Any, *, timeout: float = DEFAULT_TIMEOUT) -> Sender:
    """A TwilioSender when credentials and a sender are set, else a LogSender."""
    config = sender_config(settings, timeout)
    return LogSender() if config is None else TwilioSender(**config)


def make_async_sender(settings: Any, *, timeout: float = DEFAULT_TIMEOUT) -> AsyncSender:
    """make_sender() for the dispatcher: call it inside the event loop that will use it."""
    config = sender_config(settings, timeout)
    return AsyncLogSender() if config is None else AsyncTwilioSender(**config)
