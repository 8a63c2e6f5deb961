"""The safety net end to end: signed webhooks into the app, the real Redis, real RQ worker
processes (tests/support/workers.py, QuickWorker: sweeps every 0.3 s), Twilio's REST API played
by the local stand-in and the alert webhook by a local receiver that checks the signature.

Silence is shortened through the settings (nudge after 1 s, closed after 3 s). Where a test shows
that something was *not* sent, a control texter who gets the same thing later is waited for
first: one sweeper judges every watched texter in the same pass.
"""

from __future__ import annotations

import json
import time

import pytest
from rq import Worker

from hotline.store.keys import last_key
from hotline.store.safety_net import SafetyNetStore
from tests.conftest import AUTH_TOKEN
from tests.support.alert_webhook import AlertWebhookReceiver
from tests.support.followups import followup_app, followup_env
from tests.support.voice_caller import VoiceCaller
from tests.support.webhooks import TwilioWebhooks, new_phone
from tests.support.workers import wait_until

pytestmark = pytest.mark.slow

ONCALL = ("+15550007001", "+15550007002")
SECRET = "shared-webhook-secret"
OPENING = "my leg is numb"
NUDGE_MARK = "Reply to pick up where you left off."
CLOSED_MARK = "We closed this chat"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    # One per test: a request a test left stalled must not land in the next test's list.
    with AlertWebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def make_safety_env(make_env, twilio_api, receiver):
    def make(**overrides: str) -> dict[str, str]:
        return followup_env(
            make_env,
            twilio_api,
            **{
                "HOTLINE_FOLLOWUP_SELF_CARE": "off",
                "HOTLINE_FOLLOWUP_SOON": "off",
                "HOTLINE_FOLLOWUP_URGENT": "off",
                "HOTLINE_NUDGE_AFTER": "1s",
                "HOTLINE_NO_REPLY_AFTER": "3s",
                "HOTLINE_ONCALL_NUMBERS": ",".join(ONCALL),
                "HOTLINE_ALERT_WEBHOOK_URL": receiver.url,
                "HOTLINE_ALERT_WEBHOOK_SECRET": SECRET,
                **overrides,
            },
        )

    return make


@pytest.fixture
def env(make_safety_env):
    return make_safety_env()


@pytest.fixture
def app(env):
    return followup_app(env)


@pytest.fixture
def twilio(app):
    return TwilioWebhooks(app.test_client(), AUTH_TOKEN)


# --- helpers --------------------------------------------------------------------------------


def store(app):
    return app.extensions["hotline"].store


def record_of(app, phone: str) -> dict:
    conv_id = store(app).r.get(last_key(phone))
    return store(app).get_record(conv_id)


def to(twilio_api, number: str) -> list:
    return [m for m in twilio_api.messages if m.to == number]


def texts_to(twilio_api, number: str, count: int, timeout: float = 20.0) -> list:
    return wait_until(
        lambda: len(got := to(twilio_api, number)) >= count and got,
        timeout=timeout,
        what=f"{count} text(s) to {number}",
    )


def answer_until_done(app, twilio, phone: str, answers: dict, opening: str = OPENING) -> None:
    twilio.sms(phone, opening)
    for _ in range(30):
        state = store(app).get_state(phone)["state"]
        if state["question"] is None:
            return
        twilio.sms(phone, answers.get(state["question"], "no"))
    raise AssertionError("the questions never ended")


def all_sent(alerts: list[dict]) -> list[dict] | None:
    return alerts if alerts and all(a["status"] == "sent" for a in alerts) else None


def tasks_of(app, conv_id: str) -> list[dict]:
    hotline = app.extensions["hotline"]
    return SafetyNetStore(hotline.redis, hotline.settings).tasks(conv_id)


# --- silence: the nudge, then the safety net ------------------------------------------------


def test_a_texter_who_goes_quiet_is_nudged_then_closed_with_the_safety_net(
    app, twilio, twilio_api, workers
):
    phone = new_phone()
    first = twilio.sms(phone, OPENING)
    assert first.status == 200
    first_question = store(app).get_state(phone)["state"]["question"]
    workers.start()

    nudge, closing = texts_to(twilio_api, phone, 2)
    record = wait_until(  # recorded just after Twilio took it
        lambda: (r := record_of(app, phone))["transcript"][-1]["text"] == closing.body and r,
        what="the closing text in the transcript",
    )
    assert NUDGE_MARK in nudge.body and "Call 911 now" in nudge.body
    assert "loss of bladder or bowel control" in nudge.body  # not yet ruled out
    assert CLOSED_MARK in closing.body and "Call 911 now" in closing.body
    assert "Text us any time to start again." in closing.body
    assert record["status"] == "no_reply"
    assert record["stopped_at"] == first_question
    assert store(app).get_state(phone) is None  # a later text starts afresh
    assert [t["text"] for t in record["transcript"][-2:]] == [nudge.body, closing.body]
    assert {"type": "no_reply", "stopped_at": first_question} in [
        json.loads(e["text"]) for e in record["events"]
    ]

    time.sleep(1.5)  # longer than the nudge delay: a closed conversation gets nothing more
    assert len(to(twilio_api, phone)) == 2

    again = twilio.sms(phone, OPENING)
    assert "This is automated advice" in again.text  # the greeting: a new conversation
    assert record_of(app, phone)["id"] != record["id"]
    assert record_of(app, phone)["status"] == "active"


def test_signs_already_ruled_out_are_not_named_again(app, twilio, twilio_api, workers):
    phone = new_phone()
    twilio.sms(phone, OPENING)
    twilio.sms(phone, "no")  # bladder and bowels ruled out
    workers.start()
    nudge, closing = texts_to(twilio_api, phone, 2)
    for text in (nudge.body, closing.body):
        assert "bladder" not in text
        assert "numb groin or buttocks" in text


def test_a_reply_after_the_nudge_goes_on_where_it_left_off(
    make_safety_env, make_workers, twilio_api
):
    env = make_safety_env(HOTLINE_NO_REPLY_AFTER="1h")
    app = followup_app(env)
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    twilio.sms(phone, OPENING)
    asked = store(app).get_state(phone)["state"]["question"]
    make_workers(env).start()
    [nudge] = texts_to(twilio_api, phone, 1)
    assert NUDGE_MARK in nudge.body

    reply = twilio.sms(phone, "no")
    state = store(app).get_state(phone)["state"]
    assert state["answers"][asked] == "no"  # the reply answered the pending question
    assert state["question"] != asked and reply.texts  # and the next one is asked
    assert record_of(app, phone)["status"] == "active"

    # A new silence, a new nudge: one per silence, never two in a row.
    [_, second] = texts_to(twilio_api, phone, 2)
    assert NUDGE_MARK in second.body
    time.sleep(2.0)
    assert len(to(twilio_api, phone)) == 2


def test_a_finished_or_opted_out_conversation_gets_neither(app, twilio, twilio_api, workers):
    finished, opted_out, control = new_phone(), new_phone(), new_phone()
    answer_until_done(app, twilio, finished, {"duration": "3 weeks"})
    assert record_of(app, finished)["disposition"] == "soon"
    twilio.sms(opted_out, OPENING)
    assert "no more texts" in twilio.sms(opted_out, "STOP").text
    twilio.sms(control, OPENING)
    workers.start()

    texts_to(twilio_api, control, 2)  # the control was nudged and closed
    time.sleep(1.0)  # one more sweep for good measure
    assert to(twilio_api, finished) == [] and to(twilio_api, opted_out) == []
    assert record_of(app, finished)["status"] == "completed"
    assert record_of(app, opted_out)["status"] == "opted_out"


def test_nudges_can_be_turned_off(make_safety_env, make_workers, twilio_api):
    env = make_safety_env(HOTLINE_NUDGE_AFTER="off", HOTLINE_NO_REPLY_AFTER="1s")
    app = followup_app(env)
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    twilio.sms(phone, OPENING)
    make_workers(env).start()
    [closing] = texts_to(twilio_api, phone, 1)
    assert CLOSED_MARK in closing.body
    time.sleep(1.0)
    assert len(to(twilio_api, phone)) == 1


def test_a_caller_who_hangs_up_mid_triage_gets_the_safety_net_text(app, twilio_api, workers):
    caller = VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN)).call()
    caller.press("2")  # no to the first red flag
    assert caller.hang_up() == 204
    workers.start()
    [closing] = texts_to(twilio_api, caller.phone, 1)
    record = record_of(app, caller.phone)
    assert record["channel"] == "voice" and record["status"] == "no_reply"
    assert record["stopped_at"] == "saddle_numbness"
    assert CLOSED_MARK in closing.body and "bladder" not in closing.body  # the same wording
    wait_until(  # recorded just after Twilio took it
        lambda: record_of(app, caller.phone)["transcript"][-1]["text"] == closing.body,
        what="the closing text in the transcript",
    )


# --- on-call alerts -------------------------------------------------------------------------


def test_an_emergency_text_alerts_each_oncall_number_and_the_webhook_once(
    app, twilio, twilio_api, receiver, workers
):
    workers.start()
    rq = app.extensions["hotline"].rq_redis
    wait_until(lambda: Worker.all(connection=rq), what="the worker waiting on the queue")
    time.sleep(0.3)
    phone = new_phone()
    sent_at = time.time()
    reply = twilio.sms(phone, "I can't control my bladder since this morning")
    answered_at = time.time()
    assert "emergency" in reply.text.lower()

    alerts = [texts_to(twilio_api, number, 1)[0] for number in ONCALL]
    [delivery] = receiver.wait_for(1)
    record = record_of(app, phone)
    lag = [(m.date_created.timestamp() - answered_at) * 1000 for m in alerts]
    print(
        f"\non-call text at Twilio's API {lag[0]:.0f} / {lag[1]:.0f} ms after the emergency "
        f"reply left the webhook ({(answered_at - sent_at) * 1000:.0f} ms for the webhook); "
        f"webhook {(delivery.at - answered_at) * 1000:.0f} ms"
    )

    for message in alerts:
        assert "EMERGENCY" in message.body and "loss of bladder or bowel control" in message.body
        assert phone[-4:] in message.body and phone not in message.body
        assert "bladder since this morning" not in message.body  # never their words
        assert f"/staff/conversations/{record['id']}" in message.body
    assert delivery.signature_ok
    assert delivery.alert_id == delivery.payload["id"]
    assert delivery.payload == {
        "id": delivery.alert_id,
        "conversation_id": record["id"],
        "level": "emergency",
        "red_flags": ["bladder_bowel"],
        "channel": "sms",
        "language": "en",
        "phone_last4": phone[-4:],
        "url": f"http://localhost/staff/conversations/{record['id']}",
        "at": delivery.payload["at"],
    }
    alerts_seen = wait_until(
        lambda: all_sent(record_of(app, phone)["alerts"]), what="every alert recorded as sent"
    )
    assert sorted(a["to"] for a in alerts_seen) == sorted(
        ["…" + n[-4:] for n in ONCALL] + ["webhook"]
    )
    assert {a["level"] for a in alerts_seen} == {"emergency"}

    # The texter writes again after the advice: no second alert for the same level.
    twilio.sms(phone, "ok thanks")
    time.sleep(1.0)
    assert len(twilio_api.messages) == 2 + 0  # two on-call texts, nothing else
    assert len(receiver.deliveries) == 1


def test_urgent_alerts_and_soon_or_self_care_alert_nobody(
    app, twilio, twilio_api, receiver, workers
):
    soon, self_care, urgent = new_phone(), new_phone(), new_phone()
    answer_until_done(app, twilio, soon, {"duration": "3 weeks"})
    answer_until_done(app, twilio, self_care, {"duration": "20 minutes", "pressure_cause": "yes"})
    answer_until_done(app, twilio, urgent, {"weakness": "yes"})
    assert record_of(app, urgent)["disposition"] == "urgent"
    workers.start()

    [delivery] = receiver.wait_for(1)
    for number in ONCALL:
        [message] = texts_to(twilio_api, number, 1)
        assert "URGENT" in message.body and "leg weakness" in message.body
    assert delivery.payload["level"] == "urgent"
    assert delivery.payload["conversation_id"] == record_of(app, urgent)["id"]
    time.sleep(0.5)
    assert record_of(app, soon)["alerts"] == [] and record_of(app, self_care)["alerts"] == []
    assert len(receiver.deliveries) == 1 and len(twilio_api.messages) == 2


def test_an_emergency_by_phone_alerts_too(app, twilio_api, receiver, workers):
    workers.start()
    caller = VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN)).call()
    caller.press("1")  # yes: lost bladder or bowel control
    [delivery] = receiver.wait_for(1)
    assert delivery.payload["channel"] == "voice" and delivery.payload["level"] == "emergency"
    for number in ONCALL:
        texts_to(twilio_api, number, 1)
    caller.hang_up()
    time.sleep(0.5)
    assert len(receiver.deliveries) == 1  # the hang-up after the advice adds no second alert
    assert len([m for m in twilio_api.messages if m.to in ONCALL]) == 2


def test_an_opted_out_texter_reporting_an_emergency_still_alerts(
    app, twilio, twilio_api, receiver, workers
):
    phone = new_phone()
    twilio.sms(phone, OPENING)
    twilio.sms(phone, "STOP")
    reply = twilio.sms(phone, "now I lost control of my bowels")
    assert reply.status == 200 and reply.texts == []  # nothing to the texter
    workers.start()
    [delivery] = receiver.wait_for(1)
    assert delivery.payload["level"] == "emergency"
    assert delivery.payload["red_flags"] == ["bladder_bowel"]
    for number in ONCALL:
        texts_to(twilio_api, number, 1)
    time.sleep(0.5)
    assert to(twilio_api, phone) == []


def test_a_failing_webhook_is_retried_with_the_same_alert_id(
    app, twilio, twilio_api, receiver, workers
):
    receiver.fail_next(2)
    workers.start()
    phone = new_phone()
    twilio.sms(phone, "my leg went cold and pale")
    [accepted] = receiver.wait_for(1)
    assert [d.answered for d in receiver.deliveries] == [500, 500, 200]
    assert {d.alert_id for d in receiver.deliveries} == {accepted.alert_id}
    assert {d.body for d in receiver.deliveries} == {accepted.body}  # the same body, same at
    assert all(d.signature_ok for d in receiver.deliveries)
    webhook = wait_until(
        lambda: next(
            (
                a
                for a in record_of(app, phone)["alerts"]
                if a["to"] == "webhook" and a["status"] == "sent"
            ),
            None,
        ),
        what="the webhook alert recorded as sent",
    )
    assert webhook["attempts"] == 3


def test_a_webhook_that_keeps_failing_is_marked_failed_for_staff(
    app, twilio, twilio_api, receiver, workers
):
    receiver.fail_always(503)
    workers.start()
    phone = new_phone()
    twilio.sms(phone, "I fell off a ladder and now my leg is numb")
    webhook = wait_until(
        lambda: next(
            (
                a
                for a in record_of(app, phone)["alerts"]
                if a["to"] == "webhook" and a["status"] == "failed"
            ),
            None,
        ),
        timeout=30,
        what="the webhook alert marked failed",
    )
    assert webhook["attempts"] == 8  # the first call and seven retries (QuickWorker backoff)
    assert len(receiver.deliveries) == 8
    assert {d.alert_id for d in receiver.deliveries} == {
        f"{record_of(app, phone)['id']}:alert-emergency-webhook"
    }
    texts = [a for a in record_of(app, phone)["alerts"] if a["to"] != "webhook"]
    assert [a["status"] for a in texts] == ["sent", "sent"]  # the texts went out regardless


def test_a_webhook_timeout_is_retried(app, twilio, twilio_api, receiver, workers):
    receiver.stall(4.0)  # longer than the worker waits (QuickWorker: 3 s)
    workers.start()
    phone = new_phone()
    twilio.sms(phone, "my leg went cold and pale")
    wait_until(lambda: len(receiver.deliveries) >= 1, timeout=15, what="the first call")
    receiver.stall(0)
    [accepted] = receiver.wait_for(1, timeout=20)
    assert len({d.alert_id for d in receiver.deliveries}) == 1


# --- exactly once under worker kills --------------------------------------------------------


def test_alerts_and_nudges_go_out_once_when_workers_are_killed(
    app, twilio, twilio_api, receiver, workers
):
    twilio_api.delay(1.5)  # each text is held by the stand-in: the kill lands mid-send
    quiet, emergency = new_phone(), new_phone()
    twilio.sms(quiet, OPENING)
    twilio.sms(emergency, "I lost control of my bladder")
    first = workers.start()
    # Killed while the stand-in holds a request: that send's outcome is unknown to the worker.
    wait_until(lambda: twilio_api.held >= 1, what="a send to be held by the stand-in")
    first.kill()
    twilio_api.delay(0)
    workers.start()
    workers.start()

    for number in ONCALL:
        texts_to(twilio_api, number, 1, timeout=30)
    texts_to(twilio_api, quiet, 2, timeout=30)  # nudge and closing text
    receiver.wait_for(1, timeout=30)

    def settled() -> bool:
        tasks = tasks_of(app, record_of(app, emergency)["id"])
        tasks += tasks_of(app, record_of(app, quiet)["id"])
        return len(tasks) == 5 and all(t["status"] == "sent" for t in tasks)

    # A text cut off by the kill is settled once it can no longer be in flight (4 s here).
    wait_until(settled, timeout=30, what="every task settled as sent")
    time.sleep(1.0)  # more sweeps after that: nothing is sent again
    assert sorted(m.to for m in twilio_api.messages) == sorted([*ONCALL, quiet, quiet])
    # A webhook call whose answer died with its worker is made again, with the same alert id
    # and body: the receiver deduplicates, so the alert reaches the pager once.
    assert len({(d.alert_id, d.body) for d in receiver.accepted()}) == 1


def test_a_stale_scheduler_lock_does_not_hold_the_safety_net_back(
    app, twilio, twilio_api, receiver, workers
):
    # rq/rq#1758: the killed worker's scheduler lock outlives it; the sweeper does the work.
    rq = app.extensions["hotline"].rq_redis
    workers.start()
    wait_until(lambda: rq.get("rq:scheduler-lock:hotline"), what="the scheduler lock")
    workers.started[0].kill()
    receiver.fail_next(1)  # the webhook's retry is due through RQ's (stuck) scheduler
    phone, quiet = new_phone(), new_phone()
    twilio.sms(phone, "my leg is suddenly numb and my face is drooping")
    twilio.sms(quiet, OPENING)
    workers.start()
    receiver.wait_for(1, timeout=30)
    texts_to(twilio_api, quiet, 2, timeout=30)
    assert rq.get("rq:scheduler-lock:hotline") is not None  # still the dead worker's


# --- a send whose worker died: Twilio's message list says whether it went out ------------------


def alert_text_task(app, twilio, number: str) -> tuple:
    """An emergency's on-call text to `number`, planned and not yet sent (no worker runs)."""
    from hotline.outbound import alerts, followup_jobs, safety_net

    hotline = app.extensions["hotline"]
    phone = new_phone()
    twilio.sms(phone, "I lost control of my bladder")
    conv_id = record_of(app, phone)["id"]
    [task] = [t for t in tasks_of(app, conv_id) if t["kind"] == "alert_text" and t["to"] == number]
    ctx = safety_net.Context(
        followup_jobs.make_services(hotline.settings, hotline),
        SafetyNetStore(hotline.redis, hotline.settings),
    )
    return ctx, task["id"], conv_id, alerts.alert_body


def a_worker_dies_mid_send(ctx, task_id: str, build, reached_twilio: bool) -> None:
    """What a SIGKILLed worker leaves: the claim's attempt, and the text at Twilio or not."""
    from hotline.outbound import followup_jobs

    claim = ctx.store.claim(task_id, followup_jobs.in_flight_window())
    assert claim.outcome == "claimed"
    if reached_twilio:
        ctx.svc.sender.send(claim.to, build(ctx, claim))


def after_the_window() -> float:
    from hotline.outbound import followup_jobs

    return time.time() + followup_jobs.in_flight_window() + 1


def task_in(app, conv_id: str, task_id: str) -> dict:
    return next(t for t in tasks_of(app, conv_id) if t["id"] == task_id)


def test_an_alert_text_that_reached_twilio_before_its_worker_died_is_found_not_resent(
    app, twilio, twilio_api
):
    from hotline.outbound import safety_net

    ctx, tid, conv_id, build = alert_text_task(app, twilio, ONCALL[0])
    a_worker_dies_mid_send(ctx, tid, build, reached_twilio=True)
    [sent] = to(twilio_api, ONCALL[0])

    assert safety_net.deliver_text(ctx, tid, build, now=after_the_window()) == "sent"
    assert to(twilio_api, ONCALL[0]) == [sent]  # not sent twice
    assert twilio_api.lookups[-1]["To"] == ONCALL[0]
    task = task_in(app, conv_id, tid)
    assert task["status"] == "sent" and task["sid"] == sent.sid


def test_an_alert_text_that_never_reached_twilio_is_sent_once_after_all(app, twilio, twilio_api):
    from hotline.outbound import safety_net

    ctx, tid, conv_id, build = alert_text_task(app, twilio, ONCALL[1])
    a_worker_dies_mid_send(ctx, tid, build, reached_twilio=False)
    assert to(twilio_api, ONCALL[1]) == []

    assert safety_net.deliver_text(ctx, tid, build, now=after_the_window()) == "sent"
    [sent] = to(twilio_api, ONCALL[1])
    assert "EMERGENCY" in sent.body
    task = task_in(app, conv_id, tid)
    assert task["status"] == "sent" and task["sid"] == sent.sid
    # a later run finds it settled
    assert safety_net.deliver_text(ctx, tid, build, now=after_the_window()) == "done"
    assert len(to(twilio_api, ONCALL[1])) == 1


def test_when_twilio_cannot_be_asked_the_text_is_settled_as_unconfirmed(app, twilio, twilio_api):
    from hotline.outbound import safety_net

    ctx, tid, conv_id, build = alert_text_task(app, twilio, ONCALL[0])
    a_worker_dies_mid_send(ctx, tid, build, reached_twilio=True)
    twilio_api.refuse_lookups()

    assert safety_net.deliver_text(ctx, tid, build, now=after_the_window()) == "unconfirmed"
    assert len(to(twilio_api, ONCALL[0])) == 1
    assert task_in(app, conv_id, tid)["status"] == "sent"


def test_a_retryable_twilio_error_on_a_safety_net_text_is_retried_and_sent_once(
    app, twilio, twilio_api, workers
):
    twilio_api.fail_next(1, status=500)
    phone = new_phone()
    twilio.sms(phone, "I lost control of my bladder")
    workers.start()
    for number in ONCALL:
        texts_to(twilio_api, number, 1, timeout=30)
    time.sleep(1.0)  # more sweeps: nothing is sent again
    assert sorted(m.to for m in twilio_api.messages) == sorted(ONCALL)
    texts = [t for t in tasks_of(app, record_of(app, phone)["id"]) if t["kind"] == "alert_text"]
    retried = [t for t in texts if (t.get("last_error") or {}).get("http_status") == 500]
    assert len(retried) == 1 and retried[0]["status"] == "sent"  # Twilio's 500, then sent
