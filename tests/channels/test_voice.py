"""Whole phone calls over signed HTTP against a real Redis, the caller following the TwiML as
Twilio does: every disposition by keypad and by speech in both languages, the sample stories,
silence, *, 9, 0, doubtful speech, hang-ups, the after-call text and the error path."""

from __future__ import annotations

import json
import time

import pytest
from rq import SimpleWorker

from hotline.channels.writeback import drain
from hotline.outbound import after_call, followups
from hotline.store.keys import DUE_KEY
from hotline.store.safety_net import SafetyNetStore
from hotline.triage.decision import advice_keys
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.support.vignettes import answer_for, load_stories
from tests.support.voice_caller import VoiceCaller, answer_every_question
from tests.support.webhooks import TwilioWebhooks

NURSE = "+15550009999"
YES = {"en": "yes", "es": "sí"}
NO = {"en": "no", "es": "no"}
DURATION_WORDS = {
    "en": {"30m": "20 minutes", "3d": "3 days", "3w": "3 weeks"},
    "es": {"30m": "20 minutos", "3d": "3 días", "3w": "3 semanas"},
}
# Per disposition: question -> (keypad key, speech meaning); every other question is a no.
PLANS = {
    "emergency": {"bladder_bowel": ("1", "yes")},
    "urgent": {"weakness": ("1", "yes"), "duration": ("3", "3d")},
    "soon": {"duration": ("4", "3w"), "recurring": ("1", "yes")},
    "self_care": {
        "duration": ("1", "30m"),
        "pressure_cause": ("1", "yes"),
        "resolved": ("1", "yes"),
    },
}


@pytest.fixture
def voice_app(make_app):
    def make(**env):
        return make_app(**env)

    return make


@pytest.fixture
def app(voice_app):
    return voice_app()


def caller_for(app, **kwargs) -> VoiceCaller:
    return VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN), **kwargs)


def hotline_of(app):
    return app.extensions["hotline"]


def record_of(app, caller):
    hotline = hotline_of(app)
    stored = hotline.store.get_state(f"call:{caller.sid}")
    return hotline.store.get_record(stored["conv"])


def events_of(record) -> list[dict]:
    return [json.loads(e["text"]) for e in record["events"]]


def spoken(app, lang, key):
    from hotline.channels.voice_flow import spoken as say

    return say(hotline_of(app).context, lang, key)


def reasked(app, lead):
    """What is said when the first question is asked again after `lead`."""
    return [spoken(app, "en", lead), spoken(app, "en", "question.bladder_bowel")]


def answer_by(plan, lang, how):
    def answer(key):
        keypad, meaning = plan.get(key, ("2", "no"))
        if how == "keypad":
            return "keypad", keypad
        words = {"yes": YES[lang], "no": NO[lang]}.get(meaning) or DURATION_WORDS[lang][meaning]
        return "speech", words

    return answer


def start(app, lang="en", **kwargs) -> VoiceCaller:
    caller = caller_for(app, **kwargs).call()
    if lang == "es":
        caller.press("9")
    return caller


# --- every disposition, both ways, both languages -------------------------------------------


@pytest.mark.parametrize("how", ["keypad", "speech"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("disposition", list(PLANS))
def test_a_whole_call_per_disposition(app, disposition, lang, how):
    protocol = hotline_of(app).protocol
    caller = start(app, lang)
    asked = answer_every_question(caller, protocol, lang, answer_by(PLANS[disposition], lang, how))
    assert asked[0] == "bladder_bowel"
    assert caller.hung_up and not caller.listening
    record = record_of(app, caller)
    assert record["disposition"] == disposition
    assert record["status"] == "completed"
    assert (record["channel"], record["language"]) == ("voice", lang)
    assert record["phone"] == caller.phone
    assert set(asked) == set(record["answers"])
    advice = spoken(app, lang, f"advice.{disposition}")
    assert advice in caller.text
    assert caller.said[-1].text == spoken(app, lang, "goodbye")
    meta = protocol.meta[lang]
    assert (caller.said[-1].voice, caller.said[-1].language) == (
        meta["voice"],
        meta["voice_language"],
    )
    # what was said is the transcript staff read, answers included
    said_out = [t["text"] for t in record["transcript"] if t["direction"] == "out"]
    assert advice in said_out
    heard_in = [t["text"] for t in record["transcript"] if t["direction"] == "in"]
    assert len(heard_in) == len(asked) + (1 if lang == "es" else 0)
    if disposition == "emergency":
        assert record["followups"] == []
        assert {"type": "alert_staff", "disposition": "emergency"} in events_of(record)
    else:
        assert [f["status"] for f in record["followups"]] == ["scheduled"]
        assert spoken(app, lang, "followup_note") in caller.text


def test_every_yes_no_question_says_the_keys_and_listens_both_ways(app):
    protocol = hotline_of(app).protocol
    caller = start(app)
    hint = spoken(app, "en", "keys_hint")
    while caller.listening:
        key = caller.asked(protocol, "en")
        gather = caller.gather
        assert gather.get("input") == "dtmf speech"
        assert gather.get("numDigits") == "1"
        assert gather.get("actionOnEmptyResult") == "true"
        assert gather.get("language") == "en-US"
        if key == "duration":
            assert caller.prompt[-1] == spoken(app, "en", "duration_menu")
            assert "minutes" in gather.get("hints")
            caller.press("2")
        else:
            assert caller.prompt[-1] == hint
            assert "yes" in gather.get("hints")
            caller.press("1" if key == "pressure_cause" else "2")
    record = record_of(app, caller)
    assert record["answers"]["duration"] == pytest.approx(12)
    assert record["disposition"] == "self_care"


def test_the_first_words_are_the_disclaimer_then_the_first_question(app):
    caller = start(app)
    assert caller.prompt[0] == spoken(app, "en", "greeting")
    assert "not a diagnosis" in caller.prompt[0] and "9 1 1" in caller.prompt[0]
    assert "oprima 9" in caller.prompt[0]
    assert caller.prompt[1] == spoken(app, "en", "question.bladder_bowel")


# --- the sample stories, by phone ------------------------------------------------------------


def keypad_for_duration(hours: float) -> str:
    """The duration menu: 1 under an hour, 2 under a day, 3 a few days, 4 weeks or longer."""
    return "1" if hours < 1 else "2" if hours < 24 else "3" if hours < 168 else "4"


@pytest.mark.parametrize("how", ["keypad", "speech"])
@pytest.mark.parametrize("story", load_stories(), ids=lambda s: s["id"])
def test_sample_stories_by_phone(app, story, how):
    protocol, lang = hotline_of(app).protocol, story["lang"]

    def answer(key):
        if how == "speech":
            return "speech", answer_for(story, key)
        if key == "duration":
            return "keypad", keypad_for_duration(story["facts"]["duration_hours"])
        return "keypad", "1" if story["facts"].get(key) else "2"

    caller = start(app, lang)
    asked = answer_every_question(caller, protocol, lang, answer)
    record = record_of(app, caller)
    assert record["disposition"] == story["expect"], (asked, record["answers"])
    assert record["language"] == lang
    assert caller.hung_up


# --- silence, *, 9, 0, doubtful speech -------------------------------------------------------


def test_silence_asks_again_twice_then_ends_safely_naming_the_emergency_number(app):
    caller = start(app)
    for _ in range(2):
        caller.silence()
        assert caller.listening
        assert caller.prompt[:2] == reasked(app, "no_input")
    caller.silence()
    assert caller.hung_up and not caller.listening
    assert caller.prompt == [spoken(app, "en", "no_answer_goodbye"), spoken(app, "en", "goodbye")]
    assert "9 1 1" in caller.prompt[0]
    record = record_of(app, caller)
    assert record["answers"] == {} and record["disposition"] is None
    assert {"type": "no_answer", "question": "bladder_bowel"} in events_of(record)


def test_an_answer_after_silence_starts_the_count_again(app):
    caller = start(app)
    caller.silence().silence()
    caller.press("2")
    assert caller.asked(hotline_of(app).protocol, "en") == "saddle_numbness"
    caller.silence().silence()
    assert caller.listening  # two silences on this question: still asking
    caller.press("2")
    assert caller.asked(hotline_of(app).protocol, "en") == "stroke_signs"


def test_a_gather_that_falls_through_is_the_same_silence(app):
    """Were actionOnEmptyResult ignored, Twilio would reach the Redirect: same outcome."""
    caller = start(app)
    redirect = caller.documents[-1].root.find("Redirect")
    assert redirect is not None
    assert redirect.text == caller.gather.get("action")
    caller.gather.attrib.pop("actionOnEmptyResult")
    caller.silence()
    assert caller.prompt[:1] == [spoken(app, "en", "no_input")]


def test_star_repeats_the_question_without_answering_it(app):
    caller = start(app)
    caller.press("2")
    caller.press("*")
    assert caller.prompt == [
        spoken(app, "en", "question.saddle_numbness"),
        spoken(app, "en", "keys_hint"),
    ]
    caller.press("*")
    caller.press("*")
    caller.press("*")  # repeats are not silences: the call goes on
    assert caller.listening
    caller.press("2")
    record = record_of(app, caller)
    assert record["answers"] == {"bladder_bowel": "no", "saddle_numbness": "no"}
    assert [t["text"] for t in record["transcript"] if t["direction"] == "in"] == [
        "[keypad 2]",
        "[keypad 2]",
    ]


def test_nine_first_gives_the_whole_greeting_in_spanish(app):
    caller = caller_for(app).call()
    caller.press("9")
    assert caller.prompt[0] == spoken(app, "es", "greeting")
    assert caller.prompt[1] == spoken(app, "es", "question.bladder_bowel")
    assert caller.gather.get("language") == "es-US"
    assert {s.voice for s in caller.said[-3:]} == {"Polly.Lupe"}
    caller.press("2")
    caller.press("9")  # and back, mid-way: the question asked again in English
    assert caller.prompt == [
        spoken(app, "en", "language_switched"),
        spoken(app, "en", "question.saddle_numbness"),
        spoken(app, "en", "keys_hint"),
    ]
    assert caller.gather.get("language") == "en-US"
    record = record_of(app, caller)
    assert record["language"] == "en"
    assert record["answers"] == {"bladder_bowel": "no"}


def test_saying_espanol_switches_too(app):
    caller = start(app)
    caller.speak("Español.")
    assert caller.prompt[0] == spoken(app, "es", "greeting")
    assert record_of(app, caller)["language"] == "es"


def test_zero_connects_to_the_nurse_when_there_is_one(voice_app):
    app = voice_app(HOTLINE_TRANSFER_NUMBER=NURSE)
    caller = start(app)
    assert caller.prompt[1] == spoken(app, "en", "transfer_hint")
    caller.press("2")
    caller.press("0")
    assert caller.dialed == NURSE
    assert caller.prompt == [spoken(app, "en", "transferring")]
    assert caller.dial.get("action").startswith("/voice/dialed")
    record = record_of(app, caller)
    assert {"type": "transfer", "question": "saddle_numbness"} in events_of(record)


def test_zero_without_a_nurse_is_not_understood(app):
    caller = start(app)
    assert spoken(app, "en", "transfer_hint") not in caller.text
    caller.press("0")
    assert caller.listening and caller.dialed is None
    assert caller.prompt[:2] == reasked(app, "low_confidence")


@pytest.mark.parametrize(
    ("status", "then"),
    [("completed", []), ("no-answer", ["transfer_failed"]), ("busy", ["transfer_failed"])],
)
def test_after_the_nurse_call(voice_app, status, then):
    app = voice_app(HOTLINE_TRANSFER_NUMBER=NURSE)
    caller = start(app)
    caller.press("0")
    caller._request("http://localhost" + caller.dial.get("action"), {"DialCallStatus": status})
    assert caller.hung_up
    assert caller.prompt[-len(then) - 1 :] == [spoken(app, "en", k) for k in [*then, "goodbye"]]
    if then:
        assert "9 1 1" in caller.prompt[-2]


def test_doubtful_speech_is_asked_again_not_guessed(app):
    caller = start(app)
    caller.speak("yes", confidence=0.3)
    assert caller.listening
    assert caller.prompt[:2] == reasked(app, "low_confidence")
    assert caller.asked(hotline_of(app).protocol, "en") == "bladder_bowel"
    assert record_of(app, caller)["answers"] == {}
    caller.speak("no", confidence=0.72)
    assert caller.asked(hotline_of(app).protocol, "en") == "saddle_numbness"
    assert record_of(app, caller)["answers"] == {"bladder_bowel": "no"}


def test_a_key_that_means_nothing_here_is_asked_again(app):
    caller = start(app)
    caller.press("7")
    assert caller.prompt[:2] == reasked(app, "low_confidence")
    assert record_of(app, caller)["answers"] == {}


def test_words_the_core_cannot_read_get_its_reprompt(app):
    caller = start(app)
    caller.speak("purple elephant")
    assert caller.prompt[:2] == reasked(app, "reprompt.yes_no")


def test_a_retried_gather_callback_does_not_answer_twice(app):
    caller = start(app)
    caller.press("2")
    url, params = caller.requests[-1]
    first = caller.documents[-1].xml
    caller._request(url, {k: v for k, v in params.items() if k in ("Digits",)})
    assert caller.documents[-1].xml == first
    record = record_of(app, caller)
    assert [t["text"] for t in record["transcript"] if t["direction"] == "in"] == ["[keypad 2]"]


# --- emergencies -----------------------------------------------------------------------------


def test_emergency_advice_is_said_at_once_slowly_and_again(app):
    caller = start(app)
    caller.press("2")
    caller.speak("yes")  # saddle numbness
    advice = spoken(app, "en", "advice.emergency")
    slow = [s.text for s in caller.said if s.slow]
    assert slow == [advice, advice]
    assert caller.prompt[0] == advice
    assert "Hang up and call 9 1 1 now" in advice
    assert caller.hung_up


def test_emergency_offers_the_nurse_and_staying_on_the_line_connects(voice_app):
    app = voice_app(HOTLINE_TRANSFER_NUMBER=NURSE)
    caller = start(app)
    caller.press("1")
    assert caller.listening and caller.gather.get("input") == "dtmf"
    assert caller.prompt[-1] == spoken(app, "en", "transfer_offer")
    caller.silence()
    assert caller.dialed == NURSE
    record = record_of(app, caller)
    assert record["disposition"] == "emergency"
    assert {"type": "transfer", "question": None} in events_of(record)


def test_emergency_pressing_zero_connects_at_once(voice_app):
    app = voice_app(HOTLINE_TRANSFER_NUMBER=NURSE)
    caller = start(app)
    caller.press("1")
    caller.press("0")
    assert caller.dialed == NURSE


def test_a_red_flag_in_the_callers_own_words_counts(app):
    caller = start(app)
    caller.speak("no, but I fell off a ladder this morning")
    record = record_of(app, caller)
    assert record["disposition"] == "emergency"
    assert "injury" in record["red_flags"]


# --- hang-ups and the after-call text --------------------------------------------------------


def test_a_hang_up_mid_call_is_recorded_with_what_was_answered(app, twilio_api):
    caller = start(app)
    caller.press("2")
    caller.press("2")
    assert caller.hang_up() == 204
    record = record_of(app, caller)
    assert record["answers"] == {"bladder_bowel": "no", "saddle_numbness": "no"}
    assert record["disposition"] is None
    # Closed like a texter who stopped answering, at the question they were asked.
    assert record["status"] == "no_reply"
    assert record["stopped_at"] == "stroke_signs"
    ended = [e for e in events_of(record) if e["type"] == "call_ended"]
    assert ended == [
        {
            "type": "call_ended",
            "call_status": "completed",
            "duration_s": 42,
            "during": "stroke_signs",
        }
    ]
    # One task due now: the safety-net text (tests/outbound/test_safety_net_e2e.py sends it).
    store = SafetyNetStore(hotline_of(app).redis, hotline_of(app).settings)
    assert store.overdue(time.time() + 1) == [f"{record['id']}:noreply"]
    assert followups.queue(hotline_of(app).rq_redis).get_jobs() == []


def test_a_hang_up_after_an_urgent_flag_keeps_its_level(app):
    caller = start(app)
    caller.speak("no, but I can't walk")  # urgent: the emergency flags are still asked
    caller.press("2")
    assert caller.listening
    caller.hang_up()
    record = record_of(app, caller)
    assert record["disposition"] == "urgent"
    assert record["red_flags"] == ["difficulty_walking"]
    assert record["status"] == "completed"
    assert "hung up" in record["rule"]
    assert len(followups.queue(hotline_of(app).rq_redis)) == 1  # the advice goes by text


def test_a_hang_up_during_emergency_advice_keeps_the_emergency(app):
    caller = start(app)
    caller.press("1")
    caller.hang_up()
    record = record_of(app, caller)
    assert record["disposition"] == "emergency"
    assert [e["type"] for e in events_of(record)].count("call_ended") == 1


def test_a_repeated_status_callback_is_recorded_once(app):
    caller = start(app)
    caller.press("1")
    caller.hang_up()
    caller.hang_up()
    record = record_of(app, caller)
    assert [e["type"] for e in events_of(record)].count("call_ended") == 1
    assert len(followups.queue(hotline_of(app).rq_redis)) == 1


def test_status_callbacks_that_are_not_an_end_change_nothing(app):
    caller = start(app)
    assert caller.hang_up(status="in-progress") == 204
    assert not [e for e in events_of(record_of(app, caller)) if e["type"] == "call_ended"]


def test_status_for_an_unknown_call_is_accepted(app):
    assert caller_for(app).hang_up() == 204


@pytest.fixture
def sending_env(twilio_api, make_env, monkeypatch):
    """The environment of a worker that sends through the REST stand-in."""
    env = make_env(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_API_BASE_URL=twilio_api.url,
        TWILIO_PHONE_NUMBER="+15550001111",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    after_call.worker_hotline.cache_clear()
    yield env
    after_call.worker_hotline.cache_clear()


def run_worker(app) -> None:
    rq = hotline_of(app).rq_redis
    SimpleWorker([followups.queue(rq)], connection=rq).work(burst=True)


def test_after_a_call_one_text_with_the_advice_and_the_follow_up(
    voice_app, sending_env, twilio_api
):
    app = voice_app(**sending_env)
    caller = start(app, "es")
    answer_every_question(
        caller, hotline_of(app).protocol, "es", answer_by(PLANS["self_care"], "es", "keypad")
    )
    caller.hang_up()
    run_worker(app)
    [message] = twilio_api.messages
    protocol = hotline_of(app).protocol
    record = record_of(app, caller)
    assert message.to == caller.phone
    # the advice as the call gave it: self-care with its "gone" or "still numb" line
    advice = advice_keys("self_care", record["answers"])
    assert len(advice) == 2
    assert message.body == " ".join(
        protocol.text("es", k, "sms", emergency_number="911")
        for k in (*advice, "safety_net", "followup_note")
    )
    assert record["transcript"][-1]["text"] == message.body
    assert record["transcript"][-1]["channel"] == "sms"
    # the follow-up is planned as for a text conversation
    assert hotline_of(app).redis.zcard(DUE_KEY) == 1
    assert [f["status"] for f in record["followups"]] == ["scheduled"]


def test_after_an_emergency_call_the_text_is_the_emergency_advice(
    voice_app, sending_env, twilio_api
):
    app = voice_app(**sending_env)
    caller = start(app)
    caller.press("1")
    caller.hang_up()
    run_worker(app)
    [message] = twilio_api.messages
    assert message.body == hotline_of(app).protocol.text(
        "en", "advice.emergency", "sms", emergency_number="911"
    )


def test_no_text_to_a_caller_who_opted_out_and_no_follow_up_promised(
    voice_app, sending_env, twilio_api
):
    app = voice_app(**sending_env)
    caller = caller_for(app)
    TwilioWebhooks(app.test_client(), AUTH_TOKEN).sms(caller.phone, "STOP")
    caller.call()
    answer_every_question(
        caller, hotline_of(app).protocol, "en", answer_by(PLANS["soon"], "en", "keypad")
    )
    assert spoken(app, "en", "followup_note") not in caller.text
    caller.hang_up()
    run_worker(app)
    assert twilio_api.messages == []
    record = record_of(app, caller)
    assert record["disposition"] == "soon" and record["followups"] == []
    assert after_call.deliver_call_summary(hotline_of(app), record["id"]) == after_call.OPTED_OUT


def test_no_text_to_a_hidden_number(voice_app, sending_env, twilio_api):
    app = voice_app(**sending_env)
    caller = caller_for(app, phone="+266696687").call()
    caller.press("1")
    caller.hang_up()
    record = record_of(app, caller)
    assert (
        after_call.deliver_call_summary(hotline_of(app), record["id"]) == after_call.NO_TEXT_NUMBER
    )
    assert twilio_api.messages == []


def test_the_summary_goes_out_once(voice_app, sending_env, twilio_api):
    app = voice_app(**sending_env)
    caller = start(app)
    caller.press("1")
    caller.hang_up()
    conv = record_of(app, caller)["id"]
    assert after_call.deliver_call_summary(hotline_of(app), conv) == after_call.SENT
    assert after_call.deliver_call_summary(hotline_of(app), conv) == after_call.ALREADY_SENT
    assert len(twilio_api.messages) == 1


def test_a_summary_twilio_took_after_our_timeout_is_never_sent_again(
    voice_app, sending_env, twilio_api, monkeypatch
):
    from hotline.outbound import followup_jobs
    from hotline.outbound.twilio_rest import SendError

    monkeypatch.setattr(followup_jobs, "SEND_TIMEOUT", 0.3)
    app = voice_app(**sending_env)
    caller = start(app)
    caller.press("1")
    caller.hang_up()
    conv = record_of(app, caller)["id"]
    twilio_api.delay(1.0)  # Twilio takes the text, and answers after the client gave up
    with pytest.raises(SendError):
        after_call.deliver_call_summary(hotline_of(app), conv)  # RQ retries the job
    twilio_api.wait_for(1)
    twilio_api.delay(0)
    with pytest.raises(after_call.SummaryInFlight):  # the retry, while it may be in flight
        after_call.deliver_call_summary(hotline_of(app), conv)
    monkeypatch.setattr(followup_jobs, "IN_FLIGHT_MARGIN", -1.0)  # later: no longer in flight
    assert after_call.deliver_call_summary(hotline_of(app), conv) == after_call.UNCONFIRMED
    assert after_call.deliver_call_summary(hotline_of(app), conv) == after_call.ALREADY_SENT
    assert len(twilio_api.messages) == 1 and len(twilio_api.attempts) == 1
    assert {"type": "call_summary_unconfirmed"} in events_of(record_of(app, caller))


def test_a_summary_twilio_refused_to_take_is_sent_on_the_retry(
    voice_app, sending_env, twilio_api
):
    from hotline.outbound.twilio_rest import SendError

    app = voice_app(**sending_env)
    caller = start(app)
    caller.press("1")
    caller.hang_up()
    conv = record_of(app, caller)["id"]
    twilio_api.fail_next(status=503)
    with pytest.raises(SendError):
        after_call.deliver_call_summary(hotline_of(app), conv)
    assert after_call.deliver_call_summary(hotline_of(app), conv) == after_call.SENT
    assert len(twilio_api.messages) == 1


def test_a_refused_summary_is_noted_not_retried(voice_app, sending_env, twilio_api):
    app = voice_app(**sending_env)
    caller = start(app)
    twilio_api.fail_for(caller.phone, status=400, code=21614)
    caller.press("1")
    caller.hang_up()
    conv = record_of(app, caller)["id"]
    assert after_call.deliver_call_summary(hotline_of(app), conv) == after_call.REFUSED
    assert {"type": "call_summary_refused", "code": 21614} in events_of(record_of(app, caller))


# --- never an application error --------------------------------------------------------------


def test_unsigned_requests_are_refused(app):
    client = app.test_client()
    for path in ("/voice", "/voice/answer?n=1&r=0&l=en", "/voice/status"):
        assert client.post(path, data={"CallSid": "CA" + "1" * 32}).status_code == 403


def test_with_redis_down_every_route_still_answers_safely(app, redis_server):
    caller = start(app)
    caller.press("2")
    redis_server.stop()
    try:
        caller.speak("I fell and now I can't feel my leg")
        assert caller.hung_up
        advice = spoken(app, "en", "advice.emergency")
        assert [s.text for s in caller.said if s.slow] == [advice, advice]
        assert caller.prompt[0] == advice
        assert caller.prompt[-2:] == [spoken(app, "en", k) for k in SAFE_ENDING]
        assert "9 1 1" in caller.prompt[-2]
        fresh = caller_for(app).call()
        assert fresh.hung_up and fresh.prompt == [spoken(app, "en", k) for k in SAFE_ENDING]
        assert fresh.hang_up() == 204
    finally:
        redis_server.start()


def test_a_spanish_call_fails_in_spanish(app, monkeypatch):
    caller = start(app, "es")
    monkeypatch.setattr("hotline.channels.voice.step", _broken_step)
    caller.press("2")
    assert caller.hung_up
    assert caller.prompt == [spoken(app, "es", k) for k in SAFE_ENDING]
    assert caller.said[-1].language == "es-US"


SAFE_ENDING = ("safe_fallback", "outage_wait")


def _broken_step(*args, **kwargs):
    raise RuntimeError("a bug in the core")


def test_what_was_said_during_an_outage_reaches_the_log(app, redis_server):
    caller = start(app)
    redis_server.client().save()  # a production Redis persists; this one does on demand
    redis_server.stop()
    try:
        caller.speak("no")
    finally:
        redis_server.start()
    assert drain(hotline_of(app)).applied == 1  # the web process's write-back thread does this
    record = hotline_of(app).store.get_record(record_of(app, caller)["id"])
    said = [(t["direction"], t["text"]) for t in record["transcript"]]
    assert ("in", "no") in said
    assert ("out", spoken(app, "en", "safe_fallback")) in said
    assert record["answers"]["bladder_bowel"] == "no"


def test_with_the_buffer_unreadable_and_redis_up_what_a_caller_said_goes_to_the_log(
    make_app, tmp_path
):
    spool = tmp_path / "spool"
    spool.mkdir()
    app = make_app(HOTLINE_SPOOL_DIR=str(spool))
    caller = start(app)
    (spool / "outage.sqlite3").mkdir()  # there from now on, but SQLite cannot open it
    caller.speak("no")
    assert caller.prompt[0] == spoken(app, "en", "safe_fallback")
    record = hotline_of(app).store.get_record(record_of(app, caller)["id"])
    said = [(t["direction"], t["text"]) for t in record["transcript"]]
    assert ("in", "no") in said and ("out", spoken(app, "en", "safe_fallback")) in said
    assert any("answered_not_triaged" in e["text"] for e in record["events"])
    assert "bladder_bowel" not in record["answers"]  # not taken as an answer


def test_stop_said_on_a_call_keeps_texts_away_and_the_question_going(app):
    caller = start(app)
    caller.speak("Stop.")
    assert caller.prompt[:2] == reasked(app, "opted_out")
    assert hotline_of(app).store.is_opted_out(caller.phone)
    caller.press("2")
    assert caller.asked(hotline_of(app).protocol, "en") == "saddle_numbness"


def test_when_even_the_safe_ending_fails_the_call_is_hung_up_not_a_500(app, monkeypatch):
    monkeypatch.setattr("hotline.channels.voice.step", _broken_step)
    monkeypatch.setattr("hotline.channels.voice_flow.safe_ending", _broken_step)
    caller = caller_for(app).call()
    assert caller.hung_up and caller.said == []
