"""The leg-numbness symptom hotline: Twilio SMS and voice triage, follow-ups, staff review."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """The web process: Twilio webhooks, health check and the staff area."""
    from hotline.channels import sms, sms_status, voice
    from hotline.channels.health import bp as health_bp
    from hotline.services import build_hotline
    from hotline.staff import init_app as init_staff

    settings = settings or Settings.from_env()
    if settings.production and not settings.secret_key:
        raise RuntimeError("SECRET_KEY is required in production (HOTLINE_ENV=production)")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or "dev-only-not-secret",
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    # Twilio reaches us through the platform's proxy: trust one hop of X-Forwarded-*.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    app.extensions["hotline"] = build_hotline(settings)
    app.register_blueprint(health_bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(sms_status.bp)
    app.register_blueprint(voice.bp)
    init_staff(app)
    logging.getLogger("hotline").setLevel(logging.INFO)
    return app
