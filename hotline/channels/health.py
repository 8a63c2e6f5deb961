"""GET /healthz for the load balancer: 200 while Redis answers, 503 otherwise."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    ok = current_app.extensions["hotline"].store.ping()
    return jsonify(status="ok" if ok else "redis unavailable", redis=ok), 200 if ok else 503
