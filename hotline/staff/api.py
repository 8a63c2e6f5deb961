"""GET /staff/api/conversations: the queue's records as JSON for staff tools, with the queue's
filters, by session or by `Authorization: Bearer <token>` (`hotline staff token EMAIL`)."""

from __future__ import annotations

import logging
import math

from flask import Blueprint, jsonify, request
from redis import RedisError
from werkzeug.exceptions import HTTPException

from hotline.staff import audit as actions
from hotline.staff.access import client_ip, current_user, staff
from hotline.staff.auth import StaffUser
from hotline.staff.exports import shown_to
from hotline.staff.filters import FilterError, Filters

log = logging.getLogger("hotline.staff")

bp = Blueprint("staff_api", __name__)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@bp.get("/conversations")
def conversations():
    user, problem = _caller()
    if user is None:
        return _unauthorized(problem)
    try:
        filters = Filters.from_args(request.args)
        page = _positive_int("page", 1, 1_000_000)
        per_page = _positive_int("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    except FilterError as exc:
        return jsonify(error=str(exc)), 400
    area = staff()
    matches = area.records.scan_queue(filters, area.now())
    records = [
        shown_to(r, user.is_admin) for r in area.records.records(matches.page(page, per_page))
    ]
    via = f"token {user.token_id}" if user.token_id else "session"
    numbers = "full numbers" if user.is_admin else "masked numbers"
    area.audit.record(
        user.email,
        actions.API,
        detail=(
            f"{len(records)} conversations (page {page}), {numbers}, via {via}; "
            f"{filters.describe()}"
        ),
        ip=client_ip(),
    )
    return jsonify(
        conversations=records,
        page=page,
        per_page=per_page,
        total=matches.total,
        pages=max(1, math.ceil(matches.total / per_page)),
    )


def _caller() -> tuple[StaffUser | None, str]:
    """A bearer token when one is sent (never falling back to the cookie), else the session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, "invalid_request"
        user = staff().auth.token_user(token.strip())
        return (user, "") if user else (None, "invalid_token")
    user = current_user()
    return (user, "") if user else (None, "")


def _unauthorized(problem: str):
    response = jsonify(error="a valid staff session or API token is required")
    challenge = 'Bearer realm="hotline-staff"'
    if problem:
        challenge += f', error="{problem}"'
    response.headers["WWW-Authenticate"] = challenge
    response.status_code = 401
    return response


def _positive_int(name: str, default: int, most: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FilterError(f"{name}: {raw[:20]!r} is not a number") from None
    if not 1 <= value <= most:
        raise FilterError(f"{name}: must be between 1 and {most}")
    return value


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException):
    return jsonify(error=exc.name), exc.code


@bp.errorhandler(RedisError)
def _redis_down(exc: RedisError):
    log.error("staff API: Redis unavailable (%s)", type(exc).__name__)
    return jsonify(error="the database is not answering; try again in a minute"), 503
