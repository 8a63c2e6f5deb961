"""Every sample story, the clean ones (vignettes-sample.json) and the hard ones
(vignettes-hard-sample.json: messy words, red flags said in passing, replies that start with "no"
but describe the flag, Spanish), played end to end over signed HTTP against a real Redis: by
text, and by phone with the caller saying their own words. None may be under-triaged."""

from __future__ import annotations

import pytest

from hotline.triage.decision import rank
from tests.conftest import AUTH_TOKEN
from tests.support.hard_vignettes import all_stories, load_hard_stories, says
from tests.support.voice_caller import VoiceCaller, answer_every_question
from tests.support.webhooks import TwilioWebhooks, new_phone

STORIES = all_stories()


def story_id(story: dict) -> str:
    return story["id"]


def test_both_files_are_played():
    assert len(load_hard_stories()) == 12
    assert len({s["id"] for s in STORIES}) == len(STORIES) >= 24


# --- by text ---------------------------------------------------------------------------------


def _state(app, key):
    stored = app.extensions["hotline"].store.get_state(key)
    return stored["state"] if stored else None


def _record(app, key):
    store = app.extensions["hotline"].store
    return store.get_record(store.get_state(key)["conv"])


@pytest.mark.parametrize("story", STORIES, ids=story_id)
def test_every_story_by_text(app, twilio, story):
    phone = new_phone()
    twilio.sms(phone, story["opening"])
    asked = []
    for _ in range(30):
        state = _state(app, phone)
        if state is None or state["question"] is None:
            break
        asked.append(state["question"])
        twilio.sms(phone, says(story, state["question"]))
    record = _record(app, phone)
    assert rank(record["disposition"]) >= rank(story["expect"]), ("under-triage", asked, record)
    assert record["disposition"] == story["expect"], (asked, record["answers"])
    assert record["language"] == story["lang"]
    assert record["status"] == "completed"


# --- by phone --------------------------------------------------------------------------------


@pytest.mark.parametrize("story", STORIES, ids=story_id)
def test_every_story_by_phone_in_their_own_words(app, story):
    protocol, lang = app.extensions["hotline"].protocol, story["lang"]
    caller = VoiceCaller(TwilioWebhooks(app.test_client(), AUTH_TOKEN)).call()
    if lang == "es":
        caller.press("9")
    asked = answer_every_question(caller, protocol, lang, lambda key: ("speech", says(story, key)))
    record = _record(app, f"call:{caller.sid}")
    assert rank(record["disposition"]) >= rank(story["expect"]), ("under-triage", asked, record)
    assert record["disposition"] == story["expect"], (asked, record["answers"])
    assert record["language"] == lang
    assert caller.hung_up
