"""Properties over arbitrary text: the understanding functions never raise, stay fast, and
return values of the right kind; a red flag stated at the end of any message is always found."""

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.triage.answers import parse_checkin, parse_duration_hours, parse_yes_no
from hotline.triage.language import detect_language
from hotline.triage.redflags import FLAGS, scan_red_flags

# Words that steer the parsers into their interesting corners (negations, numbers, units,
# exceptions, answer words), mixed with symbols, emoji and other scripts.
_TRICKY = [
    "no",
    "not",
    "never",
    "sin",
    "yes",
    "sí",
    "si",
    "y",
    "n",
    "ok",
    "maybe",
    "no sé",
    "idk",
    "but",
    "pero",
    "and",
    "y",
    "fell",
    "asleep",
    "de",
    "golpe",
    "me",
    "caí",
    "can't",
    "walk",
    "weak",
    "leg",
    "foot",
    "cold",
    "blue",
    "1",
    "2",
    "3",
    "1/2",
    "1.5",
    "0",
    "1/0",
    "9" * 30,
    "a",
    "an",
    "half",
    "hour",
    "hours",
    "days",
    "media",
    "hora",
    "y media",
    "since",
    "yesterday",
    "monday",
    "better",
    "worse",
    "same",
    "not better",
    "peor",
    "...",
    ",",
    ".",
    "?",
    "-",
    "'",
    "’",
    "😀",
    "👍🏽",
    "👎",
    "✔️",
    "\u200d",
    "\ufe0f",
    "\n",
    "\t",
    "\x00",
    "ß",
    "İ",
    "ﷺ",
    "½",
    "日本",
    "٣",
]
_ANY_CODE_POINT = st.integers(min_value=0, max_value=0x10FFFF).map(chr)  # lone surrogates too
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=_ANY_CODE_POINT, max_size=60),
    st.lists(st.sampled_from(_TRICKY), max_size=40).map(" ".join),
    st.lists(st.sampled_from(_TRICKY), max_size=12).map("".join),
    st.text(min_size=1, max_size=40).map(lambda s: s * (10_000 // len(s) + 1)),
)
LANGS = st.sampled_from(["en", "es", "", "fr", "ES", "es-MX"])
FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

# Phrases that state a flag whatever came before them: either already negative ("can't
# walk", so a preceding "no" cannot deny them) or opening a new sentence, because a "not" at
# the end of the preceding text does legitimately negate "weak" ("... not" + " weak").
STATED = [
    ("bladder_bowel", "can't control my bladder"),
    ("bladder_bowel", "no puedo orinar"),
    ("saddle_numbness", "can't feel anything down there"),
    ("saddle_numbness", ". numb groin"),
    ("stroke_signs", "can't talk"),
    ("stroke_signs", ". su boca está torcida"),
    ("injury", ". I fell off a ladder"),
    ("injury", ". me caí de la escalera"),
    ("cold_pale_leg", ". my leg is cold and blue"),
    ("rapid_spread", "can't breathe"),
    ("rapid_spread", "no puedo respirar"),
    ("sudden_onset", ". it came on suddenly"),
    ("sudden_onset", ". de repente"),
    ("weakness", ". my leg keeps buckling"),
    ("weakness", ". se me dobla la pierna"),
    ("difficulty_walking", "can't walk"),
    ("difficulty_walking", "no puedo caminar"),
]


@FAST
@given(TEXTS, LANGS)
def test_parse_yes_no_total(text: str, lang: str) -> None:
    assert parse_yes_no(text, lang) in ("yes", "no", "unclear")


@FAST
@given(TEXTS, LANGS)
def test_parse_duration_total(text: str, lang: str) -> None:
    hours = parse_duration_hours(text, lang)
    assert hours is None or (isinstance(hours, float) and math.isfinite(hours) and hours >= 0)


@FAST
@given(TEXTS, LANGS)
def test_parse_checkin_total(text: str, lang: str) -> None:
    assert parse_checkin(text, lang) in ("better", "same", "worse", None)


@FAST
@given(TEXTS, LANGS)
def test_scan_red_flags_total(text: str, lang: str) -> None:
    flags = scan_red_flags(text, lang)
    assert isinstance(flags, frozenset)
    assert flags <= set(FLAGS)


@FAST
@given(TEXTS)
def test_detect_language_total(text: str) -> None:
    assert detect_language(text) in ("en", "es")


@FAST
@given(TEXTS, LANGS, st.sampled_from(STATED))
def test_a_stated_red_flag_is_always_found(text: str, lang: str, stated: tuple[str, str]) -> None:
    flag, phrase = stated
    assert flag in scan_red_flags(text + " " + phrase, lang)


@pytest.mark.parametrize("flag_and_phrase", STATED, ids=[p for _, p in STATED])
def test_stated_phrases_alone(flag_and_phrase: tuple[str, str]) -> None:
    flag, phrase = flag_and_phrase
    assert flag in scan_red_flags(phrase)


@pytest.mark.parametrize(
    "text",
    [
        "no " * 5000,
        "weak " * 5000,
        "1 " * 5000,
        "a " * 5000,
        "can't ... " * 2000,
        "👍🏽" * 5000,
        "ﷺ" * 5000,
        "a" * 100_000,
    ],
    ids=["no", "weak", "digits", "articles", "gaps", "emoji", "expanding", "one-word"],
)
def test_hostile_input_is_fast(text: str) -> None:
    started = time.perf_counter()
    parse_yes_no(text)
    parse_duration_hours(text)
    parse_checkin(text)
    scan_red_flags(text)
    detect_language(text)
    assert time.perf_counter() - started < 1.0
