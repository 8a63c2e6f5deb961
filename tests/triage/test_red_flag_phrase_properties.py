"""Properties over every red-flag phrase in prompts/<lang>/understanding.toml: a phrase still
raises its flag after "no, but", "not really," or with a question mark, and inside a longer
reply; and a word of one language's vocabulary never fires the other language's `word*`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.triage.conversation import Context, Inbound, step
from hotline.triage.lexicon import LANGUAGES, Pattern, load_lexicon
from hotline.triage.protocol import load_protocol
from hotline.triage.reading import read

LEXICONS = {lang: load_lexicon(lang) for lang in LANGUAGES}
CTX = Context(protocol=load_protocol())


def sample_text(pattern: Pattern) -> str:
    """One plain wording of a phrase: the first listed word of each part, a `word*` as its stem,
    optional words and `...` left out."""
    words = []
    for element in pattern.elements:
        if element.gap or element.optional:
            continue
        words.append(min(element.words) if element.words else min(element.prefixes))
    return " ".join(words)


PHRASES = [
    (lang, flag, sample_text(pattern))
    for lang, lex in LEXICONS.items()
    for flag, pattern in lex.red_flags.entries
]
OPENERS = {
    "en": ["no, but {}", "not really, {}", "nope, although {}", "{}?", "no. {}", "{}",
           "I didn't realize {}", "I didn't know {}", "never thought {}", "not only {}",
           "nobody told me {}"],
    "es": ["no, pero {}", "pues no, {}", "{}?", "no. {}", "{}", "no sabía que {}",
           "no me di cuenta de que {}", "nunca pensé que {}"],
}
CONTEXT = {
    "en": ["ok", "since yesterday", "my leg is numb", "hard to say", "it started at work"],
    "es": ["bueno", "desde ayer", "tengo la pierna dormida", "no sé", "empezó en el trabajo"],
}


def test_every_flag_has_phrases_to_test():
    assert len({flag for _, flag, _ in PHRASES}) == 9
    assert all(text for _, _, text in PHRASES)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PHRASES), st.data())
def test_a_red_flag_phrase_after_a_no_or_with_doubt_still_raises_its_flag(phrase, data):
    lang, flag, text = phrase
    opener = data.draw(st.sampled_from(OPENERS[lang] + OPENERS["en"]))
    message = opener.format(text)
    assert flag in read(message, lang).red_flags, message


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PHRASES), st.data())
def test_a_red_flag_phrase_inside_a_longer_reply_still_raises_its_flag(phrase, data):
    lang, flag, text = phrase
    before = data.draw(st.lists(st.sampled_from(CONTEXT[lang]), max_size=2))
    after = data.draw(st.lists(st.sampled_from(CONTEXT[lang]), max_size=2))
    message = ". ".join([*before, text, *after])
    assert flag in read(message, lang).red_flags, message


def _listed_in_full(lang: str, source: str, word: str) -> bool:
    pattern = next(p for _, p in LEXICONS[lang].red_flags.entries if p.source == source)
    return any(word in element.words for element in pattern.elements)


def _other_only_words(lang: str) -> list[str]:
    other = next(code for code in LANGUAGES if code != lang)
    return sorted(LEXICONS[other].vocabulary - LEXICONS[lang].vocabulary)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(LANGUAGES), st.data())
def test_no_word_of_one_language_fires_the_other_languages_word_star(lang, data):
    word = data.draw(st.sampled_from(_other_only_words(lang)))
    chat = data.draw(st.sampled_from(LANGUAGES))
    template = data.draw(st.sampled_from(["{}", "my leg {}", "la pierna {}", "{} since today"]))
    reading = read(template.format(word), chat)
    for found in reading.flag_matches:
        if found.lang != lang:
            continue
        matched = [reading.tokens[i] for i in found.match.literal_positions()]
        if word in matched:
            assert _listed_in_full(lang, found.match.source, word), (word, found.match.source)


def test_every_vocabulary_word_is_checked_both_ways():
    # The property above samples; this walks every word once, alone.
    for lang in LANGUAGES:
        for word in _other_only_words(lang):
            for found in read(word, lang).flag_matches:
                if found.lang == lang and found.match.literal_positions():
                    assert _listed_in_full(lang, found.match.source, word), (word, lang)


def test_every_phrase_with_every_opener():
    # The sampled property above, walked in full once (it takes about a second).
    for lang, flag, text in PHRASES:
        for opener in OPENERS[lang] + OPENERS["en"]:
            message = opener.format(text)
            assert flag in read(message, lang).red_flags, message



def _asked(flag: str) -> dict:
    """A conversation waiting for the answer to `flag`'s question."""
    state, _, _ = step(None, Inbound("my leg is numb"), CTX)
    while state["question"] != flag:
        state, _, _ = step(state, Inbound("no"), CTX)
    return state


URGENT_PHRASES = [p for p in PHRASES if p[1] in ("weakness", "difficulty_walking")]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(URGENT_PHRASES), st.data())
def test_no_but_the_phrase_to_its_own_question_is_a_yes(phrase, data):
    lang, flag, text = phrase
    opener = data.draw(st.sampled_from(OPENERS[lang] + OPENERS["en"]))
    state, _, _ = step(_asked(flag), Inbound(opener.format(text)), CTX)
    assert state["answers"][flag] == "yes", opener.format(text)
