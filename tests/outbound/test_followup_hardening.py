"""Follow-ups that run late respect quiet hours; a new conversation cancels the pending
check-in only once it reaches a disposition; DST-correct due times."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.outbound import followup_jobs
from hotline.outbound.schedule import first_instant_at, followup_due, out_of_quiet_hours
from hotline.settings import Settings
from hotline.store.keys import DUE_KEY
from tests.support.followups import followup, followup_app, followup_env, plan_followup, services
from tests.support.webhooks import new_phone

NY = ZoneInfo("America/New_York")


@pytest.fixture
def make_app(make_env, twilio_api):
    return lambda **overrides: followup_app(followup_env(make_env, twilio_api, **overrides))


def quiet_window_around_now() -> tuple[str, datetime]:
    """HOTLINE_QUIET_HOURS covering this minute in New York, and when it ends."""
    local = datetime.now(NY)
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    ends = end.replace(second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return f"{start:%H:%M}-{end:%H:%M}", ends


# --- quiet hours when sending -------------------------------------------------------------------


def test_a_late_followup_waits_for_the_end_of_quiet_hours(make_app, twilio_api):
    planner = make_app(HOTLINE_TIMEZONE="America/New_York")  # planned when it was not quiet
    fid = plan_followup(planner, new_phone(), "urgent")
    window, ends = quiet_window_around_now()
    late = make_app(HOTLINE_QUIET_HOURS=window, HOTLINE_TIMEZONE="America/New_York")
    svc = services(late)
    now = time.time() + 2  # it is due, and it runs inside the quiet window

    assert followup_jobs.deliver(svc, fid, now=now) == "quiet_hours"
    assert twilio_api.attempts == []
    fu = followup(late, fid)
    assert fu["status"] == "scheduled" and fu["due_at"].startswith(
        ends.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    )
    redis = late.extensions["hotline"].redis
    assert redis.zscore(DUE_KEY, fid) == pytest.approx(ends.timestamp())
    # a stray copy of the job inside the window sends nothing either
    assert followup_jobs.deliver(svc, fid, now=now + 60) == "quiet_hours"
    # the sweeper's run after the window sends it
    assert followup_jobs.deliver(svc, fid, now=ends.timestamp() + 1) == "sent"
    assert len(twilio_api.messages) == 1


# --- DST ---------------------------------------------------------------------------------------


def settings(**env: str) -> Settings:
    return Settings.from_env({"HOTLINE_TIMEZONE": "America/New_York", **env})


def test_a_delay_is_absolute_time_across_a_dst_change():
    # 2026-11-01 02:00 EDT clocks go back to 01:00 EST: 24 h later is 09:00 EST, not 10:00
    finished = datetime(2026, 10, 31, 10, 0, tzinfo=NY)
    due = followup_due("self_care", finished.astimezone(UTC), settings())
    assert due - finished.astimezone(UTC) == timedelta(hours=24)
    assert due.astimezone(NY).hour == 9
    # spring forward, 2026-03-08: 6 h after 23:00 EST is 06:00 EDT
    late = datetime(2026, 3, 7, 23, 0, tzinfo=NY)
    assert followup_due("urgent", late.astimezone(UTC), settings()).astimezone(NY).hour == 6


def test_a_window_ending_in_the_spring_forward_gap_ends_when_the_clocks_jump():
    # 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:30 never happens: the window ends at 03:00
    moved = out_of_quiet_hours(datetime(2026, 3, 8, 1, 0, tzinfo=NY),
                               (datetime.min.time().replace(hour=0, minute=30),
                                datetime.min.time().replace(hour=2, minute=30)), NY)
    assert moved == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT, not 03:30
    gap = first_instant_at(datetime(2026, 3, 8, 2, 30), NY)
    assert gap.astimezone(UTC) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    # clocks going back: the first 01:30 of the two
    fold = first_instant_at(datetime(2026, 11, 1, 1, 30), NY)
    assert fold.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_quiet_hours_are_wall_clock_across_dst():
    s = settings(HOTLINE_QUIET_HOURS="21:00-08:00", HOTLINE_FOLLOWUP_URGENT="6h")
    for finished in (datetime(2026, 3, 7, 20, 0, tzinfo=NY), datetime(2026, 10, 31, 20, 0,
                                                                       tzinfo=NY)):
        due = followup_due("urgent", finished.astimezone(UTC), s).astimezone(NY)
        assert (due.hour, due.minute) == (8, 0) and due.date() == finished.date() + timedelta(1)


# --- a new conversation and the pending check-in --------------------------------------------------


def finish_by_text(app, phone: str, answers: dict) -> str:
    """Text the hotline through signed POST /sms until it advises; the conversation id."""
    from tests.conftest import AUTH_TOKEN
    from tests.support.webhooks import TwilioWebhooks

    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    store = app.extensions["hotline"].store
    twilio.sms(phone, "my leg is numb")
    for _ in range(30):
        stored = store.get_state(phone)
        if stored["state"]["phase"] != "asking":
            return stored["conv"]
        twilio.sms(phone, answers.get(stored["state"]["question"], "no"))
    raise AssertionError("no advice")


def pending_followup(app, conv_id: str) -> dict:
    [fu] = app.extensions["hotline"].store.get_record(conv_id)["followups"]
    return fu


def test_a_call_that_answered_nothing_leaves_the_checkin(make_app, twilio_api):
    from tests.conftest import AUTH_TOKEN
    from tests.support.voice_caller import VoiceCaller
    from tests.support.webhooks import TwilioWebhooks

    app = make_app()
    phone = new_phone()
    conv = finish_by_text(app, phone, {"weakness": "yes"})
    assert pending_followup(app, conv)["status"] == "scheduled"
    caller = VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN), phone=phone).call()
    caller.hang_up(duration=5)  # a 5-second call: greeting, no answer

    assert pending_followup(app, conv)["status"] == "scheduled"
    fu = pending_followup(app, conv)
    assert followup_jobs.deliver(services(app), fu["id"], now=time.time() + 5) == "sent"
    assert len(twilio_api.messages) == 1


def test_ok_thanks_a_day_later_leaves_the_checkin_and_new_advice_replaces_it(
    make_app, twilio_api
):
    from hotline.store.keys import state_key
    from tests.conftest import AUTH_TOKEN
    from tests.support.webhooks import TwilioWebhooks

    app = make_app(HOTLINE_FOLLOWUP_SOON="72h", HOTLINE_FOLLOWUP_URGENT="6h")
    hotline = app.extensions["hotline"]
    phone = new_phone()
    old = finish_by_text(app, phone, {"duration": "3 weeks"})  # soon: a 72-hour check-in
    hotline.redis.delete(state_key(phone))  # a day later the session has expired
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    twilio.sms(phone, "ok thanks")  # starts a conversation that gives no advice
    new = hotline.store.get_state(phone)["conv"]
    assert new != old and pending_followup(app, old)["status"] == "scheduled"

    # the new conversation reaching a disposition replaces the old check-in with its own
    store = hotline.store
    for _ in range(30):
        stored = store.get_state(phone)
        if stored["state"]["phase"] != "asking":
            break
        twilio.sms(phone, {"weakness": "yes"}.get(stored["state"]["question"], "no"))
    assert store.get_record(new)["disposition"] == "urgent"
    cancelled = pending_followup(app, old)
    assert cancelled["status"] == "cancelled"
    assert hotline.redis.zscore(DUE_KEY, cancelled["id"]) is None
    assert pending_followup(app, new)["status"] == "scheduled"


def test_the_checkin_waits_while_a_newer_text_conversation_is_under_way(make_app, twilio_api):
    from hotline.store.keys import state_key
    from tests.conftest import AUTH_TOKEN
    from tests.support.webhooks import TwilioWebhooks

    app = make_app()
    hotline = app.extensions["hotline"]
    phone = new_phone()
    old = finish_by_text(app, phone, {"weakness": "yes"})
    hotline.redis.delete(state_key(phone))  # the session expired; they text again
    twilio = TwilioWebhooks(app.test_client(), AUTH_TOKEN)
    twilio.sms(phone, "my leg is numb again")
    asking = hotline.store.get_state(phone)
    fu = pending_followup(app, old)
    now = time.time() + 5

    assert followup_jobs.deliver(services(app), fu["id"], now=now) == "deferred"
    assert twilio_api.attempts == []
    assert hotline.store.get_state(phone) == asking  # their triage goes on undisturbed
    assert hotline.redis.zscore(DUE_KEY, fu["id"]) == pytest.approx(
        now + followup_jobs.BUSY_DEFER)
    # once that conversation has gone quiet, the check-in goes out
    later = now + followup_jobs.BUSY_DEFER + 1
    assert followup_jobs.deliver(services(app), fu["id"], now=later) == "sent"
