"""Flask glue for hotline.staff.auth: the signed cookie, who is signed in, and the guards every
staff route wears (login, admin role, CSRF)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import (
    Flask,
    Request,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from hotline.staff.auth import StaffUser, csrf_matches, new_csrf_token

COOKIE_NAME = "hotline_staff"


class StaffSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over https (ProxyFix has
    already applied X-Forwarded-Proto) or the public URL is https."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        """Only the staff area has a session: a webhook gets Flask's null session, never
        signed or saved, instead of a cookie signer built for every request."""
        from hotline.staff import URL_PREFIX

        if request.path != URL_PREFIX and not request.path.startswith(URL_PREFIX + "/"):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def staff():
    return current_app.extensions["staff"]


def current_user() -> StaffUser | None:
    """The signed-in staff member for this request (the session is checked once per request)."""
    if "staff_user" not in g:
        user, why = staff().auth.resume_session(session.get("sid"))
        g.staff_user, g.staff_session_end = user, why
        if user is None and session.get("sid"):
            session.pop("sid", None)
    return g.staff_user


def client_ip() -> str:
    return request.remote_addr or ""


def login_csrf() -> str:
    """Before sign-in there is no server session yet: the login form's token lives in the
    signed cookie."""
    if "login_csrf" not in session:
        session["login_csrf"] = new_csrf_token()
    return session["login_csrf"]


def safe_next(raw: str | None) -> str | None:
    """Only our own pages: never an open redirect to another site. A control character (a
    CR/LF would split the Location header) is a bad request, not a page to go to."""
    if raw and any(ord(c) < 32 or ord(c) == 127 for c in raw):
        abort(400, description="next: not a page of the staff area")
    if raw and raw.startswith("/staff/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return None


def _to_login() -> Any:
    params = {}
    ended = g.get("staff_session_end")
    if ended in ("idle", "expired"):
        params["ended"] = ended
    if request.method == "GET":
        params["next"] = request.full_path.rstrip("?")
    return redirect(url_for("staff.login") + ("?" + urlencode(params) if params else ""))


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return _to_login()
        return view(*args, **kwargs)

    return guarded


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return _to_login()
        if not user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def check_csrf(expected: str | None) -> None:
    if not csrf_matches(expected, request.form.get("csrf_token")):
        abort(400, description="csrf")
