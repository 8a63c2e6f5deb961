"""POST /sms as Twilio calls it: signatures, keywords, duplicates, races, outages, bad input."""

from __future__ import annotations

import logging
import threading

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN
from tests.support.webhooks import TwilioWebhooks, message_sid, new_phone, sign, texts_of


def form(phone, body, sid=None):
    return {"From": phone, "To": "+15550001111", "Body": body, "MessageSid": sid or message_sid(),
            "NumMedia": "0"}


# --- signatures -------------------------------------------------------------------------------

def test_unsigned_and_wrongly_signed_requests_are_refused(client, twilio):
    params = form(new_phone(), "hello")
    assert twilio.post("/sms", params, signed=False).status_code == 403
    bad = {"X-Twilio-Signature": sign("not-the-token", "http://localhost/sms", params)}
    assert twilio.post("/sms", params, signed=False, headers=bad).status_code == 403
    tampered = {"X-Twilio-Signature": sign(AUTH_TOKEN, "http://localhost/sms", params)}
    assert twilio.post("/sms", {**params, "Body": "other"}, signed=False,
                       headers=tampered).status_code == 403
    assert twilio.post("/sms", params).status_code == 200


def test_signature_uses_the_public_url_behind_a_proxy(make_app):
    app = make_app(HOTLINE_PUBLIC_URL="https://hotline.example.org")
    client = app.test_client()
    params = form(new_phone(), "hello")
    public = TwilioWebhooks(client, AUTH_TOKEN, base_url="https://hotline.example.org")
    signature = sign(AUTH_TOKEN, "https://hotline.example.org/sms", params)
    response = client.post("http://10.0.0.5:8000/sms", data=params,
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    internal = sign(AUTH_TOKEN, "http://10.0.0.5:8000/sms", params)
    assert client.post("http://10.0.0.5:8000/sms", data=params,
                       headers={"X-Twilio-Signature": internal}).status_code == 403
    assert public.base_url.startswith("https")


def forwarded_post(client, params: dict, peer: str = "127.0.0.1"):
    signature = sign(AUTH_TOKEN, "https://public.example.org/sms", params)
    return client.post("http://127.0.0.1:8000/sms", data=params, headers={
        "X-Twilio-Signature": signature, "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "public.example.org", "X-Forwarded-Port": "443"},
        environ_base={"REMOTE_ADDR": peer})


def test_forwarded_headers_are_trusted_from_a_trusted_proxy(make_app):
    client = make_app(HOTLINE_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8").test_client()
    assert forwarded_post(client, form(new_phone(), "hello")).status_code == 200
    assert forwarded_post(client, form(new_phone(), "hello"), peer="10.2.3.4").status_code == 200
    # Anyone else's X-Forwarded-* is ignored: the URL checked is the one the request reached.
    assert forwarded_post(client, form(new_phone(), "hello"), peer="203.0.113.9").status_code == 403


def test_forwarded_headers_are_ignored_by_default(client):
    assert forwarded_post(client, form(new_phone(), "hello")).status_code == 403
    params = form(new_phone(), "hello")
    direct = sign(AUTH_TOKEN, "http://127.0.0.1:8000/sms", params)
    assert client.post("http://127.0.0.1:8000/sms", data=params, headers={
        "X-Twilio-Signature": direct, "X-Forwarded-Host": "evil.example"}).status_code == 200


def test_production_never_accepts_the_development_token(make_app):
    app = make_app(HOTLINE_ENV="production", TWILIO_AUTH_TOKEN="real-token-of-the-account")
    forged = TwilioWebhooks(app.test_client(), "dev-auth-token")
    assert forged.post("/sms", form(new_phone(), "stop")).status_code == 403
    real = TwilioWebhooks(app.test_client(), "real-token-of-the-account")
    assert real.post("/sms", form(new_phone(), "hello")).status_code == 200


def test_sha256_shared_key_signatures(make_app):
    app = make_app(TWILIO_WEBHOOK_SHARED_KEY="shared-secret")
    client = app.test_client()
    params = form(new_phone(), "hello")
    good = RequestValidator("shared-secret").compute_signature(
        "http://localhost/sms", params, "HMAC_SHA256")
    settings_header = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
    assert client.post("/sms", data=params, headers={
        "X-Twilio-Signature": good,
        "X-Twilio-Webhooks-Signature-Settings": settings_header}).status_code == 200
    with_token = RequestValidator(AUTH_TOKEN).compute_signature(
        "http://localhost/sms", params, "HMAC_SHA256")
    assert client.post("/sms", data=params, headers={
        "X-Twilio-Signature": with_token,
        "X-Twilio-Webhooks-Signature-Settings": settings_header}).status_code == 403


def test_dev_insecure_accepts_unsigned_and_warns_every_time(make_app, caplog):
    app = make_app(HOTLINE_DEV_INSECURE="1")
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="hotline.webhooks"):
        for _ in range(2):
            assert client.post("/sms", data=form(new_phone(), "hi")).status_code == 200
    assert sum("HOTLINE_DEV_INSECURE" in r.message for r in caplog.records) == 2


# --- keywords ---------------------------------------------------------------------------------

def test_every_keyword(app, twilio):
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    help_reply = twilio.sms(phone, "info")
    assert "RESTART" in help_reply.texts[0] and "bladder" in help_reply.texts[1]
    assert "español" in twilio.sms(phone, "ESPAÑOL").texts[0]
    assert "English" in twilio.sms(phone, "english").texts[0]
    for word in ("STOP", "stopall", "Unsubscribe", "cancel", "END", "quit"):
        reply = twilio.sms(phone, word)
        assert "START" in reply.text, word
        assert app.extensions["hotline"].store.is_opted_out(phone)
        silent = twilio.sms(phone, "hello?")
        assert silent.status == 200 and silent.texts == []
        assert "back on" in twilio.sms(phone, "start" if word != "quit" else "UNSTOP").text
        assert not app.extensions["hotline"].store.is_opted_out(phone)
    restart = twilio.sms(phone, "RESTART")
    assert "start over" in restart.texts[0] and "bladder" in restart.texts[1]


def test_opted_out_messages_are_still_recorded(app, twilio):
    phone = new_phone()
    twilio.sms(phone, "hi")
    twilio.sms(phone, "stop")
    twilio.sms(phone, "are you there")
    store = app.extensions["hotline"].store
    record = store.get_record(store.get_state(phone)["conv"])
    assert record["status"] == "opted_out"
    assert record["transcript"][-1]["text"] == "are you there"


# --- idempotency and races --------------------------------------------------------------------

def test_the_same_message_sid_twice_gets_the_same_reply_and_changes_nothing(app, twilio):
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    sid = message_sid()
    first = twilio.sms(phone, "no", sid=sid)
    store = app.extensions["hotline"].store
    state_after_first = store.get_state(phone)
    second = twilio.sms(phone, "no", sid=sid)
    assert second.texts == first.texts
    assert store.get_state(phone) == state_after_first
    record = store.get_record(state_after_first["conv"])
    assert [t["text"] for t in record["transcript"] if t["direction"] == "in"].count("no") == 1


def test_two_texts_at_once_from_one_number_are_both_counted_once(app, redis_url):
    phone = new_phone()
    TwilioWebhooks(app.test_client(), AUTH_TOKEN).sms(phone, "my leg is numb")
    results, barrier = [], threading.Barrier(2)

    def send():
        hooks = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
        barrier.wait()
        results.append(hooks.sms(phone, "no"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status == 200 for r in results)
    state = app.extensions["hotline"].store.get_state(phone)["state"]
    assert state["answers"] == {"bladder_bowel": "no", "saddle_numbness": "no"}
    assert state["question"] == "stroke_signs"


# --- outages and failures ---------------------------------------------------------------------

def test_redis_down_mid_conversation_then_back(app, twilio, redis_server, caplog):
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    twilio.sms(phone, "no")
    redis_server.client().save()  # a production Redis persists; this one does on demand
    redis_server.stop()
    try:
        assert app.test_client().get("/healthz").status_code == 503
        with caplog.at_level(logging.ERROR):
            down = twilio.sms(phone, "I peed myself")
        assert down.status == 200
        assert "911" in down.text and "emergency" in down.text.lower()
        quiet = twilio.sms(phone, "no")
        assert quiet.status == 200 and "911" in quiet.text
        # The words, not "peed" alone: a checkout's path may hold "speed".
        assert "peed myself" not in caplog.text and phone not in caplog.text
    finally:
        redis_server.start()
    assert app.test_client().get("/healthz").status_code == 200
    # The texter's own outage turns are applied before their next one: the flag they reported
    # ended the questions, so this "no" is not taken as an answer to it.
    resumed = twilio.sms(phone, "no")
    assert "advice above" in resumed.text
    store = app.extensions["hotline"].store
    record = store.get_record(store.get_state(phone)["conv"])
    said = [t["text"] for t in record["transcript"] if t["direction"] == "in"]
    assert said == ["my leg is numb", "no", "I peed myself", "no", "no"]
    assert record["disposition"] == "emergency" and "bladder_bowel" in record["red_flags"]


def test_a_turn_the_outage_buffer_refuses_still_gets_the_safe_reply_and_is_reported(
    make_app, redis_server, tmp_path, caplog
):
    spool = tmp_path / "spool"
    (spool / "outage.sqlite3").mkdir(parents=True)  # SQLite cannot open it: SQLITE_CANTOPEN
    app = make_app(HOTLINE_SPOOL_DIR=str(spool))
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    redis_server.client().save()
    redis_server.stop()
    try:
        with caplog.at_level(logging.ERROR):
            down = twilio.sms(phone, "my leg is numb")
    finally:
        redis_server.start()
    assert down.status == 200 and "911" in down.text
    loud = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(loud) == 1 and "NOT KEPT" in loud[0].getMessage()
    assert "SQLITE_CANTOPEN" in loud[0].getMessage() and phone[-4:] in loud[0].getMessage()
    assert "leg is numb" not in caplog.text and phone not in caplog.text


def test_with_the_buffer_unreadable_and_redis_up_what_is_said_goes_to_the_log(
    make_app, tmp_path, caplog
):
    spool = tmp_path / "spool"
    (spool / "outage.sqlite3").mkdir(parents=True)  # there, but SQLite cannot open it
    app = make_app(HOTLINE_SPOOL_DIR=str(spool))
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    store = app.extensions["hotline"].store
    phone, stopping = new_phone(), new_phone()
    with caplog.at_level(logging.ERROR):
        first = twilio.sms(phone, "my leg is numb")
        again = twilio.sms(phone, "I peed myself", sid=(sid := message_sid()))
        retried = twilio.sms(phone, "I peed myself", sid=sid)  # Twilio's retry of it
        stop = twilio.sms(stopping, "STOP")
    assert all(r.status == 200 and "911" in r.text for r in (first, again, stop))
    assert retried.text == again.text
    # Each kept in the conversation's log, as said, with the safe reply and an event saying
    # it was not triaged; the state as it was (no question asked, no advice taken).
    record = store.get_record(store.get_state(phone)["conv"])
    said = [t["text"] for t in record["transcript"] if t["direction"] == "in"]
    assert said == ["my leg is numb", "I peed myself"]
    assert sum("answered_not_triaged" in e["text"] for e in record["events"]) == 2
    assert any("911" in t["text"] for t in record["transcript"] if t["direction"] == "out")
    assert store.get_state(phone)["state"]["phase"] == "new"
    assert store.is_opted_out(stopping)  # a STOP is honoured all the same
    assert not [r for r in caplog.records if r.levelno == logging.CRITICAL]  # nothing lost
    assert sum("NOT TRIAGED" in r.getMessage() for r in caplog.records) == 3
    assert "leg is numb" not in caplog.text and phone not in caplog.text


def test_a_bug_in_a_step_still_gets_a_safe_reply(app, twilio, monkeypatch, caplog):
    import hotline.channels.sms as sms

    def broken(state, inbound, ctx):
        raise ValueError(f"cannot handle {inbound.text}")  # what a careless error message does

    monkeypatch.setattr(sms, "step", broken)
    phone = new_phone()
    with caplog.at_level(logging.ERROR):
        reply = twilio.sms(phone, "my private words")
    assert reply.status == 200 and "911" in reply.text
    assert "my private words" not in caplog.text and phone not in caplog.text
    assert "ValueError" in caplog.text


def test_healthz(client):
    assert client.get("/healthz").status_code == 200


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("body,expect", [
    ("", "empty"), ("   ", "empty"), ("x" * 1600, "YES or NO"), ("a" * 5000, "YES or NO"),
    ("😀😀😀", "YES or NO"), ("👍", "Call 911 now"), ("你好吗", "English or Spanish"),
    ("\x00\x01hello\x7f", "YES or NO"), ("<script>alert(1)</script>", "YES or NO"),
])
def test_bad_input_gets_a_clear_polite_answer(twilio, body, expect):
    phone = new_phone()
    twilio.sms(phone, "hello")
    reply = twilio.sms(phone, body)
    assert reply.status == 200
    assert expect in reply.text


def test_mms_without_text(twilio):
    phone = new_phone()
    twilio.sms(phone, "hello")
    reply = twilio.sms(phone, "", NumMedia="1", MediaUrl0="https://example.org/x.jpg",
                       MediaContentType0="image/jpeg")
    assert "pictures" in reply.text


@pytest.mark.parametrize("sender", [None, "", "not a number!", "+1 (555) <b>"])
def test_missing_or_malformed_from(twilio, sender):
    params = {"Body": "hello", "MessageSid": message_sid()}
    if sender is not None:
        params["From"] = sender
    response = twilio.post("/sms", params)
    assert response.status_code == 200
    assert "911" in "".join(texts_of(response.get_data(as_text=True)))


@pytest.mark.parametrize("raw,as_read,expect", [
    # Invalid percent-escapes reach the app as the literal text (werkzeug keeps them).
    (b"From=%2B15551230000&Body=caf%E9+%FF%FE&MessageSid=SMabc1",
     {"From": "+15551230000", "Body": "caf%E9 %FF%FE", "MessageSid": "SMabc1"}, "YES or NO"),
    # Raw non-UTF-8 bytes make the whole form unreadable: no From, so the safe reply.
    (b"From=%2B15551230000&Body=caf\xe9 \xff&MessageSid=SMabc2", {}, "911"),
])
def test_non_utf8_bytes(client, raw, as_read, expect):
    phone = "+15551230000"
    if as_read:
        TwilioWebhooks(client, AUTH_TOKEN).sms(phone, "hello")
    signature = sign(AUTH_TOKEN, "http://localhost/sms", as_read)
    response = client.post("/sms", data=raw, headers={
        "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert expect in "".join(texts_of(response.get_data(as_text=True)))
