"""POST /sms/status: Twilio's delivery status callbacks land on the follow-up they are about.

A follow-up is planned and sent for real (to the REST stand-in) in this process; the callbacks
are posted signed, as Twilio posts them.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import pytest

from hotline.outbound import followup_jobs
from tests.conftest import ACCOUNT_SID
from tests.support.followups import (
    followup,
    followup_app,
    followup_env,
    plan_followup,
    services,
)
from tests.support.webhooks import TwilioWebhooks, new_phone


@pytest.fixture
def app(make_env, twilio_api):
    return followup_app(followup_env(make_env, twilio_api))


@pytest.fixture
def sent(app, twilio_api):
    """A follow-up that went out: (follow-up id, message sid, phone)."""
    phone = new_phone()
    fid = plan_followup(app, phone)
    assert followup_jobs.deliver(services(app), fid) == "sent"
    [message] = twilio_api.messages
    return fid, message.sid, phone


def callback(twilio, sid: str, status: str, followup_id: str | None = None, **extra: str):
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": ACCOUNT_SID,
        "From": "+15550001111",
        "To": "+15550009999",
        "ApiVersion": "2010-04-01",
        **extra,
    }
    path = "/sms/status" + (f"?{urlencode({'followup': followup_id})}" if followup_id else "")
    return twilio.post(path, params)


def new_sid() -> str:
    return "SM" + secrets.token_hex(16)


def test_status_and_error_code_are_recorded_on_the_followup(app, twilio, sent):
    fid, sid, _ = sent
    response = callback(twilio, sid, "sent", fid)
    assert response.status_code == 204 and response.get_data() == b""
    assert followup(app, fid)["delivery"] == "sent"

    assert callback(twilio, sid, "delivered", fid).status_code == 204

    fu = followup(app, fid)
    assert fu["delivery"] == "delivered" and fu["status"] == "sent"
    assert fu["delivery_at"]


def test_found_by_its_sid_when_the_url_does_not_name_it(app, twilio, sent):
    fid, sid, _ = sent
    assert callback(twilio, sid, "delivered").status_code == 204
    assert followup(app, fid)["delivery"] == "delivered"


def test_a_late_callback_never_moves_the_status_back(app, twilio, sent):
    fid, sid, _ = sent
    callback(twilio, sid, "delivered", fid)
    assert callback(twilio, sid, "sent", fid).status_code == 204
    assert followup(app, fid)["delivery"] == "delivered"


@pytest.mark.parametrize("status", ["undelivered", "failed"])
def test_undelivered_marks_the_followup_failed_with_the_error_code(app, twilio, sent, status):
    fid, sid, phone = sent
    assert callback(twilio, sid, status, fid, ErrorCode="30003").status_code == 204

    fu = followup(app, fid)
    assert fu["status"] == "failed" and fu["error_code"] == 30003
    store = app.extensions["hotline"].store
    [shown] = store.get_record(store.get_state(phone)["conv"])["followups"]
    assert shown["status"] == "failed" and shown["delivery"] == status


def test_an_answered_checkin_stays_answered(app, twilio, sent):
    fid, sid, phone = sent
    assert twilio.sms(phone, "better").status == 200
    assert followup(app, fid)["status"] == "answered"
    callback(twilio, sid, "delivered", fid)
    fu = followup(app, fid)
    assert fu["status"] == "answered" and fu["delivery"] == "delivered"


def test_an_unknown_sid_is_204_and_changes_nothing(app, twilio, sent):
    fid, sid, _ = sent
    before = followup(app, fid)
    assert callback(twilio, new_sid(), "failed").status_code == 204
    assert callback(twilio, new_sid(), "failed", fid).status_code == 204  # not its sid
    assert callback(twilio, new_sid(), "failed", "c0123456789abcdef:00ff").status_code == 204
    assert followup(app, fid) == before


def test_a_followup_never_sent_takes_no_sid_from_a_callback(app, twilio):
    fid = plan_followup(app, new_phone())
    before = followup(app, fid)
    assert callback(twilio, new_sid(), "delivered", fid).status_code == 204
    assert followup(app, fid) == before


def test_a_callback_confirms_a_send_whose_worker_died(app, twilio, twilio_api):
    # The worker claimed the follow-up and died before recording Twilio's answer.
    phone = new_phone()
    fid = plan_followup(app, phone)
    svc = services(app)
    assert svc.followups.claim(fid, followup_jobs.in_flight_window()).outcome == "claimed"
    sid = new_sid()

    assert callback(twilio, sid, "sent", fid).status_code == 204
    assert followup(app, fid)["sid"] == sid

    # The next run of the job finds Twilio's word and settles without sending.
    assert followup_jobs.deliver(svc, fid) == "confirmed"
    fu = followup(app, fid)
    assert fu["status"] == "sent" and fu["sid"] == sid and fu["confirmed"] is True
    assert twilio_api.attempts == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"MessageSid": "not-a-sid", "MessageStatus": "sent"},
        {"MessageSid": "SM" + "0" * 32, "MessageStatus": "exploded"},
        {"MessageSid": "SM" + "0" * 32, "MessageStatus": "failed", "ErrorCode": "<script>"},
    ],
)
def test_malformed_callbacks_are_204(app, twilio, params):
    assert twilio.post("/sms/status", params).status_code == 204


def test_unsigned_or_wrongly_signed_is_refused(app, twilio, sent):
    fid, sid, _ = sent
    params = {"MessageSid": sid, "MessageStatus": "failed"}
    assert twilio.post("/sms/status", params, signed=False).status_code == 403
    forged = TwilioWebhooks(app.test_client(), "not-the-token")
    assert forged.post("/sms/status", params).status_code == 403
    assert followup(app, fid)["delivery"] == "queued"  # what the REST answer said


def test_204_when_redis_is_down(app, twilio, redis_server):
    redis_server.stop()
    try:
        response = callback(twilio, new_sid(), "delivered", "c0123456789abcdef:00ff")
    finally:
        redis_server.start()
    assert response.status_code == 204
