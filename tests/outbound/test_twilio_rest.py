import asyncio
import logging
import re
from types import SimpleNamespace

import pytest

from hotline.dev.redis_provision import free_port
from hotline.outbound.followup_jobs import nothing_went_out
from hotline.outbound.twilio_rest import (
    LogSender,
    SendError,
    SentMessage,
    TwilioSender,
    make_async_sender,
    make_sender,
)
from hotline.redact import mask_phone
from tests.support.twilio_api import FakeTwilioAPI

PATIENT = "+15551234567"
HOTLINE = "+15550009999"


@pytest.fixture(scope="module")
def server():
    with FakeTwilioAPI() as api:
        yield api


@pytest.fixture
def twilio(server):
    server.clear()
    yield server
    server.clear()


def settings_for(twilio: FakeTwilioAPI, **overrides: object) -> SimpleNamespace:
    values = {
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": twilio.auth_token,
        "twilio_phone_number": HOTLINE,
        "twilio_messaging_service_sid": None,
        "twilio_api_base_url": twilio.url,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_a_sent_message_reaches_the_api_and_returns_its_sid(twilio):
    sender = make_sender(settings_for(twilio))

    sent = sender.send(PATIENT, "How is your leg today?")

    [message] = twilio.wait_for(1)
    assert isinstance(sender, TwilioSender)
    assert re.fullmatch(r"SM[0-9a-f]{32}", sent.sid)
    assert (sent.sid, sent.status, sent.logged_only) == (message.sid, "queued", False)
    assert (message.to, message.from_, message.body) == (PATIENT, HOTLINE, "How is your leg today?")
    assert message.status_callback is None


def test_basic_auth_is_sent_and_a_wrong_token_is_a_permanent_401(twilio):
    sender = make_sender(settings_for(twilio, twilio_auth_token="wrong"))

    with pytest.raises(SendError) as caught:
        sender.send(PATIENT, "hello")

    assert (caught.value.http_status, caught.value.code) == (401, 20003)
    assert not caught.value.retryable
    assert twilio.messages == []


def test_status_callback_is_passed_through(twilio):
    callback = "https://hotline.example.org/sms/status"

    make_sender(settings_for(twilio)).send(PATIENT, "hi", status_callback=callback)

    [message] = twilio.wait_for(1)
    assert message.status_callback == callback


def test_a_messaging_service_is_used_instead_of_a_from_number(twilio):
    settings = settings_for(twilio, twilio_phone_number=None, twilio_messaging_service_sid="MG1")

    sent = make_sender(settings).send(PATIENT, "hi")

    [message] = twilio.wait_for(1)
    assert (message.from_, message.messaging_service_sid) == (None, "MG1")
    assert sent.status == "accepted"


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503), (429, 20429)])
def test_twilio_side_failures_and_throttling_are_retryable(twilio, status, code):
    twilio.fail_next(1, status=status)
    sender = make_sender(settings_for(twilio))

    with pytest.raises(SendError) as caught:
        sender.send(PATIENT, "hello")

    assert caught.value.retryable
    assert (caught.value.http_status, caught.value.code) == (status, code)
    assert sender.send(PATIENT, "hello").sid.startswith("SM")
    assert len(twilio.attempts) == 2


def test_an_unsubscribed_recipient_is_permanent_with_its_code(twilio):
    twilio.fail_for(PATIENT, status=400, code=21610)

    with pytest.raises(SendError) as caught:
        make_sender(settings_for(twilio)).send(PATIENT, "reminder")

    error = caught.value
    assert (error.code, error.http_status, error.retryable) == (21610, 400, False)
    assert "unsubscribed" in error.message
    assert "21610" in str(error)


def test_an_unreachable_api_is_retryable(twilio):
    settings = settings_for(twilio, twilio_api_base_url="http://127.0.0.1:9")

    with pytest.raises(SendError) as caught:
        make_sender(settings).send(PATIENT, "hello")

    assert caught.value.retryable
    assert caught.value.http_status is None


def test_a_slow_api_times_out_as_retryable(twilio):
    twilio.delay(2)

    with pytest.raises(SendError) as caught:
        make_sender(settings_for(twilio), timeout=0.3).send(PATIENT, "hello")

    assert caught.value.retryable


def test_credentials_without_a_sender_number_are_refused_up_front(twilio):
    with pytest.raises(ValueError, match="TWILIO_PHONE_NUMBER"):
        make_sender(settings_for(twilio, twilio_phone_number=None))


@pytest.mark.parametrize("missing", ["twilio_account_sid", "twilio_auth_token"])
def test_without_credentials_texts_go_to_the_log_not_http(twilio, caplog, missing):
    sender = make_sender(settings_for(twilio, **{missing: None}))

    with caplog.at_level(logging.WARNING, logger="hotline.outbound"):
        sent = sender.send(PATIENT, "Call 911 if your legs go numb.")

    assert isinstance(sender, LogSender)
    assert sent.logged_only and sent.status == "logged" and sent.sid.startswith("LOG")
    [record] = caplog.records
    text = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "NOT SENT" in text and "Call 911 if your legs go numb." in text
    assert "4567" in text and "555123" not in text
    assert twilio.attempts == []


def test_mask_phone_keeps_only_the_last_four_digits():
    assert mask_phone("+1 (555) 123-4567") == "…4567"
    assert mask_phone("") == "…"


def test_a_send_error_never_shows_a_whole_phone_number():
    error = SendError("The 'To' number +15005550001 is not a valid phone number.", code=21211,
                      http_status=400)
    text = str(error)
    assert "+15005550001" not in text and "…0001" in text and "code=21211" in text


# --- the dispatcher's sender: the same REST API, many in flight ------------------------------


def send_async(settings, *calls):
    """Run AsyncTwilioSender.send for each (to, body, callback) at once; results or errors."""

    async def run():
        sender = make_async_sender(settings)
        try:
            return await asyncio.gather(*(sender.send(*c) for c in calls), return_exceptions=True)
        finally:
            await sender.close()

    return asyncio.run(run())


@pytest.mark.parametrize("keep_alive", [False, True])
def test_the_async_sender_posts_what_the_sync_one_does(keep_alive):
    with FakeTwilioAPI(keep_alive=keep_alive) as api:
        callback = "https://hotline.example.org/sms/status?followup=c%3A1"
        results = send_async(
            settings_for(api), *[(f"+1555123{i:04d}", f"¿Sigue entumecida? {i}", callback)
                                 for i in range(20)]
        )
        messages = {m.to: m for m in api.messages}
    assert len(messages) == 20
    for i, sent in enumerate(results):
        message = messages[f"+1555123{i:04d}"]
        assert isinstance(sent, SentMessage) and sent.sid == message.sid
        assert message.body == f"¿Sigue entumecida? {i}" and message.from_ == HOTLINE
        assert message.status_callback == callback and sent.status == "queued"


def test_the_async_sender_names_twilios_error_and_whether_to_retry(twilio):
    twilio.fail_for(PATIENT, status=400, code=21610)
    twilio.fail_next(1, status=503)
    first, second = send_async(settings_for(twilio), (PATIENT, "a", None), (PATIENT, "b", None))
    errors = sorted([first, second], key=lambda e: e.http_status)
    assert [(e.http_status, e.code, e.retryable) for e in errors] == [
        (400, 21610, False), (503, 20503, True)
    ]
    assert PATIENT not in str(errors[0])  # the number is masked wherever the text goes


def test_the_async_sender_with_a_messaging_service_sends_no_from(twilio):
    settings = settings_for(twilio, twilio_phone_number=None,
                            twilio_messaging_service_sid="MG" + "1" * 32)
    [sent] = send_async(settings, (PATIENT, "hello", None))
    [message] = twilio.messages
    assert message.from_ is None and message.messaging_service_sid == "MG" + "1" * 32
    assert sent.status == "accepted"


def test_a_refused_connection_proves_the_async_send_never_left():
    settings = SimpleNamespace(
        twilio_account_sid="AC" + "0" * 32, twilio_auth_token="t", twilio_phone_number=HOTLINE,
        twilio_messaging_service_sid=None, twilio_api_base_url=f"http://127.0.0.1:{free_port()}",
    )
    [error] = send_async(settings, (PATIENT, "hello", None))
    assert isinstance(error, SendError) and error.retryable
    assert nothing_went_out(error)
