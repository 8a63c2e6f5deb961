"""GET /healthz for the load balancer: 200 while Redis takes writes, 503 otherwise.

A ping is not enough: a Redis at maxmemory (noeviction) or without its replicas
(min-replicas-to-write) answers PING and refuses every turn's commit."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    store = current_app.extensions["hotline"].store
    if store.can_write():
        return jsonify(status="ok", redis=True), 200
    answers = store.ping()
    status = "redis refuses writes" if answers else "redis unavailable"
    return jsonify(status=status, redis=answers), 503
