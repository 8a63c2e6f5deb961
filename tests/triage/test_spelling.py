"""Misspelt words are read as the vocabulary word meant, and only when that is certain."""

from __future__ import annotations

import pytest

from hotline.triage.lexicon import lexicons_for, speller_for
from hotline.triage.reading import read
from hotline.triage.redflags import scan_red_flags
from hotline.triage.spelling import Speller


@pytest.mark.parametrize(("text", "lang", "word"), [
    ("cant controll my bladdar", "en", "bladder"),
    ("cant controll my bladdar", "en", "control"),
    ("my words come out wierd", "en", "weird"),
    ("all of a suden", "en", "sudden"),
    ("worst hedache ever", "en", "headache"),
    ("no puedo caminal bien", "es", "caminar"),
    ("la pierna sin fuersa", "es", "fuerza"),
    ("de repende se me durmió", "es", "repente"),
    ("se me va subiendo a la sintura", "es", "cintura"),
    ("un dolor de cabesa orrible", "es", "horrible"),
])
def test_a_misspelt_word_is_read_as_the_word_meant(text, lang, word):
    assert word in read(text, lang).tokens


@pytest.mark.parametrize(("text", "lang", "word"), [
    ("I have a pinched nerve", "en", "pinched"),  # a word, though one letter from "punched"
    ("se me durmió esa vaina", "es", "vaina"),
    ("la señora que cuido", "es", "cuido"),
    ("I wear tight shoes", "en", "wear"),
    ("while I was sitting", "en", "while"),
    ("I will call you back", "en", "call"),
    # Real words the speller's word lists lack, listed in [language] words:
    ("ya se me va pasando", "es", "pasando"),  # not "parando"
    ("estaba cargando leña", "es", "cargando"),  # not "cagando"
    ("me duele a ratos", "es", "ratos"),  # not "raros"
    ("me senté en el banquito", "es", "banquito"),  # not "blanquito"
    ("my wifes leg is numb", "en", "wifes"),  # not "wipes"
])
def test_a_real_word_is_never_corrected(text, lang, word):
    assert word in read(text, lang).tokens


def test_two_equally_likely_words_leave_it_as_written():
    speller = Speller.of(["stroke", "strobe"], [])
    assert speller.corrected("strone") == "strone"


def test_a_correction_keeps_the_stems_the_word_began_with():
    speller = Speller.of(["limpia", "limping"], ["limp"])
    assert speller.corrected("limpinh") == "limping"
    speller = Speller.of(["camera"], ["camin"])
    assert speller.corrected("caminra") == "caminra"  # would lose "camin*"


def test_short_words_are_left_alone():
    # Short words are too close to too many others ("wear" is one letter from "weak"); the
    # common short misspellings ("numm", "wek") are [text] synonyms instead.
    assert Speller.of(["walk"], []).corrected("wakl") == "wakl"
    assert Speller.of(["numb"], []).corrected("numbb") == "numbb"
    assert "numb" in read("my leg is numm", "en").tokens


def test_a_missing_or_extra_double_letter_wins_a_tie():
    assert speller_for(lexicons_for("en")).corrected("suden") == "sudden"  # not "suben"


def test_the_chat_language_wins_a_tie():
    speller = Speller.of(["rapido", "rapida"], [], first=["rapido"])
    assert speller.corrected("rapidu") == "rapido"


@pytest.mark.parametrize(("text", "lang", "flag"), [
    ("cant controll my bladdar and my leg went numm", "en", "bladder_bowel"),
    ("leg numm all of a suden wile walkin", "en", "sudden_onset"),
    ("i peed my self and didnt fell it", "en", "bladder_bowel"),
    ("no puedo caminal bien con la pierna entumida", "es", "difficulty_walking"),
    ("tengo la pierna entumida y devil", "es", "weakness"),
    ("de repende se me durmio la pierna", "es", "sudden_onset"),
    ("me dio un dolor de cabesa orrible", "es", "stroke_signs"),
    ("desde ayel y tampoco puedo orinal", "es", "bladder_bowel"),
])
def test_a_misspelt_red_flag_is_still_a_red_flag(text, lang, flag):
    assert flag in scan_red_flags(text, lang)
