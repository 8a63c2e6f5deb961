"""The kinds of messy reply that used to be under-triaged (issue 11), one test per kind, each
with several wordings: the class must work, not the one phrase."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.triage.answers import NO, parse_duration_hours, parse_yes_no, says_unsure
from hotline.triage.conversation import ASKING, Context, Inbound, start_checkin, step
from hotline.triage.decision import EMERGENCY, SELF_CARE, SOON, UNKNOWN, URGENT, YES
from hotline.triage.protocol import load_protocol
from hotline.triage.reading import read
from hotline.triage.redflags import scan_red_flags
from tests.support.self_care import finished_self_care

PROTOCOL = load_protocol()
CTX = Context(protocol=PROTOCOL)
NEW_YORK = ZoneInfo("America/New_York")


def play(opening: str, replies: dict[str, str], default: str = "no") -> dict:
    """A whole conversation by text; `replies` per question key, `default` for the rest."""
    state, _, _ = step(None, Inbound(opening), CTX)
    for _ in range(30):
        if state["phase"] != ASKING:
            break
        state, _, _ = step(state, Inbound(replies.get(state["question"], default)), CTX)
    return state


def ask_until(question: str, opening: str = "my leg is numb", lang_no: str = "no") -> dict:
    state, _, _ = step(None, Inbound(opening), CTX)
    while state["question"] != question:
        answer = "2 hours" if state["question"] == "duration" else lang_no
        state, _, _ = step(state, Inbound(answer), CTX)
    return state


# --- 1. a reply that starts with "no" but describes the red flag -----------------------------


@pytest.mark.parametrize(("question", "reply"), [
    ("weakness", "nope, although the knee gives out on me sometimes"),
    ("weakness", "no, but it does buckle when I go down stairs"),
    ("weakness", "not really, my leg just feels heavy and useless"),
    ("difficulty_walking", "not really, i just wobble and have to hold onto the walls"),
    ("difficulty_walking", "nah, though I keep stumbling"),
    ("difficulty_walking", "no. i'm limping a bit"),
    ("difficulty_walking", "no but I need a cane now"),
    ("difficulty_walking", "nope, i have to hold on to stuff"),
    ("difficulty_walking", "no, pero me voy de lado al caminar"),
    ("difficulty_walking", "no, solo que no puedo subir escaleras"),
])
def test_a_described_red_flag_is_a_yes_whatever_word_starts_the_reply(question, reply):
    state = ask_until(question)
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"][question] == YES
    assert state["disposition"] == URGENT


def test_a_plain_no_is_still_a_no():
    state = ask_until("weakness")
    state, _, _ = step(state, Inbound("no, it's just numb"), CTX)
    assert state["answers"]["weakness"] == NO


# --- 2. "no puedo ...", "can't ..." are statements, not the answer no -------------------------


@pytest.mark.parametrize("reply", [
    "no puedo caminar sin apoyarme en algo",
    "no aguanto estar de pie",
    "no siento bien el pie",
    "no me responde la pierna",
    "no puedo pararme",
])
def test_spanish_no_puedo_is_not_the_answer_no(reply):
    assert parse_yes_no(reply, "es") != NO


@pytest.mark.parametrize(("question", "reply"), [
    ("difficulty_walking", "no puedo caminar sin apoyarme en algo"),
    ("difficulty_walking", "no puedo pararme solo"),
    ("weakness", "no me responde la pierna"),
    ("difficulty_walking", "I cannot stand up without help"),
    ("difficulty_walking", "unable to walk far"),
])
def test_inability_named_to_a_red_flag_question_is_that_flag(question, reply):
    opening = "tengo la pierna dormida" if "no " in reply[:3] else "my leg is numb"
    state = ask_until(question, opening)
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"][question] == YES
    assert state["disposition"] == URGENT


# --- 3. unsure answers are unknown, never a no -------------------------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("maybe? my doctor said my sugar was a bit high", "en"), ("i think so", "en"),
    ("not sure", "en"), ("probably", "en"), ("yes?", "en"), ("?", "en"), ("no??", "en"),
    ("a lo mejor", "es"), ("creo que sí", "es"), ("puede ser", "es"), ("sí?", "es"),
])
def test_unsure_replies(text, lang):
    assert says_unsure(text, lang)


@pytest.mark.parametrize("text", ["yes", "no", "my leg? yes", "what?"])
def test_not_unsure(text):
    assert not says_unsure(text)


@pytest.mark.parametrize("reply", ["maybe? my doctor said my sugar was a bit high", "i think so",
                                   "probably", "yes?"])
def test_unsure_to_a_story_question_is_unknown_and_rules_out_self_care(reply):
    state = play("my foot fell asleep sitting", {"duration": "10 minutes", "pressure_cause": "yes",
                                                  "risk_condition": reply})
    assert state["answers"]["risk_condition"] == UNKNOWN
    assert state["disposition"] == SOON


def test_unsure_pressure_cause_is_not_a_yes():
    state = play("my foot is numb", {"duration": "10 minutes", "pressure_cause": "i think so"})
    assert state["disposition"] == SOON


def test_unsure_to_a_red_flag_is_asked_once_more_then_counts_as_present():
    state = ask_until("weakness")
    state, replies, _ = step(state, Inbound("not sure"), CTX)
    assert state["question"] == "weakness" and replies[-1]["key"] == "question.weakness"
    state, _, _ = step(state, Inbound("maybe"), CTX)
    assert state["answers"]["weakness"] == UNKNOWN
    assert state["disposition"] == URGENT


# --- 4. durations with several time words ------------------------------------------------------


@pytest.mark.parametrize(("text", "lang", "hours"), [
    ("ever since my nap 3 days ago", "en", 72),
    ("I took a 2 hour nap and it has been numb for 10 minutes", "en", 10 / 60),
    ("bout 45 mins", "en", 0.75),
    ("a couple hrs", "en", 2),
    ("2wks", "en", 336),
    ("since this am", "en", 3),
    ("since lunch", "en", 5),
    ("20 minutes, or maybe since yesterday", "en", 24),
    ("media horita", "es", 0.5),
    ("un ratito", "es", 0.5),
    ("desde antier", "es", 48),
    ("desde ayer, y hoy ya no aguanto", "es", 24),
    # longer than they can say counts as long as an unknown duration, whatever else is said
    ("idk honestly, noticed it today but could've been there a while", "en", 48),
    ("it's been going on a while now", "en", 48),
    ("lo noté hoy pero puede que lleve tiempo así", "es", 48),
    ("since bout noon", "en", 5),
    # said to be maybe longer: twice as long, so a short "an hour or more" stays short
    ("I think since last night, maybe earlier", "en", 24),
    ("20 hours or more", "en", 40),
    ("about an hour, maybe more", "en", 2),
    ("desde anoche o antes", "es", 24),
    ("una hora más o menos", "es", 1),
    ("since 9am yday", "en", 24),
    ("since I got back from my trip on tuesday", "en", 72),  # a weekday, no clock given
    # under a day, said as under a day
    ("nearly a day", "en", 23), ("not even a full day, it started after supper", "en", 23),
    ("casi un día", "es", 23), ("more than a day", "en", 24), ("más de un día", "es", 24),
    ("desde la tarde", "es", 2),
])
def test_duration_readings(text, lang, hours):
    assert parse_duration_hours(text, lang) == pytest.approx(hours, rel=0.05)


@pytest.mark.parametrize(("text", "lang", "weekday", "hours"), [
    # Thursday 3 December 2026, 10:00 in New York.
    ("since tuesday", "en", 1, 2 * 24 + 10),
    ("since thursday", "en", 3, 7 * 24 + 10),  # the last Thursday before today
    ("desde el lunes", "es", 0, 3 * 24 + 10),
    ("since the weekend", "en", 5, 5 * 24 + 10),
    # The day after a "since ..." says when that was; the shorter fixed reading does not win.
    ("since I got back thursday", "en", 3, 7 * 24 + 10),
    ("desde que llegué del viaje el jueves", "es", 3, 7 * 24 + 10),
    ("for 3 days, since monday", "en", 0, 3 * 24 + 10),
])
def test_a_weekday_is_the_last_one_before_today(text, lang, weekday, hours):
    now = datetime(2026, 12, 3, 10, 0, tzinfo=NEW_YORK)
    assert now.weekday() == 3
    assert parse_duration_hours(text, lang, now=now) == pytest.approx(hours)


def test_the_conversation_dates_weekdays_in_its_time_zone():
    state = play("my foot fell asleep", {"duration": "since monday", "pressure_cause": "yes"})
    assert state["answers"]["duration"] >= 24
    assert state["disposition"] == SOON


@pytest.mark.parametrize(("opening", "duration"), [
    ("my foot fell asleep", "since about 4pm"),
    ("se me durmió el pie", "desde las 10 de la mañana"),
])
def test_a_time_of_day_is_under_a_day_whatever_the_time_now(opening, duration):
    state = play(opening, {"duration": duration, "pressure_cause": "yes"})
    assert 0 <= state["answers"]["duration"] < 24
    assert state["disposition"] == SELF_CARE


# --- 5. red flags said in passing while answering another question -----------------------------


@pytest.mark.parametrize(("opening", "reply"), [
    ("my calf is numb", "since lunch, and now my toes look kind of grey and feel cold"),
    ("se me entumió la pierna", "desde ayer, y hoy ya no aguanto las ganas de orinar, se me sale"),
    ("my leg is numb", "2 days. also my face looks droopy on one side"),
])
def test_a_red_flag_in_a_duration_answer_is_an_emergency(opening, reply):
    state = ask_until("duration", opening, lang_no="no")
    state, replies, _ = step(state, Inbound(reply), CTX)
    assert state["disposition"] == EMERGENCY
    assert "advice.emergency" in [r["key"] for r in replies]


@pytest.mark.parametrize(("text", "lang", "flag"), [
    ("tengo el leg cold and blue", "es", "cold_pale_leg"),
    ("my pierna está fría y morada", "en", "cold_pale_leg"),
    ("tengo el leg numb y no puedo caminar", "es", "difficulty_walking"),
])
def test_mixed_languages_are_scanned_in_both(text, lang, flag):
    assert flag in scan_red_flags(text, lang)


# --- 6. a word of one language does not fire the other's pattern -------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("se me durmió el pie haciendo la limpieza de rodillas", "es"),
    ("estaba limpiando la casa", "es"),
    ("limpieza", "en"),
])
def test_a_spanish_word_does_not_fire_an_english_prefix(text, lang):
    assert scan_red_flags(text, lang) == frozenset()


def test_the_english_prefix_still_matches_english_words():
    assert "difficulty_walking" in scan_red_flags("I'm limping", "en")
    assert "difficulty_walking" in scan_red_flags("ando cojeando", "es")


# --- 7. near misses and negations are not a red flag -------------------------------------------


@pytest.mark.parametrize(("text", "lang"), [
    ("I nearly fell on the stairs", "en"), ("almost tripped over the dog", "en"),
    ("casi me caigo en la escalera", "es"), ("didn't fall or hit anything", "en"),
    ("no weakness", "en"), ("I didn't fall", "en"), ("no me caí", "es"),
    ("my foot fell asleep kneeling to paint the baseboards, didn't fall or hit anything", "en"),
])
def test_near_misses_and_negations_raise_nothing(text, lang):
    assert scan_red_flags(text, lang) == frozenset()


# --- 8. emergencies in the first text, more ways -----------------------------------------------


@pytest.mark.parametrize(("text", "flag"), [
    ("took a tumble down the steps and now my leg is numb", "injury"),
    ("me di un sentón y se me durmió la pierna", "injury"),
    ("me hice del baño y tengo la pierna dormida", "bladder_bowel"),
    ("no puedo controlar la vejiga", "bladder_bowel"),
    ("my wife can't lift her arm", "stroke_signs"),
    ("mi esposo no puede levantar el brazo", "stroke_signs"),
    ("took a nasty spill on the ice", "injury"),
])
def test_first_text_emergencies(text, flag):
    state, replies, _ = step(None, Inbound(text), CTX)
    assert flag in state["red_flags"]
    assert state["disposition"] == EMERGENCY
    assert "advice.emergency" in [r["key"] for r in replies]


# --- resolved counts, and the story stops once decided ----------------------------------------


@pytest.mark.parametrize(("resolved", "key"), [("yes", "self_care.gone"),
                                               ("no", "self_care.still_numb")])
def test_resolved_changes_the_self_care_advice(resolved, key):
    state, replies, _ = step(None, Inbound("my foot fell asleep"), CTX)
    answers = {"duration": "10 min", "pressure_cause": "yes", "resolved": resolved}
    while state["phase"] == ASKING:
        state, replies, _ = step(state, Inbound(answers.get(state["question"], "no")), CTX)
    assert state["disposition"] == SELF_CARE
    keys = [r["key"] for r in replies]
    assert keys[:2] == ["advice.self_care", key]


@pytest.mark.parametrize(("answers", "last"), [
    ({"duration": "3 weeks"}, "duration"),
    ({"duration": "2 hours", "worsening": "yes"}, "worsening"),
    ({"duration": "2 hours", "pressure_cause": "no"}, "pressure_cause"),
])
def test_the_story_stops_when_no_answer_can_change_the_level(answers, last):
    state, _, _ = step(None, Inbound("my leg is numb"), CTX)
    asked = []
    while state["phase"] == ASKING:
        asked.append(state["question"])
        state, _, _ = step(state, Inbound(answers.get(state["question"], "no")), CTX)
    assert asked[-1] == last
    assert all(q.key in asked for q in PROTOCOL.red_flag_questions)  # red flags always asked
    assert "resolved" not in asked
    assert state["disposition"] == SOON
    assert "not asked:" in state["rule"] and "resolved" in state["rule"]


def test_one_reading_serves_every_parser():
    reading = read("since lunch, and now my toes look kind of grey and feel cold", "en")
    assert read("since lunch, and now my toes look kind of grey and feel cold", "en") is reading
    assert "cold_pale_leg" in reading.red_flags
    assert [d.hours for d in reading.durations] == [5]
    assert reading.unsure  # "kind of"


# --- story answers said in passing only ever rule out self-care --------------------------------


@pytest.mark.parametrize(("opening", "key"), [
    ("NUMB TOES FOR LIKE 3 WKS", "duration"),
    ("my toes have been numb for about two months, I'm diabetic", "risk_condition"),
    ("se me duerme la pierna casi todos los días", "recurring"),
    ("my foot keeps going numb and it's getting worse", "worsening"),
])
def test_a_story_answer_in_the_first_text_ends_the_story_after_the_red_flags(opening, key):
    state, _, _ = step(None, Inbound(opening), CTX)
    asked = []
    while state["phase"] == ASKING:
        asked.append(state["question"])
        state, _, _ = step(state, Inbound("no"), CTX)
    assert asked == [q.key for q in PROTOCOL.red_flag_questions]
    assert state["disposition"] == SOON
    assert key in state["rule"].split("from their own words: ")[1]


@pytest.mark.parametrize("opening", [
    "my foot fell asleep 5 min ago", "I'm not diabetic, my foot fell asleep",
    "it is not getting worse", "my foot fell asleep sitting"])
def test_words_never_give_a_short_duration_or_a_no(opening):
    state, _, _ = step(None, Inbound(opening), CTX)
    assert not set(state["answers"]) & {"duration", "worsening", "recurring", "risk_condition"}


def test_a_story_answer_said_while_answering_a_red_flag_counts():
    state = ask_until("weakness")
    state, _, _ = step(state, Inbound("no, but it keeps coming back"), CTX)
    assert state["answers"]["weakness"] == NO and state["answers"]["recurring"] == YES


def test_words_raise_an_answer_given_earlier_never_lower_it():
    state = play("my foot fell asleep", {"duration": "2 hours", "worsening": "no",
                                         "recurring": "actually it has been numb for 3 days now"})
    assert state["answers"]["duration"] == 72
    assert state["disposition"] == SOON


@pytest.mark.parametrize("reply", ["yes, a little", "yeah kind of", "sí, un poco"])
def test_a_hedged_yes_to_a_red_flag_is_a_yes(reply):
    state = ask_until("weakness")
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"]["weakness"] == YES


@pytest.mark.parametrize("reply", ["yes, a little", "sí, un poco"])
def test_a_hedged_yes_to_a_story_question_is_unknown(reply):
    state = play("my foot fell asleep", {"duration": "10 minutes", "pressure_cause": reply})
    assert state["answers"]["pressure_cause"] == UNKNOWN
    assert state["disposition"] == SOON


@pytest.mark.parametrize(("question", "reply"), [
    # Speech comes without commas.
    ("difficulty_walking", "not really i just wobble and have to hold onto the walls"),
    ("difficulty_walking", "not really it wobbles"),
    ("weakness", "nope although the knee gives out on me sometimes"),
    ("weakness", "no it gives out sometimes"),
])
def test_a_spoken_answer_then_the_flag_without_punctuation(question, reply):
    state = ask_until(question)
    state, _, _ = step(state, Inbound(reply, channel="voice"), CTX)
    assert state["answers"][question] == YES


@pytest.mark.parametrize("text", ["not really weak", "not at all weak", "I am not really weak",
                                  "no mucho débil"])
def test_a_denial_after_an_answer_word_is_still_a_denial(text):
    assert "weakness" not in scan_red_flags(text)


@pytest.mark.parametrize(("text", "lang"), [
    ("I sit at my desk every day", "en"), ("trabajo sentado todos los días", "es"),
    ("it never happened before", "en"), ("I'm not diabetic", "en"),
])
def test_how_often_they_do_something_is_not_how_often_it_is_numb(text, lang):
    assert read(text, lang).story_stated == frozenset()


@pytest.mark.parametrize(("text", "lang", "key"), [
    ("no, its not the first time, happens every few weeks", "en", "recurring"),
    ("no well i mean last summer it did this once but", "en", "recurring"),
    ("no bueno el año pasado una vez me pasó pero", "es", "recurring"),
    ("no, bueno, me pasó antes, hace un año", "es", "recurring"),
    ("ya no estoy en quimio, terminé en enero", "es", "risk_condition"),
    ("not on chemo anymore", "en", "risk_condition"),
    ("finished chemo last year", "en", "risk_condition"),
])
def test_a_story_said_after_a_no_still_counts(text, lang, key):
    assert key in read(text, lang).story_stated


@pytest.mark.parametrize(("text", "lang"), [
    ("never happened before", "en"), ("nunca me había pasado", "es"), ("never had chemo", "en"),
    ("nunca he tenido quimio", "es"),
])
def test_a_denied_story_is_not_said(text, lang):
    assert read(text, lang).story_stated == frozenset()


def test_sitting_for_a_while_is_how_it_started_not_how_long_it_lasted():
    assert parse_duration_hours("i sat for a while and it went numb") is None


@pytest.mark.parametrize(("text", "lang"), [
    ("no not worse exactly, just more of my foot is numb than this morning", "en"),
    ("it spread up to my knee", "en"),
    ("no, but now it's gone up past my ankle", "en"),
    ("no sé, ya me agarra más", "es"),
    ("ya llega hasta la rodilla", "es"),
    ("ya agarra más parte de la pierna", "es"),
    ("se me ha subido hasta la rodilla", "es"),
])
def test_numbness_taking_more_of_the_leg_is_worsening(text, lang):
    assert read(text, lang).story_stated == frozenset({"worsening"})


@pytest.mark.parametrize(("text", "lang"), [
    ("it hasn't spread", "en"), ("she went up to her room and her calf is numb", "en"),
    ("no se ha extendido", "es"), ("se me subió el azúcar", "es"),
    ("mi mamá se subió al carro", "es"),
])
def test_words_near_spreading_are_not_worsening(text, lang):
    assert "worsening" not in read(text, lang).story_stated


# --- 9. every red flag in other everyday words, both languages ----------------------------------
# Each row names its flag without the protocol's own words; the conversation is then answered
# "no" to every question, so only the reading of the words can reach the level.

OTHER_WORDS = [
    ("my leg is numb and i've been wetting myself", "en", "bladder_bowel"),
    ("leg numb, i haven't been able to pee since last night", "en", "bladder_bowel"),
    ("leg numb. urine just comes out without me knowing", "en", "bladder_bowel"),
    ("numb leg, can't empty my bladder", "en", "bladder_bowel"),
    ("i peed a little without realizing and my leg is numb", "en", "bladder_bowel"),
    ("numb leg and i cant tell when i have to go to the bathroom", "en", "bladder_bowel"),
    ("numb leg, bowels not working right, can't go", "en", "bladder_bowel"),
    ("tengo la pierna dormida y me estoy orinando sin darme cuenta", "es", "bladder_bowel"),
    ("me mojé en la cama y tengo la pierna dormida", "es", "bladder_bowel"),
    ("my leg is numb and so is my bottom", "en", "saddle_numbness"),
    ("numb leg and my private area feels numb too", "en", "saddle_numbness"),
    ("numbness in my leg and around my backside", "en", "saddle_numbness"),
    ("i can't feel the toilet paper when i wipe", "en", "saddle_numbness"),
    ("numb leg and when i sit on the toilet i can't feel the seat", "en", "saddle_numbness"),
    ("se me durmió la pierna y la entrepierna", "es", "saddle_numbness"),
    ("no siento el papel cuando me limpio", "es", "saddle_numbness"),
    ("my husband's leg is numb and his smile is crooked", "en", "stroke_signs"),
    ("my wife says my smile looks lopsided", "en", "stroke_signs"),
    ("my dad's leg is numb and his face looks weird on one side", "en", "stroke_signs"),
    ("my dad's leg is numb and he's confused and not making sense", "en", "stroke_signs"),
    ("my leg is numb and i can't grip anything with my right hand", "en", "stroke_signs"),
    ("tengo la pierna dormida y el brazo también", "es", "stroke_signs"),
    ("mi abuelo tiene la pierna dormida y se le traba la lengua", "es", "stroke_signs"),
    ("mi papá tiene la pierna dormida y no se le entiende lo que dice", "es", "stroke_signs"),
    ("got tackled at football and my leg is numb", "en", "injury"),
    ("i wiped out on my skateboard and now my leg's numb", "en", "injury"),
    ("my horse threw me and now my leg is numb", "en", "injury"),
    ("numb since the fall", "en", "injury"),
    ("i got into a fender bender and my leg is numb", "en", "injury"),
    ("me tumbó el caballo y tengo la pierna dormida", "es", "injury"),
    ("me pegaron en la espalda y tengo la pierna dormida", "es", "injury"),
    ("my calf is numb and the pain is unbearable", "en", "cold_pale_leg"),
    ("my foot turned dark and it's numb", "en", "cold_pale_leg"),
    ("my leg is numb and it's gone all blotchy and cold", "en", "cold_pale_leg"),
    ("my toes are bluish and numb", "en", "cold_pale_leg"),
    ("tengo el pie negro y dormido", "es", "cold_pale_leg"),
    ("tengo la pierna dormida y un dolor insoportable", "es", "cold_pale_leg"),
    ("my legs are getting weaker by the hour", "en", "rapid_spread"),
    ("tengo la pierna dormida y me falta la respiración", "es", "rapid_spread"),
    ("my leg went numb in an instant", "en", "sudden_onset"),
    ("my leg went numb in a second", "en", "sudden_onset"),
    ("it came on really fast, my whole leg is numb", "en", "sudden_onset"),
    ("se me durmió la pierna en un segundo sin razón", "es", "sudden_onset"),
    ("se me durmió la pierna de un jalón", "es", "sudden_onset"),
    ("my foot is numb and i keep dragging it", "en", "weakness"),
    ("numb foot and it keeps slapping the ground when i walk", "en", "weakness"),
    ("numb leg and my ankle keeps rolling", "en", "weakness"),
    ("numb leg and it doesn't move right", "en", "weakness"),
    ("numb foot and i can't wiggle my toes", "en", "weakness"),
    ("tengo el pie dormido y lo arrastro", "es", "weakness"),
    ("tengo la pierna dormida y se me tuerce el tobillo", "es", "weakness"),
    ("tengo la pierna dormida y no la puedo levantar", "es", "weakness"),
    ("tengo la pierna dormida y no me sostiene", "es", "weakness"),
    ("numb leg and it's hard to get around", "en", "difficulty_walking"),
    ("numb leg, walking is really hard", "en", "difficulty_walking"),
    ("numb foot and i keep catching my toes on the floor", "en", "difficulty_walking"),
    ("tengo la pierna dormida y camino como borracho", "es", "difficulty_walking"),
    ("tengo la pierna dormida y no camino bien", "es", "difficulty_walking"),
    ("tengo la pierna dormida y se me atoran los dedos al caminar", "es", "difficulty_walking"),
    ("my mom dice que tiene la pierna dormida y que no siente nada en sus partes ni en las nalgas",
     "es", "saddle_numbness"),
    ("both legs tingly and the inside of my thighs feel like rubber up near my groin", "en",
     "saddle_numbness"),
    ("numbness started in my toes monday, now its past my knees on BOTH legs and climbing", "en",
     "rapid_spread"),
    ("tengo la pierna dormida y no he podido hacer pipí, no sale nada", "es", "bladder_bowel"),
    ("se me ha dormido la pierna y no consigo mear, no sale ni gota", "es", "bladder_bowel"),
    ("my leg's numb and the whole left side of me feels like it belongs to someone else", "en",
     "stroke_signs"),
    ("leg's numb and i can't hold my coffee cup with my right hand, it keeps dropping", "en",
     "stroke_signs"),
    ("my foot has gone a weird purply colour and its like ice to touch", "en", "cold_pale_leg"),
    ("the skin below the knee looks washed-out and waxy, like touching a fridge door", "en",
     "cold_pale_leg"),
    ("I was stirring soup and my leg went numb like someone flipped a switch", "en",
     "sudden_onset"),
    ("yo estaba de pie en la cocina y la pierna se me apagó, como si me desconectaran", "es",
     "sudden_onset"),
    ("estaba caminando al mercado y de un solo me dejó de sentir la pierna", "es", "sudden_onset"),
    ("my leg wont do what i tell it, i try to lift my foot and it just flops", "en", "weakness"),
    ("left leg numb and it's got zero oomph, can't even push the gas pedal properly", "en",
     "weakness"),
    # trouble starting to pass urine, said as how long it takes or how hard it is
    ("my leg is numb and it takes forever to start peeing", "en", "bladder_bowel"),
    ("numb leg, hard to get the stream going", "en", "bladder_bowel"),
    ("numb leg and i have to wait ages for it to come out", "en", "bladder_bowel"),
    ("numb foot and my stream is weak", "en", "bladder_bowel"),
    ("pierna dormida y me cuesta un montón empezar a orinar", "es", "bladder_bowel"),
    ("tengo la pierna dormida y tengo q pujar", "es", "bladder_bowel"),
    ("tengo el pie dormido y tardo mucho en empezar a orinar", "es", "bladder_bowel"),
    ("pierna dormida y el chorro sale bien flojito", "es", "bladder_bowel"),
    ("tengo la pierna dormida y me hice pichí sin darme cuenta", "es", "bladder_bowel"),
    # a walking aid they now walk with; wiping that cannot be felt
    ("numb leg, i'm walking with a cane now", "en", "difficulty_walking"),
    ("numb foot, been getting around with grandma's cane", "en", "difficulty_walking"),
    ("tengo la pierna dormida, camino pero con el bastón de mi abuela", "es",
     "difficulty_walking"),
    ("numb legs, and when i wipe i cant really feel it", "en", "saddle_numbness"),
    ("numb foot, i trip over the rug all the time now", "en", "difficulty_walking"),
    ("leg numb and wiping feels weird down there", "en", "saddle_numbness"),
    ("tengo la pierna dormida y al limpiarme siento raro", "es", "saddle_numbness"),
    ("me caí rendida en la escalera y me pegué, tengo la pierna dormida", "es", "injury"),
    ("me caigo de sueño pero ayer me caí en el baño y tengo el pie dormido", "es", "injury"),
    # told by what was noticed or done, not by the sign's name
    ("numb leg, and i've changed the sheets twice this week", "en", "bladder_bowel"),
    ("leg numb, i haven't needed to pee since yesterday, zero urge", "en", "bladder_bowel"),
    ("pierna dormida y no me dan ganas de orinar desde ayer", "es", "bladder_bowel"),
    ("his leg is numb and he asked me for the spoon when he wanted the remote", "en",
     "stroke_signs"),
    ("my leg is numb and i can't do up my buttons, my fingers won't listen", "en",
     "stroke_signs"),
    ("tengo la pierna dormida y no me puedo abrochar la blusa, los dedos no me hacen caso",
     "es", "stroke_signs"),
    ("numb foot, i have to lift my knee really high to walk", "en", "weakness"),
    ("pie entumido, levanto la rodilla muy alto al caminar para no arrastrar la punta", "es",
     "weakness"),
    ("pierna dormida, al bañarme no siento el agua ni en las pompas", "es", "saddle_numbness"),
    ("pierna dormida, ya ni con el bastón puedo caminar", "es", "difficulty_walking"),
    ("tengo la pierna dormida y me tienen que llevar del brazo", "es", "difficulty_walking"),
    # negation around the sign, and signs that have passed
    ("legs numb, this morning i stood there forever and couldnt get anything out", "en",
     "bladder_bowel"),
    ("thigh numb, and my butt cheeks, they feel like theyre asleep", "en", "saddle_numbness"),
    ("leg numb, i cant even see straight out of my left eye", "en", "stroke_signs"),
    ("pierna dormida, ya no, pero hace rato no me salían bien las palabras", "es",
     "stroke_signs"),
    ("pierna dormida y decía una cosa por otra", "es", "stroke_signs"),
    ("pierna dormida, no puedo subir el escalón del camión", "es", "difficulty_walking"),
    # said in passing in a long first message, then answered no
    ("numb leg, i keep finding my underwear wet and i didnt even feel it happen", "en",
     "bladder_bowel"),
    ("pierna entumida, ayer ya le tuvimos que comprar pañales porque se hace encima", "es",
     "bladder_bowel"),
    ("leg numb, when i wipe i can barely feel the paper", "en", "saddle_numbness"),
    ("her leg is numb and she can't feel the chair, her bottom feels like a block of wood",
     "en", "saddle_numbness"),
    ("pierna dormida y empezó a hablar arrastrando las palabras", "es", "stroke_signs"),
    ("leg numb after the ladder thing, landed on my backside on the patio", "en", "injury"),
    ("tengo las piernas dormidas, el martes me dieron un alcance en el semáforo", "es",
     "injury"),
    ("le dieron una tacleada y se fue de cabeza, ahora tiene los pies dormidos", "es",
     "injury"),
    ("tengo los pies dormidos, me fui de cabeza contra el pasto", "es", "injury"),
    ("numb foot and she cant go up on releve", "en", "weakness"),
    ("numb feet since some teenager slammed into me on the bumper cars", "en", "injury"),
    ("numb leg, my neck popped in a choke at jiu jitsu", "en", "injury"),
    ("pierna rara, se me volteó la cuatrimoto en la zanja", "es", "injury"),
    ("leg numb, i slid down the cabinet onto my bottom", "en", "injury"),
    ("my left foot is numb and my toes are a dusky purplish color", "en", "cold_pale_leg"),
    ("tengo el pie dormido, se ve grisáceo, como pie de muerto", "es", "cold_pale_leg"),
    ("piernas dormidas y siento que no me entra bien el aire", "es", "rapid_spread"),
    ("his foot is numb and the leg barely moves", "en", "weakness"),
    ("pie dormido y ya no puedo ni mover bien los dedos", "es", "weakness"),
    ("numb foot, she cant go up on releve anymore, the foot just wont push", "en",
     "weakness"),
    ("numb foot, he couldn't keep going on his route, the foot wouldn't cooperate", "en",
     "difficulty_walking"),
    ("numb foot and he couldn't make it up the stairs", "en", "difficulty_walking"),
    ("pie dormido, le tuve que pedir prestado el bastón a mi abuela", "es",
     "difficulty_walking"),
    ("me picó con un alfiler en la nalga y no sentí nada, ni cerca del ano", "es",
     "saddle_numbness"),
    # what family saw, and the private signs said around them
    ("a mi mamá se le durmió la pierna y cuando se ríe nomás se le sube un lado de la boca",
     "es", "stroke_signs"),
    ("her foot is numb and she reads the same line over and over", "en", "stroke_signs"),
    ("pie dormido, estoy viendo la tele y le falta la mitad", "es", "stroke_signs"),
    ("pierna dormida y dijo puras cosas raras, palabras que no van", "es", "stroke_signs"),
    ("numb shin and i cant lift my coffee mug with my right hand", "en", "stroke_signs"),
    ("numb foot, the color of skim milk and i cant find a pulse", "en", "cold_pale_leg"),
    ("numb ankle, more white like a fish belly", "en", "cold_pale_leg"),
    ("started in both feet yesterday and now it's up to my hips", "en", "rapid_spread"),
    ("both legs numb and i cant get through a sentence without stopping to catch my breath",
     "en", "rapid_spread"),
    ("one second i was dancing, the next i couldnt feel my foot", "en", "sudden_onset"),
    ("numb foot, and theres been skid marks, i didnt even know it happened", "en",
     "bladder_bowel"),
    ("pierna dormida, ni sentí que ya me andaba", "es", "bladder_bowel"),
    # asked as a question: Spanish puts the sign in the subjunctive or the infinitive
    ("¿es normal que se me escape la pipí desde que tengo la pierna dormida?", "es",
     "bladder_bowel"),
    ("¿el adormecimiento puede hacer que uno no aguante la popó? ya me ensucié dos veces", "es",
     "bladder_bowel"),
    ("¿es normal no sentir nada cuando me limpio? tengo la pierna dormida", "es",
     "saddle_numbness"),
    ("¿es normal que ya no sienta nada allá abajo? se me duerme la pierna", "es",
     "saddle_numbness"),
    ("¿es normal que se me trabe la lengua desde que se me durmió la pierna?", "es",
     "stroke_signs"),
    ("¿es normal que me cueste respirar? tengo las piernas dormidas", "es", "rapid_spread"),
    ("¿por qué el hormigueo ya me subió de los pies a la cintura?", "es", "rapid_spread"),
    ("¿es normal que se me doble la rodilla sola? tengo el muslo adormecido", "es", "weakness"),
    ("¿por qué no puedo ponerme de puntitas con el pie dormido?", "es", "weakness"),
    ("¿es normal que no pueda apretar los dedos del pie dormido? se me salen las chanclas", "es",
     "weakness"),
    ("¿puede el adormecimiento hacer que la pierna se me vaya? ya casi me voy al suelo", "es",
     "difficulty_walking"),
    ("¿será normal que no aguante estar de pie? se me duerme la pierna", "es",
     "difficulty_walking"),
    ("is it normal i cant lift the front of my foot up?? toes drag on the floor", "en",
     "weakness"),
    ("is it bad that i need my husband's arm to get to the bathroom?? numb leg", "en",
     "difficulty_walking"),
    ("foot numb 2 days and im basically hopping everywhere", "en", "difficulty_walking"),
    # Spanglish: an English noun inside a Spanish phrase
    ("pierna dormida, ayer se me salió el pee y ni lo sentí", "es", "bladder_bowel"),
    ("la pierna la siento de cartón y no he hecho pee desde ayer", "es", "bladder_bowel"),
    ("tengo la pierna dormida y no he hecho pipí desde ayer", "es", "bladder_bowel"),
    ("pierna dormida, el domingo me pegué la head con el cabinet", "es", "injury"),
    ("pierna dormida y no puedo subir las stairs de mi apartment", "es", "difficulty_walking"),
    # said late, in the answer to a story question
    ("numb leg, and when i wipe after the toilet i cant really feel it", "en", "saddle_numbness"),
    ("numb foot, i can barely stay on my feet now", "en", "difficulty_walking"),
    ("pie dormido, el pie no me hace caso y apenas se mueve", "es", "weakness"),
    ("pierna dormida, no me aguanto parado", "es", "difficulty_walking"),
    ("pierna dormida, no pude patear el balón, no tenía fuerza", "es", "weakness"),
    ("pierna dormida, a media cuadra me tuve que sentar porque no me sostenía", "es",
     "weakness"),
    ("pierna dormida, al subir al camión la pierna no me dio para el escalón", "es",
     "weakness"),
    # spoken, as the speech recognizer writes it down
    ("um the numbness is climbing up from my feet to my knees on each side and i get winded",
     "en", "rapid_spread"),
    ("leg numb and im walking like a newborn giraffe lol bumping into the hallway walls", "en",
     "difficulty_walking"),
    ("um my moms leg went numb and uh her words are all jungled", "en", "stroke_signs"),
    ("her mouth is kind of hanging on the right", "en", "stroke_signs"),
    ("chamo mi papá tiene la pierna dormida y la boca se le torció pa un lado", "es",
     "stroke_signs"),
]


@pytest.mark.parametrize(("text", "lang", "flag"), OTHER_WORDS)
def test_a_red_flag_in_other_words_is_read(text, lang, flag):
    assert flag in scan_red_flags(text, lang)


@pytest.mark.parametrize(("text", "lang", "flag"), OTHER_WORDS)
def test_a_red_flag_in_other_words_gets_its_level_though_every_answer_is_no(text, lang, flag):
    state = play(text, {"duration": "2 days"}, default="no")
    assert flag in state["red_flags"]
    assert state["disposition"] == PROTOCOL.question(flag).level


@pytest.mark.parametrize(("text", "lang", "not_raised"), [
    ("numb on the bottom of my foot", "en", "saddle_numbness"),
    ("the bottom half of my leg is numb", "en", "saddle_numbness"),
    ("I haven't peed myself", "en", "bladder_bowel"),
    ("no i have not wet myself", "en", "bladder_bowel"),
    ("my foot keeps falling asleep", "en", "difficulty_walking"),
    ("that doesn't make sense", "en", "stroke_signs"),
    ("my toes have been numb since last fall", "en", "injury"),
    ("I'm wiped out and my leg is numb", "en", "injury"),
    ("my legs are weaker than they used to be", "en", "rapid_spread"),
    ("my feet go numb from walking on hard floors all day", "en", "difficulty_walking"),
    ("my hands and feet have been numb for months", "en", "stroke_signs"),
    ("camino bien", "es", "difficulty_walking"),
])
def test_words_near_the_other_wordings_do_not_raise_their_flag(text, lang, not_raised):
    assert not_raised not in scan_red_flags(text, lang)


@pytest.mark.parametrize(("lang", "question", "reply"), [
    ("en", "bladder_bowel", "no... although i did leak a bit today"),
    ("es", "bladder_bowel", "no, bueno, se me salieron unas gotas"),
    ("en", "saddle_numbness", "nope, but my bum is kind of numb"),
    ("es", "saddle_numbness", "no, pero siento dormidas las pompas"),
    ("en", "stroke_signs", "no, my arm is a bit weak though"),
    ("en", "injury", "no, well i did get tackled at soccer yesterday"),
    ("es", "injury", "no, bueno, sí me di un golpe en la espalda"),
    ("en", "cold_pale_leg", "no not really, the foot is a bit purple"),
    ("en", "rapid_spread", "no, but my other leg is starting to go too"),
    ("en", "sudden_onset", "not really, it just hit me out of nowhere"),
    ("en", "weakness", "no but i can't really push off with it"),
    ("es", "weakness", "no, pero no tengo fuerza para subir escalones"),
    ("en", "difficulty_walking", "no, just shuffling slowly"),
    ("es", "weakness", "no mucho, camino arrastrando los pies"),
    ("es", "bladder_bowel", "no pero ahora que lo dice llevo desde anoche sin poder hacer pipí"),
    ("en", "bladder_bowel", "nope. well i have been having trouble going, i push and push and "
                            "barely anything comes out"),
    ("en", "bladder_bowel", "no i dont think so... except i keep leaking when i stand up"),
    ("en", "saddle_numbness", "nope, although its weird down there, like when i wipe i dont feel"),
    ("es", "saddle_numbness", "no pero las nalgas si las siento como de trapo"),
    ("es", "stroke_signs", "no, solo que el brazo lo siento flojo y se me caen las cosas"),
    ("es", "stroke_signs", "no pero mi hija dice que hablo raro, como borracho"),
    ("en", "injury", "not really, i was carrying boxes and went down hard on my tailbone"),
    ("es", "cold_pale_leg", "no pero está más fría que la otra pierna, la toco y está helada"),
    ("en", "rapid_spread", "no but its both legs now and harder every day"),
    ("es", "difficulty_walking", "no, bueno, camino como pingüino y me apoyo en un bastón"),
    ("es", "difficulty_walking", "no, aunque mi papá ya no puede ir de la cama al baño sin ayuda"),
    ("es", "bladder_bowel", "No, bueno, quiero hacer pipí y no me sale, eso sí"),
    ("en", "bladder_bowel", "No. Although I have had trouble making water and must strain."),
    ("es", "bladder_bowel", "No creo, pero me hice del dos en los pantalones sin sentirlo"),
    ("es", "saddle_numbness", "No, bah, la cola sí, y la parte de adentro de los muslos"),
    ("es", "rapid_spread", "No, solo que va subiendo, y siento el pecho pesado para respirar"),
    ("en", "sudden_onset", "nope, i was just standing there and boom, it went"),
    ("en", "sudden_onset", "No, I was walking the dog and it simply switched off mid-step."),
    ("en", "difficulty_walking", "no... well I've been walking with my hand on the wall"),
    ("en", "difficulty_walking", "Not really, but she can't get from the bed to the chair "
                                 "without us holding her up"),
])
def test_no_then_the_flag_in_other_words_is_a_yes_for_every_flag(lang, question, reply):
    state = ask_until(question, {"en": "my leg is numb", "es": "tengo la pierna dormida"}[lang])
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"][question] == YES
    assert state["disposition"] == PROTOCOL.question(question).level


@pytest.mark.parametrize(("question", "reply", "flag"), [
    ("pressure_cause", "no, it started when i got knocked off my bike", "injury"),
    ("pressure_cause", "no, empezó cuando me caí de la moto", "injury"),
    ("worsening", "yes and now my butt is going numb too", "saddle_numbness"),
    ("worsening", "sí, y ya se me están durmiendo las nalgas", "saddle_numbness"),
    ("recurring", "no, first time, my face went numb too on the same side", "stroke_signs"),
    ("worsening", "yes, now i'm stumbling everywhere", "difficulty_walking"),
    ("worsening", "sí, y ya casi no puedo dar pasos", "difficulty_walking"),
])
def test_a_flag_in_other_words_in_a_story_answer_gets_its_level(question, reply, flag):
    state = play("my leg is numb", {"duration": "1 hour", question: reply})
    assert flag in state["red_flags"]
    assert state["disposition"] == PROTOCOL.question(flag).level


@pytest.mark.parametrize(("opening", "reply", "flag"), [
    ("buenas noches, tengo la pierna dormida",
     "desde el jueves, y desde entonces casi no me sale la orina", "bladder_bowel"),
    ("my leg is numb and tingly",
     "since yesterday morning when i noticed my butt and between my legs felt numb too",
     "saddle_numbness"),
    ("numb leg help", "idk 3 days? it started in my crotch area and spread down the leg",
     "saddle_numbness"),
    ("la pierna dormida otra vez",
     "desde el martes, empezó como en las nalgas y entre las piernas y luego bajó",
     "saddle_numbness"),
    ("lower leg numb", "since noon, thats when the pain started and its been unbearable",
     "cold_pale_leg"),
    ("legs are numb", "3 days, started in my toes and now its up both legs to my belly button",
     "rapid_spread"),
    ("my legs have gone numb", "since sunday and its been climbing, both legs, faster every day",
     "rapid_spread"),
    ("hey leg numb", "just a little while, it hit me at the bus stop, i wasnt doing anything",
     "sudden_onset"),
    ("numb leg, not sure who to ask",
     "since yesterday, ive been hobbling around using a broom as a crutch", "difficulty_walking"),
    ("pins and needles down my leg",
     "about a day, round the same time I stopped being able to pee properly", "bladder_bowel"),
    ("la pierna me tiene loco, dormida",
     "Como dos días, desde que me empecé a orinar en la cama sin enterarme", "bladder_bowel"),
    ("tengo hormigueo en la pierna",
     "Desde anoche, cuando noté que no siento nada en la cola ni en las partes íntimas",
     "saddle_numbness"),
    ("tengo la pierna dormía", "como cuatro hora, desde que el pie se me puso morao y frío",
     "cold_pale_leg"),
    ("tengo la pierna dormida", "Un par de días, desde que noto como de corcho la entrepierna",
     "saddle_numbness"),
    ("mi pierna is numb", "Like una hora, desde que empecé a ver doble", "stroke_signs"),
    ("Mi mamá tiene la pierna entumida", "Desde esta mañana, que se le puso fría y azulita",
     "cold_pale_leg"),
    ("tengo las piernas bien raras, dormidas",
     "Como tres días, va subiendo la debilidad desde los pies y me está costando respirar",
     "rapid_spread"),
    ("right leg numb, mid-thigh to foot", "About 90 minutes. It came on like a light switch",
     "sudden_onset"),
    ("hi, numbness in my leg", "about 6 hours, started after my car got t-boned", "injury"),
])
def test_a_flag_in_other_words_in_the_duration_answer_gets_its_level(opening, reply, flag):
    state = play(opening, {"duration": reply})
    assert flag in state["red_flags"]
    assert state["disposition"] == PROTOCOL.question(flag).level


@pytest.mark.parametrize(("opening", "question", "reply", "flag"), [
    ("my leg went numb after i was kneeling at church", "worsening",
     "yeah worse um my foot is flopping and i cant pick it up", "weakness"),
    ("um my leg is all numb and tingly", "pressure_cause",
     "yeah i was sitting but before that a car bumped me and i hit the ground", "injury"),
    ("se me durmió la pierna sentao en la guagua", "worsening",
     "Peor, el pie se me está poniendo blanco y frío", "cold_pale_leg"),
])
def test_a_flag_in_a_spoken_story_answer_gets_its_level(opening, question, reply, flag):
    state = play(opening, {"duration": "one hour", "pressure_cause": "yes", question: reply})
    assert flag in state["red_flags"]
    assert state["disposition"] == PROTOCOL.question(flag).level


@pytest.mark.parametrize(("lang", "question", "reply"), [
    ("en", "weakness", "it doesnt give way no"),
    ("en", "weakness", "not weak, just tingly"),
    ("en", "injury", "didn't fall off the ladder or anything, I was on the floor"),
    ("en", "injury", "nobody kicked me there, I just knelt too long"),
    ("es", "injury", "no se cayó ni se golpeó, nada"),
    ("es", "cold_pale_leg", "el pie no está frío ni pálido"),
    ("en", "stroke_signs", "No. My arm's fine, my mom had a stroke years ago so I worry."),
    ("es", "stroke_signs", "no, la cara bien. mi papá tuvo un derrame hace años"),
    ("es", "stroke_signs", "Jaja no, la cara y el brazo bien po"),
])
def test_a_reply_that_names_the_flag_only_to_deny_it_is_a_no(lang, question, reply):
    state = ask_until(question, {"en": "my leg is numb", "es": "tengo la pierna dormida"}[lang])
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"][question] == NO


@pytest.mark.parametrize(("lang", "question", "reply"), [
    ("en", "injury", "I didn't fall, a car hit me"),
    ("es", "injury", "no me caí, me atropellaron"),
    ("en", "stroke_signs", "I had a stroke years ago and now my face is drooping"),
])
def test_a_denial_beside_a_stated_flag_is_a_yes(lang, question, reply):
    state = ask_until(question, {"en": "my leg is numb", "es": "tengo la pierna dormida"}[lang])
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"][question] == YES


@pytest.mark.parametrize(("question", "reply"), [
    ("injury", "no sé si se cayó"),  # doubt: asked again
    ("weakness", "no se le mueve la pierna"),  # says something: never read as the answer no
    ("difficulty_walking", "no se puede parar"),
])
def test_spanish_no_se_is_a_no_only_where_it_denies_the_event(question, reply):
    state = ask_until(question, "tengo la pierna dormida")
    state, _, _ = step(state, Inbound(reply), CTX)
    assert state["answers"].get(question) != NO


@pytest.mark.parametrize(("text", "lang", "not_raised"), [
    ("almost me caigo en la calle pero no", "es", "difficulty_walking"),
    ("camino como siempre", "es", "difficulty_walking"),
    ("camino como si nada", "es", "difficulty_walking"),
    ("it hit me that i should text someone", "en", "sudden_onset"),
    ("my butt hurts from sitting all day", "en", "saddle_numbness"),
    ("I knelt in the garden and my foot is numb on the bottom", "en", "saddle_numbness"),
    ("my outer thigh goes numb, arm is fine, no headaches", "en", "stroke_signs"),
    ("on chemo, toes numb, it's freezing outside but they're pink and warm", "en",
     "cold_pale_leg"),
    ("tengo la pierna dormida otra vez, pero sin pérdida de fuerza", "es", "weakness"),
    ("it takes forever to start the car and my foot is numb", "en", "bladder_bowel"),
    ("hard to get the blood flowing in my numb foot", "en", "bladder_bowel"),
    ("the traffic flow was slow and my leg went numb in the car", "en", "bladder_bowel"),
    ("tengo que hacer fuerza para levantar la pierna dormida", "es", "bladder_bowel"),
    ("me tardo mucho en llegar al trabajo y se me duerme el pie", "es", "bladder_bowel"),
    ("no tengo que pujar para orinar", "es", "bladder_bowel"),
    ("my mom's foot is numb, she walks with her walker same as always", "en",
     "difficulty_walking"),
    ("my dad walked in with his cane like always, his foot is numb", "en", "difficulty_walking"),
    ("mi mamá anda con su andadera como siempre y tiene el pie dormido", "es",
     "difficulty_walking"),
    ("i was wiping the table and my leg went numb", "en", "saddle_numbness"),
    ("numb since we got back from the trip on friday", "en", "difficulty_walking"),
    ("i haven't had to go to the doctor for my numb foot", "en", "bladder_bowel"),
    ("i have an urge to move my numb legs", "en", "bladder_bowel"),
    ("me pidió un vaso de agua cuando quería ir al baño", "es", "stroke_signs"),
    ("i lift my numb leg up on a pillow", "en", "weakness"),
    ("so i don't catch a cold i wear socks, my toes are numb", "en", "weakness"),
    ("levanto la pierna muy alto para subir al camión", "es", "weakness"),
    ("recojo los juguetes para no tropezar", "es", "weakness"),
    ("no siento nada raro ni en la pierna", "es", "saddle_numbness"),
    ("i couldn't get anything out of the doctor about my numb foot", "en", "bladder_bowel"),
    ("my butt cheeks are sore from the bleachers and my foot is numb", "en", "saddle_numbness"),
    ("i was sitting on my bottom for hours and my foot went numb", "en", "injury"),
    ("se me volteó el estómago y tengo el pie dormido", "es", "injury"),
    ("my back cracked when i stretched, my foot is numb", "en", "injury"),
    ("the door won't push open and my foot is numb", "en", "weakness"),
    ("i found my pants wet from the rain, my foot is numb", "en", "bladder_bowel"),
    ("le compramos pañales al bebé y se me durmió el pie", "es", "bladder_bowel"),
    ("estamos cerca del año nuevo y se me duerme el pie", "es", "saddle_numbness"),
    ("he barely moved all day and his foot is numb", "en", "weakness"),
    ("the walls are white like paper and my foot is numb", "en", "cold_pale_leg"),
    ("i had to catch my breath after running for the bus, now my foot is numb", "en",
     "rapid_spread"),
    ("le falta la mitad a la pizza y se me durmió el pie", "es", "stroke_signs"),
    ("the water is up to my waist in the pool and my foot is numb", "en", "rapid_spread"),
    ("i need help to get my prescription for my numb foot", "en", "difficulty_walking"),
    ("the front of my foot is numb", "en", "weakness"),
    ("me fui al piso de arriba y se me durmió el pie", "es", "difficulty_walking"),
    ("me pongo de puntitas para alcanzar la repisa y se me duerme el pie", "es", "weakness"),
    ("me ensucié las manos sin querer y tengo el pie dormido", "es", "bladder_bowel"),
    ("no he hecho nada hoy y se me durmió el pie", "es", "bladder_bowel"),
    ("el perro apenas se mueve y se me durmió el pie", "es", "weakness"),
    ("no me dio tiempo de comer y se me durmió el pie", "es", "weakness"),
    ("limpio la casa y siento dormida la pierna", "es", "saddle_numbness"),
    ("caí rendida en el sofá encima de la pierna y amaneció dormida", "es", "injury"),
    ("estoy que me caigo de sueño y se me durmió el pie", "es", "difficulty_walking"),
])
def test_more_near_wordings_do_not_raise_their_flag(text, lang, not_raised):
    assert not_raised not in scan_red_flags(text, lang)


# --- check-in replies that carry a red flag in other words -------------------------------------


def checkin_reply(lang: str, reply: str) -> tuple[dict, list[dict]]:
    state, _ = start_checkin(finished_self_care(lang, CTX), CTX)
    state, _, effects = step(state, Inbound(reply), CTX)
    return state, effects


@pytest.mark.parametrize(("lang", "reply", "flag"), [
    ("es", "peor, ahora las dos piernas sin fuerza y ya me llega a la cintura", "rapid_spread"),
    ("en", "about the same. had an accident with my bowels today, didnt feel it coming",
     "bladder_bowel"),
    ("es", "peor y la pierna se me va, no me responde", "weakness"),
    ("es", "igual, pero ahora se me cae la cara de un lado", "stroke_signs"),
    ("es", "peor, I can barely caminar", "difficulty_walking"),
])
def test_a_checkin_reply_with_a_red_flag_in_other_words_starts_triage_again(lang, reply, flag):
    state, effects = checkin_reply(lang, reply)
    assert flag in state["red_flags"]
    assert {"type": "checkin_answered", "reply": "worse"} in effects


@pytest.mark.parametrize(("text", "lang", "flag"), [
    # A near wording that is not the flag must not hide the flag said beside it.
    ("I didn't realize I peed myself", "en", "bladder_bowel"),
    ("i didnt notice i wet myself", "en", "bladder_bowel"),
    ("I never peed myself before but today I did", "en", "bladder_bowel"),
    ("I haven't peed all day", "en", "bladder_bowel"),
    ("I didn't notice it was weak", "en", "weakness"),
    ("I didn't know I fell", "en", "injury"),
    ("my foot went cold out of nowhere", "en", "cold_pale_leg"),
    ("el brazo bien débil", "es", "stroke_signs"),
    ("el brazo igual de débil", "es", "stroke_signs"),
    ("la cara bien caída", "es", "stroke_signs"),
    ("con el frío el pie se puso blanco", "es", "cold_pale_leg"),
    ("tuvo un derrame hace una hora", "es", "stroke_signs"),
    ("I think I'm having a stroke, I had one years ago", "en", "stroke_signs"),
])
def test_an_exception_never_hides_the_flag_said_beside_it(text, lang, flag):
    assert flag in scan_red_flags(text, lang)


# --- taking an answer back ---------------------------------------------------------------------
# "scratch that", "uy, mentira": only what follows answers; a no taken back with nothing after it
# is no answer, so the question is asked again (and then counts as present).


@pytest.mark.parametrize(("text", "lang", "answer"), [
    ("not really. ok its actually killing me since about an hour ago", "en", "unclear"),
    ("no, hold on, let me check", "en", "unclear"),
    ("nope. scratch that, yes", "en", "yes"),
    ("no wait, yes", "en", "yes"),
    ("yes- no sorry, thought you asked if i needed to pee. no", "en", "no"),
    ("yes, sorry, i meant no", "en", "no"),
    ("no, nunca. uy, mentira, el año pasado me pasó igual", "es", "unclear"),
    ("no, solo la pierna... bueno, ahora que lo pienso, ayer era un pie", "es", "unclear"),
    ("sí... perdón, quise decir no", "es", "no"),
    ("sí... ay no, entendí mal. no", "es", "no"),
    ("no... pensándolo bien, sí", "es", "yes"),
])
def test_an_answer_taken_back_is_read_from_what_follows(text, lang, answer):
    assert parse_yes_no(text, lang) == answer


@pytest.mark.parametrize(("text", "lang", "answer"), [
    # Near wordings: an explanation after a no is no correction.
    ("no, nothing happened to me, i meant fall as in autumn", "en", "no"),
    ("yes actually", "en", "yes"),
    ("no, en realidad no", "es", "no"),
])
def test_words_near_a_correction_keep_their_answer(text, lang, answer):
    assert parse_yes_no(text, lang) == answer


def test_a_no_taken_back_to_the_cold_leg_question_gets_the_emergency():
    reply = "not really. ok its actually killing me, worst cramp ever and it wont let go"
    state = play("calf numb, pain is ok i guess", {"cold_pale_leg": reply, "duration": "2 hours"})
    assert state["disposition"] == EMERGENCY


def test_a_story_no_taken_back_rules_out_self_care():
    state = play("se me adormece la pierna", {
        "duration": "2 horas", "pressure_cause": "sí",
        "recurring": "no, nunca. uy, mentira, el año pasado me pasó igual y me duró semanas",
    }, default="no")
    assert state["disposition"] == SOON


def test_a_correction_said_in_passing_is_no_fall():
    assert "injury" not in scan_red_flags("uh yes- no! sorry thumb slipped. nothing numb", "en")
    assert "injury" in scan_red_flags("my thumb slipped on the ladder and i fell", "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("igual... bueno no, ya me subió del tobillo a la rodilla", "es"),
    ("ya se me sube hasta el muslo", "es"),
])
def test_numbness_rising_from_one_place_to_another_is_worsening(text, lang):
    assert "worsening" in read(text, lang).story_stated


@pytest.mark.parametrize(("lang", "reply", "read_as"), [
    ("en", "tree", "worse"), ("en", "thre", "worse"), ("en", "twoo", "same"),
    ("es", "la 3", "worse"), ("es", "el 2", "same"),
])
def test_a_checkin_key_as_texted(lang, reply, read_as):
    _, effects = checkin_reply(lang, reply)
    assert {"type": "checkin_answered", "reply": read_as} in effects


def test_not_holding_the_urge_is_a_bladder_sign():
    text = "mejor, pero no aguanto las ganas de ir al baño, se me sale"
    assert "bladder_bowel" in scan_red_flags(text, "es")
    assert "bladder_bowel" not in scan_red_flags("no aguanto las ganas de reír", "es")


@pytest.mark.parametrize(("text", "lang", "answer"), [
    ("no erase that yes my foot looks blue", "en", "yes"),
    ("Yes. Oh, my mistake, I meant to type no.", "en", "no"),
    ("yes. disregard, no", "en", "no"),
    ("No está débil. Mejor dicho, sí", "es", "yes"),
    ("sí, borra eso, no", "es", "no"),
    ("no, la verdad es que sí", "es", "yes"),
    ("uy no, nada de eso", "es", "no"),
])
def test_more_ways_of_taking_an_answer_back(text, lang, answer):
    assert parse_yes_no(text, lang) == answer


# --- "same as before" ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "same"), [
    ("en", "same answer as before"), ("en", "ditto"), ("en", "same"), ("en", "uh same lol"),
    ("es", "igual que la anterior"), ("es", "lo mismo"), ("es", "ídem"),
])
def test_same_as_before_gives_the_last_answer_again(lang, same):
    no = "no"
    state = play("my leg is numb" if lang == "en" else "tengo la pierna dormida",
                 {"bladder_bowel": no, "duration": "3 days", "difficulty_walking": "yes"},
                 default=same)
    assert state["answers"]["saddle_numbness"] == NO
    assert state["answers"]["weakness"] == NO
    assert state["answers"]["difficulty_walking"] == YES
    assert state["disposition"] == URGENT


def test_same_as_before_with_nothing_before_is_asked_again():
    state, _, _ = step(None, Inbound("my leg is numb"), CTX)
    state, replies, _ = step(state, Inbound("same as before"), CTX)
    assert state["question"] == "bladder_bowel" and "bladder_bowel" not in state["answers"]


@pytest.mark.parametrize(("text", "lang"), [
    ("same problem with my other leg", "en"), ("igual me duele", "es"),
])
def test_a_reply_with_more_than_same_is_not_same_as_before(text, lang):
    from hotline.triage.answers import says_same_as_before
    assert not says_same_as_before(text, lang)


# --- a body part's "'s" -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "flag"), [
    ("my foot's ice cold and kinda bluish compared to the other one", "cold_pale_leg"),
    ("my leg's blue", "cold_pale_leg"),
    ("her face's drooping", "stroke_signs"),
    ("my leg's giving out", "weakness"),
    ("my whole left side's numb", "stroke_signs"),
])
def test_a_body_parts_s_is_read_as_is(text, flag):
    assert flag in scan_red_flags(text, "en")


def test_a_body_parts_s_near_wordings():
    assert scan_red_flags("my leg's not cold", "en") == frozenset()
    assert scan_red_flags("my foot's fine", "en") == frozenset()


# --- check-ins compared with before ------------------------------------------------------------


@pytest.mark.parametrize(("lang", "reply", "read_as"), [
    ("en", "eh. cotton feeling hasnt budged", "same"),
    ("en", "foot's like a block of wood now, yesterday it was just tingly", "worse"),
    ("en", "yesterday i could feel hot water on it, today nothing", "worse"),
    ("en", "its running down into my toes now, before it stopped at the ankle", "worse"),
    ("en", "the tingling's gone but it's numb-numb now", "worse"),
    ("es", "la zona adormecida sigue del mismo tamaño", "same"),
    ("es", "sigo sin sentir los dedos", "same"),
    ("es", "pues ahí sigue, como una franja dormida en la pantorrilla", "same"),
    ("es", "antes sentía el agua caliente, hoy ni cuenta me di", "worse"),
    ("es", "se me duerme mas seguido y dura mas, ya casi todo el dia", "worse"),
    ("es", "ya no es nomás la planta, también el empeine y los dedos", "worse"),
    ("es", "hoy como si la tuviera envuelta en hule, ayer era solo un cosquilleo", "worse"),
    ("es", "no tan mal como ayer", "better"),
])
def test_a_checkin_compared_with_before(lang, reply, read_as):
    _, effects = checkin_reply(lang, reply)
    assert {"type": "checkin_answered", "reply": read_as} in effects


@pytest.mark.parametrize(("text", "lang", "flag"), [
    ("No. Mejor dicho, las nalgas sí las tengo como de trapo, no las siento cuando me siento", "es",
     "saddle_numbness"),
    ("las pompas ya no las siento", "es", "saddle_numbness"),
])
def test_buttocks_not_felt_in_spanish(text, lang, flag):
    assert flag in scan_red_flags(text, lang)


@pytest.mark.parametrize(("text", "stated"), [
    ("No... la verdad es que tomo bastante, casi a diario unas seis cervezas", True),
    ("tomo mucho alcohol", True), ("me tomo dos cervezas todos los días", True),
    ("tomo bastante agua", False),
])
def test_heavy_drinking_in_spanish(text, stated):
    assert ("risk_condition" in read(text, "es").story_stated) == stated


@pytest.mark.parametrize(("text", "lang", "answer"), [
    # How much tingling, not doubt: the no stands.
    ("no, camino bien, un poco de hormigueo nomás", "es", "no"),
    ("no, walking fine, a bit of tingling", "en", "no"),
    ("un poco", "es", "unclear"),
])
def test_a_little_tingling_is_no_hedge(text, lang, answer):
    assert parse_yes_no(text, lang) == answer


def test_not_keeping_on_ones_feet_in_spanish_is_trouble_standing():
    assert "difficulty_walking" in scan_red_flags("ya no me tengo en pie, igual de dormida", "es")
    assert scan_red_flags("no tengo pie de atleta", "es") == frozenset()


@pytest.mark.parametrize("reply", ["Ya estoy como nueva, gracias a Dios", "ya ando al cien"])
def test_spanish_idioms_for_better(reply):
    _, effects = checkin_reply("es", reply)
    assert {"type": "checkin_answered", "reply": "better"} in effects


# --- a fourth round: negation traps, long first messages, late signs, what carers see -----------


A_FOURTH_ROUND_OF_SIGNS_IN_PASSING = [
    ("he admitted he hasnt had control of his bowels since yesterday", "en", "bladder_bowel"),
    ("the left side of her mouth is lower since lunch", "en", "stroke_signs"),
    ("none of those except my right arm which wont lift properly", "en", "stroke_signs"),
    ("not a fall exactly... I slid down the last 6 stairs on my back", "en", "injury"),
    ("nada de eso, salvo que el brazo derecho no me responde", "es", "stroke_signs"),
    ("since the forklift clipped me at the warehouse", "en", "injury"),
    ("since the minivan backed into me in the walmart lot", "en", "injury"),
    ("lo que me preocupa es que no ha orinado en todo el día", "es", "bladder_bowel"),
    ("para levantarme tengo que empujar con los brazos porque esa pierna no responde", "es",
     "weakness"),
    ("she says she cant feel anything when she sits on the toilet seat", "en", "saddle_numbness"),
    ("desde hace una hora, justo cuando se le empezó a torcer la boca", "es", "stroke_signs"),
    ("cuando voy al baño no siento cuando sale la orina", "es", "bladder_bowel"),
    ("desde que me tiró el caballo el domingo", "es", "injury"),
    ("I noticed this afternoon my underthings were wet and I never felt the need to go", "en",
     "bladder_bowel"),
    ("me di cuenta que me había hecho del baño en el uniforme y no lo sentí", "es",
     "bladder_bowel"),
    ("the seat feels like it's not even there, can't feel my rear end or between my legs", "en",
     "saddle_numbness"),
    ("Around 2 I got a headache so bad I had to sit down in the barn", "en", "stroke_signs"),
    ("dice que dejó de ver del ojo izquierdo, como si le bajaran una cortina", "es",
     "stroke_signs"),
    ("i tripped over the dog and went down the last few steps on my back", "en", "injury"),
    ("un carro me pegó por detrás en el semáforo, poquito", "es", "injury"),
    ("me entró un dolor fortísimo en la pantorrilla izquierda", "es", "cold_pale_leg"),
    ("I can't seem to catch my breath today", "en", "rapid_spread"),
    ("i got totally out of breath just carrying the laundry basket upstairs", "en", "rapid_spread"),
    ("en el pasillo del mercado la pierna izquierda no me aguantó", "es", "weakness"),
    ("my left leg felt like it wouldnt hold my weight", "en", "weakness"),
    ("i found wet knickers stuffed at the bottom of the laundry basket", "en", "bladder_bowel"),
    ("hoy ya casi no puedo subir las piernas a la cama", "es", "rapid_spread"),
    ("se me caía la mano derecha al poner la mesa", "es", "stroke_signs"),
    ("y desde ayer la otra pierna ya está débil", "es", "rapid_spread"),
    ("hoy me cuesta levantar los brazos para peinarme", "es", "rapid_spread"),
    ("hoy fui al mercado y no podía seguir caminando, se me iba el equilibrio", "es",
     "difficulty_walking"),
    ("no sentí las ganas de hacer del baño hasta que ya era tarde, no me pude aguantar", "es",
     "bladder_bowel"),
    ("had a little accident in the bathroom last night", "en", "bladder_bowel"),
    ("didn't realize I needed to poop until it was too late", "en", "bladder_bowel"),
]



NEAR_WORDINGS_OF_THE_FOURTH_ROUND = [
    ("slept with a pillow between my legs", "en", "saddle_numbness"),
    ("no me pude aguantar la risa", "es", "bladder_bowel"),
    ("we didn't make it in time for the movie", "en", "bladder_bowel"),
    ("we went down the stairs to the basement", "en", "injury"),
    ("i've been going up the stairs on my bum cos i don't trust my feet", "en", "injury"),
]



@pytest.mark.parametrize(("text", "hours"), [
    ("tengo 50 años", None), ("mi papá de 70 años tiene la pierna dormida", None),
    ("tengo 50 años y el pie dormido desde hace 3 días", 72),
])
def test_an_age_in_spanish_is_not_how_long(text, hours):
    assert parse_duration_hours(text, "es") == hours


def test_not_never_takes_the_no_back():
    text = "no, never... well, not never, it happened last summer too"
    assert parse_yes_no(text, "en") == "unclear"
    assert "recurring" in read(text, "en").story_stated


# --- a fifth round: exceptions after a denial, Spanish worries ---------------------------------


A_FIFTH_ROUND_OF_SIGNS = [
    ("nothing really except i cant get the pee out, been sat on the toilet trying", "en",
     "bladder_bowel"),
    ("i just bumped the car in front at like 10mph and my neck jolted", "en", "injury"),
    ("no, nomás que ya no siento fuerza en ninguna de las dos piernas", "es", "rapid_spread"),
    ("¿es malo que ya no sienta cuando se me sale la orina? me doy cuenta hasta que estoy mojada",
     "es", "bladder_bowel"),
    ("¿será normal que a mi mamá se le caiga la comida de un lado de la boca?", "es",
     "stroke_signs"),
    ("¿será normal que a mi mamá se le vayan aflojando las piernas desde el domingo?", "es",
     "rapid_spread"),
    ("¿será normal que se me caiga la chancla del pie derecho sin darme cuenta?", "es",
     "weakness"),
    ("¿será normal que no aguante parado ni 5 minutos?", "es", "difficulty_walking"),
    ("ayer no pude bajar las escaleras del metro", "es", "difficulty_walking"),
    ("¿será normal que me cueste tanto caminar al trabajo?", "es", "difficulty_walking"),
]



NEAR_WORDINGS_OF_THE_FIFTH_ROUND = [
    ("tengo una herida en un lado de la boca", "es", "stroke_signs"),
    ("me and my back snapped a photo", "en", "injury"),
    ("llegué a la casa mojada de sudor", "es", "bladder_bowel"),
]



@pytest.mark.parametrize(("text", "key"), [
    ("no, bueno, salvo una vez el año pasado que me pasó igualito", "recurring"),
    ("¿es normal que me pase seguido?", "recurring"),
    ("como cada semana se me duerme el muslo después de manejar", "recurring"),
    ("¿será porque tomo bastante? unas 8 o 10 cheves diario", "risk_condition"),
])
def test_spanish_story_answers_of_the_fifth_round(text, key):
    assert key in read(text, "es").story_stated


SIGNS_IN_A_LONG_FIRST_MESSAGE_FIFTH_ROUND = [
    # Said in passing in a long first message (fifth round).
    ("ayer me di cuenta de que tengo como dormido todo alrededor del ano y los testiculos", "es",
     "saddle_numbness"),
    ("i couldnt feel anything on my balls or around my butthole", "en", "saddle_numbness"),
    ("i literally couldn't feel my taint or my junk on the seat", "en", "saddle_numbness"),
    ("I haven't been able to make water properly since Friday, only a little trickle comes", "en",
     "bladder_bowel"),
    ("when she smiled one corner of her mouth didn't go up", "en", "stroke_signs"),
    ("she was dribbling a bit of her tea down her chin", "en", "stroke_signs"),
    ("la señora me contó que mi mamá se ha hecho pipí encima dos veces", "es", "bladder_bowel"),
    ("el lunes un carro se nos impactó de lado, sentí el jalón en el cuello", "es", "injury"),
    ("yo sentí el jalón en el cuello y la espalda", "es", "injury"),
    ("me dio un latigazo en la espalda", "es", "injury"),
]



NEAR_WORDINGS_OF_A_LONG_FIRST_MESSAGE_FIFTH_ROUND = [
    ("i have a cold sore in the corner of my mouth", "en", "stroke_signs"),
    ("the balls were flying at soccer practice", "en", "saddle_numbness"),
]



# --- a sixth round: worries, denials with a contrast, chatty check-ins --------------------------


A_SIXTH_ROUND_OF_SIGNS = [
    ("is it normal he doesnt seem to notice when he needs to pee?", "en", "bladder_bowel"),
    ("his trousers were wet twice today and he had no clue", "en", "bladder_bowel"),
    ("is it weird that i cant really feel the toilet paper when i wipe", "en", "saddle_numbness"),
    ("could my bum feeling like its made of cardboard be from all the sitting", "en",
     "saddle_numbness"),
    ("my husband asked why im breathing so heavy just talking to him", "en", "rapid_spread"),
    ("her leg went numb while she was talking, like a switch flipped", "en", "sudden_onset"),
    ("my wife says im scuffing my right toe on the floor", "en", "weakness"),
    ("could it be the numbness that i can only stand at the stove for a minute", "en",
     "difficulty_walking"),
    ("not that i know of, though his words are coming out all mushed", "en", "stroke_signs"),
    ("¿puede tener que ver que ya dos veces no alcancé a llegar al baño?", "es", "bladder_bowel"),
    ("¿es normal pujar y pujar y que casi no salga nada cuando hago pipí?", "es", "bladder_bowel"),
    ("¿será de estar sentado que tengo las nalgas como de cartón?", "es", "saddle_numbness"),
    ("para nada, bueno, excepto que cuando me siento no siento las pompas", "es",
     "saddle_numbness"),
    ("ayer me di un golpazo con la puerta del coche", "es", "injury"),
    ("pues no, pero no aguanto estar parado más de un minuto", "es", "difficulty_walking"),
    ("hoy no me pude levantar de la cama solo, y no puedo estar de pie más de unos segundos", "es",
     "difficulty_walking"),
]



@pytest.mark.parametrize(("lang", "reply", "read_as"), [
    # "bien" before a word is "very": "bien dormida" is very numb, never better.
    ("es", "la tengo bien dormida", "same"),
    ("es", "sigue bien entumida", "same"),
    ("es", "está bien mal", "worse"),
    ("es", "bien, gracias", "better"),
    ("es", "ya se me fue", "better"),
    ("es", "se fue el hormigueo", "better"),
])
def test_spanish_bien_as_very_in_a_checkin(lang, reply, read_as):
    _, effects = checkin_reply(lang, reply)
    assert {"type": "checkin_answered", "reply": read_as} in effects


def test_someone_who_went_fishing_is_no_better():
    _, effects = checkin_reply("es", "Él se fue a pescar con sus amigos y no hay señal")
    assert {"type": "checkin_answered", "reply": "better"} not in effects


SIGNS_IN_A_LONG_FIRST_MESSAGE_SIXTH_ROUND = [
    # Said in passing in a long first message (sixth round).
    ("I realised at the pool I'd done a wee in my leggings without feeling a thing", "en",
     "bladder_bowel"),
    ("He also did a number two in his trousers this afternoon", "en", "bladder_bowel"),
    ("she also pooped a bit on the couch without realizing it", "en", "bladder_bowel"),
    ("i couldnt feel the crate under my butt at all, like sitting on air", "en",
     "saddle_numbness"),
    ("he smiled and only half his smile went up", "en", "stroke_signs"),
    ("also hes been saying weird words", "en", "stroke_signs"),
    ("my left hand wouldnt squeeze the nozzle", "en", "stroke_signs"),
    ("I cant lift it above my shoulder", "en", "stroke_signs"),
    ("he was swinging a metal baseball bat and it caught me hard across the lower back", "en",
     "injury"),
    ("today i cant stay standing for very long", "en", "difficulty_walking"),
    ("it starts shaking and feels like its gonna fold", "en", "weakness"),
    ("en el parque se me ha escapado el pis sin darme ni cuenta", "es", "bladder_bowel"),
    ("noté los vaqueros mojados", "es", "bladder_bowel"),
    ("no estoy controlando lo del baño, lo del dos", "es", "bladder_bowel"),
    ("se me salió en el pantalón sin sentirlo", "es", "bladder_bowel"),
    ("la pierna no tuvo fuerza para empujarme", "es", "weakness"),
    ("como si fuera de trapo", "es", "weakness"),
    ("hoy ya no me pude quedar parada en el comal", "es", "difficulty_walking"),
    ("se me va el cuerpo de lado", "es", "difficulty_walking"),
]



NEAR_WORDINGS_OF_A_LONG_FIRST_MESSAGE_SIXTH_ROUND = [
    ("he's the number two in his company", "en", "bladder_bowel"),
    ("no estoy controlando el azúcar", "es", "bladder_bowel"),
    ("no estoy aguantando el dolor", "es", "bladder_bowel"),
    ("he doesnt notice when i talk", "en", "bladder_bowel"),
]



@pytest.mark.parametrize(("lang", "reply", "read_as"), [
    # Idioms and intensifiers in check-ins (seventh round).
    ("es", "poquito mejor, peor es nada 🙂", "better"),  # "better than nothing", never worse
    ("en", "could be worse I guess, it's about the same as yesterday", "same"),
    ("es", "re dormida sigue la pierna, nada cambió", "same"),
    ("en", "slightly less rubbish today ta, feeling's coming back in my toes", "better"),
])
def test_checkin_idioms_of_the_seventh_round(lang, reply, read_as):
    _, effects = checkin_reply(lang, reply)
    assert {"type": "checkin_answered", "reply": read_as} in effects


@pytest.mark.parametrize(("lang", "reply", "flag"), [
    ("es", "mejor que nunca jaja no, en serio: tuve un choquecito ayer y me duele el cuello",
     "injury"),
    ("en", "not bad, bit less numb. haven't been able to wee since yesterday though",
     "bladder_bowel"),
    ("es", "igual de re dormida, y me duele la cabeza horrible, el peor dolor que he tenido",
     "stroke_signs"),
])
def test_a_checkin_flag_of_the_seventh_round(lang, reply, flag):
    state, effects = checkin_reply(lang, reply)
    assert flag in state["red_flags"]


AN_EVERYDAY_EVENT_SAID_IN_PASSING = [
    # A small everyday event or test, said in passing (seventh round).
    ("also the toilet paper felt like nothing when i wiped", "en", "saddle_numbness"),
    ("did the smile in the mirror test and only half my mouth went up", "en", "stroke_signs"),
    ("like the right half of the room isnt there", "en", "stroke_signs"),
    ("couldnt find the word for fridge", "en", "stroke_signs"),
    ("some guy tapped my bumper in the drive thru monday", "en", "injury"),
    ("tried to go up on my tiptoes and my right side just wouldnt push up", "en", "weakness"),
    ("been borrowing my mom's cane to get to the bathroom", "en", "difficulty_walking"),
    ("i had to pull on the sink to get off the toilet", "en", "difficulty_walking"),
    ("hoy fui al baño y tardé un montón en que me saliera algo, como que no arrancaba", "es",
     "bladder_bowel"),
    ("hoy no llegué al baño, se me salió antes de sentarme", "es", "bladder_bowel"),
    ("dice que cuando se sienta no siente la silla, como si se sentara en el aire", "es",
     "saddle_numbness"),
    ("al sentarme en el inodoro ya no siento lo frío de la taza", "es", "saddle_numbness"),
    ("al lavarme la cara sentí el cachete izquierdo como de cartón", "es", "stroke_signs"),
    ("ayer cargando costales me jalé la espalda, sentí un tronido", "es", "injury"),
    ("se me ponen moraditos los dedos del pie derecho", "es", "cold_pale_leg"),
    ("para subirme me tengo que agarrar la pierna con las manos y subirla", "es", "weakness"),
    ("me tuve que sentar a medio camino del mercado", "es", "difficulty_walking"),
    ("ya no puedo estar parada para hacer las tortillas", "es", "difficulty_walking"),
]



SIGNS_IN_A_LONG_FIRST_MESSAGE_SEVENTH_ROUND = [
    # Said in passing in a long first message (seventh round), some in formal words.
    ("on two occasions today I failed to reach the lavatory in time", "en", "bladder_bowel"),
    ("on the second I was not aware of the need at all", "en", "bladder_bowel"),
    ("What's new today is my groin and my lady bits feel numb, like an epidural", "en",
     "saddle_numbness"),
    ("the area where you'd sit on a bicycle seat feels like it has gone to sleep", "en",
     "saddle_numbness"),
    ("I note also that the whole of my left side, arm and face included, has felt deadened", "en",
     "stroke_signs"),
    ("a case of drinks came down right across the back of my neck, knocked me to my knees", "en",
     "injury"),
    ("He shoved me and I went back first into a concrete pillar", "en", "injury"),
    ("my right calf started hurting like nothing I've ever felt", "en", "cold_pale_leg"),
    ("my right leg went completely numb from one step to the next", "en", "sudden_onset"),
    ("on two occasions today it failed to bear my weight", "en", "weakness"),
    ("Today I could not stay on my feet behind the chair", "en", "difficulty_walking"),
    ("no siento bien la zona del asiento, es decir, el trasero y la entrepierna", "es",
     "saddle_numbness"),
    ("anoche sentía flojas las dos piernas hasta la rodilla", "es", "rapid_spread"),
    ("ayer las dos piernas se me empezaron a poner débiles desde los pies", "es", "rapid_spread"),
    ("en el gym no pude hacer ni una sentadilla, se me doblaba la rodilla sola", "es", "weakness"),
]



def test_being_pushed_to_text_is_no_injury():
    assert "injury" not in scan_red_flags("my wife pushed me to text you", "en")


def test_the_crotch_said_normal_is_no_saddle_sign():
    text = "no, la entrepierna y las partes íntimas normales, es por fuera del muslo"
    assert "saddle_numbness" not in scan_red_flags(text, "es")


SMALL_EVENTS_SECOND_SET = [
    ("i couldnt read the time on the left side of my laptop screen", "en", "stroke_signs"),
    ("sat in the bath and couldnt tell if the water was hot on my backside", "en",
     "saddle_numbness"),
    ("my kid jumped on my back playing horsey on the weekend", "en", "injury"),
    ("en el desayuno se me escurría el café por la comisura de la boca", "es", "stroke_signs"),
    ("no podía ver la hora en la esquina izquierda de la pantalla", "es", "stroke_signs"),
    ("al limpiarme en el baño no sentía nada, como si fuera otra persona", "es",
     "saddle_numbness"),
    ("primero eran los tobillos y hoy ya se me aflojan las rodillas", "es", "rapid_spread"),
    ("subir la escalera me cuesta", "es", "difficulty_walking"),
    ("no pude pisar bien el freno con el pie derecho", "es", "weakness"),
]


LONG_FIRST_MESSAGE_EIGHTH_SET = [
    ("I also noticed the insides of both my thighs feel strange and dead", "en",
     "saddle_numbness"),
    ("every few hours they feel heavier, like its crawling up me", "en", "rapid_spread"),
    ("friday it was both calves going weak, now today its both knees", "en", "rapid_spread"),
    ("Standing there and bang, my left leg just went numb in a second", "en", "sudden_onset"),
    ("when she gets up the right side doesn't hold her like it used to", "en", "weakness"),
    ("subir al escenario fue un problema, caminaba como pato, chueco", "es", "difficulty_walking"),
    ("me tuvieron que ayudar a llegar a mi lugar", "es", "difficulty_walking"),
    ("desde ayer camina chueca", "es", "difficulty_walking"),
    ("it's creeping up my legs", "en", "rapid_spread"),
]


CHECKIN_EVENTS_THIRD_SET = [
    ("my butt felt like it was made of rubber, both cheeks", "en", "saddle_numbness"),
    ("my bottom feels like it's made of cardboard", "en", "saddle_numbness"),
    ("i couldnt feel a thing in my privates which is new", "en", "saddle_numbness"),
    ("i couldn't feel the water on my bum in the shower", "en", "saddle_numbness"),
    ("en la regadera ni sentí el agua en mis partes íntimas", "es", "saddle_numbness"),
    ("no senti la ducha en las nalgas", "es", "saddle_numbness"),
    ("my toes se ven medio azules", "es", "cold_pale_leg"),
    ("los pies se ven blancos", "es", "cold_pale_leg"),
    ("la parte de entre los muslos, por dentro, no la siento", "es", "saddle_numbness"),
    ("no siento entre los muslos", "es", "saddle_numbness"),
    ("el muslo por dentro no lo siento", "es", "saddle_numbness"),
]
# Four small events an earlier round missed and left out of wordings.json.
SMALL_EVENTS_MISSED_BEFORE = [
    ("I keep walking into the door frame on my left side", "en", "stroke_signs"),
    ("tried standing on tiptoe on that leg and i just couldnt", "en", "weakness"),
    ("i can't stand on tiptoe", "en", "weakness"),
    ("in the bathroom 20 min this morning trying to go", "en", "bladder_bowel"),
    ("i spent 20 minutes trying to pee", "en", "bladder_bowel"),
    ("gave her a pinch on the bum and she didn't even notice", "en", "saddle_numbness"),
]
NEAR_WORDINGS_OF_THE_SMALL_EVENTS_MISSED_BEFORE = [
    ("I walked into the kitchen and turned left", "en", "stroke_signs"),
    ("stood on tiptoe on my left foot, no problem", "en", "weakness"),
    ("in the bathroom for ages doing my makeup, trying to go out", "en", "bladder_bowel"),
    ("we tried to go home after 20 minutes", "en", "bladder_bowel"),
]
# Needing something to walk or to get up, said inside a denial or after a contrast.
WALKING_ONLY_WITH_HELP = [
    ("Can I walk ok? Not without the trolley, no. Not without hanging on to something", "en",
     "difficulty_walking"),
    ("not without my stick", "en", "difficulty_walking"),
    ("only with a cane", "en", "difficulty_walking"),
    ("I have to hold onto the table to get up", "en", "difficulty_walking"),
    ("it's a struggle getting up from the chair", "en", "difficulty_walking"),
    ("getting out of the chair is hard", "en", "difficulty_walking"),
    ("no sin el bastón", "es", "difficulty_walking"),
    ("sin agarrarme de algo no puedo", "es", "difficulty_walking"),
    ("nomás con la andadera", "es", "difficulty_walking"),
    ("no, eso sí, para levantarme de la silla tengo que agarrarme a la mesa", "es",
     "difficulty_walking"),
    ("me cuesta un montón levantarme", "es", "difficulty_walking"),
    ("me cuesta ponerme de pie", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_WALKING_ONLY_WITH_HELP = [
    ("not without my glasses", "en", "difficulty_walking"),
    ("i went out, not without my coat", "en", "difficulty_walking"),
    ("I held on to the table to get the cake", "en", "difficulty_walking"),
    ("hard getting out of the car park", "en", "difficulty_walking"),
    ("no sin mis lentes", "es", "difficulty_walking"),
    ("me agarré a la mesa para no tirar el vaso", "es", "difficulty_walking"),
]
# What carers see, texted in a check-in reply.
SEEN_BY_CARERS_IN_A_CHECKIN = [
    ("he wet the chair at lunch n didnt even notice", "en", "bladder_bowel"),
    ("She's not passed any urine since last night", "en", "bladder_bowel"),
    ("been on the commode 3 times and nothing", "en", "bladder_bowel"),
    ("she cant feel the flannel at all round her bottom", "en", "saddle_numbness"),
    ("she can't feel the sponge between her legs", "en", "saddle_numbness"),
    ("he cant feel anything down below", "en", "saddle_numbness"),
    ("her legs are numb down below", "en", "saddle_numbness"),
    ("dice que no siente las pompis ni la parte de entre las piernas", "es", "saddle_numbness"),
]
NEAR_WORDINGS_OF_WHAT_CARERS_SEE = [
    ("i can't feel the towel on my leg", "en", "saddle_numbness"),
    ("not passed a kidney stone", "en", "bladder_bowel"),
]
# A new sign told in a check-in by a daily task that went wrong.
DAILY_TASKS_IN_A_CHECKIN = [
    ("went to the dunny and pushed and pushed and nothing would start", "en", "bladder_bowel"),
    ("had a mess in my trousers on the bus", "en", "bladder_bowel"),
    ("I've not been for a wee since teatime yesterday", "en", "bladder_bowel"),
    ("when i wiped i couldnt feel the paper at all", "en", "saddle_numbness"),
    ("my backside felt nothing", "en", "saddle_numbness"),
    ("the towel between my legs felt like it was touching someone else", "en", "saddle_numbness"),
    ("in the mirror one side of her smile wouldn't go up", "en", "stroke_signs"),
    ("I got this thunderclap in my skull", "en", "stroke_signs"),
    ("the ladder tipped, i hit the patio with my lower back", "en", "injury"),
    ("one landed knees-first on my spine", "en", "injury"),
    ("the left foot looked like a dead fish, no colour in it at all", "en", "cold_pale_leg"),
    ("I couldnt get either leg up the step onto the bus", "en", "rapid_spread"),
    ("my knees feel like jelly on both sides", "en", "rapid_spread"),
    ("by lunch my hips were going too, feels like it's rising", "en", "rapid_spread"),
    ("the left leg just wouldnt come up to go in the hole", "en", "weakness"),
    ("the right knee folded under me twice", "en", "weakness"),
    ("Had to hang onto the trolley the whole way round Tesco", "en", "difficulty_walking"),
    ("couldn't have got round without leaning on it", "en", "difficulty_walking"),
    ("couldn't keep my balance", "en", "difficulty_walking"),
    ("le toque la entrepierna y me dijo q no sentia nada", "es", "saddle_numbness"),
    ("hoy se le chueqeo la boca al comer", "es", "stroke_signs"),
    ("se le caia la sopa", "es", "stroke_signs"),
    ("ya no siente todo el lado izq", "es", "stroke_signs"),
    ("mi abuela se fue de nalgas en el patio", "es", "injury"),
    ("da 3 pasitos y se tiene q sentar", "es", "difficulty_walking"),
    ("ya no llega ni a la esquina", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_THE_DAILY_TASKS = [
    ("i sat with my legs folded under me", "en", "weakness"),
    ("my leg was folded under me", "en", "weakness"),
    ("fell asleep on my back", "en", "injury"),
]
# A new sign told in a check-in by a daily task that went wrong, second set.
DAILY_TASKS_IN_A_CHECKIN_SECOND_SET = [
    ("my trousers were soaked through and I never felt a thing", "en", "bladder_bowel"),
    ("when i got out the car the seat under me was damp", "en", "bladder_bowel"),
    ("my own knickers needed changing more", "en", "bladder_bowel"),
    ("vi las sabanas empapadas", "es", "bladder_bowel"),
    ("senti calientito y era yo", "es", "bladder_bowel"),
    ("the hot water running over my bum - nothing", "en", "saddle_numbness"),
    ("couldn't tell my backside was on it", "en", "saddle_numbness"),
    ("private area just not there", "en", "saddle_numbness"),
    ("i felt nothing at all down below", "en", "saddle_numbness"),
    ("el agua caliente no la siento entre las piernas", "es", "saddle_numbness"),
    ("no senti nadita en mis partes", "es", "saddle_numbness"),
    ("my chai cup slipped out of the same hand", "en", "stroke_signs"),
    ("my left hand just stopped hitting the keys", "en", "stroke_signs"),
    ("the right half of every page was missing", "en", "stroke_signs"),
    ("mi words was coming out thick", "en", "stroke_signs"),
    ("something went bang in my head", "en", "stroke_signs"),
    ("el brazo izq no lo pude subir", "es", "stroke_signs"),
    ("me salian palabras q no eran", "es", "stroke_signs"),
    ("the spotter let the bar drop on my back", "en", "injury"),
    ("my leg from the knee down was still stone cold and blotchy blue", "en", "cold_pale_leg"),
    ("its white as paper", "en", "cold_pale_leg"),
    ("vi el pie blanquisimo como hoja de papel", "es", "cold_pale_leg"),
    ("un dolor en la pantorrilla q pegue un grito", "es", "cold_pale_leg"),
    ("el pie se puso color uva", "es", "cold_pale_leg"),
    ("se veia blancuzco", "es", "cold_pale_leg"),
    ("neither leg will lift", "en", "rapid_spread"),
    ("now its creeping into my hips", "en", "rapid_spread"),
    ("ya no me sostenian ninguna de las 2", "es", "rapid_spread"),
    ("cada hora va subiendo mas, ya hasta las manos se me aflojan", "es", "rapid_spread"),
    ("the heel wouldnt leave the floor", "en", "weakness"),
    ("no pude levantar el pie para meterme a la tina", "es", "weakness"),
    ("la pierna ni se levanto, se quedo colgando", "es", "weakness"),
    ("esa pierna no me empujaba pa levantarme", "es", "weakness"),
    ("Can't manage to stay on my feet in the shower", "en", "difficulty_walking"),
    ("couldnt keep a straight line, only the pram kept me up", "en", "difficulty_walking"),
    ("tuve q ir gateando", "es", "difficulty_walking"),
    ("me quede pegada sin poder dar el siguiente paso", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_THE_DAILY_TASKS_SECOND_SET = [
    ("the baby's nappy needed changing", "en", "bladder_bowel"),
    ("stone cold coffee", "en", "cold_pale_leg"),
    ("the cat kept me up all night", "en", "difficulty_walking"),
    ("my hand stopped hurting", "en", "stroke_signs"),
    ("el bebé iba gateando", "es", "difficulty_walking"),
    ("cada hora sube el precio", "es", "rapid_spread"),
    ("me quedé colgando del teléfono", "es", "weakness"),
]
# A sign said in a story's own words and then denied at its question: the words alone must
# raise it.
SIGNS_THEN_DENIED = [
    ("his pyjama bottoms and the sheet were soaked through", "en", "bladder_bowel"),
    ("I'd messed my trousers and hadn't felt a thing", "en", "bladder_bowel"),
    ("haven't managed a wee all day", "en", "bladder_bowel"),
    ("there was a wet patch on the cushion", "en", "bladder_bowel"),
    ("the heat on my knees but not on the part I was actually sitting on", "en", "saddle_numbness"),
    ("she couldn't get the actual words", "en", "stroke_signs"),
    ("his right arm wouldn't go up past his chest", "en", "stroke_signs"),
    ("the left half of every line is just gone", "en", "stroke_signs"),
    ("the left side of my scalp felt like I was washing a wig", "en", "stroke_signs"),
    ("some lad in a van went into the back of me at the lights", "en", "injury"),
    ("the next thing I knew I was on the lawn", "en", "injury"),
    ("big bloke's knee went straight into my lower back", "en", "injury"),
    ("my left foot looks like a bar of white soap", "en", "cold_pale_leg"),
    ("like I'd taken it out of the freezer drawer", "en", "cold_pale_leg"),
    ("me yelping if the duvet touches it", "en", "cold_pale_leg"),
    ("I had to haul both legs into the car with my hands", "en", "rapid_spread"),
    ("I had to stop for breath every few words", "en", "rapid_spread"),
    ("today both thighs feel like jelly", "en", "rapid_spread"),
    ("tonight I'm puffing just going from the sofa to the fridge", "en", "rapid_spread"),
    ("between one peg and the next my right leg went completely numb", "en", "sudden_onset"),
    ("it went the very moment I swung my driver", "en", "sudden_onset"),
    ("couldn't push it down properly", "en", "weakness"),
    ("it kept flopping back down onto the footstool", "en", "weakness"),
    ("pushing the hoover round the house like a zimmer frame", "en", "difficulty_walking"),
    ("when I walk I'm all over the shop", "en", "difficulty_walking"),
]
SIGNS_THEN_DENIED_IN_SPANISH = [
    ("hoy amaneci con la sabana toda mojada", "es", "bladder_bowel"),
    ("casi no hace del uno, nomas unas gotitas", "es", "bladder_bowel"),
    ("hoy hasta se ensucio en el pantalon sin avisar", "es", "bladder_bowel"),
    ("el chorro de agua calientita ni lo senti en las nalgas", "es", "saddle_numbness"),
    ("ni siento el asiento en las nalgas", "es", "saddle_numbness"),
    ("como si trajera anestesia del dentista ahi abajo", "es", "saddle_numbness"),
    ("parecia q hablaba con la boca llena de chicle", "es", "stroke_signs"),
    ("nomas veo la mitad de la pantalla", "es", "stroke_signs"),
    ("un señor me pego x detras en el semaforo", "es", "injury"),
    ("llegue al piso de espaldas", "es", "injury"),
    ("el izquierdo parece de maniqui, sin nada de color", "es", "cold_pale_leg"),
    ("un dolor en la pantorrilla q me tiene chillando", "es", "cold_pale_leg"),
    ("hoy las dos piernas hasta los muslos no me responden", "es", "rapid_spread"),
    ("no me alcanza el aire ni pa mandarte un audio", "es", "rapid_spread"),
    ("cada dia le sube mas", "es", "rapid_spread"),
    ("a mitad del camino se me durmio toda la pierna", "es", "sudden_onset"),
    ("en lo q volteaba una ya no sentia la pierna", "es", "sudden_onset"),
    ("de un paso pal otro ya no sintio la pierna", "es", "sudden_onset"),
    ("el pie izq no tuvo fuerza pa hundirlo", "es", "weakness"),
    ("la rodilla se le fue solita", "es", "weakness"),
    ("me tuve q parar 3 veces a descansar", "es", "difficulty_walking"),
    ("parada se siente como en lancha", "es", "difficulty_walking"),
    ("ya no llego sin sentarme en la banqueta", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_SIGNS_THEN_DENIED_IN_SPANISH = [
    ("cada día le va mejor", "es", "rapid_spread"),
    ("veo la mitad de la película", "es", "stroke_signs"),
    ("le sube mas el precio cada dia", "es", "rapid_spread"),
]
SIGNS_THEN_DENIED_THIRD_SET = [
    ("he hasn't managed to pass water since last night", "en", "bladder_bowel"),
    ("one second I was fine, standing at the stove, next second bang", "en", "sudden_onset"),
    ("its all pail and cold to tuch", "en", "cold_pale_leg"),
    ("I tried to smile in the mirror and one side didn't go up", "en", "stroke_signs"),
    ("his eyesight went blurry in one eye", "en", "stroke_signs"),
    ("kept tipping over to the side", "en", "difficulty_walking"),
    ("my toes catch on the rug", "en", "difficulty_walking"),
    ("legs just wouldnt push", "en", "weakness"),
    ("my foot keeps slapping down", "en", "weakness"),
    ("went down hard on my tailbone", "en", "injury"),
    ("I couldn't feel the cold through my bottom at all", "en", "saddle_numbness"),
    ("this morning it's above both knees, creeping up like a tide", "en", "rapid_spread"),
    ("when he talks he has to stop to catch his breath", "en", "rapid_spread"),
    ("tengo dormida la zona de las nalgas", "es", "saddle_numbness"),
    ("¿es normal no sentir nada en las pompis cuando me siento?", "es", "saddle_numbness"),
    ("me comentó que no sentía la esponja en la entrepierna", "es", "saddle_numbness"),
    ("desde ayer la rodilla se me dobla", "es", "weakness"),
    ("ya casi no me puedo tener en pie", "es", "difficulty_walking"),
    ("me cuesta estar de pie mas de un minuto", "es", "difficulty_walking"),
    ("hice la prueba de pararme en un pie y me fui de lado", "es", "difficulty_walking"),
    ("levantara los dos brazos y uno se le cae solito", "es", "stroke_signs"),
    ("las palabras le salían arrastradas, como trabadas", "es", "stroke_signs"),
    ("¿es normal pujar y pujar y que no salga la orina?", "es", "bladder_bowel"),
    ("¿es normal que no sienta cuando tengo ganas de orinar? hoy casi me hago", "es",
     "bladder_bowel"),
    ("no, nomás que me dio de una, estaba de pie haciendo fila", "es", "sudden_onset"),
    ("hoy me llega por encima de las rodillas en las dos piernas", "es", "rapid_spread"),
    ("When I changed his pad this morning it was soaked", "en", "bladder_bowel"),
    ("it feels like I'm sitting on nothing", "en", "saddle_numbness"),
    ("the bits that touch the seat are kind of dead", "en", "saddle_numbness"),
    ("the top of his legs on the inside, up near his privates", "en", "saddle_numbness"),
]
NEAR_WORDINGS_OF_SIGNS_THEN_DENIED_THIRD_SET = [
    ("i had to catch my breath after running for the bus", "en", "rapid_spread"),
    ("siento corrientazos en la pierna", "es", "sudden_onset"),
    ("we sat on nothing but crates", "en", "saddle_numbness"),
    ("just the outer side of my thigh, nowhere near my groin", "en", "saddle_numbness"),
    ("my legs are numb on the inside of the knee", "en", "saddle_numbness"),
]
# Older corpus stories replayed with every red-flag question answered no.
SIGNS_THEN_DENIED_IN_THE_CORPUS = [
    ("i cant hold my piss anymore", "en", "bladder_bowel"),
    ("she hasnt been able to pea since last night", "en", "bladder_bowel"),
    ("i kind of lost control of my bowls this morning", "en", "bladder_bowel"),
    ("he passed motion in his clothes itself", "en", "bladder_bowel"),
    ("i aint got no feelin in my backside neither", "en", "saddle_numbness"),
    ("my hind end is plumb numb", "en", "saddle_numbness"),
    ("he is not feeling anything in the private parts", "en", "saddle_numbness"),
    ("my groan area is kind of none", "en", "saddle_numbness"),
    ("his faith look droopy on one side", "en", "stroke_signs"),
    ("his mouth has turned to one side", "en", "stroke_signs"),
    ("my mouth won't do what I tell it", "en", "stroke_signs"),
    ("its like someone pulled a curtain across half my eyes", "en", "stroke_signs"),
    ("the words coming out dont make sense", "en", "stroke_signs"),
    ("i feel down the stairs last night", "en", "injury"),
    ("my husband fail off the latter cleaning the gutters", "en", "injury"),
    ("kissed the pavement on my bike last week", "en", "injury"),
    ("my son took a hard hit playing football", "en", "injury"),
    ("tweaked my back deadlifting this morning", "en", "injury"),
    ("went arse over tit on the ice saturday", "en", "injury"),
    ("LLE numb, pallor noted", "en", "cold_pale_leg"),
    ("my foot looks like a bruise all over", "en", "cold_pale_leg"),
    ("my toes are like pail and purple and freezing called", "en", "cold_pale_leg"),
    ("i keep having to stop to catch my breath just talking", "en", "rapid_spread"),
    ("it started from her feet now it has reached her waist", "en", "rapid_spread"),
    ("my leg has been numm and week since monday", "en", "weakness"),
    ("it straight up folded on me on the stairs", "en", "weakness"),
    ("my ankle feels floppy", "en", "weakness"),
    ("it gives weigh when i step down off the curb", "en", "weakness"),
    ("now gait is ataxic", "en", "difficulty_walking"),
    ("walking feels like walking on stilts", "en", "difficulty_walking"),
    ("my leg just went numb like a switch", "en", "sudden_onset"),
    ("ta orinandose encima", "es", "bladder_bowel"),
    ("no ha podío orinar en to' el día", "es", "bladder_bowel"),
    ("se me sale el orín, no lo puedo atajar", "es", "bladder_bowel"),
    ("tengo adormesidas las entrepiernas y las nalgas", "es", "saddle_numbness"),
    ("mi hijo dice que no siente la colita", "es", "saddle_numbness"),
    ("no siento las ingles ni las nalgas", "es", "saddle_numbness"),
    ("le estoy viendo la boquita chueca", "es", "stroke_signs"),
    ("tiene la boca virá", "es", "stroke_signs"),
    ("dice que es el peor dolor de su vida", "es", "stroke_signs"),
    ("me dieron un rodillazo en la espalda", "es", "injury"),
    ("me he dado una hostia con la bici", "es", "injury"),
    ("me calle de la escalera ayer", "es", "injury"),
    ("el pie está como de mármol", "es", "cold_pale_leg"),
    ("mis dos legs se sienten weak y cada hora peor", "es", "rapid_spread"),
    ("es como si me fueran llenando de cemento desde los pies", "es", "rapid_spread"),
    ("pie péndulo derecho desde hace 4 días", "es", "weakness"),
    ("la pierna le pesa como plomo", "es", "weakness"),
    ("me fallan las piernas parce", "es", "weakness"),
    ("no me banca el peso", "es", "weakness"),
    ("me ta costando caminar", "es", "difficulty_walking"),
    ("tengo que usar el cane", "es", "difficulty_walking"),
    ("como rayo se me durmió toda la pierna", "es", "sudden_onset"),
    ("my hips are going as well", "en", "rapid_spread"),
    ("nada más con la andadera", "es", "difficulty_walking"),
    ("de un paso al otro ya no sentí la pierna", "es", "sudden_onset"),
]
NEAR_WORDINGS_OF_SIGNS_THEN_DENIED_IN_THE_CORPUS = [
    ("nothing in the groin or between the legs", "en", "saddle_numbness"),
    ("i pulled a muscle in my calf", "en", "injury"),
    ("it's hard to get up early", "en", "difficulty_walking"),
    ("lol im screaming", "en", "cold_pale_leg"),
    ("took a hit of my vape", "en", "injury"),
]
NEAR_WORDINGS_OF_SIGNS_THEN_DENIED = [
    ("some kid got flattened in a tackle", "en", "injury"),
    ("the sheet music was in my bag", "en", "bladder_bowel"),
]
NEAR_WORDINGS_OF_THE_CHECKIN_EVENTS = [
    ("my chair is made of rubber", "en", "saddle_numbness"),
    ("i can't feel a thing in my toes", "en", "saddle_numbness"),
    ("no sentí el agua fría en la pierna", "es", "saddle_numbness"),
    ("no se ven azules", "es", "cold_pale_leg"),
    ("entre los muslos me roza el pantalón, no siento dolor", "es", "saddle_numbness"),
    ("me duele entre los muslos", "es", "saddle_numbness"),
]

# "couldn't", "isn't able", "hasn't been able", "no pudo", "no podía": every tense and person of
# not being able reads as "can't" and "no puedo" do.
EVERY_FORM_OF_NOT_BEING_ABLE = [
    ("this morning i couldn't pee at all, tried for an hour", "en", "bladder_bowel"),
    ("he couldn't go to the bathroom all day", "en", "bladder_bowel"),
    ("couldn't control my bladder on the bus", "en", "bladder_bowel"),
    ("the leg couldn't hold me on the stairs", "en", "weakness"),
    ("my mother is not able to stand properly for long time", "en", "difficulty_walking"),
    ("he hasn't been able to walk since lunch", "en", "difficulty_walking"),
    ("she wasnt able to walk to the car", "en", "difficulty_walking"),
    ("they weren't able to get him standing", "en", "difficulty_walking"),
    ("hasnt been able to pee since last night", "en", "bladder_bowel"),
    ("anoche no pudo orinar", "es", "bladder_bowel"),
    ("no podía orinar aunque tenía ganas", "es", "bladder_bowel"),
    ("no pudieron hacer pipí en todo el día", "es", "bladder_bowel"),
    ("no pudo mover la pierna en la mañana", "es", "weakness"),
    ("mi papá no pudo ir al baño solo", "es", "bladder_bowel"),
    ("no podían subir las escaleras", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_EVERY_FORM_OF_NOT_BEING_ABLE = [
    ("no me puedo aguantar el dolor", "es", "bladder_bowel"),
    ("no pude ver al doctor ayer", "es", "stroke_signs"),
    ("no podía hablar ahorita, estaba en el trabajo", "es", "stroke_signs"),
    ("he isn't able to come to the phone", "en", "difficulty_walking"),
]

# Signs told only in words, from stories replayed with every red-flag question answered no and
# from check-in replies: the words alone must raise them.
SIGNS_TOLD_ONLY_IN_WORDS = [
    ("I've been having trouble going to the bathroom", "en", "bladder_bowel"),
    ("like I can't get the pee to start", "en", "bladder_bowel"),
    ("stood at the urinal for ages and nothing would start", "en", "bladder_bowel"),
    ("he cannot make wiwi since morning", "en", "bladder_bowel"),
    ("her pad was full and she had no idea", "en", "bladder_bowel"),
    ("had an accident in my trousers at work", "en", "bladder_bowel"),
    ("motion came in my pant while I was standing in queue", "en", "bladder_bowel"),
    ("I haven't had a wee since yesterday tea time", "en", "bladder_bowel"),
    ("I don't get the feeling I need a wee anymore", "en", "bladder_bowel"),
    ("the butt also is sleeping, both sides", "en", "saddle_numbness"),
    ("numb from the waist down kinda", "en", "saddle_numbness"),
    ("decreased sensation perianal area since last night", "en", "saddle_numbness"),
    ("my 5 yo says his pee-pee feels funny", "en", "saddle_numbness"),
    ("felt like it was someone else's bum", "en", "saddle_numbness"),
    ("feels like I'm sitting on cardboard", "en", "saddle_numbness"),
    ("like im wearing a nappy made of cardboard", "en", "saddle_numbness"),
    ("couldn't feel how hot the water was on my bottom", "en", "saddle_numbness"),
    ("down there between my legs is pins n needles", "en", "saddle_numbness"),
    ("she could feel the hot water on her legs but not on her bottom", "en", "saddle_numbness"),
    ("same word over and over and none of it makes sense", "en", "stroke_signs"),
    ("her smile only went up on one side", "en", "stroke_signs"),
    ("the skin on her shin has gone like marble", "en", "cold_pale_leg"),
    ("a grey lacy pattern on his foot", "en", "cold_pale_leg"),
    ("I'm puffed out just talking on the phone", "en", "rapid_spread"),
    # "short" is also a word of the Spanish phrases; English "short* ... breath*" still reads it.
    ("my hands is going too and I feel short of breath laying down", "en", "rapid_spread"),
    ("whole leg went dead in a second", "en", "sudden_onset"),
    ("one second I was reaching for the remote", "en", "sudden_onset"),
    ("it wasn't gradual at all", "en", "sudden_onset"),
    ("he can't kick the ball anymore, it just kind of flops", "en", "weakness"),
    ("yesterday my ankles felt floppy", "en", "weakness"),
    ("I can't grip it with my toes", "en", "weakness"),
    ("my slipper keeps falling off", "en", "weakness"),
    ("my leg won't press it properly", "en", "weakness"),
    ("the leg's just weak as anything", "en", "weakness"),
    ("both legs feel like lead now", "en", "weakness"),
    ("I grabbed the lamp post to stay up", "en", "difficulty_walking"),
    ("i sway and grab for stuff when i shut my eyes", "en", "difficulty_walking"),
    ("resident needed 2 assist for transfers today", "en", "difficulty_walking"),
    ("it took two of us to get him from the chair to the commode", "en", "difficulty_walking"),
    ("had to stop and lean on a fence twice", "en", "difficulty_walking"),
    ("I have to stop at the bus shelter halfway and sit", "en", "difficulty_walking"),
    ("hit the sandbar with my head", "en", "injury"),
    ("hoy se hizo en los pants, él nunca", "es", "bladder_bowel"),
    ("me había hecho encima, no me di cuenta", "es", "bladder_bowel"),
    ("le encontré el calzoncillo manchado de popó", "es", "bladder_bowel"),
    ("es como si limpiara a otra persona", "es", "saddle_numbness"),
    ("no siento nada ahí atrás", "es", "saddle_numbness"),
    ("el agua calentita entre las piernas no la noto", "es", "saddle_numbness"),
    ("el agua caliente no la sentí entre las piernas", "es", "saddle_numbness"),
    ("se le sale el café de la boca por un ladito", "es", "stroke_signs"),
    ("me salieron otras palabras", "es", "stroke_signs"),
    ("hablaba como si tuviera la boca llena de algodón", "es", "stroke_signs"),
    ("dice que ve la tele partida", "es", "stroke_signs"),
    ("la mitad de la pantalla no está", "es", "stroke_signs"),
    ("se le está poniendo moradito como una berenjena", "es", "cold_pale_leg"),
    ("la piel como manchada, tipo mármol", "es", "cold_pale_leg"),
    ("dice que está frío como de muerto", "es", "cold_pale_leg"),
    ("como si lo hubiera tenido en el freezer", "es", "cold_pale_leg"),
    ("un dolor en la pierna que me hace gritar", "es", "cold_pale_leg"),
    ("me duele la pantorrilla horrible", "es", "cold_pale_leg"),
    ("las 2 piernas se me están poniendo weak cada hr mas", "es", "rapid_spread"),
    ("se le están aflojando y no para", "es", "rapid_spread"),
    ("las piernas cada vez más débiles", "es", "rapid_spread"),
    ("ormigeo en los dos pies que ya le llego a las rodiyas", "es", "rapid_spread"),
    ("ya le llega a los muslos", "es", "rapid_spread"),
    ("al respirar me canso, como que no me llena el aire", "es", "rapid_spread"),
    ("ahorita en la cama ni levantar las rodillas", "es", "rapid_spread"),
    ("fue como un apagón", "es", "sudden_onset"),
    ("de una cuadra a la otra se me durmió la pierna", "es", "sudden_onset"),
    ("fue instantáneo", "es", "sudden_onset"),
    ("el pie va haciendo plaf plaf contra el suelo", "es", "weakness"),
    ("mi mamá ya no levanta los pies", "es", "weakness"),
    ("en el gym no pude subir al step con la derecha", "es", "weakness"),
    ("hoy las dos pesadas como de plomo", "es", "weakness"),
    ("no puedo estar standing mucho tiempo", "es", "difficulty_walking"),
    ("tuvo que agarrarse de los muebles y de mí", "es", "difficulty_walking"),
    ("a la media cuadra tengo que sentarme", "es", "difficulty_walking"),
    ("a mitad de camino me tengo que sentar", "es", "difficulty_walking"),
    ("apoyado en el machete como bastón", "es", "difficulty_walking"),
    ("me siento inestable como en un barco", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS = [
    ("had a flat white that was weak as", "en", "weakness"),
    ("the dog fell down the back step", "en", "injury"),
    ("I fell in line at the mall for an hour", "en", "injury"),
    ("the old garden fence gave way in the wind", "en", "weakness"),
    ("she sleeps on her bum", "en", "saddle_numbness"),
    ("sorry to sound like a broken record", "en", "stroke_signs"),
    ("my marble countertop is cold", "en", "cold_pale_leg"),
    ("be there in a second", "en", "sudden_onset"),
    ("I grab a coffee to stay up on night shifts", "en", "difficulty_walking"),
    ("I'm wearing flip flops", "en", "weakness"),
    ("No fue poco a poco.", "es", "sudden_onset"),
    ("no fue de a poco, bueno sí, fue de a poco", "es", "sudden_onset"),
    ("hubo un apagón en la casa", "es", "sudden_onset"),
    ("tomé café instantáneo", "es", "sudden_onset"),
    ("el hormigueo ya me llega a la rodilla", "es", "rapid_spread"),
    ("se me cayó la cara de vergüenza", "es", "injury"),
    ("se me cayó la cara de vergüenza", "es", "stroke_signs"),
    ("me caí de la risa", "es", "injury"),
    ("el perro se cayó de la cama", "es", "injury"),
    ("me puse los shorts", "es", "bladder_bowel"),
]

# The second round of signs told only in words: what relatives, carers and workmates saw, and
# check-in replies written in one breath.
SIGNS_TOLD_ONLY_IN_WORDS_SECOND_ROUND = [
    ("each time just a dribble then nothing", "en", "bladder_bowel"),
    ("i thought i was just passing wind and it wasnt", "en", "bladder_bowel"),
    ("had to chuck my undies in the bin at the servo", "en", "bladder_bowel"),
    ("she keeps 'leaking a bit' when she gets up", "en", "bladder_bowel"),
    ("she had towels down on the sofa", "en", "bladder_bowel"),
    ("I haven't actually been for a wee since yesterday", "en", "bladder_bowel"),
    ("he stood there the whole time and couldnt go at all", "en", "bladder_bowel"),
    ("by the time I got to the services it had already come out", "en", "bladder_bowel"),
    ("the backs of my legs felt it but my bum didnt feel the heat at all", "en", "saddle_numbness"),
    ("like he's sitting on a bag of frozen peas", "en", "saddle_numbness"),
    ("I couldn't feel where I'd been sitting at all", "en", "saddle_numbness"),
    ("had my bikini wax today and i barely felt a thing", "en", "saddle_numbness"),
    ("lads my arse has gone dead", "en", "saddle_numbness"),
    ("its like theres no bum there", "en", "saddle_numbness"),
    ("both cheeks dead, been hours now", "en", "saddle_numbness"),
    ("a shave down below and it felt like after the dentist", "en", "saddle_numbness"),
    ("to pick up her coffee with her left hand and it just slid off", "en", "stroke_signs"),
    ("my writing went all over the page", "en", "stroke_signs"),
    ("he kept walking into the left side of the gate post", "en", "stroke_signs"),
    ("it was just gibberish letters", "en", "stroke_signs"),
    ("it felt like something burst at the back of my head", "en", "stroke_signs"),
    ("the whole left half of what I could see just went black", "en", "stroke_signs"),
    ("the bar rolled up onto the back of his neck", "en", "injury"),
    ("I come off the scaffold into a skip", "en", "injury"),
    ("the pain is unreal, i cant put it down", "en", "cold_pale_leg"),
    ("my foot feels like ive been standing in snow", "en", "cold_pale_leg"),
    ("the left is a shade lighter", "en", "cold_pale_leg"),
    ("the leg feels like its been in the freezer", "en", "cold_pale_leg"),
    ("the kids said it looks all marbly and patchy", "en", "cold_pale_leg"),
    ("tonight he said his hands are going too", "en", "rapid_spread"),
    ("this morning she couldn't get her arms up to brush her hair", "en", "rapid_spread"),
    ("today my thighs and my fingertips are starting", "en", "rapid_spread"),
    ("both legs are going, a bit more every hour", "en", "rapid_spread"),
    ("I get puffed out just walking from the car park", "en", "rapid_spread"),
    ("totally fine, then bang, her leg went numb", "en", "sudden_onset"),
    ("slap slap slap on the left side", "en", "weakness"),
    ("yesterday I had to lift her legs out of the car for her", "en", "weakness"),
    ("the left foot is dragging now", "en", "weakness"),
    ("the toe of his shoe is scuffing along the carpet", "en", "weakness"),
    ("two of us had to lift him", "en", "difficulty_walking"),
    ("says the floor feels like a bouncy castle", "en", "difficulty_walking"),
    ("going up her path holding onto the hedge", "en", "difficulty_walking"),
    ("she had to sit on every bench we passed", "en", "difficulty_walking"),
    ("grabbed my arm every time the path sloped", "en", "difficulty_walking"),
    ("he needs me holding his arm just to get to the loo", "en", "difficulty_walking"),
    ("I only get to the end of the street and have to stop", "en", "difficulty_walking"),
    ("se me había escapado un poco sin enterarme", "es", "bladder_bowel"),
    ("hoy al cambiarlo la sabana estaba sucia de popó", "es", "bladder_bowel"),
    ("nomas salen gotitas, siento la vejiga full", "es", "bladder_bowel"),
    ("vi que le chorreaba por la botamanga", "es", "bladder_bowel"),
    ("me he ensuciado sin sentir", "es", "bladder_bowel"),
    ("tenía el pantalón mojao atrás y no sabía", "es", "bladder_bowel"),
    ("llevo desde anoche empujando para mear y no arranca", "es", "bladder_bowel"),
    ("sale un hilillo y se corta", "es", "bladder_bowel"),
    ("siento la vejiga como piedra", "es", "bladder_bowel"),
    ("la vejiga a reventar", "es", "bladder_bowel"),
    ("vi un charquito en el piso y era mío", "es", "bladder_bowel"),
    ("no notaba el sillín, como si estuviera sentada en el aire", "es", "saddle_numbness"),
    ("siento que no tengo nalgas", "es", "saddle_numbness"),
    ("le estaba poniendo su inyección en la nalga y ni se movió", "es", "saddle_numbness"),
    ("entre las piernas todo como acartonado", "es", "saddle_numbness"),
    ("ahí abajo no noto nada, como anestesiado todo", "es", "saddle_numbness"),
    ("el agua caliente no la siento en el butt", "es", "saddle_numbness"),
    ("sentí la cola de cartón", "es", "saddle_numbness"),
    ("me rasqué la entrepierna y no sentía las uñas", "es", "saddle_numbness"),
    ("la vagina y alrededor lo tengo como muerto", "es", "saddle_numbness"),
    ("la mitad del letrero no lo veía", "es", "stroke_signs"),
    ("se quedaba buscando las palabras", "es", "stroke_signs"),
    ("la sonrisa le sale nomas de un lado", "es", "stroke_signs"),
    ("me dijo que se veía chueca", "es", "stroke_signs"),
    ("el brazo no me obedecía", "es", "stroke_signs"),
    ("se le cae la comida de la boca", "es", "stroke_signs"),
    ("un carro me dio por detrás en un semáforo", "es", "injury"),
    ("le vimos el pie todo purple y cold", "es", "cold_pale_leg"),
    ("está bien fría comparada con la otra", "es", "cold_pale_leg"),
    ("se queda blanquecino y frío al tocarlo", "es", "cold_pale_leg"),
    ("cada dos o tres palabras tenía que parar a coger aire", "es", "rapid_spread"),
    ("hablaba con el aire justo", "es", "rapid_spread"),
    ("se agita nomas de hablar conmigo", "es", "rapid_spread"),
    ("anoche me despertaba sin poder jalar aire bien", "es", "rapid_spread"),
    ("las dos piernitas como trapito", "es", "rapid_spread"),
    ("no me llena el aire", "es", "rapid_spread"),
    ("y en la otra pierna empezó también", "es", "rapid_spread"),
    ("ahora es la otra pierna tambien", "es", "rapid_spread"),
    ("dice que los brazos también le pesan", "es", "rapid_spread"),
    ("se me durmió la pierna de una, de la cadera para abajo", "es", "sudden_onset"),
    ("se le durmió la pierna en ese mismo momento", "es", "sudden_onset"),
    ("dijo que se le durmió like that", "es", "sudden_onset"),
    ("en un abrir y cerrar de ojos se me adormeció toda la pierna", "es", "sudden_onset"),
    ("sin ningún aviso, como un corrientazo", "es", "sudden_onset"),
    ("se le sale la chancleta del pie derecho a cada rato", "es", "weakness"),
    ("las chanclas se me salen del pie izquierdo", "es", "weakness"),
    ("no puedo subir los dedos", "es", "weakness"),
    ("la pierna no levantó", "es", "weakness"),
    ("el talón no se despega del piso", "es", "weakness"),
    ("el pie se le quedaba colgado, no lo podía subir", "es", "weakness"),
    ("la pierna derecha no la aguantó", "es", "weakness"),
    ("no me puedo parar en puntas con ese pie", "es", "weakness"),
    ("ayer ya no podía subir al colectivo sin agarrarme", "es", "difficulty_walking"),
    ("tuvimos que subirla entre dos", "es", "difficulty_walking"),
    ("cogido de la barandilla con los dos brazos", "es", "difficulty_walking"),
    ("cuando lo dejó para agarrar el pan se fue para el costado", "es", "difficulty_walking"),
    ("necesité el bastón de mi padre y apoyarme en mi hija", "es", "difficulty_walking"),
    ("a la segunda las piernas ya no me dan", "es", "difficulty_walking"),
    ("sola no me sostengo parada", "es", "difficulty_walking"),
    ("me voy pa los lados", "es", "difficulty_walking"),
    ("trato de pararme de puntitas y con el pie derecho no puedo", "es", "weakness"),
    ("ahora me fijo y el pie derecho se me queda caído", "es", "weakness"),
    ("por qué rozo el suelo con el zapato al andar", "es", "weakness"),
]
NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_SECOND_ROUND = [
    ("a fall of snow overnight", "en", "injury"),
    ("did a 14 hour shift and fell into bed", "en", "injury"),
    ("the results had come out", "en", "bladder_bowel"),
    ("put a bag of frozen peas on my knee", "en", "saddle_numbness"),
    ("sorry if this is gibberish", "en", "stroke_signs"),
    ("we had a fall of rain", "en", "injury"),
    ("se le cayó el plato", "es", "injury"),
    ("el pie se me queda caído", "es", "injury"),
    ("hoy ando con la boca dormida porque fui al dentista", "es", "stroke_signs"),
    ("se fue para el lado de la cocina", "es", "difficulty_walking"),
    ("se me durmió la pierna en plena misa", "es", "sudden_onset"),
    ("mi amiga Pam me dijo que escribiera", "es", "sudden_onset"),
    ("el hormigueo ya me llega a la rodilla", "es", "rapid_spread"),
    ("se agarra el pelo", "es", "difficulty_walking"),
]

# The third round: dictated and dialect words (Scots, Jamaican, Indian English; dictado con
# faltas de ortografía) and check-ins about children.
SIGNS_TOLD_ONLY_IN_WORDS_THIRD_ROUND = [
    ("he aint made water since supper last night", "en", "bladder_bowel"),
    ("he keeps going in there and tryin but it just wont go", "en", "bladder_bowel"),
    ("my bowl has been going on its own this two days", "en", "bladder_bowel"),
    ("he is passing pea without knowing", "en", "bladder_bowel"),
    ("we are finding his dhoti wet only", "en", "bladder_bowel"),
    ("only a wee dribble comes oot", "en", "bladder_bowel"),
    ("she can't tell any more when she needs to go", "en", "bladder_bowel"),
    ("mi husband seh him cyaan feel it pon him bottom", "en", "saddle_numbness"),
    ("I couldnae feel a thing doon there", "en", "saddle_numbness"),
    ("have you started yet dear and she'd already finished", "en", "saddle_numbness"),
    ("she couldn't feel the cold on her bottom at all", "en", "saddle_numbness"),
    ("now he's talking like he's had a few", "en", "stroke_signs"),
    ("the white lines in the road went double on me", "en", "stroke_signs"),
    ("my right hand dropped the coffee just now", "en", "stroke_signs"),
    ("she is saying some other words, all mixing up", "en", "stroke_signs"),
    ("came on like a clap of thunder", "en", "stroke_signs"),
    ("me head is after splitting in two on me", "en", "stroke_signs"),
    ("I cannae see oot the left side", "en", "stroke_signs"),
    ("she keeps saying she sees two of me", "en", "stroke_signs"),
    ("cracked ma heid on the pavement", "en", "injury"),
    ("mi drop off di ladder pickin mango", "en", "injury"),
    ("an land pon mi back", "en", "injury"),
    ("the two of us went down in a heap", "en", "injury"),
    ("I missed the last step going down to the cellar", "en", "injury"),
    ("sat down with a bump on the concrete", "en", "injury"),
    ("gave herself a right crack on the head", "en", "injury"),
    ("my mother left foot is looking like ash colour", "en", "cold_pale_leg"),
    ("cold cold compared to the right one", "en", "cold_pale_leg"),
    ("mi foot turn pale pale", "en", "cold_pale_leg"),
    ("a kind of lacy blotchy pattern all over it", "en", "cold_pale_leg"),
    ("like corned beef so it has", "en", "cold_pale_leg"),
    ("ma foot's like a block o' ice oot the freezer", "en", "cold_pale_leg"),
    ("a pain like it's in a vice", "en", "cold_pale_leg"),
    ("when I press on his toenail it just stays white", "en", "cold_pale_leg"),
    ("now his arms are feelin funny too", "en", "rapid_spread"),
    ("he is taking breath in small small", "en", "rapid_spread"),
    ("feel like dem full a sand right up to mi belly", "en", "rapid_spread"),
    ("each morning it's higher", "en", "rapid_spread"),
    ("I kept running out of puff halfway through a sentence", "en", "rapid_spread"),
    ("it's past my knees now", "en", "rapid_spread"),
    ("it went numb like a light going off", "en", "sudden_onset"),
    ("in one second my leg became numb", "en", "sudden_onset"),
    ("an just so mi leg dead", "en", "sudden_onset"),
    ("my left knee is not pushing me up", "en", "weakness"),
    ("mi cyaan go up pon mi toes", "en", "weakness"),
    ("had to haul myself up on the pew in front", "en", "difficulty_walking"),
    ("couldn't get back up off the kneeler", "en", "difficulty_walking"),
    ("hanging on to the trolley like it's a zimmer frame", "en", "difficulty_walking"),
    ("uncle can go only till the gate and back now", "en", "difficulty_walking"),
    ("going along the wall of the house like a crab", "en", "difficulty_walking"),
    ("ma grandson tae link arms wi me just tae get tae the bus stop", "en", "difficulty_walking"),
    ("I have to stand with my feet wide apart", "en", "difficulty_walking"),
    ("I'd be listing off to one side like an old boat", "en", "difficulty_walking"),
    ("hold on to the back of my belt when we walk", "en", "difficulty_walking"),
    ("en el inodoro esperando y no sale na", "es", "bladder_bowel"),
    ("esta mañana e manchado el pantalón sin enterarme", "es", "bladder_bowel"),
    ("se queda ay parado y no echa nada", "es", "bladder_bowel"),
    ("tiene la pansa bien dura aquí abajito del ombligo", "es", "bladder_bowel"),
    ("el pañal le amanece sucio de pupú", "es", "bladder_bowel"),
    ("yebo como doce horas sin orinar", "es", "bladder_bowel"),
    ("siento las ganas pero no arranca", "es", "bladder_bowel"),
    ("los calzoncillos le vuelven manchados de caca", "es", "bladder_bowel"),
    ("él dice que no siente cuándo le viene", "es", "bladder_bowel"),
    ("yo allí abajo no sentía nada de nada", "es", "saddle_numbness"),
    ("me dice hija todavía no empiezas y yo ya avía terminado", "es", "saddle_numbness"),
    ("ya no las siento en el poto", "es", "saddle_numbness"),
    ("no sentí nada de calor en las nalgas", "es", "saddle_numbness"),
    ("como si tuviera puesto un pañal bien grueso", "es", "saddle_numbness"),
    ("dice que tiene las nalguitas dormidas", "es", "saddle_numbness"),
    ("se me cae el control de esta misma mano y ni lo siento caer", "es", "stroke_signs"),
    ("no beo la mitad de las letras", "es", "stroke_signs"),
    ("solo se le levanta un lado del bigote", "es", "stroke_signs"),
    ("las palabras se le enredaban como un casete", "es", "stroke_signs"),
    ("beo las rayas del camino dobles", "es", "stroke_signs"),
    ("la boquita se le quedó chueca", "es", "stroke_signs"),
    ("un lado no se le movió", "es", "stroke_signs"),
    ("me fui de espalda contra el fierro", "es", "injury"),
    ("estaba helado como una piedra de río", "es", "cold_pale_leg"),
    ("se beía más clarito que el otro como desteñido", "es", "cold_pale_leg"),
    ("no aguanta ni que le roce la sábana", "es", "cold_pale_leg"),
    ("el pie lo tengo color como de poyo crudo", "es", "cold_pale_leg"),
    ("se despertó gritando del dolor en la pantorrilla", "es", "cold_pale_leg"),
    ("un dolor que no se le calma con nada", "es", "cold_pale_leg"),
    ("aora ya me llega arriba de las rodiyas", "es", "rapid_spread"),
    ("las dos piernas dormidas y cada día más flojas", "es", "rapid_spread"),
    ("ya también se me duermen los dedos de las manos", "es", "rapid_spread"),
    ("dice que le pesan las dos como sacos de cemento", "es", "rapid_spread"),
    ("siento que no se me yena el pecho de aire", "es", "rapid_spread"),
    ("dice que ya son los muslos también", "es", "rapid_spread"),
    ("entre un plato y el otro se me durmió la pierna", "es", "sudden_onset"),
    ("a mitad de cuadra ya tenía la pierna dormida", "es", "sudden_onset"),
    ("se me durmió la pierna sin abiso", "es", "sudden_onset"),
    ("estaba bien y a la tercera camiseta ya no sentía la pierna", "es", "sudden_onset"),
    ("en el primer canto estaba bien y para el segundo ya no", "es", "sudden_onset"),
    ("cuando marqué estaba bien y antes de colgar ya tenía la pierna", "es", "sudden_onset"),
    ("se me adormesió la pierna derecha así nomás", "es", "sudden_onset"),
    ("se me a gastado la punta del zapato derecho", "es", "weakness"),
    ("de ir rozando el suelo", "es", "weakness"),
    ("ya no me puedo empinar con ese pie", "es", "weakness"),
    ("a media calle me tengo que sentar", "es", "difficulty_walking"),
    ("aora tengo que parar tres beses", "es", "difficulty_walking"),
    ("ya no soy capaz de estar parada", "es", "difficulty_walking"),
    ("tengo que cocinar sentada en un banquito", "es", "difficulty_walking"),
    ("tengo que ir afirmándome del techo del auto", "es", "difficulty_walking"),
    ("ya ni se puede parar solo", "es", "difficulty_walking"),
    ("se tuvo que ir agarrando del carrito todo el tiempo", "es", "difficulty_walking"),
    ("solo no se podía tener", "es", "difficulty_walking"),
    ("mi niña se cae sentada a cada rato", "es", "difficulty_walking"),
    ("se va para los costados", "es", "difficulty_walking"),
    ("ya no podía subir al autobús", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_THIRD_ROUND = [
    ("she can't walk in her new heels for the school dance", "en", "difficulty_walking"),
    ("he's doing his zombie walk, dragging his foot on purpose", "en", "weakness"),
    ("estaba bien y a la noche salimos", "es", "sudden_onset"),
    ("my ma's leg went numb", "en", "stroke_signs"),
    ("pon la pierna en alto", "es", "injury"),
    ("Crashed on my brother's couch last night", "en", "injury"),
    ("Couldn't stand the noise of the party downstairs", "en", "difficulty_walking"),
    ("tripped over a word in my speech", "en", "difficulty_walking"),
    ("The leg of our kitchen table gave way", "en", "weakness"),
    ("We were stuck behind an accident on the M6", "en", "injury"),
    ("her team got knocked out of the tournament", "en", "injury"),
    ("The cake collapsed too, what a day", "en", "weakness"),
    ("I went white as a sheet when I saw the letter", "en", "cold_pale_leg"),
    ("A mi hijita se le cayó un diente", "es", "injury"),
    ("choqué con mi ex en la panadería", "es", "injury"),
    ("De golpe me he acordado de que no había comprado el pan", "es", "sudden_onset"),
    ("La reunión fue un golpe para todos", "es", "injury"),
    ("se me cayó la señal del celular toda la semana", "es", "injury"),
    ("mi instructora dice que me ahogo en un vaso de agua", "es", "rapid_spread"),
]

# The fourth round, written after the first three were read: fresh stories and check-ins.
SIGNS_TOLD_ONLY_IN_WORDS_FOURTH_ROUND = [
    ("realised my scrubs were damp", "en", "bladder_bowel"),
    ("my jeans were just wet when i stood up", "en", "bladder_bowel"),
    ("bursting and not a drop would come", "en", "bladder_bowel"),
    ("bursting and nothing would come", "en", "bladder_bowel"),
    ("the cushion became wet and he was not knowing", "en", "bladder_bowel"),
    ("he says it is coming drop drop only", "en", "bladder_bowel"),
    ("mi pass water inna mi clothes", "en", "bladder_bowel"),
    ("he's had two accidents in his armchair this morning", "en", "bladder_bowel"),
    ("had a mess in my overalls out at the calving pen", "en", "bladder_bowel"),
    ("I can feel it on my back but nothing at all on my backside", "en", "saddle_numbness"),
    ("nothing at all between my legs, down below", "en", "saddle_numbness"),
    ("Nicked myself shaving my bikini line and didn't feel a thing", "en", "saddle_numbness"),
    ("my private parts feel like they've had a shot at the dentist", "en", "saddle_numbness"),
    ("it came out all jumble like another language", "en", "stroke_signs"),
    ("the texts she's sending me are just jumbled letters", "en", "stroke_signs"),
    ("his left arm only came up to his shoulder", "en", "stroke_signs"),
    ("a shove from a heifer against the rail, bruised my back a bit", "en", "injury"),
    ("a fella slide tackle me, I land flat on my back", "en", "injury"),
    ("her toes are the colour of an old bruise", "en", "cold_pale_leg"),
    ("the skin was like boiled chicken", "en", "cold_pale_leg"),
    ("it cold cold like it come outta di ice box", "en", "cold_pale_leg"),
    ("it look kinda blue round di toes", "en", "cold_pale_leg"),
    ("today its up to his knees", "en", "rapid_spread"),
    ("now it's in my thighs", "en", "rapid_spread"),
    ("now my belly feels numb too", "en", "rapid_spread"),
    ("it feels like a tight band around my belly", "en", "rapid_spread"),
    ("now my knees feel like jelly too. It's climbing.", "en", "rapid_spread"),
    ("went dead from the hip down, like someone pulled the plug", "en", "sudden_onset"),
    ("immediately my left leg became numb", "en", "sudden_onset"),
    ("my left flip flop keeps flying off", "en", "weakness"),
    ("my foot wont grip it", "en", "weakness"),
    ("I cannot lift the gear lever up with my toes", "en", "weakness"),
    ("she can't push her foot against my hand at all", "en", "weakness"),
    ("it gives up after two pushes", "en", "weakness"),
    ("I had to pull myself up the stairs on the banister", "en", "difficulty_walking"),
    ("now I have to sit on the bench halfway", "en", "difficulty_walking"),
    ("I'm hanging onto the leash like a handrail", "en", "difficulty_walking"),
    ("ive had to grab every pole getting to my seat", "en", "difficulty_walking"),
    ("i kept drifting into the hedge like i was drunk", "en", "difficulty_walking"),
    ("had to hang onto my mates arm the rest of the way", "en", "difficulty_walking"),
    ("tenía el panty mojao y ni me di cuenta", "es", "bladder_bowel"),
    ("no he ido al baño ni una vez", "es", "bladder_bowel"),
    ("tengo la guata hinchada como tambor", "es", "bladder_bowel"),
    ("el pañal estaba seco seco desde anoche", "es", "bladder_bowel"),
    ("sentí que se me salía todo por atrás", "es", "bladder_bowel"),
    ("me aprieto la panza para que salga el chorrito", "es", "bladder_bowel"),
    ("en el culete no la notaba", "es", "saddle_numbness"),
    ("él no sentía nada allá abajo", "es", "saddle_numbness"),
    ("por detrás no siento na", "es", "saddle_numbness"),
    ("las letras se me ven la mitad nomás", "es", "stroke_signs"),
    ("la otra mitad de la pantalla como borrada", "es", "stroke_signs"),
    ("no es la primera palabra trocada que dice hoy", "es", "stroke_signs"),
    ("las líneas de la ruta las veo dobles", "es", "stroke_signs"),
    ("un dolor en la pantorrilla que la hace llorar", "es", "cold_pale_leg"),
    ("no deja que la toque ni con la sábana", "es", "cold_pale_leg"),
    ("un dolor brutal que me ha hecho gritar", "es", "cold_pale_leg"),
    ("hoy ya lo noto por las caderas", "es", "rapid_spread"),
    ("eran los pies, ahora las piernas enteras", "es", "rapid_spread"),
    ("hoy ya siento el hormigueo también en las manos", "es", "rapid_spread"),
    ("ese pie no me subía, el otro sí", "es", "weakness"),
    ("el pie me arrastra", "es", "weakness"),
    ("voy raspando la punta de la zapatilla contra la vereda", "es", "weakness"),
    ("tengo que pararme dos veces agarrada de los postes", "es", "difficulty_walking"),
    ("iba haciendo eses como si me hubiera bebido algo", "es", "difficulty_walking"),
    ("a mitad de la cuadra ya me tengo que sentar", "es", "difficulty_walking"),
    ("lo tuve que traer a caballito", "es", "difficulty_walking"),
    ("la hice agarrándome de los otros carros", "es", "difficulty_walking"),
    ("hoy no aguanté ni una cuadra caminando", "es", "difficulty_walking"),
]
NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_FOURTH_ROUND = [
    ("I sleep flat on my back", "en", "injury"),
    ("sorry to sound like a broken record", "en", "stroke_signs"),
    ("grab a coffee to stay up", "en", "difficulty_walking"),
    ("que me hace llorar de la risa", "es", "cold_pale_leg"),
]

# Exceptions must not hide a sign said with the same words.
EXCEPTIONS_THAT_MUST_NOT_HIDE_A_SIGN = [
    ("had surgery last week and I can't walk yet", "en", "difficulty_walking"),
    ("he's walking like a staggering drunk", "en", "difficulty_walking"),
    ("his leg went white as a sheet", "en", "cold_pale_leg"),
    ("he crashed on the floor and hit his head", "en", "injury"),
    ("I was in a train wreck last year and now my back", "en", "injury"),
    ("she can't stand on it", "en", "difficulty_walking"),
    ("me caí rendida en la escalera y me pegué", "es", "injury"),
    ("choqué con mi vecino en la autopista", "es", "injury"),
    ("she can't walk in heels any more since her leg went numb", "en", "difficulty_walking"),
]

# The fifth round: fresh stories, a concrete moment of today with an object or a place in it.
SIGNS_TOLD_ONLY_IN_WORDS_FIFTH_ROUND = [
    ("His overnight pad was bone dry this morning", "en", "bladder_bowel"),
    ("he says he doesn't need to go even though he's had 4 coffees", "en", "bladder_bowel"),
    ("he had a mess in his boxers in the milking parlour", "en", "bladder_bowel"),
    ("she had passed stool on the shower chair", "en", "bladder_bowel"),
    ("I could not fill the cup, only few drops came", "en", "bladder_bowel"),
    ("the water on her knees but not on her behind", "en", "saddle_numbness"),
    ("I couldn't feel a thing under me", "en", "saddle_numbness"),
    ("never feel it at all under mi backside", "en", "saddle_numbness"),
    ("never felt the cold of it at all back there", "en", "saddle_numbness"),
    ("mom said did you do it yet", "en", "saddle_numbness"),
    ("my right hand kept dropping the spoon", "en", "stroke_signs"),
    ("the left half of the numbers were just gone", "en", "stroke_signs"),
    ("her left arm kept drifting down into her lap", "en", "stroke_signs"),
    ("got a belt of a hurley on the back of the head", "en", "injury"),
    ("a box caught me on the back of the neck", "en", "injury"),
    ("Rolled the quad on the hill yesterday", "en", "injury"),
    ("she was found on the floor beside her bed", "en", "injury"),
    ("the foot looked like a lump of lard", "en", "cold_pale_leg"),
    ("it was like touching marble", "en", "cold_pale_leg"),
    ("his foot is the colour of old dishwater", "en", "cold_pale_leg"),
    ("but his other foot is warm", "en", "cold_pale_leg"),
    ("the foot looks like a plucked chook", "en", "cold_pale_leg"),
    ("sunday it was just her toes, monday up to her shins", "en", "rapid_spread"),
    ("my breath is feeling short when I talk", "en", "rapid_spread"),
    ("she couldn't lift the teapot with either hand", "en", "rapid_spread"),
    ("hands also no strength lah", "en", "rapid_spread"),
    ("like a heavy dog is sitting on her chest", "en", "rapid_spread"),
    ("her left leg went dead right then, mid flip", "en", "sudden_onset"),
    ("fizzy from the knee down in the space of one step", "en", "sudden_onset"),
    ("my foot caught the lip of the kerb", "en", "weakness"),
    ("Me thong keeps flying off me left foot", "en", "weakness"),
    ("it just stayed planted", "en", "weakness"),
    ("my right knee just bent on its own", "en", "weakness"),
    ("the sidewalk felt like a bouncy castle", "en", "difficulty_walking"),
    ("I kept veering onto the grass", "en", "difficulty_walking"),
    ("mi had to hold the lamp post like mi drunk", "en", "difficulty_walking"),
    ("couldn't get to the taxi stand without stopping three time", "en", "difficulty_walking"),
    ("he needed my arm as well as his stick", "en", "difficulty_walking"),
    ("se sentó en el inodoro media hora y no le salió na", "es", "bladder_bowel"),
    ("siente ganas pero el chorro no arranca", "es", "bladder_bowel"),
    ("en educación física mojó los shorts", "es", "bladder_bowel"),
    ("notaba el culo como de corcho", "es", "saddle_numbness"),
    ("me hice la cera en la entrepierna y no me dolió nada", "es", "saddle_numbness"),
    ("no sentía la montura", "es", "saddle_numbness"),
    ("como si me hubieran puesto anestesia en las nalgas", "es", "saddle_numbness"),
    ("ni sentí lo frío ahí abajo", "es", "saddle_numbness"),
    ("ahí abajo lo tenía como muerto", "es", "saddle_numbness"),
    ("se vino abajo con escalera y todo", "es", "injury"),
    ("no aguanta ni la sábana encima", "es", "cold_pale_leg"),
    ("siento las dos piernas como de hule hasta los muslos", "es", "rapid_spread"),
    ("empezó en los tobillos y ahora ya las rodillas", "es", "rapid_spread"),
    ("ahora se me están durmiendo las manos", "es", "rapid_spread"),
    ("tiene que apoyarse en el palo de la escoba", "es", "difficulty_walking"),
    ("empujando la silla del comedor como si fuera un andador", "es", "difficulty_walking"),
    ("me tuve que apoyar en el changuito todo el rato", "es", "difficulty_walking"),
    ("se bamboleaba como palmera con viento", "es", "difficulty_walking"),
    ("he couldn't work the wheel pedal, no push in it at all", "en", "weakness"),
    ("he can't pull his toes up towards him", "en", "weakness"),
    ("cracked the back of his head on the edge of the barbecue", "en", "injury"),
    ("one stride fine the next one numb", "en", "sudden_onset"),
    ("the numbness hit my whole left leg like a bolt", "en", "sudden_onset"),
    ("it came out all mushed like her mouth was full of cotton wool", "en", "stroke_signs"),
    ("like the left side of everything had been rubbed out", "en", "stroke_signs"),
    ("half the needle just wasnt there", "en", "stroke_signs"),
    ("round his backside felt like it belonged to someone else", "en", "saddle_numbness"),
]
NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_FIFTH_ROUND = [
    ("I have a rash on the back of my neck", "en", "injury"),
    ("veered off the motorway at the services", "en", "sudden_onset"),
    ("didn't feel the needle in my arm at all", "en", "saddle_numbness"),
    ("she has to hold the banister with both hands", "en", "rapid_spread"),
    ("se me cayó el perro de la cama", "es", "injury"),
]


# Each round's signs said in passing, and the near wordings that must stay unflagged.
SIGNS_SAID_IN_PASSING = (
    A_FOURTH_ROUND_OF_SIGNS_IN_PASSING
    + A_FIFTH_ROUND_OF_SIGNS
    + SIGNS_IN_A_LONG_FIRST_MESSAGE_FIFTH_ROUND
    + A_SIXTH_ROUND_OF_SIGNS
    + SIGNS_IN_A_LONG_FIRST_MESSAGE_SIXTH_ROUND
    + AN_EVERYDAY_EVENT_SAID_IN_PASSING
    + SIGNS_IN_A_LONG_FIRST_MESSAGE_SEVENTH_ROUND
    + SMALL_EVENTS_SECOND_SET
    + LONG_FIRST_MESSAGE_EIGHTH_SET
    + CHECKIN_EVENTS_THIRD_SET
    + SMALL_EVENTS_MISSED_BEFORE
    + WALKING_ONLY_WITH_HELP
    + SEEN_BY_CARERS_IN_A_CHECKIN
    + DAILY_TASKS_IN_A_CHECKIN
    + DAILY_TASKS_IN_A_CHECKIN_SECOND_SET
    + SIGNS_THEN_DENIED
    + SIGNS_THEN_DENIED_IN_SPANISH
    + SIGNS_THEN_DENIED_THIRD_SET
    + SIGNS_THEN_DENIED_IN_THE_CORPUS
    + EVERY_FORM_OF_NOT_BEING_ABLE
    + SIGNS_TOLD_ONLY_IN_WORDS
    + SIGNS_TOLD_ONLY_IN_WORDS_SECOND_ROUND
    + SIGNS_TOLD_ONLY_IN_WORDS_THIRD_ROUND
    + SIGNS_TOLD_ONLY_IN_WORDS_FOURTH_ROUND
    + EXCEPTIONS_THAT_MUST_NOT_HIDE_A_SIGN
    + SIGNS_TOLD_ONLY_IN_WORDS_FIFTH_ROUND
)
NEAR_WORDINGS_OF_THE_ROUNDS = (
    NEAR_WORDINGS_OF_THE_FOURTH_ROUND
    + NEAR_WORDINGS_OF_THE_FIFTH_ROUND
    + NEAR_WORDINGS_OF_A_LONG_FIRST_MESSAGE_FIFTH_ROUND
    + NEAR_WORDINGS_OF_A_LONG_FIRST_MESSAGE_SIXTH_ROUND
    + NEAR_WORDINGS_OF_THE_CHECKIN_EVENTS
    + NEAR_WORDINGS_OF_THE_SMALL_EVENTS_MISSED_BEFORE
    + NEAR_WORDINGS_OF_WALKING_ONLY_WITH_HELP
    + NEAR_WORDINGS_OF_WHAT_CARERS_SEE
    + NEAR_WORDINGS_OF_THE_DAILY_TASKS
    + NEAR_WORDINGS_OF_THE_DAILY_TASKS_SECOND_SET
    + NEAR_WORDINGS_OF_SIGNS_THEN_DENIED
    + NEAR_WORDINGS_OF_SIGNS_THEN_DENIED_IN_SPANISH
    + NEAR_WORDINGS_OF_SIGNS_THEN_DENIED_THIRD_SET
    + NEAR_WORDINGS_OF_SIGNS_THEN_DENIED_IN_THE_CORPUS
    + NEAR_WORDINGS_OF_EVERY_FORM_OF_NOT_BEING_ABLE
    + NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS
    + NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_SECOND_ROUND
    + NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_THIRD_ROUND
    + NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_FOURTH_ROUND
    + NEAR_WORDINGS_OF_SIGNS_TOLD_ONLY_IN_WORDS_FIFTH_ROUND
)


@pytest.mark.parametrize(("text", "lang", "flag"), SIGNS_SAID_IN_PASSING)
def test_a_sign_said_in_passing_is_read(text, lang, flag):
    assert flag in scan_red_flags(text, lang)


@pytest.mark.parametrize(("text", "lang", "not_raised"), NEAR_WORDINGS_OF_THE_ROUNDS)
def test_a_near_wording_of_the_rounds_raises_nothing(text, lang, not_raised):
    assert not_raised not in scan_red_flags(text, lang)



def test_a_sore_at_the_corner_of_the_mouth_is_no_stroke():
    assert "stroke_signs" not in scan_red_flags("tengo una boquera en la comisura", "es")
