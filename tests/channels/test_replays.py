"""A captured signed webhook sent again, minutes or hours later, is answered as it was then and
changes nothing: not the question being asked, not an opt-out, not a pending check-in."""

from __future__ import annotations

import json

import redis

from hotline.store.keys import seen_key, state_key
from hotline.store.turns import REPLAY_MEMORY
from tests.conftest import AUTH_TOKEN
from tests.support.voice_caller import VoiceCaller
from tests.support.webhooks import TwilioWebhooks, message_sid, new_phone


def store_of(app):
    return app.extensions["hotline"].store


def log_length(app, phone: str) -> int:
    store = store_of(app)
    record = store.get_record(store.get_state(phone)["conv"])
    return len(record["transcript"]) + len(record["events"])


def test_an_old_message_replayed_after_many_others_changes_nothing(app, twilio):
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    captured = message_sid()
    first = twilio.sms(phone, "no", sid=captured)
    for _ in range(5):  # more webhooks than the state used to remember
        twilio.sms(phone, "no")
    store = store_of(app)
    raw_before = store.r.get(state_key(phone))
    length = log_length(app, phone)
    again = twilio.sms(phone, "no", sid=captured)
    assert again.texts == first.texts
    assert store.r.get(state_key(phone)) == raw_before  # not even the version moved
    assert log_length(app, phone) == length


def test_a_replayed_stop_after_start_does_not_opt_out_again(app, twilio):
    phone = new_phone()
    twilio.sms(phone, "hello")
    stop = message_sid()
    twilio.sms(phone, "STOP", sid=stop)
    twilio.sms(phone, "START")
    for _ in range(4):
        twilio.sms(phone, "no")
    assert not store_of(app).is_opted_out(phone)
    replayed = twilio.sms(phone, "STOP", sid=stop)
    assert "START" in replayed.text  # the answer it got then
    assert not store_of(app).is_opted_out(phone)


def test_a_replay_after_the_session_expired_does_not_start_over(app, twilio, monkeypatch):
    """A first message replayed after the state expired would start a conversation and cancel
    the pending check-in of the one before."""
    phone = new_phone()
    first_sid = message_sid()
    twilio.sms(phone, "my leg is numb", sid=first_sid)
    store = store_of(app)
    conv = store.get_state(phone)["conv"]
    store.r.delete(state_key(phone))  # what HOTLINE_SESSION_TTL does after a day
    replay = twilio.sms(phone, "my leg is numb", sid=first_sid)
    assert replay.status == 200 and replay.texts
    assert store.r.get(state_key(phone)) is None
    assert store.conversation_ids() == [conv]


def test_webhook_ids_are_remembered_for_48_hours(app, twilio):
    phone, sid = new_phone(), message_sid()
    twilio.sms(phone, "hello", sid=sid)
    ttl = store_of(app).r.ttl(seen_key(sid))
    assert REPLAY_MEMORY == 48 * 3600
    assert REPLAY_MEMORY - 60 < ttl <= REPLAY_MEMORY
    remembered = json.loads(store_of(app).r.get(seen_key(sid)))
    assert remembered[0] == store_of(app).get_state(phone)["conv"]


def test_a_turn_still_costs_two_round_trips(app, twilio, monkeypatch):
    """The replay memory rides on the MGET and the commit script: no round trip of its own."""
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    sent: list[bytes] = []
    original = redis.connection.Connection.send_packed_command

    def counted(self, command, check_health=True):
        packed = command if isinstance(command, bytes | str) else b"".join(command)
        sent.append(packed if isinstance(packed, bytes) else packed.encode())
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)
    twilio.sms(phone, "no")
    commands = [packet.split(b"\r\n")[2].decode().lower() for packet in sent]
    print("round trips for one turn:", commands)
    assert commands == ["mget", "evalsha"]


def test_a_replayed_gather_callback_later_in_the_call_changes_nothing(app):
    caller = VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN)).call()
    caller.press("2")
    url, params = caller.requests[-1]
    caller.press("2")
    caller.press("2")
    store = store_of(app)
    session = f"call:{caller.sid}"
    raw_before = store.r.get(state_key(session))
    caller._request(url, {"Digits": params["Digits"]})
    assert caller.listening  # the call goes on where it is: the replay is not an answer
    assert store.r.get(state_key(session)) == raw_before
    record = store.get_record(store.get_state(session)["conv"])
    assert [t["text"] for t in record["transcript"] if t["direction"] == "in"] == [
        "[keypad 2]"
    ] * 3


def test_a_gather_replayed_after_the_call_state_expired_says_goodbye_and_records_nothing(
    app, tmp_path
):
    caller = VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN)).call()
    caller.press("2")
    url, params = caller.requests[-1]
    store = store_of(app)
    session = f"call:{caller.sid}"
    conv = store.get_state(session)["conv"]
    length = len(store.get_record(conv)["transcript"])
    store.r.delete(state_key(session))
    caller._request(url, {"Digits": params["Digits"]})
    assert caller.hung_up
    assert len(store.get_record(conv)["transcript"]) == length
    assert store.conversation_ids() == [conv]
    spool = app.extensions["hotline"].settings.spool_dir
    assert not list(tmp_path.glob("spool/*")), spool
