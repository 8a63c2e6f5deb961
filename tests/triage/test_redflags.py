"""The red-flag scanner: negation, exceptions, normalisation and both languages at once."""

import pytest

from hotline.triage.redflags import FLAGS, scan_red_flags


def test_flags_are_the_protocols_keys_in_order() -> None:
    assert FLAGS == (
        "bladder_bowel",
        "saddle_numbness",
        "stroke_signs",
        "injury",
        "cold_pale_leg",
        "rapid_spread",
        "sudden_onset",
        "weakness",
        "difficulty_walking",
    )


def test_scan_returns_a_frozenset() -> None:
    assert scan_red_flags("I fell") == frozenset({"injury"})
    assert scan_red_flags("hello") == frozenset()


def test_several_flags_in_one_message() -> None:
    text = "I fell off a ladder, now I can't walk and I peed myself"
    assert scan_red_flags(text) == {"injury", "difficulty_walking", "bladder_bowel"}


# ---------------------------------------------------------------------------- negation


@pytest.mark.parametrize(
    "text",
    [
        "no weakness",
        "not weak",
        "I don't have any weakness",
        "I have no weakness",
        "without weakness",
        "my leg is not weak",
        "I didn't fall",
        "I didnt fall",
        "I did not fall",
        "never fell",
        "I have never fallen",
        "no accident",
        "no numbness or weakness",
        "no weakness or trouble walking",
        "my foot is not cold",
        "it wasn't sudden",
        "not numb down there",
        "no bladder problems",
        "no problem peeing",
        "sin debilidad",
        "no me caí",
        "no tengo debilidad",
        "no se me dobla la pierna",
        "nunca me he caído",
    ],
)
def test_simple_negations_raise_nothing(text: str) -> None:
    assert scan_red_flags(text) == frozenset()


def test_a_negation_does_not_reach_past_a_comma_but_or_and() -> None:
    assert scan_red_flags("no pain, my leg is weak") == {"weakness"}
    assert scan_red_flags("no pain but my leg is weak") == {"weakness"}
    assert scan_red_flags("I didn't fall and hit my head") == {"injury"}
    assert scan_red_flags("no me duele pero se me dobla la pierna") == {"weakness"}


def test_or_anything_ends_a_denial_as_a_comma_does_in_speech() -> None:
    assert scan_red_flags("no estaba sentada ni nada me dio de golpe", "es") == {"sudden_onset"}
    assert scan_red_flags("no i wasn't sitting or nothing it just hit me") == {"sudden_onset"}
    assert scan_red_flags("i didn't fall or anything") == frozenset()
    assert scan_red_flags("no tengo debilidad ni nada de eso", "es") == frozenset()


def test_someone_elses_fall_or_an_idiom_is_not_a_flag_but_the_callers_own_still_is() -> None:
    assert scan_red_flags("the only thing that fell was my phone") == frozenset()
    assert scan_red_flags("lo único que se cayó fue el celular", "es") == frozenset()
    assert scan_red_flags("my boy fell off a ladder last year but not me") == frozenset()
    assert scan_red_flags("can't stand my boss") == frozenset()
    assert scan_red_flags("mi jefe es insoportable", "es") == frozenset()
    assert scan_red_flags("i was the only one who fell") == {"injury"}
    assert scan_red_flags("yo fui la única que se cayó", "es") == {"injury"}
    assert scan_red_flags("en el trabajo me dio un dolor inaguantable", "es") == {"cold_pale_leg"}


def test_a_negation_reaches_only_a_few_words_back() -> None:
    # Far from the phrase, "no" may be about something else: raise rather than guess.
    assert scan_red_flags("no, it was like three days ago that I fell") == {"injury"}
    assert scan_red_flags("I never thought it could get so weak") == {"weakness"}


def test_already_negative_phrases_are_not_cancelled_by_a_no_before_them() -> None:
    assert scan_red_flags("no I can't walk") == {"difficulty_walking"}
    assert scan_red_flags("no, I can't walk") == {"difficulty_walking"}
    assert scan_red_flags("no puedo caminar") == {"difficulty_walking"}
    assert scan_red_flags("no no puedo orinar") == {"bladder_bowel"}


def test_a_spoken_no_answering_the_last_question_is_not_a_denial() -> None:
    assert scan_red_flags("no I fell off a ladder") == {"injury"}
    assert scan_red_flags("no my leg is weak") == {"weakness"}
    assert scan_red_flags("no mi pierna está débil", "es") == {"weakness"}


def test_doubt_cancels_a_negation() -> None:
    assert scan_red_flags("I'm not sure if I fell") == {"injury"}
    assert scan_red_flags("I don't know if I fell") == {"injury"}
    assert scan_red_flags("no sé si me caí", "es") == {"injury"}
    assert scan_red_flags("never been this weak") == {"weakness"}


def test_a_phrase_said_alone_after_a_question_mark_is_raised() -> None:
    # "Weakness? no" is ambiguous in a free-text scan; the flag's own question settles it.
    assert scan_red_flags("weakness? no") == {"weakness"}


# ---------------------------------------------------------------------------- exceptions


@pytest.mark.parametrize(
    "text",
    [
        "my leg fell asleep",
        "my foot fell asleep while I was sitting",
        "I fell asleep on the couch",
        "se me durmió la pierna",
        "I accidentally crossed my legs for an hour",
        "I can't see a doctor until Monday",
        "no puedo ver al médico hasta el lunes",
        "I can't talk right now, I'm at work",
    ],
)
def test_exceptions_raise_nothing(text: str) -> None:
    assert scan_red_flags(text) == frozenset()


def test_an_exception_covers_only_its_own_words() -> None:
    assert scan_red_flags("I fell asleep and then fell off the bed") == {"injury"}


def test_de_golpe_is_suddenly_not_a_blow() -> None:
    assert scan_red_flags("se me durmió de golpe", "es") == {"sudden_onset"}
    assert scan_red_flags("me di un golpe en la espalda", "es") == {"injury"}


# ---------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("text", ["ME CAÍ", "me cai", "Me caí.", "me caí!!", "me  caí"])
def test_case_accents_and_spacing_do_not_matter(text: str) -> None:
    assert scan_red_flags(text) == {"injury"}


@pytest.mark.parametrize(
    "text", ["can’t walk", "cant walk", "cannot walk", "can not walk", "CAN'T WALK"]
)
def test_spellings_of_cant(text: str) -> None:
    assert scan_red_flags(text) == {"difficulty_walking"}


def test_line_breaks_and_emoji_do_not_hide_a_flag() -> None:
    assert scan_red_flags("help 😭\nmy leg is cold and blue 🥶") == {"cold_pale_leg"}


def test_a_flag_at_the_end_of_a_huge_message_is_found() -> None:
    assert scan_red_flags("la " * 5000 + "I peed myself") == {"bladder_bowel"}


# ---------------------------------------------------------------------------- both languages


@pytest.mark.parametrize("lang", ["en", "es", "fr", ""])
def test_both_languages_are_scanned_whatever_the_chat_language(lang: str) -> None:
    assert scan_red_flags("no puedo caminar", lang) == {"difficulty_walking"}
    assert scan_red_flags("I can't walk", lang) == {"difficulty_walking"}
    assert scan_red_flags("me caí and now my leg is weak", lang) == {"injury", "weakness"}
