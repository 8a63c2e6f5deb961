"""What the channels hand the safety net, without workers: alerts planned once per level,
again after a lost plan when Twilio retries, nothing for levels that do not alert; texters
watched for silence only while asking."""

from __future__ import annotations

import pytest

from hotline.channels import sms
from hotline.store.safety_net import SILENCE_KEY, SafetyNetStore
from tests.conftest import AUTH_TOKEN
from tests.support.webhooks import TwilioWebhooks, message_sid, new_phone

ONCALL = ("+15550007001", "+15550007002")


@pytest.fixture
def app(make_app):
    return make_app(HOTLINE_ONCALL_NUMBERS=",".join(ONCALL))


@pytest.fixture
def twilio(app):
    return TwilioWebhooks(app.test_client(), AUTH_TOKEN)


def tasks(app, phone: str) -> list[dict]:
    hotline = app.extensions["hotline"]
    conv_id = hotline.store.get_state(phone)["conv"]
    return SafetyNetStore(hotline.redis, hotline.settings).tasks(conv_id)


def test_an_emergency_plans_one_text_per_oncall_number(app, twilio):
    phone = new_phone()
    twilio.sms(phone, "I lost control of my bladder")
    planned = tasks(app, phone)
    assert [(t["kind"], t["to"], t["level"]) for t in planned] == [
        ("alert_text", ONCALL[0], "emergency"),
        ("alert_text", ONCALL[1], "emergency"),
    ]
    twilio.sms(phone, "and my groin is numb too")  # after the advice: the same level
    assert len(tasks(app, phone)) == 2


def test_a_retried_webhook_plans_the_alerts_a_lost_plan_never_made(app, twilio, monkeypatch):
    phone, sid = new_phone(), message_sid()
    monkeypatch.setattr(sms, "plan_turn_alerts", lambda *args: [])  # the process died here
    first = twilio.sms(phone, "my leg went cold and pale", sid=sid)
    assert tasks(app, phone) == []
    monkeypatch.undo()
    again = twilio.sms(phone, "my leg went cold and pale", sid=sid)  # Twilio's retry
    assert again.texts == first.texts  # answered the same, once
    assert [t["level"] for t in tasks(app, phone)] == ["emergency", "emergency"]


def test_levels_outside_the_alert_levels_plan_nothing(make_app):
    app = make_app(HOTLINE_ONCALL_NUMBERS=ONCALL[0], HOTLINE_ALERT_LEVELS="emergency")
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    twilio.sms(phone, "my leg is numb and weak")  # urgent, once the emergency flags are no
    for _ in range(10):
        state = app.extensions["hotline"].store.get_state(phone)["state"]
        if state["phase"] != "asking":
            break
        twilio.sms(phone, "no")
    assert app.extensions["hotline"].store.get_state(phone)["state"]["disposition"] == "urgent"
    assert tasks(app, phone) == []


def test_only_a_texter_being_asked_is_watched_for_silence(app, twilio):
    redis = app.extensions["hotline"].redis
    asking, emergency = new_phone(), new_phone()
    twilio.sms(asking, "my leg is numb")
    assert redis.zscore(SILENCE_KEY, asking) is not None
    twilio.sms(emergency, "I lost control of my bladder")  # finished in its first turn
    assert redis.zscore(SILENCE_KEY, emergency) is None
