"""Patient stories and check-in replies in everyday words (wordings.json), played through the
conversation core: none may get less urgent advice than the protocol gives it, and
each gets exactly the advice the file records. Where the hotline is more cautious than the
protocol today, the file says so ('gets', 'why'); a change that reads one of those better must
update the file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from hotline.triage.conversation import Context, Inbound, start_checkin, step
from hotline.triage.decision import DISPOSITIONS
from hotline.triage.protocol import load_protocol
from tests.support.hard_vignettes import play_story
from tests.support.self_care import finished_self_care

# A Thursday at 10 am where the person is: "since last night" and "since tuesday" are read the
# same on every run.
CTX = Context(protocol=load_protocol(),
              clock=lambda tz: datetime(2026, 12, 3, 10, 0, tzinfo=tz))
CORPUS = json.loads((Path(__file__).with_name("wordings.json")).read_text(encoding="utf-8"))
URGENCY = {level: rank for rank, level in enumerate(reversed(DISPOSITIONS))}
CHECKIN_CAUTION = {"better": 0, "unclear": 1, "same": 2, "worse": 3}


def play(story: dict) -> dict:
    return play_story(story, CTX)


def test_the_corpus_covers_every_disposition_and_both_languages():
    stories = CORPUS["stories"]
    assert {s["expect"] for s in stories} == set(DISPOSITIONS)
    assert {s["lang"] for s in stories} == {"en", "es"}
    assert len(stories) >= 1000


@pytest.mark.parametrize("story", CORPUS["stories"], ids=lambda s: s["id"])
def test_a_story_in_everyday_words_gets_its_advice(story):
    got = play(story)["disposition"]
    assert URGENCY[got] >= URGENCY[story["expect"]], f"under-triaged: {story}"
    assert got == story.get("gets", story["expect"]), (
        f"{story['id']} now gets {got}: if that is the protocol's {story['expect']}, drop "
        f"'gets' from wordings.json"
    )


@pytest.mark.parametrize("item", CORPUS["checkins"], ids=lambda c: c["id"])
def test_a_checkin_reply_in_everyday_words_is_read_as_it_says(item):
    state, _ = start_checkin(finished_self_care(item["lang"], CTX), CTX)
    before = set(state["scanned"])
    state, _, effects = step(state, Inbound(item["reply"]), CTX)
    new_flags = set(state["scanned"]) - before
    read_as = next((e["reply"] for e in effects if e["type"] == "checkin_answered"), "unclear")
    expect = item["expect"]
    if expect.startswith("flag:"):
        assert expect.removeprefix("flag:") in new_flags
        assert read_as == "worse"  # a new red flag starts the questions again
        return
    got = "worse" if new_flags else read_as
    assert CHECKIN_CAUTION[got] >= CHECKIN_CAUTION[expect], f"read less cautiously: {item}"
    assert got == item.get("gets", expect)
