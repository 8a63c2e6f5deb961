"""The staff area under /staff: clinic staff review what the hotline told whom, urgent first.

`init_app(app)` wires it into the web process: the blueprint, the session cookie's settings and
the security headers every staff response carries. Staff data (accounts, sessions, tokens, the
audit stream, reviews, the queue scan) is kept by hotline.store.staff. May import:
hotline.settings, hotline.store, hotline.triage values, hotline.redact, and
hotline.outbound.followups (the retention job is booked on the worker's queue); never
hotline.channels or hotline.dev.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, Response, request

from hotline.staff.access import COOKIE_NAME, StaffSessionInterface
from hotline.staff.audit import AuditLog
from hotline.staff.auth import StaffAuth
from hotline.store.staff import StaffRecords

URL_PREFIX = "/staff"

# No inline script or style anywhere: one stylesheet and at most one script, both our own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class StaffArea:
    """The staff area's parts, one per app (app.extensions["staff"]).

    `clock` is read on every use, so a test can move time forward (idle sessions, lock-outs)
    by assigning a new function instead of sleeping.
    """

    def __init__(self, hotline, clock: Callable[[], float] = time.time) -> None:
        self.hotline = hotline
        self.clock = clock
        self.records = StaffRecords(hotline.redis, hotline.settings)
        self.auth = StaffAuth(self.records, clock=self.now)
        self.audit = AuditLog(self.records, hotline.settings.audit_retention, clock=self.now)

    def now(self) -> float:
        return self.clock()

    @property
    def settings(self):
        return self.hotline.settings

    @property
    def store(self):
        return self.hotline.store


def init_app(app: Flask) -> None:
    from hotline.staff import api, views

    hotline = app.extensions["hotline"]
    app.extensions["staff"] = StaffArea(hotline)
    public_https = (hotline.settings.public_url or "").startswith("https://")
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH=URL_PREFIX,
        SESSION_COOKIE_SECURE=public_https,  # else decided per request (StaffSessionInterface)
    )
    app.session_interface = StaffSessionInterface()
    app.register_blueprint(views.bp, url_prefix=URL_PREFIX)
    app.register_blueprint(api.bp, url_prefix=URL_PREFIX + "/api")
    app.after_request(_staff_headers)
    if public_https:
        app.after_request(_hsts)


HSTS = "max-age=31536000; includeSubDomains"


def _hsts(response: Response) -> Response:
    """Served at an https public URL: browsers must never come back over plain http."""
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _staff_headers(response: Response) -> Response:
    if request.path == URL_PREFIX or request.path.startswith(URL_PREFIX + "/"):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.path.startswith(URL_PREFIX + "/static/"):
            # Patient details must not linger in shared browser caches on clinic machines.
            response.headers["Cache-Control"] = "no-store"
    return response
