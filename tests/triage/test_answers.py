"""Reading answers (yes/no, durations, check-ins), text normalisation and vocabulary loading."""

import shutil
from pathlib import Path

import pytest

from hotline.triage import lexicon
from hotline.triage.answers import (
    BETTER,
    NO,
    SAME,
    UNCLEAR,
    WORSE,
    YES,
    own_words_answer,
    parse_checkin,
    parse_duration_hours,
    parse_yes_no,
)
from hotline.triage.lexicon import LexiconError, fold_repeats, normalize, tokenize

REAL_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


# ---------------------------------------------------------------------------- normalisation


def test_normalize_lowercases_and_strips_accents() -> None:
    assert normalize("Sí, ME CAÍ hace DÍAS") == "si, me cai hace dias"


def test_normalize_unifies_apostrophes_and_dashes() -> None:
    assert normalize("can’t walk – uh-huh") == "can't walk uh huh"


def test_normalize_drops_skin_tones_and_variation_selectors() -> None:
    assert normalize("👍🏽 ✔️") == "👍 ✔"


def test_normalize_turns_line_breaks_into_sentence_breaks() -> None:
    assert tokenize(normalize("no\nweak")) == ["no", ".", "weak"]


def test_normalize_survives_lone_surrogates_and_control_characters() -> None:
    assert normalize("ye\ud800s\x00\x07") == "yes"


def test_tokenize_splits_numbers_from_units() -> None:
    tokens = tokenize(normalize("1.5hours, 10min ½ hr"))
    assert tokens == ["1.5", "hours", ",", "10", "min", "1/2", "hr"]


def test_tokenize_keeps_the_tail_of_a_huge_message() -> None:
    tokens = tokenize(normalize("blah " * 5000 + "I fell"))
    assert tokens[-2:] == ["i", "fell"]
    assert len(tokens) <= lexicon.MAX_TOKENS


def test_fold_repeats() -> None:
    assert [fold_repeats(w) for w in ("yesss", "noo", "siii", "no")] == ["yes", "no", "si", "no"]


# ---------------------------------------------------------------------------- yes / no


@pytest.mark.parametrize("text", ["YES", "Yes!", "yes.", "  yes  ", "yessss", "Yes\n", "YeS!!!"])
def test_yes_no_ignores_case_punctuation_and_stretching(text: str) -> None:
    assert parse_yes_no(text) == YES


def test_yes_no_understands_both_languages_whatever_the_chat_language() -> None:
    assert parse_yes_no("claro que sí", "en") == YES
    assert parse_yes_no("yeah", "es") == YES
    assert parse_yes_no("para nada", "en") == NO
    assert parse_yes_no("nope", "es") == NO


@pytest.mark.parametrize("lang", ["fr", "", "ES", "es-MX", "EN"])
def test_yes_no_accepts_any_language_code(lang: str) -> None:
    assert parse_yes_no("sí", lang) == YES


def test_yes_no_reads_the_opening_and_ignores_the_elaboration() -> None:
    assert parse_yes_no("yes since yesterday") == YES
    assert parse_yes_no("no it just tingles") == NO
    assert parse_yes_no("Yes. No pain though.") == YES


def test_yes_no_contradiction_is_unclear() -> None:
    assert parse_yes_no("yes no") == UNCLEAR
    assert parse_yes_no("yes, no wait") == UNCLEAR
    assert parse_yes_no("no... yes") == UNCLEAR


def test_i_dont_know_in_spanish_contains_no_but_is_unclear() -> None:
    assert parse_yes_no("no sé", "es") == UNCLEAR
    assert parse_yes_no("no lo sé", "es") == UNCLEAR


def test_a_bare_ok_is_unclear_because_it_often_means_i_read_you() -> None:
    assert parse_yes_no("ok") == UNCLEAR
    assert parse_yes_no("ok yes") == YES
    assert parse_yes_no("okay no") == NO


def test_not_much_is_some_so_never_the_answer_no() -> None:
    assert parse_yes_no("no mucho", "es") == UNCLEAR
    assert parse_yes_no("not much") == UNCLEAR
    assert parse_yes_no("no", "es") == NO


def test_short_answers_count_only_on_their_own() -> None:
    assert parse_yes_no("I do.") == YES
    assert parse_yes_no("it isn't") == NO
    assert parse_yes_no("I did some gardening") == UNCLEAR


def test_keypad_digits_count_only_as_the_whole_reply() -> None:
    assert parse_yes_no("1") == YES
    assert parse_yes_no("2!") == NO
    assert parse_yes_no("2 days") == UNCLEAR
    assert parse_yes_no("1 2") == UNCLEAR
    assert parse_yes_no("11") == UNCLEAR


@pytest.mark.parametrize(
    ("lang", "question", "text", "answer"),
    [
        ("en", "difficulty_walking", "I walk fine.", NO),
        ("en", "difficulty_walking", "well i'm walking normally, thanks", NO),
        ("en", "weakness", "i can stand on it fine", NO),
        ("en", "sudden_onset", "it came on slowly over weeks", NO),
        ("en", "saddle_numbness", "i can feel everything down there", NO),
        ("en", "worsening", "pretty much the same", NO),
        ("en", "recurring", "this is my first time", NO),
        ("en", "risk_condition", "none of those", NO),
        ("en", "pressure_cause", "i was sitting on it for hours", YES),
        ("es", "difficulty_walking", "camino bien gracias a dios", NO),
        ("es", "weakness", "tengo fuerza normal", NO),
        ("es", "sudden_onset", "fue poco a poco", NO),
        ("es", "bladder_bowel", "voy al baño normal", NO),
        ("es", "worsening", "sigue igual", NO),
        ("es", "recurring", "es la primera vez", NO),
        ("es", "pressure_cause", "me dormí encima de la pierna", YES),
        # pressure told as what pressed: tight gear, a tucked or trapped foot, the other leg
        ("en", "pressure_cause", "my boots were too tight", YES),
        ("en", "pressure_cause", "i laced my boots really tight", YES),
        ("en", "pressure_cause", "my foot was wedged under the seat", YES),
        ("en", "pressure_cause", "i had my foot tucked under me", YES),
        ("en", "pressure_cause", "my other leg was on top of it", YES),
        ("es", "pressure_cause", "las botas me quedaban muy apretadas", YES),
        ("es", "pressure_cause", "me amarré muy fuerte los zapatos", YES),
        ("es", "pressure_cause", "tenía la otra pierna encima", YES),
        ("es", "pressure_cause", "estaba sentada sobre mi pie", YES),
        ("en", "worsening", "about the same as when it started", NO),
        ("es", "worsening", "igual, ni más ni menos", NO),
        ("es", "worsening", "igual que cuando empezó", NO),
        ("en", "difficulty_walking", "he walks same as always", NO),
        ("en", "difficulty_walking", "she's walking around fine", NO),
        ("es", "difficulty_walking", "camina igual que siempre", NO),
        # saying again that it is numb leaves the answer standing
        ("en", "difficulty_walking", "walking's fine, just feels like static", NO),
        ("en", "difficulty_walking", "i walk fine, it's just numb", NO),
        ("en", "weakness", "it's strong, still pins and needles", NO),
        ("es", "difficulty_walking", "camino bien, nomás se siente dormida", NO),
        ("es", "weakness", "tengo fuerza normal, solo hormigueo", NO),
    ],
)
def test_an_answer_in_words_of_its_own_answers_that_question(
    lang: str, question: str, text: str, answer: str
) -> None:
    assert own_words_answer(text, question, lang) == answer


@pytest.mark.parametrize(
    ("lang", "question", "text"),
    [
        ("en", "weakness", "I walk fine"),  # another question's no
        ("en", "difficulty_walking", "i walk fine but slowly"),
        ("en", "difficulty_walking", "i walk fine with a cane"),
        ("en", "difficulty_walking", "i'm walking fine now"),
        ("en", "difficulty_walking", "i walk fine?"),
        ("en", "difficulty_walking", "i can walk fine, kinda"),
        ("en", "difficulty_walking", "not walking fine"),
        ("en", "weakness", "i can stand on it but it buckles"),
        ("en", "weakness", "strong?"),
        ("en", "sudden_onset", "slowly then all at once"),
        ("en", "pressure_cause", "i was sitting on it but it came on suddenly"),
        ("en", "pressure_cause", "i was sitting on it?"),
        ("es", "difficulty_walking", "camino bien despacio"),  # "bien" is "very" here
        ("es", "difficulty_walking", "ando bien mal"),
        ("es", "difficulty_walking", "camino bien feo"),
        ("es", "difficulty_walking", "camino bien con bastón"),
        ("es", "weakness", "tengo fuerza poquita"),
        ("es", "weakness", "está fuerte pero a veces se dobla"),
        ("es", "bladder_bowel", "voy al baño normal pero se me sale la orina"),
        ("en", "difficulty_walking", "just numb"),  # restating alone answers nothing
        ("en", "difficulty_walking", "walking's fine, just numb and heavy"),
        ("en", "difficulty_walking", "i walk fine, just tingly since i fell"),
        ("en", "difficulty_walking", "i walk fine, just numb below the knee"),
        ("es", "difficulty_walking", "camino bien, nomás se siente pesada"),
        ("es", "difficulty_walking", "nomás dormida"),
        ("en", "pressure_cause", "my boots were fine"),
        ("en", "pressure_cause", "my boots were too tight but it came on suddenly"),
        ("es", "pressure_cause", "los zapatos me quedan bien"),
    ],
)
def test_own_words_with_anything_else_in_them_answer_nothing(
    lang: str, question: str, text: str
) -> None:
    assert own_words_answer(text, question, lang) is None


# ---------------------------------------------------------------------------- duration


def test_duration_reads_the_first_duration_mentioned() -> None:
    assert parse_duration_hours("3 days, maybe 4") == pytest.approx(72)


def test_duration_range_takes_the_longer_end() -> None:
    assert parse_duration_hours("10 to 20 minutes") == pytest.approx(20 / 60)


def test_duration_understands_the_other_language() -> None:
    assert parse_duration_hours("desde ayer", "en") == pytest.approx(24)
    assert parse_duration_hours("since yesterday", "es") == pytest.approx(24)


def test_duration_is_none_for_answers_that_are_not_durations() -> None:
    for text in ("yes", "no", "sí", "not sure", "a while", "2"):
        assert parse_duration_hours(text) is None, text


@pytest.mark.parametrize(
    ("text", "lang", "hours"),
    [
        ("2 hours, i'm 45 years old", "en", 2),  # an age is not how long
        ("started 2 nights ago", "en", 48),
        ("hace dos noches", "es", 48),
        ("it started right after i woke up", "en", 6),
        ("empezó en cuanto me desperté", "es", 6),
        ("acaba de empezar", "es", 0.1),
    ],
)
def test_duration_in_everyday_words(text: str, lang: str, hours: float) -> None:
    assert parse_duration_hours(text, lang) == pytest.approx(hours)


def test_duration_ignores_absurd_numbers() -> None:
    assert parse_duration_hours("9" * 400 + " days") is None
    assert parse_duration_hours("1/0 hours") is None


# ---------------------------------------------------------------------------- check-in


def test_checkin_not_better_reads_as_same() -> None:
    assert parse_checkin("not better") == SAME
    assert parse_checkin("no está mejor", "es") == SAME


def test_checkin_the_most_cautious_reading_wins() -> None:
    assert parse_checkin("better but still numb") == SAME
    assert parse_checkin("it was better this morning, now worse") == WORSE


def test_checkin_negated_same_says_nothing() -> None:
    assert parse_checkin("not the same") is None


def test_checkin_keypad() -> None:
    assert [parse_checkin(d) for d in ("1", "2", "3")] == [BETTER, SAME, WORSE]


# ---------------------------------------------------------------------------- vocabulary loading


@pytest.fixture
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of prompts/ that a test may break; the cache is cleared around it."""
    for lang in lexicon.LANGUAGES:
        (tmp_path / lang).mkdir()
        shutil.copy(REAL_PROMPTS / lang / lexicon.FILE_NAME, tmp_path / lang / lexicon.FILE_NAME)
    monkeypatch.setenv(lexicon.PROMPTS_ENV, str(tmp_path))
    lexicon.load_lexicon.cache_clear()
    yield tmp_path
    lexicon.load_lexicon.cache_clear()


def _edit(prompts: Path, lang: str, old: str, new: str) -> Path:
    path = prompts / lang / lexicon.FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_real_vocabulary_is_valid() -> None:
    lexicon.validate_all()


def test_lexicon_is_cached_per_language() -> None:
    assert lexicon.load_lexicon("en") is lexicon.load_lexicon("en")
    assert lexicon.load_lexicon("en") is not lexicon.load_lexicon("es")


def test_prompts_dir_comes_from_the_environment(prompts: Path) -> None:
    assert lexicon.prompts_dir() == prompts
    assert lexicon.load_lexicon("es").path == prompts / "es" / lexicon.FILE_NAME


def test_broken_toml_is_reported_with_the_file(prompts: Path) -> None:
    path = prompts / "en" / lexicon.FILE_NAME
    path.write_text('[yes_no]\nyes = ["y"\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="not valid TOML") as caught:
        parse_yes_no("yes")
    assert str(path) in str(caught.value)


def test_missing_file_is_reported(prompts: Path) -> None:
    (prompts / "es" / lexicon.FILE_NAME).unlink()
    with pytest.raises(LexiconError, match="file not found"):
        lexicon.load_lexicon("es")


@pytest.mark.parametrize(
    ("lang", "old", "new", "message"),
    [
        ("en", "window = 3", 'window = "three"', r"\[negation\]\.window: expected a number"),
        ("en", "bare_plural_count = 2\n", "", r"\[duration\]\.bare_plural_count: missing"),
        ("en", "weakness = [", "weaknes = [", r"\[red_flags\.phrases\]: unknown key 'weaknes'"),
        ("es", '"débil*",', '"... débil*",', r"weakness\[\d+\] '\.\.\. débil\*': must not start"),
        ("en", '"weak*",', '"we*",', r"weakness\[\d+\]: 'we\*': a prefix needs at least 3"),
        ("en", '"weak*",', '"cannot stand",', r"'cannot' is rewritten to \"can't\""),
        ("en", '"weak*",', '"do not stand",', r"'do not' is rewritten to \"don't\""),
        ("en", '"weak*",', '"",', r"weakness\[\d+\]: expected a non-empty string"),
        ("en", '"weak*",', '"or anything|or nothing",', r"'or' is repeated inside an alternative"),
        ("es", '"débil*",', '"se me durmió|se me duerme",', r"'se' is repeated inside an altern"),
        ("en", '"weak*",', '"no|without|without any warning",', r"lists 'without' twice"),
        ("es", '"débil*",', '"se han dado|ha dado cuenta",', r"'dado' is repeated inside an alt"),
        ("en", '"weak*",', "3,", r"weakness\[\d+\]: expected a non-empty string, got 3"),
        ("es", 'language = "es"', 'language = "en"', r"\[meta\]\.language: says 'en'"),
        ("en", '"1" = "yes"', '"1" = "si"', r"keypad\.1: expected one of \['yes', 'no'\]"),
        ("en", "[checkin]", "[check_in]", r"\[check_in\]: unknown section"),
        ("en", "seconds = 3600", "seconds = -1", r"hour\.seconds: expected a number above 0"),
        ("en", '  "strong",\n', '  "strong ... fine",\n', r"no\]\.weakness\[\d+\].*no '\.\.\.'"),
        ("en", "[answers.yes]\n", "[answers.yes]\nweakness = [\"weak\"]\n", r"red flag's yes is"),
        ("en", '"last night" = [1, 18]', '"last night" = [1, 24]', r"night': expected \[days"),
        ("en", '"overnight" = [1, 18]', '"over night" = [1, 18]', r"'over night': needs its hours"),
    ],
)
def test_broken_vocabulary_names_file_key_and_problem(
    prompts: Path, lang: str, old: str, new: str, message: str
) -> None:
    path = _edit(prompts, lang, old, new)
    with pytest.raises(LexiconError, match=message) as caught:
        lexicon.load_lexicon(lang)
    assert str(caught.value).startswith(str(path))


def test_the_check_wants_the_list_of_real_words(prompts: Path) -> None:
    with pytest.raises(LexiconError, match=r"known_words\.txt: file not found; write it with"):
        lexicon.validate_all()
    shutil.copy(REAL_PROMPTS / lexicon.KNOWN_WORDS_FILE, prompts / lexicon.KNOWN_WORDS_FILE)
    lexicon.validate_all()


def test_a_word_rewritten_by_the_other_language_is_caught(prompts: Path) -> None:
    _edit(prompts, "es", '  "débil*",', '  "débil*",\n  "cant",')
    with pytest.raises(LexiconError, match="rewritten by"):
        lexicon.validate_all()


def test_a_fixed_file_is_read_again_after_clearing_the_cache(prompts: Path) -> None:
    assert parse_yes_no("yes") == YES
    _edit(prompts, "en", '  "y", "yes",', '  "y", "oui",')
    assert parse_yes_no("oui") == UNCLEAR  # still the cached vocabulary
    lexicon.load_lexicon.cache_clear()
    assert parse_yes_no("oui") == YES
