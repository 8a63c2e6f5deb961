"""The safety net on the staff screens: a conversation closed for no reply before the red-flag
questions ended is listed right after the unreviewed emergencies and urgents, with the question
it stopped at and a filter; a conversation's on-call alerts and their outcome are shown."""

from __future__ import annotations

import re
import time

import pytest

from hotline.outbound import nudges
from hotline.store.safety_net import SafetyNetStore
from tests.staff.conftest import EMERGENCY_FIRST_TEXT, SOON, URGENT, converse
from tests.support.webhooks import new_phone

ONCALL = "+15550007001"


@pytest.fixture
def app(make_app):
    return make_app(
        HOTLINE_ONCALL_NUMBERS=ONCALL,
        HOTLINE_ALERT_WEBHOOK_URL="http://127.0.0.1:9/hook",
        HOTLINE_ALERT_WEBHOOK_SECRET="s",
        HOTLINE_NUDGE_AFTER="1s",
        HOTLINE_NO_REPLY_AFTER="2s",
    )


def went_quiet(twilio, store, staff_app, answers: list[str]) -> str:
    """A texter who answered `answers` and stopped; closed by the sweeper's own code."""
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    for answer in answers:
        twilio.sms(phone, answer)
    conv_id = store.get_state(phone)["conv"]
    nudges.sweep_silence(staff_app.extensions["hotline"], now=time.time() + 3600)
    assert store.get_record(conv_id)["status"] == "no_reply"
    return conv_id


def queue_ids(client, query: str = "") -> list[str]:
    response = client.get(f"/staff/?{query}")
    assert response.status_code == 200
    return re.findall(r'data-conversation="(c[0-9a-f]+)"', response.get_data(as_text=True))


def test_a_quiet_texter_is_listed_after_emergencies_and_urgents(reviewer, twilio, store, staff_app):
    emergency = converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT).conv_id
    quiet = went_quiet(twilio, store, staff_app, ["no"])
    soon = converse(twilio, store, new_phone(), "my leg is numb", SOON).conv_id
    urgent = converse(twilio, store, new_phone(), "my leg is numb", URGENT).conv_id

    assert queue_ids(reviewer) == [emergency, urgent, quiet, soon]
    html = reviewer.get("/staff/").get_data(as_text=True)
    assert "stopped at: Saddle numbness" in html and "No reply" in html
    assert queue_ids(reviewer, "status=no_reply") == [quiet]
    record = reviewer.get("/staff/api/conversations?status=no_reply").get_json()
    assert [r["id"] for r in record["conversations"]] == [quiet]
    assert record["conversations"][0]["stopped_at"] == "saddle_numbness"


def test_a_reviewed_quiet_texter_takes_its_place_by_time(reviewer, twilio, store, staff_app, area):
    quiet = went_quiet(twilio, store, staff_app, [])
    soon = converse(twilio, store, new_phone(), "my leg is numb", SOON).conv_id
    assert queue_ids(reviewer) == [quiet, soon]
    area.records.write_review(quiet, "lee@clinic.example", "Called back, fine.", None)
    assert queue_ids(reviewer) == [soon, quiet]


def test_the_conversation_page_shows_each_alert_and_its_outcome(reviewer, twilio, store, staff_app):
    conv_id = converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT).conv_id
    hotline = staff_app.extensions["hotline"]
    tasks = SafetyNetStore(hotline.redis, hotline.settings)
    text_id, webhook_id = f"{conv_id}:alert-emergency-t0", f"{conv_id}:alert-emergency-webhook"
    sent = tasks.claim(text_id, 10)
    tasks.record_sent(
        sent,
        sid="SM" + "1" * 32,
        twilio_status="queued",
        entry={
            "direction": "event",
            "channel": "sms",
            "text": '{"type": "alert_sent", "to": "…7001", "level": "emergency"}',
        },
    )
    failed = tasks.claim(webhook_id, 10)
    tasks.record_failure(
        failed,
        code=None,
        http_status=503,
        opt_out=False,
        entry={
            "direction": "event",
            "channel": "sms",
            "text": '{"type": "alert_failed", "to": "webhook", "level": "emergency"}',
        },
    )

    html = reviewer.get(f"/staff/conversations/{conv_id}").get_data(as_text=True)
    alerts = html[html.index('id="alerts"') : html.index("Transcript")]
    assert "…7001" in alerts and "Sent" in alerts
    assert "Webhook" in alerts and "Failed" in alerts and "nobody was reached" in alerts
    assert ONCALL not in html  # only the last four digits
    assert "Staff alerted" not in html
    assert "On-call alert sent to …7001" in html and "On-call alert to webhook failed" in html
    record = reviewer.get("/staff/api/conversations").get_json()["conversations"][0]
    assert sorted((a["to"], a["status"]) for a in record["alerts"]) == [
        ("webhook", "failed"),
        ("…7001", "sent"),
    ]
