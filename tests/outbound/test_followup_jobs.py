"""The send job and the sweeper, run in this process against the real Redis and the REST
stand-in: the cases that need no worker process (tests/test_followups_e2e.py has those)."""

from __future__ import annotations

import json
import time

import pytest

from hotline.dev.redis_provision import free_port
from hotline.outbound import followup_jobs
from hotline.store.due import DueIndex
from hotline.store.followups import FollowupStore
from hotline.store.keys import (
    DUE_KEY,
    conv_key,
    followups_key,
    last_key,
    log_key,
    state_key,
)
from tests.support.followups import followup, followup_app, followup_env, plan_followup, text
from tests.support.webhooks import new_phone


@pytest.fixture
def make_app(make_env, twilio_api):
    return lambda **overrides: followup_app(followup_env(make_env, twilio_api, **overrides))


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def svc(app):
    hotline = app.extensions["hotline"]
    return followup_jobs.make_services(hotline.settings, hotline)


def due_score(app, fid: str) -> float | None:
    return app.extensions["hotline"].redis.zscore(DUE_KEY, fid)


def test_sends_and_enters_the_checkin_with_a_version_bump(app, svc, twilio_api):
    phone = new_phone()
    fid = plan_followup(app, phone, "urgent")
    version, _ = svc.followups.phone_state(phone)

    assert followup_jobs.deliver(svc, fid) == "sent"

    [message] = twilio_api.messages
    assert message.body == text(app, "checkin.urgent")
    new_version, stored = svc.followups.phone_state(phone)
    assert new_version == version + 1
    assert stored["state"]["phase"] == "checkin" and stored["state"]["checkin_for"] == "urgent"
    ttl = app.extensions["hotline"].redis.ttl(state_key(phone))
    assert 0 < ttl <= app.extensions["hotline"].settings.session_ttl
    assert due_score(app, fid) is None
    assert followup_jobs.deliver(svc, fid) == "done"
    assert len(twilio_api.attempts) == 1


def test_the_text_sent_is_logged_in_one_compact_field_and_read_back_whole(app, svc):
    phone = new_phone()
    fid = plan_followup(app, phone, "urgent")
    assert followup_jobs.deliver(svc, fid) == "sent"

    hotline = app.extensions["hotline"]
    conv = fid.rsplit(":", 1)[0]
    [(_, entry)] = hotline.redis.xrange(log_key(conv))[-1:]
    assert list(entry) == ["e"]
    record = hotline.store.get_record(conv)
    said = record["transcript"][-1]
    assert (said["direction"], said["channel"], said["text"]) == (
        "out", "sms", text(app, "checkin.urgent"))
    assert said["at"] == record["followups"][0]["sent_at"]


def test_a_copy_that_runs_before_the_due_time_sends_nothing(make_app, twilio_api):
    app = make_app(HOTLINE_FOLLOWUP_SELF_CARE="1h")
    hotline = app.extensions["hotline"]
    fid = plan_followup(app, new_phone())
    svc = followup_jobs.make_services(hotline.settings, hotline)
    assert followup_jobs.deliver(svc, fid) == "early"
    assert twilio_api.attempts == [] and followup(app, fid)["status"] == "scheduled"


def test_a_second_run_leaves_a_send_in_flight_alone(app, svc, twilio_api):
    fid = plan_followup(app, new_phone())
    claim = svc.followups.claim(fid, followup_jobs.in_flight_window())
    assert claim.outcome == "claimed"

    assert followup_jobs.deliver(svc, fid) == "in_flight"

    assert twilio_api.attempts == []
    # The sweeper looks again only once the attempt can no longer be in flight.
    assert due_score(app, fid) == pytest.approx(
        claim.followup["attempt"]["at"] + followup_jobs.in_flight_window()
    )


def timed_out_send(app, twilio_api, monkeypatch):
    """A follow-up Twilio took after our timeout: its attempt has no result.
    Returns (services built under the short timeout, phone, follow-up id, the message)."""
    monkeypatch.setattr(followup_jobs, "SEND_TIMEOUT", 0.3)
    hotline = app.extensions["hotline"]
    svc = followup_jobs.make_services(hotline.settings, hotline)
    phone = new_phone()
    fid = plan_followup(app, phone)
    twilio_api.delay(1.0)  # answers after our timeout: Twilio took it, we never heard

    assert followup_jobs.deliver(svc, fid) == "unknown"
    assert followup(app, fid)["attempt"]
    [message] = twilio_api.wait_for(1)
    twilio_api.delay(0)
    return svc, phone, fid, message


def test_a_timeout_is_looked_up_in_twilios_list_and_never_resent_blindly(
    app, twilio_api, monkeypatch
):
    svc, phone, fid, message = timed_out_send(app, twilio_api, monkeypatch)

    later = time.time() + followup_jobs.in_flight_window() + 1
    assert followup_jobs.deliver(svc, fid, now=later) == "sent"
    fu = followup(app, fid)
    assert fu["status"] == "sent" and fu["confirmed"] is True and fu["sid"] == message.sid
    assert "attempt" not in fu and len(twilio_api.attempts) == 1
    assert [q.get("To") for q in twilio_api.lookups] == [phone]
    assert svc.followups.phone_state(phone)[1]["state"]["phase"] == "checkin"


def test_a_timeout_twilio_cannot_be_asked_about_is_settled_as_sent_unconfirmed(
    app, twilio_api, monkeypatch
):
    svc, phone, fid, _ = timed_out_send(app, twilio_api, monkeypatch)
    twilio_api.refuse_lookups()

    later = time.time() + followup_jobs.in_flight_window() + 1
    assert followup_jobs.deliver(svc, fid, now=later) == "unconfirmed"
    fu = followup(app, fid)
    assert fu["status"] == "sent" and fu["confirmed"] is False and "attempt" not in fu
    assert len(twilio_api.attempts) == 1
    assert svc.followups.phone_state(phone)[1]["state"]["phase"] == "checkin"


def test_an_attempt_twilio_never_saw_is_sent_once_after_the_lookup(app, svc, twilio_api):
    phone = new_phone()
    fid = plan_followup(app, phone)
    assert svc.followups.claim(fid, followup_jobs.in_flight_window()).outcome == "claimed"

    later = time.time() + followup_jobs.in_flight_window() + 1
    assert followup_jobs.deliver(svc, fid, now=later) == "sent"
    [message] = twilio_api.messages
    assert message.to == phone and followup(app, fid)["sid"] == message.sid
    assert followup_jobs.deliver(svc, fid, now=later) == "done"
    assert len(twilio_api.messages) == 1


def test_a_refused_connection_proves_nothing_went_out_and_is_retried(make_app, twilio_api):
    app = make_app(TWILIO_API_BASE_URL=f"http://127.0.0.1:{free_port()}")
    hotline = app.extensions["hotline"]
    svc = followup_jobs.make_services(hotline.settings, hotline)
    fid = plan_followup(app, new_phone())

    assert followup_jobs.deliver(svc, fid) == "retry"

    fu = followup(app, fid)
    assert fu["status"] == "scheduled" and "attempt" not in fu
    assert fu["last_error"]["http_status"] is None
    assert due_score(app, fid) > time.time()  # the backoff, in the due index


def test_a_claim_whose_text_cannot_be_built_is_given_back_untried(app, svc, twilio_api):
    phone = new_phone()
    fid = plan_followup(app, phone)
    redis = app.extensions["hotline"].redis
    version, stored = svc.followups.phone_state(phone)
    stored["state"]["disposition"] = "no-such-level"  # no check-in wording for it
    redis.set(state_key(phone), f"{version}|{json.dumps(stored)}")

    with pytest.raises(KeyError):
        followup_jobs.deliver(svc, fid)

    fu = followup(app, fid)
    assert fu["status"] == "scheduled" and "attempt" not in fu
    assert twilio_api.attempts == []


def test_retries_run_out_and_the_followup_fails(app, svc, twilio_api):
    fid = plan_followup(app, new_phone())
    twilio_api.fail_next(followup_jobs.max_send_attempts(), status=503)
    for _ in range(followup_jobs.max_send_attempts() - 1):
        assert followup_jobs.deliver(svc, fid) == "retry"

    assert followup_jobs.deliver(svc, fid) == "failed"

    fu = followup(app, fid)
    assert fu["status"] == "failed" and fu["error_code"] == 20503
    assert fu["attempts"] == followup_jobs.max_send_attempts()
    assert due_score(app, fid) is None
    assert twilio_api.messages == []


def test_a_text_arriving_mid_send_is_kept_and_the_checkin_still_begins(
    app, svc, twilio, twilio_api
):
    phone = new_phone()
    fid = plan_followup(app, phone)
    real_phone_state = svc.followups.phone_state
    calls = []

    def phone_state_with_a_text_in_between(number):
        read = real_phone_state(number)
        calls.append(number)
        if len(calls) == 1:  # read before the send; the person texts before it is recorded
            assert twilio.sms(phone, "thanks").status == 200
        return read

    svc.followups.phone_state = phone_state_with_a_text_in_between
    assert followup_jobs.deliver(svc, fid) == "sent"

    assert len(calls) == 2  # the recording was recomputed on the newer state
    version, stored = real_phone_state(phone)
    assert stored["state"]["phase"] == "checkin"
    store = app.extensions["hotline"].store
    texts = [t["text"] for t in store.get_record(stored["conv"])["transcript"]]
    assert texts[-1] == text(app, "checkin.self_care") and "thanks" in texts
    assert version == 3  # the finished turn, the "thanks" turn, the check-in


def test_a_newer_conversation_with_a_disposition_supersedes_the_followup(app, svc, twilio_api):
    phone = new_phone()
    fid = plan_followup(app, phone)
    redis = app.extensions["hotline"].redis
    redis.set(last_key(phone), "c0000000000000other")
    redis.hset(conv_key("c0000000000000other"), "disposition", "soon")

    assert followup_jobs.deliver(svc, fid) == "superseded"

    fu = followup(app, fid)
    assert fu["status"] == "cancelled" and fu["reason"] == "newer_conversation"
    assert twilio_api.attempts == [] and due_score(app, fid) is None


def test_a_purged_conversation_is_dropped_from_the_due_index(app, svc, twilio_api):
    fid = plan_followup(app, new_phone())
    app.extensions["hotline"].redis.delete(conv_key(fid.rsplit(":", 1)[0]))
    assert followup_jobs.deliver(svc, fid) == "missing"
    assert due_score(app, fid) is None and twilio_api.attempts == []


def test_no_status_callback_without_a_public_url(make_app, twilio_api):
    app = make_app(HOTLINE_PUBLIC_URL="")
    hotline = app.extensions["hotline"]
    fid = plan_followup(app, new_phone())
    assert (
        followup_jobs.deliver(followup_jobs.make_services(hotline.settings, hotline), fid) == "sent"
    )
    assert twilio_api.messages[0].status_callback is None


# --- the sweeper ----------------------------------------------------------------------------


def test_due_followups_are_taken_once_and_leased(app, twilio_api):
    hotline = app.extensions["hotline"]
    fids = [plan_followup(app, new_phone()) for _ in range(3)]
    due = DueIndex(hotline.redis, DUE_KEY)
    now = time.time() + 2

    assert sorted(due.take(now, lease=15, limit=10)) == sorted(fids)
    assert due.take(now, lease=15, limit=10) == []  # leased: another dispatcher skips them
    assert sorted(due.take(now + 16, lease=15, limit=2) + due.take(now + 16, 15, 2)) == sorted(
        fids
    )  # a dispatcher killed holding them: due again once the lease ends, a limit at a time


def test_a_batch_claim_forgets_settled_and_purged_followups(app, svc, twilio_api):
    hotline = app.extensions["hotline"]
    sent, purged, live = (plan_followup(app, new_phone()) for _ in range(3))
    assert followup_jobs.deliver(svc, sent) == "sent"
    hotline.redis.zadd(DUE_KEY, {sent: 1})  # a leftover entry
    conv = purged.rsplit(":", 1)[0]
    hotline.redis.delete(conv_key(conv), followups_key(conv))

    claims = svc.followups.claim_many([sent, purged, live], followup_jobs.in_flight_window(),
                                      time.time() + 2)

    assert {c.followup_id: c.outcome for c in claims} == {
        sent: "done", purged: "missing", live: "claimed"
    }
    assert hotline.redis.zrange(DUE_KEY, 0, -1) == [live]  # its attempt's window


def test_one_sweeper_per_interval(app):
    hotline = app.extensions["hotline"]
    store = FollowupStore(hotline.redis, hotline.settings)
    assert store.take_sweep_turn(5) is True
    assert store.take_sweep_turn(5) is False


def test_a_batch_still_runs_after_redis_lost_its_scripts(app, svc, twilio_api):
    fids = [plan_followup(app, new_phone()) for _ in range(2)]
    app.extensions["hotline"].redis.script_flush()  # as a restarted Redis would have

    claims = svc.followups.claim_many(fids, followup_jobs.in_flight_window(), time.time() + 2)

    assert [c.outcome for c in claims] == ["claimed", "claimed"]
