"""Which language a first message is in, so the hotline can answer in it.

Evidence is counted, not guessed: marker words of each language (data in
prompts/<lang>/understanding.toml) and, for Spanish, its accented letters and ¿ ¡. A language
wins only with strictly more evidence; ties and silence ("no", "ok", "👍") fall back to English,
and the person can still switch with the ESPAÑOL keyword.
"""

from __future__ import annotations

from hotline.triage.lexicon import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Lexicon,
    fold_repeats,
    load_lexicon,
    normalize,
    raw_text,
    tokenize,
)


def detect_language(text: str) -> str:
    """The language of a message: "es" or "en", and "en" when there is no clear evidence."""
    if not isinstance(text, str):
        return DEFAULT_LANGUAGE
    tokens = tokenize(normalize(text))
    raw = raw_text(text)
    scores = {lang: _evidence(load_lexicon(lang), tokens, raw) for lang in LANGUAGES}
    best = max(scores.values())
    leaders = [lang for lang, score in scores.items() if score == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else DEFAULT_LANGUAGE


def _evidence(lexicon: Lexicon, tokens: list[str], raw: str) -> int:
    # "holaa", "ayudaaa": stretched in distress, still the marker word.
    markers = sum(
        token in lexicon.markers or fold_repeats(token) in lexicon.markers for token in tokens
    )
    return markers + sum(ch in lexicon.accented for ch in raw)
