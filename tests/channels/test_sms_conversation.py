"""Whole SMS conversations over signed HTTP against a real Redis."""

from __future__ import annotations

import pytest

from hotline.settings import Settings
from hotline.store.connect import connect
from hotline.store.conversations import Store
from tests.support.vignettes import answer_for, load_stories
from tests.support.webhooks import new_phone

ANSWERS = {
    "emergency": {"bladder_bowel": "yes"},
    "urgent": {"weakness": "yep", "duration": "2 days"},
    "soon": {"duration": "3 weeks", "recurring": "yes"},
    "self_care": {"duration": "10 min", "pressure_cause": "y", "resolved": "yes"},
}


def question_key(app, phone):
    stored = app.extensions["hotline"].store.get_state(phone)
    return stored["state"]["question"] if stored else None


def play(app, twilio, phone, answers, opening="my leg is numb"):
    reply = twilio.sms(phone, opening)
    transcript = [reply]
    for _ in range(30):
        key = question_key(app, phone)
        if key is None:
            break
        reply = twilio.sms(phone, answers.get(key, "no"))
        transcript.append(reply)
    return transcript


def record_of(app, phone):
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    return store.get_record(conv)


@pytest.mark.parametrize("disposition", ["emergency", "urgent", "soon", "self_care"])
def test_a_full_conversation_per_disposition(app, twilio, disposition):
    phone = new_phone()
    transcript = play(app, twilio, phone, ANSWERS[disposition])
    assert all(r.status == 200 for r in transcript)
    first = transcript[0].texts
    assert "not a diagnosis" in first[0] and "911" in first[0]
    assert "bladder" in first[1]
    record = record_of(app, phone)
    assert record["disposition"] == disposition
    assert record["status"] == "completed"
    assert record["channel"] == "sms" and record["language"] == "en"
    texts_in = [t["text"] for t in record["transcript"] if t["direction"] == "in"]
    assert texts_in[0] == "my leg is numb"
    texts_out = [t["text"] for t in record["transcript"] if t["direction"] == "out"]
    assert texts_out == [text for reply in transcript for text in reply.texts]
    advice = transcript[-1].text
    if disposition == "emergency":
        assert "Call 911 now" in advice
        assert record["followups"] == []
    else:
        assert len(record["followups"]) == 1
        assert record["followups"][0]["status"] == "scheduled"


@pytest.mark.parametrize("story", load_stories(), ids=lambda s: s["id"])
def test_sample_stories_by_sms(app, twilio, story):
    phone = new_phone()
    reply = twilio.sms(phone, story["opening"])
    for _ in range(30):
        key = question_key(app, phone)
        if key is None:
            break
        reply = twilio.sms(phone, answer_for(story, key))
    record = record_of(app, phone)
    assert record["disposition"] == story["expect"]
    assert record["language"] == story["lang"]
    if story["lang"] == "es":
        assert "llame" in reply.text.lower() or "médico" in reply.text.lower() \
            or "pierna" in reply.text.lower()


def test_spanish_texter_gets_only_spanish(app, twilio):
    phone = new_phone()
    transcript = play(app, twilio, phone, {"duration": "media hora", "pressure_cause": "sí"},
                      opening="hola, se me durmió la pierna")
    protocol = app.extensions["hotline"].protocol
    spanish = {protocol.text("es", k, emergency_number="911")
               for k in protocol.messages["es"]["sms"]}
    for reply in transcript:
        for text in reply.texts:
            assert text in spanish, text


def test_expired_session_starts_a_new_conversation_and_keeps_the_record(make_app, redis_url):
    from tests.conftest import AUTH_TOKEN
    from tests.support.webhooks import TwilioWebhooks
    app = make_app(HOTLINE_SESSION_TTL="1s")
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    twilio.sms(phone, "no")
    store = app.extensions["hotline"].store
    first_id = store.r.get(f"hotline:last:{phone}")
    import time
    time.sleep(2.2)
    assert store.get_record(first_id)["status"] == "expired"  # silent for longer than the TTL
    reply = twilio.sms(phone, "hello again")
    assert "not a diagnosis" in reply.texts[0]
    second_id = store.get_state(phone)["conv"]
    assert second_id != first_id
    old = store.get_record(first_id)
    assert old["status"] == "expired"
    assert [t["text"] for t in old["transcript"] if t["direction"] == "in"] == [
        "my leg is numb", "no"]


def test_export_prints_records(app, twilio, redis_url, capsys, monkeypatch):
    from hotline.cli import main
    phone = new_phone()
    play(app, twilio, phone, ANSWERS["emergency"])
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["export"]) == 0
    import json
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1]["phone"] == phone and lines[-1]["disposition"] == "emergency"
    assert set(lines[-1]) >= {"id", "phone", "channel", "language", "status", "started_at",
                              "updated_at", "disposition", "red_flags", "answers",
                              "transcript", "followups", "review"}
    assert main(["export", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("id,phone,channel")
    assert f"'{phone}" in out  # a leading + would be a formula in a spreadsheet


def test_store_works_without_the_app(redis_url):
    store = Store(connect(redis_url), Settings.from_env({"REDIS_URL": redis_url}))
    assert store.ping()
    assert store.conversation_ids() == []
