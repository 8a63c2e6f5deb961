"""`hotline protocol show` tells a clinician how replies are read: what counts as unsure, how a
reply with several readings is read, and when the story stops early."""

from __future__ import annotations

import pytest

from hotline.triage.protocol import load_protocol
from hotline.triage.protocol_show import render_markdown


@pytest.mark.parametrize(("lang", "normal"), [
    ("en", "- difficulty_walking, *no*: `i|he|she walk|walks fine"),
    ("es", "- sudden_onset, *no*: `poco a poco`"),
    ("en", "- pressure_cause, *yes*: `i was|been sitting"),
])
def test_show_lists_the_replies_that_say_it_is_normal(lang, normal):
    assert normal in render_markdown(load_protocol(), lang)


@pytest.mark.parametrize(("lang", "unsure", "statement"), [
    ("en", "`maybe`", "`not able`"), ("es", "`a lo mejor`", "`no puedo`")])
def test_show_lists_unsure_words_readings_and_the_early_stop(lang, unsure, statement):
    text = render_markdown(load_protocol(), lang)
    section = text.split("### What counts as unsure", 1)[1].split("###", 1)[0]
    assert unsure in section and "never *no*" in section
    assert "### A reply with several readings" in text
    assert "the longer" in text and "HOTLINE_TIMEZONE" in text
    assert statement in text
    assert "`resolved` is asked only" in text
    assert "self_care.still_numb" in text


@pytest.mark.parametrize(("lang", "closer"), [("en", "`or anything|nothing|something`"),
                                              ("es", "`ni nada`")])
def test_show_says_where_a_denial_ends(lang, closer):
    assert f"A denial ends at a comma, or at {closer}" in render_markdown(load_protocol(), lang)
