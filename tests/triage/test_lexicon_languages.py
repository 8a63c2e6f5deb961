"""Which language a word belongs to, as the vocabulary files say: the loader's checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.triage import lexicon
from hotline.triage.lexicon import LexiconError

REAL_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


@pytest.fixture
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for lang in lexicon.LANGUAGES:
        (tmp_path / lang).mkdir()
        shutil.copy(REAL_PROMPTS / lang / lexicon.FILE_NAME, tmp_path / lang / lexicon.FILE_NAME)
    monkeypatch.setenv(lexicon.PROMPTS_ENV, str(tmp_path))
    lexicon.load_lexicon.cache_clear()
    yield tmp_path
    lexicon.load_lexicon.cache_clear()


def _edit(prompts: Path, lang: str, old: str, new: str) -> None:
    path = prompts / lang / lexicon.FILE_NAME
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_listed_words_are_the_languages_own_a_stem_is_not():
    es = lexicon.load_lexicon("es")
    assert "limpieza" in es.vocabulary  # [language] words
    assert "caminar" in es.vocabulary  # listed in full in a phrase
    assert "entumecid" not in es.vocabulary  # only a stem, "entumecid*"
    assert "walk" not in es.vocabulary and "walk" in es.borrowed  # named on purpose, English


def test_a_borrowed_word_must_be_the_other_languages(prompts: Path):
    _edit(prompts, "es", 'borrowed = ["walk",', 'borrowed = ["caminata", "walk",')
    with pytest.raises(LexiconError, match="borrowed: 'caminata' is no word"):
        lexicon.validate_all()


def test_weekdays_are_the_seven_days_monday_first(prompts: Path):
    _edit(prompts, "en", '"monday|mon", ', "")
    with pytest.raises(LexiconError, match="expected the 7 days, Monday first"):
        lexicon.load_lexicon("en")


def test_weekday_spellings_share_their_day():
    days = lexicon.load_lexicon("en").duration.weekdays
    assert days["monday"] == days["mon"] == 0
    assert days["tuesday"] == days["tues"] == 1
    assert lexicon.load_lexicon("es").duration.weekdays["miercoles"] == 2
