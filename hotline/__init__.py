"""The leg-numbness symptom hotline: Twilio SMS and voice triage, follow-ups, staff review."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hotline.settings import ProxyNetwork, Settings


class TrustedProxyFix:
    """ProxyFix (one hop of X-Forwarded-*) for requests whose peer is a trusted proxy
    (HOTLINE_TRUSTED_PROXIES); anyone else's forwarded headers are ignored, so a client cannot
    choose the URL a signature is checked against or the address the audit records."""

    def __init__(self, app: Callable, networks: tuple[ProxyNetwork, ...] | None) -> None:
        self.plain = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
        self.networks = networks

    def trusts(self, peer: str | None) -> bool:
        if self.networks is None:
            return True  # `*`: only the proxy can reach this process
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.networks != () and self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)


def create_app(settings: Settings | None = None) -> Flask:
    """The web process: Twilio webhooks, health check and the staff area."""
    from hotline.channels import sms, sms_status, voice
    from hotline.channels.health import bp as health_bp
    from hotline.services import build_hotline
    from hotline.staff import init_app as init_staff

    settings = settings or Settings.from_env()
    settings.check_web()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or "dev-only-not-secret",
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    app.wsgi_app = TrustedProxyFix(app.wsgi_app, settings.trusted_proxies)
    app.extensions["hotline"] = build_hotline(settings)
    app.register_blueprint(health_bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(sms_status.bp)
    app.register_blueprint(voice.bp)
    init_staff(app)
    logging.getLogger("hotline").setLevel(logging.INFO)
    return app
