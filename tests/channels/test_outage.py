"""A Redis outage end to end: the Procfile's real web process (its write-back thread included),
real RQ workers, the Twilio REST stand-in, and a real redis-server the tests stop, pause
(SIGSTOP) and fill to maxmemory. What is said during the outage is answered safely at once and
applied after it, exactly once and in order; a STOP is applied before a follow-up can go out."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from hotline.channels.writeback import drain, keep_sms
from hotline.outbound.followup_jobs import deliver
from hotline.staff.filters import Filters
from hotline.store.outage_buffer import OutageBuffer
from hotline.store.staff import StaffRecords
from tests.conftest import AUTH_TOKEN
from tests.support.followups import followup_app, followup_env, plan_followup, services
from tests.support.slow_proxy import SlowProxy
from tests.support.webhooks import message_sid, sign
from tests.support.workers import Workers, wait_until
from tests.test_scale import PUBLIC_URL, SOON, post_sms, start_web

pytestmark = pytest.mark.slow


def say(app, key: str, channel: str = "sms", lang: str = "en") -> str:
    return app.extensions["hotline"].protocol.text(lang, key, channel, emergency_number="911")


def record_of(app, session: str) -> dict:
    store = app.extensions["hotline"].store
    return store.get_record(store.get_state(session)["conv"])


def inbound(record: dict) -> list[str]:
    return [t["text"] for t in record["transcript"] if t["direction"] == "in"]


def buffered(env: dict) -> int:
    return OutageBuffer(env["HOTLINE_SPOOL_DIR"]).count()


def written_back(env: dict, timeout: float = 30.0) -> None:
    wait_until(lambda: buffered(env) == 0, timeout=timeout, what="the write-back to finish")


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def post_form(port: int, path: str, params: dict) -> str:
    """A signed Twilio request to one web process; the TwiML it answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("POST", path, urlencode(params), {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC_URL + path, params)})
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    assert response.status == 200, body
    return body


@pytest.fixture
def env(make_env, twilio_api):
    return followup_env(make_env, twilio_api, HOTLINE_FOLLOWUP_SOON="6s")


@pytest.fixture
def web(env, tmp_path):
    process = start_web(env, tmp_path, "web")
    yield process
    process.stop()


@pytest.fixture
def outage(redis_server):
    """Take Redis away (its data saved, as a persistent Redis keeps it) and bring it back."""

    class Outage:
        def begin(self) -> None:
            redis_server.client().save()
            redis_server.stop()

        def end(self) -> None:
            redis_server.start()

    yield Outage()
    redis_server.start()


# --- STOP ---------------------------------------------------------------------------------------


def test_stop_during_an_outage_is_applied_and_the_planned_follow_up_never_goes_out(
    env, web, outage, tmp_path, twilio_api
):
    app = followup_app(env)
    phone = "+15556200001"
    for text in SOON:
        post_sms(web.port, phone, text)
    [planned] = record_of(app, phone)["followups"]
    assert planned["status"] == "scheduled"
    outage.begin()
    replies = post_sms(web.port, phone, "STOP")
    assert replies == [say(app, "opted_out")]  # answered as usual
    assert OutageBuffer(env["HOTLINE_SPOOL_DIR"]).has_opt_out(phone)
    outage.end()
    workers = Workers(env, tmp_path)
    workers.start()
    try:
        written_back(env)
        assert app.extensions["hotline"].store.is_opted_out(phone)
        record = record_of(app, phone)
        assert [f["status"] for f in record["followups"]] == ["cancelled"]
        assert record["status"] == "opted_out"
        time.sleep(8)  # past the follow-up's due time and the sweeper's grace
    finally:
        workers.close()
    assert [m for m in twilio_api.messages if m.to == phone] == []


def test_a_follow_up_send_waits_for_a_stop_still_in_the_buffer(make_env, twilio_api):
    """The worker's send checks this host's buffer: a STOP not yet written back holds it."""
    env = followup_env(make_env, twilio_api)
    app = followup_app(env)
    hotline = app.extensions["hotline"]
    phone = "+15556200002"
    followup_id = plan_followup(app, phone, "soon")
    keep_sms(hotline, phone, message_sid(), "STOP", 0, "stop", [{"text": "opted out"}])
    assert deliver(services(app), followup_id) == "held"
    assert twilio_api.messages == []
    assert drain(hotline).applied == 1
    assert deliver(services(app), followup_id) != "sent"
    assert twilio_api.messages == []


def test_a_text_answered_during_an_outage_gets_the_reply_it_was_promised(
    env, web, outage, tmp_path, twilio_api
):
    app = followup_app(env)
    phone = "+15556200003"
    post_sms(web.port, phone, "my leg is numb")
    outage.begin()
    assert post_sms(web.port, phone, "no") == [say(app, "safe_fallback"), say(app, "outage_wait")]
    outage.end()
    workers = Workers(env, tmp_path)
    workers.start()
    try:
        sent = wait_until(lambda: len(to := [m.body for m in twilio_api.messages
                                               if m.to == phone]) >= 2 and to,
                          timeout=30, what="the reply owed after the outage")
    finally:
        workers.close()
    assert sent == [say(app, "outage_resume"), say(app, "question.saddle_numbness")]
    assert post_sms(web.port, phone, "no") == [say(app, "question.stroke_signs")]
    record = record_of(app, phone)
    assert record["answers"] == {"bladder_bowel": "no", "saddle_numbness": "no"}
    out = [t["text"] for t in record["transcript"] if t["direction"] == "out"]
    assert out[-3:-1] == sent  # the owed reply is in the transcript where it was sent


# --- red flags ----------------------------------------------------------------------------------


def test_a_red_flag_said_during_an_outage_reaches_record_queue_and_is_not_asked_again(
    env, web, outage
):
    app = followup_app(env)
    mid, first = "+15556300001", "+15556300002"
    post_sms(web.port, mid, "my leg is numb")
    post_sms(web.port, mid, "no")  # bladder question answered; now the groin question
    outage.begin()
    emergency = say(app, "advice.emergency")
    assert post_sms(web.port, mid, "I can't control my bladder")[0] == emergency
    first_reply = post_sms(web.port, first, "my leg went numb after I fell off a ladder")
    assert first_reply[0] == emergency
    plain = post_sms(web.port, "+15556300003", "my leg feels odd")
    assert plain == [say(app, "safe_fallback"), say(app, "outage_wait")]
    assert "groin" in plain[0] and "face" in plain[0] and "breathing" in plain[0]
    outage.end()
    written_back(env)

    hotline = app.extensions["hotline"]
    for phone, flag in ((mid, "bladder_bowel"), (first, "injury")):
        record = record_of(app, phone)
        assert record["disposition"] == "emergency" and flag in record["red_flags"]
        assert any("alert_staff" in e["text"] for e in record["events"])
    queue = StaffRecords(hotline.redis, hotline.settings).scan_queue(Filters(), time.time())
    assert {record_of(app, mid)["id"], record_of(app, first)["id"]} <= set(queue.emergency)

    after = post_sms(web.port, mid, "no")  # not read as "no" to the flag they reported
    assert after == [say(app, "already_finished")]
    record = record_of(app, mid)
    assert record["answers"]["bladder_bowel"] == "yes" and record["disposition"] == "emergency"
    assert inbound(record) == ["my leg is numb", "no", "I can't control my bladder", "no"]


def test_keypad_1_to_an_emergency_question_during_an_outage_gets_that_advice(env, web, outage):
    app = followup_app(env)
    sid = "CA" + "7" * 32
    call = {"CallSid": sid, "From": "+15556400001", "To": "+15550001111",
            "AccountSid": "AC" + "0" * 32, "CallStatus": "in-progress"}
    greeting = post_form(web.port, "/voice", call)
    action = next(ET.fromstring(greeting).iter("Gather")).get("action")
    assert parse_qs(urlsplit(action).query)["q"] == ["bladder_bowel"]
    outage.begin()
    ending = post_form(web.port, action, {**call, "Digits": "1"})
    said = ["".join(s.itertext()).strip() for s in ET.fromstring(ending).iter("Say")]
    advice = say(app, "advice.emergency", "voice")
    assert said[:2] == [advice, advice]  # slowly, twice
    assert said[2:] == [say(app, "safe_fallback", "voice"), say(app, "outage_wait", "voice")]
    assert ET.fromstring(ending).find("Hangup") is not None
    post_form_status = {**call, "CallStatus": "completed", "CallDuration": "40"}
    connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=15)
    connection.request("POST", "/voice/status", urlencode(post_form_status), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC_URL + "/voice/status", post_form_status)})
    assert connection.getresponse().status == 204
    connection.close()
    outage.end()
    written_back(env)
    record = record_of(app, f"call:{sid}")
    assert record["disposition"] == "emergency" and "bladder_bowel" in record["red_flags"]
    assert "[keypad 1]" in inbound(record)


def test_hidden_callers_each_get_their_own_conversation(env, web):
    app = followup_app(env)
    sids = [f"CA{n:032d}" for n in (1, 2)]
    for sid in sids:
        call = {"CallSid": sid, "From": "anonymous", "To": "+15550001111",
                "AccountSid": "AC" + "0" * 32, "CallStatus": "in-progress"}
        post_form(web.port, "/voice", call)
    ids = [record_of(app, f"call:{sid}") for sid in sids]
    assert ids[0]["id"] != ids[1]["id"]
    assert ids[0]["status"] == ids[1]["status"] == "active"  # the second did not expire the first
    assert ids[0]["phone"] != ids[1]["phone"]


# --- Redis refusing writes ----------------------------------------------------------------------


def test_healthz_is_503_while_redis_refuses_writes_and_turns_wait_in_the_buffer(
    env, web, redis_server
):
    app = followup_app(env)
    control = redis_server.client()
    assert get(web.port, "/healthz") == 200
    control.config_set("maxmemory", "1")  # noeviction: answers PING, refuses every write
    try:
        assert get(web.port, "/healthz") == 503
        reply = post_sms(web.port, "+15556500001", "my leg is numb")
        assert reply == [say(app, "safe_fallback"), say(app, "outage_wait")]
        assert buffered(env) == 1
    finally:
        control.config_set("maxmemory", "0")
    assert get(web.port, "/healthz") == 200
    written_back(env)
    assert inbound(record_of(app, "+15556500001")) == ["my leg is numb"]


# --- a long backlog, and Redis stalling while it is written back ----------------------------------

BACKLOG_TEXTS = ("my leg is numb", "no", "no")


def test_1500_buffered_turns_a_stall_midway_and_webhooks_answered_meanwhile(
    env, web, outage, redis_server
):
    app = followup_app(env)
    phones = [f"+1555670{n:04d}" for n in range(500)]
    outage.begin()
    started = time.perf_counter()
    for text in BACKLOG_TEXTS:
        for phone in phones:
            post_sms(web.port, phone, text)
    buffering = time.perf_counter() - started
    assert buffered(env) == 1500
    outage.end()
    recovered = time.perf_counter()
    reply = post_sms(web.port, "+15556800000", "my leg is numb")
    first_latency = time.perf_counter() - recovered
    assert reply[0] == say(app, "greeting")  # answered by a normal turn, not held behind 1,500

    # Texts keep coming while the backlog is written back; Redis stalls (SIGSTOP) midway.
    meanwhile: list[tuple[str, float, bool]] = []
    stop = threading.Event()

    def keep_texting() -> None:
        n = 0
        while not stop.is_set():
            phone, n = f"+155569{n:05d}", n + 1
            t = time.perf_counter()
            answer = post_sms(web.port, phone, "my leg is numb")
            meanwhile.append((phone, time.perf_counter() - t, answer[0] == say(app, "greeting")))

    texter = threading.Thread(target=keep_texting)
    texter.start()
    try:
        wait_until(lambda: buffered(env) < 1000, timeout=60, what="the write-back to start")
        redis_server.pause()
        pause_began = time.perf_counter()
        time.sleep(3)
        redis_server.resume()
        stalled_for = time.perf_counter() - pause_began
        written_back(env, timeout=120)
        done = time.perf_counter()
    finally:
        redis_server.resume()
        stop.set()
        texter.join()
    written_back(env, timeout=30)  # texts the stall sent into the buffer

    store = app.extensions["hotline"].store
    for phone in phones:
        stored = store.get_state(phone)
        assert stored["state"]["question"] == "stroke_signs", phone
        assert inbound(store.get_record(stored["conv"])) == list(BACKLOG_TEXTS), phone
    for phone, _, _ in meanwhile:  # answered normally or safely, each kept exactly once
        assert inbound(record_of(app, phone)) == ["my leg is numb"], phone
    normal = [latency for _, latency, ok in meanwhile if ok]
    safe = [latency for _, latency, ok in meanwhile if not ok]
    assert normal, "no webhook was answered normally during the write-back"
    rate = 1500 / max(done - recovered - stalled_for, 1e-9)
    print(
        f"\n1,500 turns buffered in {buffering:.1f} s ({1500 / buffering:.0f}/s) with Redis down;"
        f"\nfirst webhook after recovery answered in {first_latency * 1000:.0f} ms;"
        f"\nwrite-back: 1,500 turns in {done - recovered:.1f} s including a "
        f"{stalled_for:.1f} s stall, about {rate:.0f} turns/s outside the stall;"
        f"\nwebhooks during the write-back: {len(normal)} answered normally, median "
        f"{statistics.median(normal) * 1000:.0f} ms, max {max(normal) * 1000:.0f} ms; "
        f"{len(safe)} during the stall got the safe reply in at most "
        f"{max(safe, default=0) * 1000:.0f} ms and were buffered"
    )


def test_1500_buffered_turns_behind_a_slow_redis_the_next_webhook_still_answers_at_once(
    make_env, twilio_api, redis_server, outage, tmp_path
):
    """The case of the report: 1 ms per Redis round trip, 1,500 turns waiting."""
    proxy = SlowProxy(redis_server.port, delay=0.001)
    env = followup_env(make_env, twilio_api, REDIS_URL=proxy.url)
    web = start_web(env, tmp_path, "web-slow")
    try:
        app = followup_app(env)
        phones = [f"+1555671{n:04d}" for n in range(500)]
        outage.begin()
        for text in BACKLOG_TEXTS:
            for phone in phones:
                post_sms(web.port, phone, text)
        assert buffered(env) == 1500
        outage.end()
        recovered = time.perf_counter()
        reply = post_sms(web.port, "+15556810000", "my leg is numb")
        first_latency = time.perf_counter() - recovered
        assert reply[0] == say(app, "greeting")
        assert first_latency < 15  # Twilio's limit; the figure is printed below
        latencies = []
        while buffered(env):
            t = time.perf_counter()
            post_sms(web.port, f"+155681{len(latencies):05d}", "my leg is numb")
            latencies.append(time.perf_counter() - t)
        done = time.perf_counter()
        written_back(env)  # any webhook that met the write-back's lock was buffered
        store = followup_app(followup_env(make_env, twilio_api)).extensions["hotline"].store
        for phone in phones:
            assert inbound(store.get_record(store.get_state(phone)["conv"])) == list(
                BACKLOG_TEXTS)
        for n in range(len(latencies)):  # answered normally or safely, each kept exactly once
            stored = store.get_state(f"+155681{n:05d}")
            assert stored and inbound(store.get_record(stored["conv"])) == ["my leg is numb"], n
    finally:
        web.stop()
        proxy.close()
    print(
        f"\nbehind 1 ms per round trip: first webhook after recovery {first_latency * 1000:.0f} ms"
        f" with 1,500 waiting; write-back {1500 / (done - recovered):.0f} turns/s "
        f"({done - recovered:.1f} s); {len(latencies)} webhooks meanwhile, median "
        f"{statistics.median(latencies or [0]) * 1000:.0f} ms, max "
        f"{max(latencies, default=0) * 1000:.0f} ms"
    )
