"""Which language a first message is in."""

import pytest

from hotline.triage.language import detect_language

SPANISH_OPENINGS = [
    "se me puso la pierna fría y morada de repente",
    "tengo la pierna adormecida y me tropiezo al caminar",
    "se me duerme la pierna casi todos los días",
    "me quedé dormido en el sofá con la pierna doblada y se me durmió",
]
ENGLISH_OPENINGS = [
    "my back went out and now I can't feel anything down there when I wipe",
    "my dad says his leg is numb and his words are coming out funny",
    "slipped on the ice this morning and my leg has been numb since",
    "numb leg and it keeps buckling",
    "my toes have been numb for about two months, I'm diabetic",
    "sat on the floor playing with my kid and my foot fell asleep",
    "hi",
    "hello",
]


@pytest.mark.parametrize("text", SPANISH_OPENINGS)
def test_spanish_vignette_openings(text: str) -> None:
    assert detect_language(text) == "es"


@pytest.mark.parametrize("text", ENGLISH_OPENINGS)
def test_english_vignette_openings(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("si", "es"),
        ("sí", "es"),
        ("no", "en"),
        ("hola", "es"),
        ("Hola!", "es"),
        ("HOLA", "es"),
        ("hi", "en"),
        ("buenas noches", "es"),
        ("ayuda", "es"),
        ("¿?", "es"),
        ("¡Ayuda!", "es"),
        ("mi pie", "es"),
        ("tengo la pierna dormida", "es"),
        ("tengo la pierna dormida desde ayer", "es"),
        ("no puedo caminar", "es"),
        ("hi, tengo la pierna dormida", "es"),
        ("holaa", "es"),  # stretched in distress
        ("ayudaaa", "es"),
        ("ola", "es"),
        ("socorro", "es"),
        ("dale", "es"),
        ("oye my leg se durmio", "es"),
        ("hi tengo hormigueo", "es"),
        ("wey mi leg esta numb", "es"),
        ("hellooo", "en"),
        ("my leg is numb", "en"),
        ("help me", "en"),
        ("I can't walk", "en"),
        ("ok", "en"),
        ("👍", "en"),
        ("", "en"),
        ("   ", "en"),
        ("12345", "en"),
        ("日本語", "en"),
    ],
)
def test_short_messages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_decomposed_accents_count() -> None:
    assert detect_language("si\u0301") == "es"


def test_ties_go_to_english() -> None:
    assert detect_language("hi hola") == "en"
