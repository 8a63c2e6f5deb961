"""The reply given from the request alone (Redis away): keywords as usual, a red flag's own
advice, and otherwise every emergency sign group with the emergency number."""

from __future__ import annotations

import pytest

from hotline.channels.safe_reply import safe_replies
from hotline.triage.protocol import load_protocol

PROTOCOL = load_protocol()


def keys(text: str, **kwargs) -> list[str]:
    return [r["key"] for r in safe_replies(PROTOCOL, text, "911", **kwargs)]


@pytest.mark.parametrize("text,key", [("STOP", "opted_out"), ("start", "opted_in"),
                                      ("HELP", "help"), ("AYUDA", "help")])
def test_keywords_are_answered_as_usual(text, key):
    assert keys(text) == [key]


@pytest.mark.parametrize("text,level", [
    ("I can't control my bladder", "emergency"),
    ("my face is drooping and my speech is slurred", "emergency"),
    ("my leg is weak and gives way", "urgent"),
])
def test_a_red_flag_in_the_words_gets_its_level_first(text, level):
    assert keys(text) == [f"advice.{level}", "safe_fallback", "outage_wait"]


def test_a_yes_to_the_red_flag_question_a_call_names_gets_its_advice():
    for yes in ({"keypress": "1"}, {"keypress": "", "text": "yes"}):
        text = yes.pop("text", "")
        assert keys(text, channel="voice", lang="en", question="stroke_signs", **yes)[0] == (
            "advice.emergency")
    assert keys("", channel="voice", lang="en", question="stroke_signs", keypress="2") == [
        "safe_fallback", "outage_wait"]
    assert keys("", channel="voice", lang="en", question="duration", keypress="1") == [
        "safe_fallback", "outage_wait"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_safe_reply_names_every_emergency_sign_group(lang):
    text = PROTOCOL.text(lang, "safe_fallback", "sms", emergency_number="911")
    words = {"en": ["bladder", "groin", "face", "slurred", "cold", "pale", "breathing",
                    "spreading", "suddenly", "injury", "911"],
             "es": ["vejiga", "ingle", "cara", "habla", "fría", "pálida", "respirar", "sube",
                    "de golpe", "lesión", "911"]}[lang]
    assert all(w in text for w in words), [w for w in words if w not in text]
    wait = PROTOCOL.text(lang, "outage_wait", "sms")
    assert ("reply" in wait) if lang == "en" else ("responderemos" in wait)
