"""Follow-up texts end to end: a finished SMS conversation, real worker processes (started
and SIGKILLed here), the real Redis, and Twilio's REST API played by a local HTTP stand-in.

Follow-ups are due 1 s after the advice and the workers' timing is shortened
(tests/support/workers.py, QuickWorker). Where a test shows that something was *not* sent, a
control conversation finished later is sent first: the dispatcher takes due follow-ups oldest
first and claims a batch before sending any of it, so by the time the control's text arrives
the other one's claim has run.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from hotline.outbound import followup_jobs, followups
from hotline.settings import Settings
from hotline.store.keys import DUE_KEY, optout_key, state_key
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.support.followups import (
    FROM_NUMBER,
    PUBLIC_URL,
    followup,
    followup_app,
    followup_env,
    plan_followup,
    services,
    settled,
    text,
)
from tests.support.webhooks import TwilioWebhooks, new_phone
from tests.support.workers import QuickWorker, wait_until

pytestmark = pytest.mark.slow

LEVELS = ("self_care", "soon", "urgent")

# Answers by question key that lead to each disposition; any other question gets "no".
ANSWERS = {
    "emergency": {"bladder_bowel": "yes"},
    "urgent": {"weakness": "yes"},
    "soon": {"duration": "3 weeks"},
    "self_care": {"duration": "20 minutes", "pressure_cause": "yes"},
}
ANSWERS_ES = {"self_care": {"duration": "20 minutos", "pressure_cause": "sí"}}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def make_followup_env(make_env, twilio_api):
    return lambda **overrides: followup_env(make_env, twilio_api, **overrides)


@pytest.fixture
def env(make_followup_env):
    return make_followup_env()


@pytest.fixture
def app(env):
    return followup_app(env)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    # The web process enqueues with RQ's Retry; give it the test workers' backoff.
    monkeypatch.setattr(followup_jobs, "RETRY_BACKOFF", QuickWorker.retry_backoff)


# --- helpers --------------------------------------------------------------------------------


def finish(
    app,
    twilio,
    phone: str,
    disposition: str,
    opening: str = "my leg is numb",
    answers: dict | None = None,
) -> None:
    """Text the hotline until it gives its advice."""
    answers = ANSWERS[disposition] if answers is None else answers
    twilio.sms(phone, opening)
    for _ in range(30):
        stored = app.extensions["hotline"].store.get_state(phone)
        key = stored["state"]["question"]
        if key is None:
            break
        twilio.sms(phone, answers.get(key, "no"))
    assert record_of(app, phone)["disposition"] == disposition


def record_of(app, phone: str) -> dict:
    store = app.extensions["hotline"].store
    return store.get_record(store.get_state(phone)["conv"])


def followup_ids(app, phone: str) -> list[str]:
    """The phone's follow-up ids, in due order (the record leaves ids in)."""
    return [fu["id"] for fu in record_of(app, phone)["followups"]]


def stand_in_is_holding_a_request() -> bool:
    # The REST stand-in serves each request on a thread of this process (socketserver).
    return any("process_request_thread" in t.name for t in threading.enumerate())


def callback_url(fid: str) -> str:
    return f"{PUBLIC_URL}/sms/status?{urlencode({'followup': fid})}"


# --- sending --------------------------------------------------------------------------------


def test_one_checkin_per_disposition_with_its_wording(app, twilio, twilio_api, workers):
    phones = {level: new_phone() for level in ("emergency", *LEVELS)}
    for level, phone in phones.items():
        finish(app, twilio, phone, level)
    assert record_of(app, phones["emergency"])["followups"] == []

    workers.start()
    messages = twilio_api.wait_for(3, timeout=20)

    assert sorted(m.to for m in messages) == sorted(phones[level] for level in LEVELS)
    for level in LEVELS:
        phone = phones[level]
        [fid] = followup_ids(app, phone)
        [message] = [m for m in messages if m.to == phone]
        assert message.body == text(app, f"checkin.{level}")
        assert message.from_ == FROM_NUMBER
        assert message.status_callback == callback_url(fid)
        fu = settled(app, fid)
        assert fu["sid"] == message.sid and fu["confirmed"] is True
        record = record_of(app, phone)
        [shown] = record["followups"]
        assert shown["status"] == "sent" and shown["sent_at"] and shown["reply"] is None
        assert record["transcript"][-1] == {
            "at": fu["sent_at"],
            "direction": "out",
            "text": message.body,
            "channel": "sms",
        }
        state = app.extensions["hotline"].store.get_state(phone)["state"]
        assert state["phase"] == "checkin" and state["checkin_for"] == level
    assert app.extensions["hotline"].redis.zcard(DUE_KEY) == 0
    hotline = app.extensions["hotline"]
    booked = ScheduledJobRegistry(followups.QUEUE_NAME, connection=hotline.rq_redis).get_job_ids()
    assert [j for j in booked if j.startswith("hotline-purge-")]  # the worker booked retention


def test_no_checkin_after_stop(app, twilio, twilio_api, workers):
    stopped, control = new_phone(), new_phone()
    finish(app, twilio, stopped, "self_care")
    [fid] = followup_ids(app, stopped)
    assert "no more texts" in twilio.sms(stopped, "STOP").text
    finish(app, twilio, control, "self_care")

    workers.start()
    twilio_api.wait_for(1)
    settled(app, followup_ids(app, control)[0])

    assert [m.to for m in twilio_api.messages] == [control]
    assert followup(app, fid)["status"] == "cancelled"
    assert record_of(app, stopped)["status"] == "opted_out"


def test_opt_out_is_checked_again_at_send_time(app, twilio, twilio_api, workers):
    phone, control = new_phone(), new_phone()
    finish(app, twilio, phone, "urgent")
    [fid] = followup_ids(app, phone)
    # An opt-out that cancelled nothing (say Twilio's 21610 on another message).
    app.extensions["hotline"].redis.set(optout_key(phone), time.time())
    finish(app, twilio, control, "urgent")

    workers.start()
    twilio_api.wait_for(1)
    settled(app, followup_ids(app, control)[0])

    assert [m.to for m in twilio_api.messages] == [control]
    fu = followup(app, fid)
    assert fu["status"] == "cancelled" and fu["reason"] == "opted_out"


def test_quiet_hours_hold_the_checkin_until_the_window_ends(
    make_followup_env, make_workers, twilio_api
):
    zone = "America/New_York"
    now = datetime.now(UTC).astimezone(Settings.from_env({"HOTLINE_TIMEZONE": zone}).timezone)
    end = (now + timedelta(minutes=1 if now.second < 40 else 2)).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=10)
    env = make_followup_env(HOTLINE_QUIET_HOURS=f"{start:%H:%M}-{end:%H:%M}", HOTLINE_TIMEZONE=zone)
    app = followup_app(env)
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    finish(app, twilio, phone, "self_care")
    [fid] = followup_ids(app, phone)
    assert followup(app, fid)["due_ts"] == end.timestamp()

    make_workers(env).start()
    [message] = twilio_api.wait_for(1, timeout=150)

    assert message.to == phone
    assert message.date_created >= end.astimezone(UTC)
    assert settled(app, fid)["sent_at"] >= end.astimezone(UTC).isoformat()[:19]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_twilio_error_then_success_sends_once(app, twilio, twilio_api, workers, status):
    twilio_api.fail_next(1, status=status)
    phone = new_phone()
    finish(app, twilio, phone, "soon")
    [fid] = followup_ids(app, phone)

    workers.start()
    [message] = twilio_api.wait_for(1, timeout=20)
    fu = settled(app, fid)

    assert message.to == phone and fu["sid"] == message.sid
    assert [a["To"] for a in twilio_api.attempts] == [phone, phone]
    assert fu["attempts"] == 2 and fu["last_error"]["http_status"] == status
    # Any late copy of the job (RQ's retry, the sweeper's) finds it settled.
    assert followup_jobs.deliver(services(app), fid) == "done"
    assert len(twilio_api.messages) == 1


@pytest.mark.parametrize(("code", "opted_out"), [(21610, True), (21211, False), (21614, False)])
def test_a_permanent_error_is_recorded_not_retried(
    app, twilio, twilio_api, workers, code, opted_out
):
    phone, control = new_phone(), new_phone()
    twilio_api.fail_for(phone, status=400, code=code)
    finish(app, twilio, phone, "self_care")
    [fid] = followup_ids(app, phone)
    finish(app, twilio, control, "self_care")

    workers.start()
    twilio_api.wait_for(1)
    settled(app, followup_ids(app, control)[0])
    fu = settled(app, fid, "failed")

    assert fu["error_code"] == code and fu["attempts"] == 1
    assert [a["To"] for a in twilio_api.attempts].count(phone) == 1
    hotline = app.extensions["hotline"]
    assert hotline.store.is_opted_out(phone) is opted_out
    record = record_of(app, phone)
    assert record["followups"][0]["status"] == "failed"
    assert record["status"] == ("opted_out" if opted_out else "completed")
    assert any('"followup_failed"' in e["text"] for e in record["events"])
    if opted_out:
        assert twilio.sms(phone, "hello?").texts == []  # nothing more until START


def test_no_credentials_means_the_worker_logs_the_text_loudly(
    make_followup_env, make_workers, twilio_api
):
    env = make_followup_env(TWILIO_ACCOUNT_SID="")
    app = followup_app(env)
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    phone = new_phone()
    finish(app, twilio, phone, "self_care")
    [fid] = followup_ids(app, phone)

    pool = make_workers(env)
    pool.start()
    fu = settled(app, fid)

    assert fu["sid"].startswith("LOG")
    assert "NOT SENT" in pool.logs() and phone not in pool.logs()
    assert twilio_api.attempts == []


# --- exactly once, with workers killed ------------------------------------------------------


def killed_mid_send(app, twilio, twilio_api, workers) -> tuple[str, str, object]:
    """A self-care check-in whose worker was SIGKILLed while the stand-in held its request:
    Twilio took it, the worker never knew. Returns (phone, follow-up id, the message)."""
    twilio_api.delay(2.0)  # the stand-in holds the request: the kill lands while it waits
    phone = new_phone()
    finish(app, twilio, phone, "self_care")
    [fid] = followup_ids(app, phone)

    first = workers.start()
    wait_until(lambda: twilio_api.held >= 1, what="the request to reach the stand-in")
    first.kill()
    [message] = twilio_api.wait_for(1, timeout=10)
    twilio_api.delay(0)
    return phone, fid, message


def due_followup(app, twilio, disposition: str) -> tuple[str, str]:
    """A finished conversation whose check-in is due now: (phone, follow-up id)."""
    phone = new_phone()
    finish(app, twilio, phone, disposition)
    [fid] = followup_ids(app, phone)
    wait_until(lambda: time.time() > followup(app, fid)["due_ts"], what="the follow-up due")
    return phone, fid


def test_a_worker_killed_mid_send_is_found_in_twilios_list_and_not_sent_again(
    app, twilio, twilio_api, workers
):
    phone, fid, message = killed_mid_send(app, twilio, twilio_api, workers)
    assert followup(app, fid).get("attempt")  # no result recorded
    workers.start()
    fu = settled(app, fid)

    assert len(twilio_api.attempts) == 1 and message.to == phone
    assert fu["sid"] == message.sid and fu["confirmed"] is True  # Twilio's list said so
    assert [q.get("To") for q in twilio_api.lookups] == [phone]
    assert record_of(app, phone)["transcript"][-1]["text"] == text(app, "checkin.self_care")
    assert app.extensions["hotline"].store.get_state(phone)["state"]["phase"] == "checkin"


def test_an_attempt_that_never_reached_twilio_is_sent_once_after_the_lookup(
    app, twilio, twilio_api, workers
):
    # A worker killed between its claim and the request leaving: the attempt is in Redis,
    # Twilio has nothing. The claim is made here, as that worker made it, and never sent.
    phone, fid = due_followup(app, twilio, "self_care")
    svc = services(app)
    window = QuickWorker.send_timeout + QuickWorker.in_flight_margin  # the workers' own
    assert svc.followups.claim(fid, window).outcome == "claimed"

    workers.start()
    [message] = twilio_api.wait_for(1, timeout=20)
    fu = settled(app, fid)

    assert message.to == phone and message.body == text(app, "checkin.self_care")
    assert fu["sid"] == message.sid and fu["confirmed"] is True
    assert [q.get("To") for q in twilio_api.lookups] == [phone]  # looked up before sending
    time.sleep(1.0)
    assert len(twilio_api.messages) == 1


def test_when_twilio_cannot_be_asked_a_lost_answer_is_settled_unconfirmed_and_not_resent(
    app, twilio, twilio_api, workers
):
    twilio_api.refuse_lookups()
    phone, fid, message = killed_mid_send(app, twilio, twilio_api, workers)
    workers.start()
    fu = settled(app, fid)

    assert len(twilio_api.attempts) == 1 and message.to == phone
    assert fu["confirmed"] is False and "sid" not in fu  # settled without sending again
    assert twilio_api.lookups  # it did ask
    assert record_of(app, phone)["transcript"][-1]["text"] == text(app, "checkin.self_care")

    # Twilio's status callback names the follow-up and confirms the send.
    params = {
        "MessageSid": message.sid,
        "MessageStatus": "delivered",
        "To": phone,
        "AccountSid": ACCOUNT_SID,
    }
    response = twilio.post("/sms/status?" + urlencode({"followup": fid}), params)
    assert response.status_code == 204
    fu = followup(app, fid)
    assert fu["sid"] == message.sid and fu["confirmed"] is True
    assert fu["delivery"] == "delivered"
    assert len(twilio_api.messages) == 1


def test_a_worker_killed_with_a_window_of_texts_in_flight_leaves_none_lost_or_doubled(
    app, twilio, twilio_api, workers
):
    fids = [plan_followup(app, new_phone()) for _ in range(40)]
    twilio_api.delay(1.5)  # every request waits: the kill lands with the window full
    first = workers.start()
    wait_until(lambda: twilio_api.held >= 10, what="requests to reach the stand-in")
    first.kill()
    twilio_api.delay(0)
    workers.start()
    wait_until(lambda: all(followup(app, f)["status"] == "sent" for f in fids), timeout=40,
               what="every follow-up settled as sent")

    phones = sorted(m.to for m in twilio_api.messages)
    assert len(phones) == len(set(phones)) == len(fids)  # each one, once
    assert len({q.get("To") for q in twilio_api.lookups}) >= 10  # the window, looked up
    assert all(followup(app, f)["confirmed"] is True for f in fids)  # every sid known


def test_a_queued_job_of_an_earlier_release_and_two_dispatchers_send_once(
    app, twilio, twilio_api, workers
):
    phone, fid = due_followup(app, twilio, "urgent")
    rq = app.extensions["hotline"].rq_redis
    q = followups.queue(rq)
    copies = [
        q.enqueue_call(followups.JOB_FUNC, args=(fid,), job_id=f"copy-{i}-{fid[-8:]}")
        for i in range(6)
    ]

    workers.start()
    workers.start()

    def all_finished():
        jobs = Job.fetch_many([job.id for job in copies], connection=rq)
        return all(j is not None and j.get_status() == JobStatus.FINISHED for j in jobs)

    wait_until(all_finished, what="every copy of the job to finish")
    settled(app, fid)
    time.sleep(0.5)
    assert [m.to for m in twilio_api.messages] == [phone]
    results = [Job.fetch(job.id, connection=rq).return_value() for job in copies]
    assert set(results) <= {"sent", "done", "in_flight"}


def test_a_checkin_due_while_the_scheduler_lock_is_stale_still_goes_out(
    app, twilio, twilio_api, workers
):
    # rq/rq#1758: a SIGKILLed worker's scheduler lock outlives it by up to a minute, so a
    # restarted worker's RQ scheduler does not run; the dispatcher needs no lock.
    rq = app.extensions["hotline"].rq_redis
    lock_key = "rq:scheduler-lock:" + followups.QUEUE_NAME
    workers.start()
    holder = wait_until(lambda: rq.get(lock_key), what="the first worker's scheduler lock")
    workers.started[0].kill()
    phone = new_phone()
    finish(app, twilio, phone, "soon")
    [fid] = followup_ids(app, phone)

    workers.start()
    [message] = twilio_api.wait_for(1, timeout=30)
    settled(app, fid)

    assert message.to == phone
    assert rq.get(lock_key) == holder  # the dead scheduler's lock: RQ's scheduler never ran


# --- replies to the check-in ----------------------------------------------------------------


def checked_in(app, twilio, twilio_api, workers, disposition: str, lang: str = "en") -> str:
    phone = new_phone()
    if lang == "es":
        finish(
            app,
            twilio,
            phone,
            disposition,
            opening="tengo la pierna entumecida",
            answers=ANSWERS_ES[disposition],
        )
    else:
        finish(app, twilio, phone, disposition)
    workers.start()
    [message] = twilio_api.wait_for(1, timeout=20)
    assert message.body == text(app, f"checkin.{disposition}", lang)
    settled(app, followup_ids(app, phone)[0])
    return phone


@pytest.mark.parametrize("reply", ["worse", "3", "Worse."])
def test_worse_triages_again_from_the_red_flags(app, twilio, twilio_api, workers, reply):
    phone = checked_in(app, twilio, twilio_api, workers, "self_care")

    answer = twilio.sms(phone, reply)

    assert answer.texts == [text(app, "checkin.worse"), text(app, "question.bladder_bowel")]
    [fu] = record_of(app, phone)["followups"]
    assert fu["status"] == "answered" and fu["reply"] == "worse"


def test_worse_in_spanish(app, twilio, twilio_api, workers):
    phone = checked_in(app, twilio, twilio_api, workers, "self_care", lang="es")

    answer = twilio.sms(phone, "peor")

    assert answer.texts == [
        text(app, "checkin.worse", "es"),
        text(app, "question.bladder_bowel", "es"),
    ]


def test_same_after_self_care_gives_soon_advice_and_checks_in_again(
    app, twilio, twilio_api, workers
):
    phone = checked_in(app, twilio, twilio_api, workers, "self_care")

    answer = twilio.sms(phone, "2")

    assert answer.texts == [
        text(app, "checkin.same"),
        text(app, "advice.soon"),
        text(app, "safety_net"),
        text(app, "followup_note"),
    ]
    record = record_of(app, phone)
    assert record["disposition"] == "soon"
    first, second = record["followups"]
    assert first["status"] == "answered" and first["reply"] == "same"
    assert second["status"] == "scheduled" and second["disposition"] == "soon"
    messages = twilio_api.wait_for(2, timeout=20)
    assert messages[1].to == phone and messages[1].body == text(app, "checkin.soon")


def test_better_closes_with_the_safety_net(app, twilio, twilio_api, workers):
    phone = checked_in(app, twilio, twilio_api, workers, "urgent")

    answer = twilio.sms(phone, "better")

    assert answer.texts == [text(app, "checkin.better"), text(app, "safety_net")]
    [fu] = record_of(app, phone)["followups"]
    assert fu["status"] == "answered" and fu["reply"] == "better"


def test_a_checkin_after_the_session_expired_is_built_from_the_record(
    app, twilio, twilio_api, workers
):
    phone = new_phone()
    finish(app, twilio, phone, "soon")
    [fid] = followup_ids(app, phone)
    hotline = app.extensions["hotline"]
    hotline.redis.delete(state_key(phone))  # HOTLINE_SESSION_TTL passed before the follow-up

    workers.start()
    [message] = twilio_api.wait_for(1, timeout=20)
    settled(app, fid)

    assert message.body == text(app, "checkin.soon")
    assert twilio.sms(phone, "3").texts[1] == text(app, "question.bladder_bowel")
    [fu] = record_of(app, phone)["followups"]
    assert fu["status"] == "answered" and fu["reply"] == "worse"
