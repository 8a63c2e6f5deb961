"""The safety net's wording rules: which signs a nudge or closing text names, and what an alert
says (and never says)."""

from __future__ import annotations

from hotline.triage.decision import EMERGENCY, FLAG_LEVELS
from hotline.triage.protocol import MAX_SMS_CHARS, load_protocol
from hotline.triage.safety_net import (
    AlertFacts,
    alert_text,
    closing_text,
    nudge_text,
    red_flags_unanswered,
    signs_to_name,
)

EMERGENCY_FLAGS = [f for f, level in FLAG_LEVELS.items() if level == EMERGENCY]


def test_signs_not_ruled_out_are_named_in_danger_order():
    assert signs_to_name({}) == EMERGENCY_FLAGS
    answers = {"bladder_bowel": "no", "saddle_numbness": "unknown", "stroke_signs": "yes"}
    assert signs_to_name(answers) == EMERGENCY_FLAGS[1:]


def test_when_every_sign_was_ruled_out_all_are_named_again():
    assert signs_to_name(dict.fromkeys(EMERGENCY_FLAGS, "no")) == EMERGENCY_FLAGS


def test_unanswered_red_flag_questions_are_counted():
    assert red_flags_unanswered({}) == len(FLAG_LEVELS)
    assert red_flags_unanswered(dict.fromkeys(FLAG_LEVELS, "no")) == 0
    assert red_flags_unanswered({"bladder_bowel": "no", "duration": 3}) == len(FLAG_LEVELS) - 1


def test_the_texts_in_both_languages_name_the_number_and_the_signs():
    protocol = load_protocol()
    for lang in ("en", "es"):
        for build in (nudge_text, closing_text):
            text = build(protocol, lang, {"bladder_bowel": "no"}, "112")
            assert "112" in text
            assert protocol.text(lang, "sign.saddle_numbness") in text
            assert protocol.text(lang, "sign.bladder_bowel") not in text
        # Every sign named, the shortest wording: two GSM segments in English.
        longest = closing_text(protocol, lang, {}, "+15555550100")
        assert len(longest) <= (2 * 153 if lang == "en" else 360), (len(longest), longest)


def test_an_alert_names_the_facts_and_nothing_else():
    protocol = load_protocol()
    facts = AlertFacts("urgent", ("weakness",), "voice", "es", "4567",
                       "https://h.example/staff/conversations/c1")
    text = alert_text(protocol, facts)
    assert text.startswith("Hotline alert: URGENT (leg weakness)")
    assert "by phone" in text and "ES" in text and "4567" in text
    assert text.endswith("https://h.example/staff/conversations/c1")
    assert len(text) <= MAX_SMS_CHARS
    none = alert_text(protocol, AlertFacts("emergency", (), "sms", "en", "1234", "/x"))
    assert "no red flag named" in none
