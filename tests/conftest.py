"""Shared fixtures: a private Redis per test session, the app wired to it, signed webhooks and a
local stand-in of Twilio's REST API."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from hotline import create_app
from hotline.settings import Settings
from tests.support.redis_server import RedisServer
from tests.support.twilio_api import FakeTwilioAPI
from tests.support.webhooks import TwilioWebhooks

# CI reruns the same examples every time, so a red build is reproducible; locally they vary.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

AUTH_TOKEN = "test-auth-token"
ACCOUNT_SID = "AC" + "1" * 32


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def redis_url(redis_server):
    if not redis_server.running:
        redis_server.start()
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def twilio_api_server():
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def twilio_api(twilio_api_server):
    twilio_api_server.clear()
    return twilio_api_server


@pytest.fixture
def make_env(redis_url, tmp_path):
    def make(**overrides: str) -> dict[str, str]:
        env = {"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
               "HOTLINE_SPOOL_DIR": str(tmp_path / "spool"), "SECRET_KEY": "test-secret"}
        env.update(overrides)
        return {k: v for k, v in env.items() if v is not None}
    return make


@pytest.fixture
def make_app(make_env):
    def make(**overrides: str):
        app = create_app(Settings.from_env(make_env(**overrides)))
        app.config["TESTING"] = True
        return app
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def twilio(client):
    return TwilioWebhooks(client, AUTH_TOKEN)
