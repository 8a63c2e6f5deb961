"""The sweeper's judgement of silences, on a real Redis without workers (the jobs it hands to RQ
wait in the queue): when to nudge, once per silence, when to close, when to let go."""

from __future__ import annotations

import time

import pytest

from hotline.outbound import nudges
from hotline.store.keys import last_key
from hotline.store.safety_net import SILENCE_KEY, SafetyNetStore
from tests.conftest import AUTH_TOKEN
from tests.support.webhooks import TwilioWebhooks, new_phone


@pytest.fixture
def app(make_app):
    return make_app(HOTLINE_NUDGE_AFTER="10m", HOTLINE_NO_REPLY_AFTER="1h")


@pytest.fixture
def twilio(app):
    return TwilioWebhooks(app.test_client(), AUTH_TOKEN)


def kinds(app, phone: str) -> list[str]:
    hotline = app.extensions["hotline"]
    conv_id = hotline.redis.get(last_key(phone))
    return [t["kind"] for t in SafetyNetStore(hotline.redis, hotline.settings).tasks(conv_id)]


def test_one_nudge_per_silence_then_the_close(app, twilio):
    hotline = app.extensions["hotline"]
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    start = time.time()
    assert nudges.sweep_silence(hotline, now=start + 60) == 0  # too soon: nothing
    assert nudges.sweep_silence(hotline, now=start + 11 * 60) == 1
    assert nudges.sweep_silence(hotline, now=start + 12 * 60) == 0  # the same silence
    assert kinds(app, phone) == ["nudge"]
    # Looked at again soon after the nudge (a reply would start a new silence), not only at
    # the close.
    assert hotline.redis.zscore(SILENCE_KEY, phone) <= start + 12 * 60 + 60
    assert nudges.sweep_silence(hotline, now=start + 61 * 60) == 1
    assert kinds(app, phone) == ["nudge", "noreply"]
    assert hotline.redis.zscore(SILENCE_KEY, phone) is None
    assert hotline.store.get_record(hotline.store.conversation_ids(0, 0)[0])["status"] == (
        "no_reply"
    )


def test_every_due_texter_is_judged_whatever_the_batch_size(app, twilio):
    hotline = app.extensions["hotline"]
    phones = [new_phone() for _ in range(5)]
    for phone in phones:
        twilio.sms(phone, "my leg is numb")
    assert nudges.sweep_silence(hotline, now=time.time() + 2 * 3600, limit=2) == 5
    statuses = {hotline.store.get_record(c)["status"] for c in hotline.store.conversation_ids()}
    assert statuses == {"no_reply"}


def test_a_finished_or_stopped_texter_leaves_the_index_in_that_turn(app, twilio):
    hotline = app.extensions["hotline"]
    finished, stopped, asking = new_phone(), new_phone(), new_phone()
    for phone in (finished, stopped, asking):
        twilio.sms(phone, "my leg is numb")
    assert hotline.redis.zcard(SILENCE_KEY) == 3
    twilio.sms(finished, "yes")  # bladder or bowels: the emergency advice, finished
    twilio.sms(stopped, "STOP")
    twilio.sms(asking, "no")  # still being asked: still watched
    assert hotline.redis.zrange(SILENCE_KEY, 0, -1) == [asking]


def test_a_finished_or_stopped_texter_still_watched_is_let_go(app, twilio):
    # An entry the finishing turn did not drop (written before that turn's commit did, or
    # put back by a sweep that raced it) is dropped by the sweeper.
    hotline = app.extensions["hotline"]
    finished, stopped = new_phone(), new_phone()
    twilio.sms(finished, "my leg is numb")
    twilio.sms(finished, "yes")
    twilio.sms(stopped, "my leg is numb")
    twilio.sms(stopped, "STOP")
    hotline.redis.zadd(SILENCE_KEY, {finished: time.time(), stopped: time.time()})
    assert nudges.sweep_silence(hotline, now=time.time() + 2 * 3600) == 0
    assert hotline.redis.zcard(SILENCE_KEY) == 0


@pytest.mark.parametrize(
    ("phase", "effects", "watched", "dropped"),
    [
        ("asking", ["new_conversation"], True, False),
        ("asking", [], False, False),  # watched already, since the turn that began asking
        ("asking", ["opt_out", "cancel_followups"], False, True),  # STOP mid-questions
        ("finished", ["finished", "schedule_followup"], False, True),
        ("asking", ["opt_in"], True, False),  # START asks again
        ("finished", [], False, False),  # "thanks" after the advice: nothing to change
    ],
)
def test_which_turns_watch_a_texter_and_which_drop_them(phase, effects, watched, dropped):
    class Settings:
        nudge_after, no_reply_after = 600.0, 3600.0

    state = {"phase": phase}
    kinds = [{"type": kind} for kind in effects]
    assert (nudges.silence_check_at(Settings, state, kinds, now=0.0) == 600.0) is watched
    assert nudges.ends_silence_watch(state, kinds) is dropped
