"""Every Twilio route accepts only requests Twilio signed.

Twilio signs the public URL it called, which behind a proxy is not the URL Flask sees: with
HOTLINE_PUBLIC_URL set we validate against that base plus the request's path and query, else
against the URL of the request, which ProxyFix rebuilds from X-Forwarded-* headers only when
they come from HOTLINE_TRUSTED_PROXIES (hotline.TrustedProxyFix).
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, request
from twilio.request_validator import (
    HMAC_SHA1,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from hotline.channels.webhook_form import webhook_form

log = logging.getLogger("hotline.webhooks")


def public_request_url() -> str:
    settings = current_app.extensions["hotline"].settings
    if not settings.public_url:
        return request.url
    query = request.query_string.decode("latin-1")
    return settings.public_url + request.path + (f"?{query}" if query else "")


def signature_is_valid() -> bool:
    settings = current_app.extensions["hotline"].settings
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    if algorithm == HMAC_SHA1:
        secret = settings.signing_token
        if not secret:  # production without a real token: nothing is Twilio's
            return False
    else:
        # SHA-256 webhooks are signed with an account SharedKey, not the auth token.
        secret = settings.twilio_webhook_shared_key
        if not secret:
            return False
    url, form = public_request_url(), webhook_form()
    validator = _validator(secret)
    # Twilio's validate() signs the URL twice (with and without the port) before comparing.
    # The URL as configured is what Twilio signs in the common case: one signature with
    # twilio's own compute_signature decides it; anything else (a port, a body hash, a
    # mismatch) gets the full validate().
    if "bodySHA256" not in url and signature.isascii():
        try:
            if hmac.compare_digest(validator.compute_signature(url, form, algorithm), signature):
                return True
        except ValueError:  # an algorithm twilio does not know: validate() refuses and logs
            pass
    return validator.validate(url, form, signature, algorithm)


@functools.lru_cache(maxsize=8)
def _validator(secret: str) -> RequestValidator:
    """One validator per secret for the process, not one per request."""
    return RequestValidator(secret)


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 unless the request carries a valid Twilio signature (or dev-insecure mode is on)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        settings = current_app.extensions["hotline"].settings
        if settings.dev_insecure:
            log.warning("HOTLINE_DEV_INSECURE=1: accepting %s without checking its Twilio "
                        "signature; never run like this in production", request.path)
        elif not signature_is_valid():
            log.warning("refused %s: missing or invalid X-Twilio-Signature", request.path)
            abort(403)
        return view(*args, **kwargs)

    return checked
