"""Every TwiML document the phone line can emit is well-formed and uses only the verbs,
attributes and values Twilio documents; the call mapping's pure parts; the terminal caller."""

from __future__ import annotations

import io
import re
import threading
import xml.etree.ElementTree as ET
from contextlib import contextmanager, redirect_stdout

import pytest
from werkzeug.serving import make_server

from hotline.channels import voice_flow as flow
from hotline.dev.voice_chat import run_voice_chat
from hotline.outbound.after_call import can_receive_texts
from hotline.triage.answers import parse_duration_hours
from hotline.triage.conversation import new_state
from tests.conftest import AUTH_TOKEN
from tests.support.voice_caller import VoiceCaller, answer_every_question
from tests.support.webhooks import TwilioWebhooks, new_phone, sign

NURSE = "+15550009999"

# Twilio's TwiML voice reference (twilio.com/docs/voice/twiml/...): per verb, the attributes it
# documents and the verbs or SSML elements it may contain. Anything else fails the test.
ATTRIBUTES = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Gather": {
        "action",
        "actionOnEmptyResult",
        "bargeIn",
        "debug",
        "enhanced",
        "finishOnKey",
        "hints",
        "input",
        "language",
        "maxSpeechTime",
        "method",
        "numDigits",
        "partialResultCallback",
        "partialResultCallbackMethod",
        "profanityFilter",
        "speechModel",
        "speechTimeout",
        "timeout",
    },
    "Redirect": {"method"},
    "Dial": {
        "action",
        "answerOnBridge",
        "callerId",
        "hangupOnStar",
        "method",
        "record",
        "recordingStatusCallback",
        "ringTone",
        "timeLimit",
        "timeout",
        "trim",
    },
    "Hangup": set(),
    "Pause": {"length"},
    # SSML inside <Say> (Amazon Polly voices)
    "prosody": {"rate", "pitch", "volume"},
    "break": {"strength", "time"},
}
CHILDREN = {
    "Response": {"Say", "Gather", "Redirect", "Dial", "Hangup", "Pause"},
    "Gather": {"Say", "Pause"},
    "Say": {"prosody", "break"},
    "prosody": {"break"},
    "Dial": set(),
    "Redirect": set(),
    "Hangup": set(),
    "Pause": set(),
    "break": set(),
}
TEXT_REQUIRED = {"Say", "Redirect", "Dial"}  # a spoken text, a URL, a number
LAST_VERBS = {"Redirect", "Hangup", "Dial"}  # a document must end the turn, never run out
METHODS = {"GET", "POST"}
INPUTS = {"dtmf", "speech", "dtmf speech"}
LANGUAGES = {"en-US", "es-US"}
RATES = {"x-slow", "slow", "medium", "fast", "x-fast"}
SAY_LIMIT = 4096  # characters Twilio reads in one <Say>
HINT_LIMIT = 100  # characters per hint phrase
ROUTES = ("/voice/answer?", "/voice/offer?", "/voice/dialed?")


def positive_int(value: str) -> bool:
    return value.isdigit() and int(value) > 0


def check_values(element: ET.Element) -> None:
    a = element.attrib
    if "method" in a:
        assert a["method"] in METHODS
    for name in ("numDigits", "timeout", "length", "loop"):
        if name in a:
            assert positive_int(a[name]), (element.tag, name, a[name])
    if element.tag == "Gather":
        assert a.get("input") in INPUTS
        assert a.get("actionOnEmptyResult", "false") in ("true", "false")
        assert a.get("speechTimeout", "auto") == "auto" or positive_int(a["speechTimeout"])
        assert a.get("action", "").startswith(ROUTES), a
        if "speech" in a["input"]:
            assert a.get("language") in LANGUAGES
            assert all(0 < len(h.strip()) <= HINT_LIMIT for h in a.get("hints", "").split(","))
    if element.tag == "Say":
        assert a.get("language") in LANGUAGES
        assert re.fullmatch(r"Polly\.[A-Z][a-z]+(-Neural)?", a.get("voice", "")), a
        text = "".join(element.itertext()).strip()
        assert 0 < len(text) <= SAY_LIMIT
        assert "{" not in text and "}" not in text, text  # every placeholder filled
    if element.tag == "prosody":
        assert a.get("rate") in RATES or re.fullmatch(r"\d{2,3}%", a.get("rate", ""))
    if element.tag == "Redirect":
        assert element.text.startswith(ROUTES), element.text
    if element.tag == "Dial":
        assert re.fullmatch(r"\+?[0-9]{3,15}", element.text), element.text
        assert a.get("action", "").startswith(ROUTES)


def check_element(element: ET.Element) -> None:
    assert element.tag in ATTRIBUTES, f"<{element.tag}> is not allowed here"
    unknown = set(element.attrib) - ATTRIBUTES[element.tag]
    assert not unknown, f"<{element.tag}> has undocumented attributes {unknown}"
    for child in element:
        assert child.tag in CHILDREN[element.tag], f"<{child.tag}> inside <{element.tag}>"
        check_element(child)
    if element.tag in TEXT_REQUIRED:
        assert "".join(element.itertext()).strip(), f"empty <{element.tag}>"
    check_values(element)


def check_twiml(xml: str) -> None:
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(xml)  # well-formed, or this raises
    assert root.tag == "Response"
    check_element(root)
    verbs = [v.tag for v in root]
    assert verbs and verbs[-1] in LAST_VERBS, verbs
    for tag in LAST_VERBS:
        assert tag not in verbs[:-1], f"verbs after <{tag}> are never reached: {verbs}"
    for gather in root.iter("Gather"):
        assert gather.get("actionOnEmptyResult") == "true" and gather.get("action")


# --- walking the whole flow -----------------------------------------------------------------


@pytest.fixture
def voice_app(make_app):
    def make(**env):
        return make_app(**env)

    return make


def caller_for(app, **kwargs) -> VoiceCaller:
    return VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN), **kwargs)


def by_keys(plan: dict[str, str]):
    return lambda key: ("keypad", plan.get(key, "2"))


def by_words(plan: dict[str, str]):
    return lambda key: ("speech", plan.get(key, "no"))  # "no" in both languages


def every_call(app, lang: str) -> list[VoiceCaller]:
    """Calls that between them reach every kind of document the line emits."""
    protocol = app.extensions["hotline"].protocol
    yes = {"en": "yes", "es": "sí"}[lang]
    calls = []

    def call() -> VoiceCaller:
        caller = caller_for(app).call()
        calls.append(caller)
        if lang == "es":
            caller.press("9")
        return caller

    plans = [
        {"bladder_bowel": "1"},
        {"weakness": "1", "duration": "3"},
        {"duration": "4", "recurring": "1"},
        {"duration": "1", "pressure_cause": "1", "resolved": "1"},
    ]
    for plan in plans:
        answer_every_question(call(), protocol, lang, by_keys(plan))
    answer_every_question(call(), protocol, lang, by_words({"cold_pale_leg": yes}))
    answer_every_question(
        call(),
        protocol,
        lang,
        by_words({"duration": {"en": "since yesterday", "es": "desde ayer"}[lang]}),
    )
    caller = call()
    caller.silence().silence().silence()  # the no-answer ending
    caller = call()
    caller.press("*").speak(yes, confidence=0.2).press("7").press("9").speak("help")
    caller.press("0")  # the nurse, or not understood
    caller.hang_up()
    return calls


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("nurse", [None, NURSE], ids=["no nurse", "nurse"])
def test_every_document_in_the_flow_is_valid_twiml(voice_app, lang, nurse, monkeypatch):
    app = voice_app(HOTLINE_TRANSFER_NUMBER=nurse)
    calls = every_call(app, lang)
    if nurse:
        emergency = caller_for(app).call()
        emergency.press("1")
        emergency.silence()  # staying on the line: the nurse is dialled
        calls.append(emergency)
        for status in ("completed", "no-answer"):
            dialled = caller_for(app).call().press("0")
            dialled._request(
                "http://localhost" + dialled.dial.get("action"), {"DialCallStatus": status}
            )
            calls.append(dialled)
    late = caller_for(app)  # a Gather answer for a call whose state is gone: begins again
    late._request("http://localhost/voice/answer?n=4&r=0&l=" + lang, {"Digits": "1"})
    calls.append(late)
    monkeypatch.setattr("hotline.channels.voice.step", _broken)
    broken = caller_for(app).call()  # the error path
    calls.append(broken)
    documents = [d for c in calls for d in c.documents]
    for document in documents:
        check_twiml(document.xml)
    seen = {v.tag for d in documents for v in d.root.iter()}
    assert {"Gather", "Say", "Redirect", "Hangup", "Pause", "prosody"} <= seen
    assert ("Dial" in seen) == bool(nurse)
    assert broken.hung_up and "9 1 1" in broken.text


def _broken(*args, **kwargs):
    raise RuntimeError("a bug")


def test_the_checker_refuses_what_twilio_does_not_document():
    good = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US" '
        'voice="Polly.Joanna">Hi</Say><Hangup /></Response>'
    )
    check_twiml(good)
    for bad in (
        good.replace("<Hangup />", "<Hangup />x<Play>y</Play>"),
        good.replace('voice="Polly.Joanna"', 'voice="Polly.Joanna" speed="2"'),
        good.replace("<Hangup />", "<Hangup /><Say>late</Say>"),
        good.replace("<Hangup />", ""),
        good.replace("Hi", ""),
        good.replace("Hi", "Call {emergency_number}"),
        good.replace("</Response>", ""),
    ):
        with pytest.raises((AssertionError, ET.ParseError)):
            check_twiml(bad)


# --- the mapping, one function at a time ------------------------------------------------------


@pytest.fixture
def protocol(app):
    return app.extensions["hotline"].protocol


def heard(
    protocol,
    question="bladder_bowel",
    digits="",
    speech="",
    confidence=None,
    lang="en",
    nurse=False,
):
    return flow.hear(
        protocol, lang, protocol.question(question), digits, speech, confidence, can_transfer=nurse
    )


def test_keys_on_a_yes_no_question(protocol):
    assert heard(protocol, digits="1") == flow.Heard(flow.ANSWER, "1", "[keypad 1]")
    assert heard(protocol, digits="2") == flow.Heard(flow.ANSWER, "2", "[keypad 2]")
    assert heard(protocol, digits="*").kind == flow.REPEAT
    assert heard(protocol, digits="9") == flow.Heard(flow.SWITCH_LANGUAGE, "español", "[keypad 9]")
    assert heard(protocol, digits="9", lang="es").text == "english"
    assert heard(protocol, digits="0", nurse=True).kind == flow.PERSON
    for key in "0345678#":
        assert heard(protocol, digits=key).kind == flow.DOUBTFUL, key


def test_keys_on_the_duration_question_read_as_the_menu_says(protocol):
    for lang in ("en", "es"):
        for key, low, high in (("1", 0, 1), ("2", 1, 24), ("3", 24, 168), ("4", 168, 1e9)):
            result = heard(protocol, "duration", digits=key, lang=lang)
            assert result.kind == flow.ANSWER
            assert result.shown == f"[keypad {key}] {result.text}"
            hours = parse_duration_hours(result.text, lang)
            assert hours is not None and low <= hours < high, (lang, key, result.text, hours)
        for key in "56780#":
            assert heard(protocol, "duration", digits=key, lang=lang).kind == flow.DOUBTFUL


def test_speech_and_its_confidence(protocol):
    assert heard(protocol, speech="Yes.", confidence="0.91") == flow.Heard(
        flow.ANSWER, "Yes.", "Yes."
    )
    assert heard(protocol, speech="Yes.", confidence="0.49").kind == flow.DOUBTFUL
    assert heard(protocol, speech="Yes.", confidence="0.5").kind == flow.ANSWER
    assert heard(protocol, speech="Yes.", confidence="n/a").kind == flow.DOUBTFUL
    assert heard(protocol, speech="Yes.").kind == flow.ANSWER  # no Confidence sent at all
    assert heard(protocol, speech="   ").kind == flow.SILENCE
    assert heard(protocol).kind == flow.SILENCE
    assert heard(protocol, digits="2", speech="yes", confidence="0.9").text == "2"


def test_a_hang_up_keeps_what_was_answered(protocol):
    state = {
        **new_state(),
        "phase": "asking",
        "question": "stroke_signs",
        "answers": {"bladder_bowel": "no", "saddle_numbness": "no"},
    }
    # Seven red-flag questions were never answered: staff look at it first.
    hung_up = {"type": "hung_up", "stopped_at": "stroke_signs", "flags_open": 7}
    assert flow.hang_up(state) == (state, [hung_up])
    urgent = {**state, "answers": {**state["answers"], "weakness": "yes"}}
    ended, effects = flow.hang_up(urgent)
    assert ended["disposition"] == "urgent" and ended["phase"] == "finished"
    assert ended["red_flags"] == ["weakness"]
    assert [e["type"] for e in effects] == ["finished", "hung_up"]
    assert urgent["phase"] == "asking"  # the state passed in is left alone
    done = {**state, "phase": "finished", "disposition": "self_care"}
    assert flow.hang_up(done) == (done, [])


def test_which_numbers_can_get_a_text():
    assert can_receive_texts(new_phone())
    assert can_receive_texts("+447700900123")
    for phone in (
        "+266696687",
        "+86282452253",
        "+7378742833",
        "+2562533",
        "+8656696",
        "anonymous",
        "client:alice",
        "5551234567",
        "",
        None,
    ):
        assert not can_receive_texts(phone), phone


# --- the terminal caller ----------------------------------------------------------------------


@contextmanager
def serving(app):
    """The app on a real local HTTP port, as the web process would be."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def live_url(voice_app):
    app = voice_app()
    with serving(app) as url:
        yield url, app


def chat(url: str, phone: str, lines: list[str], **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = run_voice_chat(url, phone, AUTH_TOKEN, lines, **kwargs)
    return status, out.getvalue()


def conversation_of(app, phone):
    store = app.extensions["hotline"].store
    return next(r for r in store.iter_records() if r["phone"] == phone)


def test_the_terminal_caller_follows_the_call_to_its_end(live_url):
    url, app = live_url
    phone = new_phone()
    status, out = chat(url, phone, ["", "*", "yes"])
    assert status == 0
    protocol = app.extensions["hotline"].protocol
    assert out.count(protocol.text("en", "question.bladder_bowel", "voice")) == 3
    assert protocol.text("en", "no_input", "voice") in out
    assert "Hang up and call 9 1 1 now" in out
    assert "(the hotline hung up)" in out
    record = conversation_of(app, phone)
    assert record["disposition"] == "emergency" and record["channel"] == "voice"
    assert any('"call_ended"' in e["text"] for e in record["events"])


def test_the_terminal_caller_hangs_up_at_the_end_of_its_input(live_url):
    url, app = live_url
    phone = new_phone()
    status, out = chat(url, phone, ["9", "2", "no, pero no puedo caminar"])
    assert status == 0
    assert "(you hung up)" in out
    assert "Oprima 1 para sí" in out
    record = conversation_of(app, phone)
    assert record["language"] == "es"
    assert record["disposition"] == "urgent"  # the flag said in words keeps its level
    assert [t["text"] for t in record["transcript"] if t["direction"] == "in"] == [
        "[keypad 9]",
        "[keypad 2]",
        "no, pero no puedo caminar",
    ]


def test_the_terminal_caller_says_when_the_hotline_is_not_there():
    status, _ = chat("http://127.0.0.1:9", new_phone(), ["1"])
    assert status == 2


def test_the_terminal_caller_signs_for_the_public_url(voice_app):
    app = voice_app(HOTLINE_PUBLIC_URL="https://hotline.example.org")
    with serving(app) as url:
        refused, _ = chat(url, new_phone(), ["1"])
        phone = new_phone()
        status, out = chat(url, phone, ["1"], public_url="https://hotline.example.org/")
    assert refused == 1  # signed for the local URL: 403
    assert status == 0 and "Hang up and call 9 1 1 now" in out
    assert conversation_of(app, phone)["disposition"] == "emergency"


def test_callback_urls_keep_the_prefix_a_trusted_proxy_serves_the_app_under(voice_app):
    app = voice_app(HOTLINE_TRUSTED_PROXIES="127.0.0.1", HOTLINE_TRANSFER_NUMBER=NURSE)
    client = app.test_client()
    params = {"CallSid": "CA" + "1" * 32, "From": new_phone(), "To": "+15550001111",
              "CallStatus": "in-progress"}
    public = "https://public.example.org/hotline/voice"
    response = client.post("http://127.0.0.1:8000/voice", data=params, headers={
        "X-Twilio-Signature": sign(AUTH_TOKEN, public, params), "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "public.example.org", "X-Forwarded-Prefix": "/hotline"})
    root = ET.fromstring(response.data)
    actions = [g.get("action") for g in root.iter("Gather")]
    assert actions and all(a.startswith("/hotline/voice/answer?n=1&r=0&l=en&q=") for a in actions)
    assert [r.text for r in root.iter("Redirect")] == actions
