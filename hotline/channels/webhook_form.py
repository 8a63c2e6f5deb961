"""A Twilio webhook's form fields, parsed once per request.

Twilio posts a short application/x-www-form-urlencoded body (20-odd fields). Werkzeug's form
parser (a stream wrapper, a parser object, a MultiDict) cost about 80 µs of a turn for that;
the body read once (werkzeug's get_data keeps MAX_CONTENT_LENGTH) and split here costs a third
of it. Any other body (multipart, no length) is left to werkzeug, as before. The signature check
and the view read the same parsed fields.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from urllib.parse import unquote_plus

import werkzeug.urls  # noqa: F401  (registers QUOTE_ERRORS)
from flask import request
from werkzeug.datastructures import MultiDict

_KEY = "hotline.webhook_form"
QUOTE_ERRORS = "werkzeug.url_quote"  # werkzeug's own handler (werkzeug.urls registers it)
URLENCODED = "application/x-www-form-urlencoded"


class WebhookForm(dict):
    """The fields of a body that names each once. twilio's compute_signature asks a form for
    `getall` first and falls back through two AttributeErrors per field (a third of the
    signature check's cost) for a plain dict."""

    def getall(self, name: str) -> list[str]:
        return [self[name]]


class RepeatedWebhookForm(MultiDict):
    """A body that repeats a field: every value, for the signature, which covers them all."""

    def getall(self, name: str) -> list[str]:
        return self.getlist(name)


def webhook_form() -> Mapping[str, str]:
    """The request's form: a dict, or a MultiDict when a field is repeated (the signature
    covers every value)."""
    environ = request.environ
    form = environ.get(_KEY)
    if form is None:
        if request.mimetype == URLENCODED and environ.get("CONTENT_LENGTH"):
            form = parse_urlencoded(request.get_data(cache=True))
        else:
            form = request.form
        environ[_KEY] = form
    return form


def parse_urlencoded(raw: bytes) -> Mapping[str, str]:
    """What werkzeug's parser returns for a urlencoded body, without its layers: blank values
    kept, an escape that is not UTF-8 kept as written, and no fields at all from a body that is
    not UTF-8."""
    try:
        body = raw.decode()
    except UnicodeDecodeError:
        return {}
    pairs = []
    for part in body.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = _unescaped(name)
        if "%" in value or "+" in value:
            value = _unescaped(value, keep=name not in PEOPLES_WORDS)
        pairs.append((name, value))
    form = WebhookForm(pairs)
    return form if len(form) == len(pairs) else RepeatedWebhookForm(pairs)


# Most escaped values recur from webhook to webhook (the hotline's own number, the texter's
# number all through a conversation, a city): each short one is unescaped once per process.
# What a person wrote or said is not kept in the process past its request, and neither is a
# long value (the body is parsed before its signature is checked: anyone's 4,096 long values
# must not stay in memory).
PEOPLES_WORDS = frozenset({"Body", "SpeechResult", "UnstableSpeechResult"})
KEPT_UP_TO = 64  # characters


def _unescaped(raw: str, keep: bool = True) -> str:
    if keep and len(raw) <= KEPT_UP_TO:
        return _unquoted(raw)
    return unquote_plus(raw, errors=QUOTE_ERRORS)


@functools.lru_cache(maxsize=4096)
def _unquoted(raw: str) -> str:
    return unquote_plus(raw, errors=QUOTE_ERRORS)
