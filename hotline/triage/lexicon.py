"""The words the triage code understands: loaded from prompts/<lang>/understanding.toml.

Vocabulary is data so that clinicians and translators can change it without touching Python.
A silently ignored typo in a red-flag list is an under-triage bug, so loading is strict: every
problem is reported with the file, the key and what is wrong (`LexiconError`).

Text and vocabulary go through the same normalisation (`normalize`, `tokenize`), so a word in
the file matches what people type whatever its case, accents or apostrophe style.

Phrase syntax (the TOML files repeat it for their editors): words separated by spaces;
`a|b` either word; `word*` any word starting with `word` (at least 3 letters); `word?` the word
may be missing; `...` up to three words of anything. A phrase may not start with `...` or an
optional word, nor end with `...`.

A `word*` of one language never matches a word the other language's file lists in full
(its vocabulary, and `[language] words`): English "limp*" must not fire on the Spanish
"limpieza". Words a phrase lists in full match whatever language they come from, so a Spanish
phrase may name English words on purpose.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from hotline.triage.spelling import Speller

FLAGS = (
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
# Story answers a message can state in passing ("I'm diabetic"); each only ever counts as yes.
STORY_WORDS = ("worsening", "recurring", "risk_condition")
# Questions a reply can answer in its own words ("I walk fine", "first time"): [answers].
ANSWER_KEYS = (*FLAGS, *STORY_WORDS, "pressure_cause")
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
YES_NO_VALUES = ("yes", "no")
CHECKIN_VALUES = ("better", "same", "worse")
FILE_NAME = "understanding.toml"
PROMPTS_ENV = "HOTLINE_PROMPTS_DIR"

# Bounds keep every call fast on hostile input (10k-character texts, emoji floods). The tail is
# kept as well as the head because people often put the alarming part at the end of a message.
MAX_CHARS = 2000
_TAIL_CHARS = 500
MAX_TOKENS = 600
KNOWN_WORDS_FILE = "known_words.txt"
_TAIL_TOKENS = 150
MAX_GAP = 3
_MAX_ELEMENTS = 12
_MAX_GAPS = 3
_MIN_PREFIX = 3
_MAX_NUMBER = 10_000.0


class LexiconError(ValueError):
    """The vocabulary file is missing or malformed; the message names file, key and problem."""


# ---------------------------------------------------------------------------- normalisation

_SENTENCE_BREAK = " . "
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",  # a spacing acute would otherwise decompose into a space
        "\n": _SENTENCE_BREAK,
        "\r": _SENTENCE_BREAK,
        "\u2028": _SENTENCE_BREAK,
        "\u2029": _SENTENCE_BREAK,
    }
)
# Combining marks (accents, emoji variation selectors), skin-tone modifiers, zero-width joiners,
# surrogates and unassigned code points carry no meaning for us and would split words.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cs", "Co", "Cn", "Sk"})
_SURROGATES = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(r"\d+(?:[.,/]\d+)?|[^\W\d_]+(?:'[^\W\d_]+)*|[^\w\s]")
_REPEATS = re.compile(r"(.)\1+")


def _bounded(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    return text[: MAX_CHARS - _TAIL_CHARS] + "\n" + text[-_TAIL_CHARS:]


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category in _DROPPED_CATEGORIES:
        return ""
    # Dashes join words people mean separately ("uh-huh", "ice-cold", "1-2 days").
    if category in ("Pd", "Cc") or category.startswith("Z"):
        return " "
    return ch


def normalize(text: str) -> str:
    """Lowercase, accent-free, one-space text with line breaks turned into sentence breaks."""
    text = _SURROGATES.sub("", _bounded(text)).translate(_TRANSLATE)
    text = unicodedata.normalize("NFKD", text.casefold()).replace("\u2044", "/")  # ½ -> 1⁄2
    return " ".join("".join(map(_clean_char, text)).split())


def tokenize(normalized: str) -> list[str]:
    """Words, numbers ("1.5", "1/2") and single symbols (punctuation, emoji) of normalized text."""
    tokens = _TOKEN.findall(normalized)
    if len(tokens) > MAX_TOKENS:
        tokens = tokens[: MAX_TOKENS - _TAIL_TOKENS] + ["."] + tokens[-_TAIL_TOKENS:]
    return tokens


def fold_repeats(token: str) -> str:
    """'yesss' -> 'yes', 'noo' -> 'no': stretched letters in short answers."""
    return _REPEATS.sub(r"\1", token)


def raw_text(text: str) -> str:
    """The bounded text, casefolded and composed but with its accents, for language evidence."""
    return unicodedata.normalize("NFC", _SURROGATES.sub("", _bounded(text)).casefold())


# ---------------------------------------------------------------------------- phrase matching


@dataclass(frozen=True, slots=True)
class _Element:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    optional: bool = False
    gap: bool = False

    def accepts(self, token: str, foreign: frozenset[str] = frozenset()) -> bool:
        if token in self.words:
            return True
        return token not in foreign and token.startswith(self.prefixes)


@dataclass(frozen=True, slots=True)
class Match:
    """One phrase found in a token list: tokens[start:end], of which `gaps` came from `...`."""

    value: Any
    start: int
    end: int
    gaps: frozenset[int]
    source: str

    def literal_positions(self) -> list[int]:
        return [i for i in range(self.start, self.end) if i not in self.gaps]


def _match(
    elements: tuple[_Element, ...],
    k: int,
    tokens: Sequence[str],
    i: int,
    gaps: tuple[int, ...],
    foreign: frozenset[str],
) -> tuple[int, tuple[int, ...]] | None:
    # Backtracking is bounded by validation: at most 3 gaps of at most 3 words, 12 elements.
    if k == len(elements):
        return i, gaps
    element = elements[k]
    if element.gap:
        for size in range(min(MAX_GAP, len(tokens) - i) + 1):
            found = _match(
                elements, k + 1, tokens, i + size, gaps + tuple(range(i, i + size)), foreign
            )
            if found:
                return found
        return None
    if i < len(tokens) and element.accepts(tokens[i], foreign):
        found = _match(elements, k + 1, tokens, i + 1, gaps, foreign)
        if found:
            return found
    return _match(elements, k + 1, tokens, i, gaps, foreign) if element.optional else None


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    elements: tuple[_Element, ...]

    def match_at(
        self, tokens: Sequence[str], start: int, foreign: frozenset[str] = frozenset()
    ) -> Match | None:
        found = _match(self.elements, 0, tokens, start, (), foreign)
        if found is None:
            return None
        return Match(None, start, found[0], frozenset(found[1]), self.source)


class PhraseSet:
    """Compiled phrases, each with a value, indexed by their first word for linear-time scans."""

    def __init__(self, entries: Sequence[tuple[Any, Pattern]]) -> None:
        self.entries = tuple(entries)
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for index, (_, pattern) in enumerate(self.entries):
            first = pattern.elements[0]
            for word in first.words:
                self._by_word.setdefault(word, []).append(index)
            for prefix in first.prefixes:
                self._by_prefix.setdefault(prefix[:_MIN_PREFIX], []).append(index)

    def __len__(self) -> int:
        return len(self.entries)

    def matches_at(
        self, tokens: Sequence[str], i: int, foreign: frozenset[str] = frozenset()
    ) -> list[Match]:
        """Every phrase starting at i; `foreign` words are never matched by a `word*`."""
        token = tokens[i]
        candidates = set(self._by_word.get(token, ())) | set(
            self._by_prefix.get(token[:_MIN_PREFIX], ())
        )
        found = []
        for index in sorted(candidates):
            value, pattern = self.entries[index]
            match = pattern.match_at(tokens, i, foreign)
            if match is not None:
                found.append(Match(value, match.start, match.end, match.gaps, match.source))
        return found

    def longest_at(self, tokens: Sequence[str], i: int) -> Match | None:
        """The longest phrase starting at i; on a tie, the one listed first."""
        return max(self.matches_at(tokens, i), key=lambda m: m.end, default=None)

    def find_all(
        self,
        tokens: Sequence[str],
        start: int = 0,
        end: int | None = None,
        foreign: frozenset[str] = frozenset(),
    ) -> Iterator[Match]:
        for i in range(start, len(tokens) if end is None else min(end, len(tokens))):
            yield from self.matches_at(tokens, i, foreign)


def longest_at(sets: Sequence[PhraseSet], tokens: Sequence[str], i: int) -> Match | None:
    """The longest match at i over several sets; a tie goes to the earlier set (chat language)."""
    best = None
    for phrase_set in sets:
        match = phrase_set.longest_at(tokens, i)
        if match is not None and (best is None or match.end > best.end):
            best = match
    return best


# ---------------------------------------------------------------------------- the lexicon


@dataclass(frozen=True, slots=True)
class Synonyms:
    table: Mapping[tuple[str, ...], tuple[str, ...]]
    longest: int


@dataclass(frozen=True, slots=True)
class Negation:
    window: int
    cues: frozenset[str]
    self_negative: frozenset[str]
    scope_breaks: frozenset[str]
    answer_cues: frozenset[str]
    answer_phrases: PhraseSet  # "not really": a whole answer when a clause opens with it
    answer_followers: frozenset[str]
    blockers: PhraseSet
    closers: PhraseSet  # "ni nada", "or anything": a denial ends there, as at a comma


@dataclass(frozen=True, slots=True)
class Duration:
    numbers: PhraseSet
    units: PhraseSet  # value: (seconds, is_plural)
    expressions: PhraseSet  # value: hours
    # "last night", "ayer en la tarde": when it began, as (days before today, hour of the day);
    # its [duration.expressions] entry is its hours where no clock is known.
    began: PhraseSet
    half_suffixes: PhraseSet
    not_durations: PhraseSet
    # "since last night, maybe earlier", "una hora o más": it may have lasted longer than said.
    maybe_longer: PhraseSet
    range_words: frozenset[str]
    joiners: frozenset[str]
    unit_fillers: frozenset[str]
    weekdays: Mapping[str, int]  # word -> Monday 0 ... Sunday 6, as datetime.weekday()
    weekend: PhraseSet  # value: the weekday it counts from (Saturday)
    weekday_hours: float  # when no clock is given
    clock_am: PhraseSet  # after an hour: "am", "de la mañana"
    clock_pm: PhraseSet
    clock_before: frozenset[str]  # before a bare hour, it is a time of day: "las 4"
    clock_hours: float  # a time of day when no clock is given
    bare_plural_count: float
    lasting_before: frozenset[str]  # "for", "since", "desde", "hace": says how long it lasted
    lasting_after: frozenset[str]  # "ago", "atrás"


@dataclass(frozen=True, eq=False, slots=True)
class Lexicon:
    lang: str
    path: Path
    synonyms: Synonyms
    yes_no: PhraseSet  # value: "yes" | "no" | "filler"; words folded (see fold_repeats)
    yes_no_alone: PhraseSet  # answers only when they are all a clause says ("I do.")
    unclear: PhraseSet  # folded too
    # Where one of these overlaps an `unclear` phrase, it is not doubt: "no se cayó" is not
    # "no sé" (accents are folded away).
    not_unclear: PhraseSet
    yes_no_breaks: frozenset[str]
    yes_no_keypad: Mapping[str, str]
    yes_no_statements: PhraseSet  # "no puedo ...": begins like a no, but states something
    # "scratch that", "uy, mentira": what came before is taken back; only what follows answers.
    yes_no_corrections: PhraseSet
    # "same as before", "igual que la anterior": the whole reply gives the last answer again.
    yes_no_same: PhraseSet
    duration: Duration
    checkin: PhraseSet  # value: "better" | "same" | "worse"
    checkin_keypad: Mapping[str, str]
    negation: Negation
    red_flags: PhraseSet  # value: flag key
    red_flag_exceptions: PhraseSet  # value: flag key
    # A question answered in the person's own words ("I walk fine"): value (key, "yes" | "no").
    own_answers: PhraseSet
    # Words that only say again that it is numb ("just tingly", "nomás dormida"): they neither
    # answer a question nor stop the rest of the reply from answering it.
    restating: PhraseSet
    story: PhraseSet  # value: story key ("worsening", "recurring", "risk_condition")
    markers: frozenset[str]
    accented: frozenset[str]
    # Every word the file lists in full (a `word*` stem is not a word) but those it borrows from
    # another language: the words a `word*` of another language must not match.
    vocabulary: frozenset[str]
    borrowed: frozenset[str]
    stems: frozenset[str]  # every `word*` stem the file names


def foreign_words(tokens: Sequence[str], lex: Lexicon, others: Sequence[Lexicon]) -> frozenset[str]:
    """Tokens of the message that belong to another language and not to `lex`'s own list."""
    return frozenset(
        token
        for token in set(tokens)
        if token not in lex.vocabulary
        and any(token in other.vocabulary for other in others if other is not lex)
    )


def prompts_dir() -> Path:
    override = os.environ.get(PROMPTS_ENV)
    return Path(override) if override else Path(__file__).resolve().parents[2] / "prompts"


def language_code(lang: object) -> str:
    """A supported language code for whatever the caller passed ("ES", "es-MX", None...)."""
    if isinstance(lang, str):
        code = lang.strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def load_lexicon(lang: str) -> Lexicon:
    """The validated vocabulary of one language, read once per process."""
    if lang not in LANGUAGES:
        raise LexiconError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    path = prompts_dir() / lang / FILE_NAME
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise LexiconError(f"{path}: file not found (is {PROMPTS_ENV} right?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path}: not valid TOML: {exc}") from None
    return _Loader(path, lang, data).lexicon()


def lexicons_for(lang: object) -> tuple[Lexicon, ...]:
    """The chat's language first, then the others: people mix languages."""
    first = language_code(lang)
    return tuple(load_lexicon(code) for code in (first, *(c for c in LANGUAGES if c != first)))


def clear_cache() -> None:
    load_lexicon.cache_clear()
    speller_for.cache_clear()
    known_words.cache_clear()


def analyse(text: str, lexicons: Sequence[Lexicon]) -> list[str]:
    """Normalised tokens with every lexicon's synonyms applied (earlier lexicons win), and
    misspelt words read as the vocabulary word they were meant to be (spelling.py)."""
    tokens = tokenize(normalize(text if isinstance(text, str) else ""))
    tokens = apply_synonyms(tokens, [lex.synonyms for lex in lexicons])
    return speller_for(tuple(lexicons)).correct(tokens)


@lru_cache(maxsize=8)
def speller_for(lexicons: tuple[Lexicon, ...]) -> Speller:
    """One speller per set of loaded lexicons (the chat's language first), over all their
    words and stems."""
    return Speller.of(
        (word for lex in lexicons for word in lex.vocabulary | lex.borrowed),
        (stem for lex in lexicons for stem in lex.stems),
        known_words(),
        lexicons[0].vocabulary if lexicons else (),
    )


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Real words a misspelling correction must leave alone (prompts/known_words.txt)."""
    path = prompts_dir() / KNOWN_WORDS_FILE
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return frozenset(line for line in lines if line and not line.startswith("#"))


def apply_synonyms(tokens: Sequence[str], tables: Sequence[Synonyms]) -> list[str]:
    longest = max((table.longest for table in tables), default=0)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i : i + size])
            replacement = next((t.table[key] for t in tables if key in t.table), None)
            if replacement is not None:
                out.extend(replacement)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def validate_all() -> None:
    """Load every language and check that the files agree with each other (for CI and the CLI)."""
    lexicons = [load_lexicon(lang) for lang in LANGUAGES]
    for lex in lexicons:
        for other in lexicons:
            if other is lex:
                continue
            _check_not_rewritten(lex, other)
            shared = set(lex.synonyms.table) & set(other.synonyms.table)
            if shared:
                words = ", ".join(sorted(" ".join(k) for k in shared))
                raise LexiconError(
                    f"{lex.path}: [text] synonyms: {words!r} also rewritten by {other.path}"
                )
            strays = sorted(w for w in lex.borrowed if w not in _all_words(other))
            if strays:
                raise LexiconError(
                    f"{lex.path}: [language] borrowed: {strays[0]!r} is no word or `word*` of "
                    f"{other.path}; list only words borrowed from it"
                )
            both = lex.markers & other.markers
            if both:
                raise LexiconError(
                    f"{lex.path}: [language] markers: {sorted(both)} are also markers in "
                    f"{other.path}; a marker must point to one language"
                )
    # Without the list the speller would "correct" real words it cannot tell from misspellings.
    known = prompts_dir() / KNOWN_WORDS_FILE
    if not known.is_file():
        raise LexiconError(f"{known}: file not found; write it with scripts/known_words")


def _all_words(lex: Lexicon) -> _WordTest:
    prefixes = tuple(
        prefix
        for phrase_set in (lex.red_flags, lex.red_flag_exceptions, lex.checkin, lex.yes_no)
        for _, pattern in phrase_set.entries
        for element in pattern.elements
        for prefix in element.prefixes
    )
    return _WordTest(lex.vocabulary, prefixes)


@dataclass(frozen=True, slots=True)
class _WordTest:
    words: frozenset[str]
    prefixes: tuple[str, ...]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.words or word.startswith(self.prefixes))


def _check_not_rewritten(lex: Lexicon, other: Lexicon) -> None:
    # Text is rewritten by every language's synonyms, so a phrase word that the other file
    # rewrites could never match.
    sets = {
        "[red_flags]": lex.red_flags,
        "[checkin]": lex.checkin,
        "[duration]": lex.duration.units,
        "[yes_no]": lex.yes_no,
    }
    for where, phrase_set in sets.items():
        for _, pattern in phrase_set.entries:
            for element in pattern.elements:
                for word in element.words:
                    if (word,) in other.synonyms.table:
                        raise LexiconError(
                            f"{lex.path}: {where} phrase {pattern.source!r}: the word {word!r} "
                            f"is rewritten by [text] synonyms in {other.path}"
                        )


# ---------------------------------------------------------------------------- loading


_SECTIONS = {
    "meta": {"language", "status"},
    "text": {"synonyms"},
    "yes_no": {
        "yes",
        "no",
        "yes_when_alone",
        "no_when_alone",
        "unclear",
        "not_unclear",
        "fillers",
        "statements",
        "corrections",
        "same_as_before",
        "clause_breaks",
        "keypad",
    },
    "duration": {
        "bare_plural_count",
        "weekday_hours",
        "weekdays",
        "clock_hours",
        "clock_am",
        "clock_pm",
        "clock_before",
        "weekend",
        "lasting_before",
        "lasting_after",
        "range_words",
        "unit_fillers",
        "half_suffixes",
        "not_durations",
        "maybe_longer",
        "began",
        "joiners",
        "numbers",
        "expressions",
        "units",
    },
    "checkin": {"better", "same", "worse", "keypad"},
    "negation": {
        "window",
        "cues",
        "self_negative",
        "blockers",
        "scope_breaks",
        "closers",
        "answer_cues",
        "answer_phrases",
        "answer_followers",
    },
    "red_flags": {"phrases", "exceptions"},
    "answers": {"yes", "no", "restating"},
    "story": set(STORY_WORDS),
    "language": {"markers", "accented", "words", "borrowed"},
}
_UNIT_KEYS = {"seconds", "singular", "plural"}
_SATURDAY = 5


def _is_word_token(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


class _Loader:
    """Reads one parsed TOML document into a Lexicon, failing with file, key and problem."""

    def __init__(self, path: Path, lang: str, data: dict[str, Any]) -> None:
        self.path = path
        self.lang = lang
        self.data = data
        self.synonyms = Synonyms({}, 0)
        self.seen_words: set[str] = set()
        self.seen_stems: set[str] = set()
        self.borrowed: frozenset[str] = frozenset()

    def fail(self, key: str, problem: str) -> NoReturn:
        raise LexiconError(f"{self.path}: {key}: {problem}")

    # -- generic readers

    def table(
        self, parent: Mapping[str, Any], name: str, key: str, allowed: set[str] | None
    ) -> dict:
        value = parent.get(name)
        if value is None:
            self.fail(key, "missing table")
        if not isinstance(value, dict):
            self.fail(key, f"expected a table, got {type(value).__name__}")
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                self.fail(key, f"unknown key {unknown[0]!r}; expected one of {sorted(allowed)}")
        return value

    def value(self, parent: Mapping[str, Any], name: str, key: str) -> Any:
        if name not in parent:
            self.fail(f"{key}.{name}", "missing")
        return parent[name]

    def strings(
        self, parent: Mapping[str, Any], name: str, key: str, *, nonempty: bool = True
    ) -> list[str]:
        values = self.value(parent, name, key)
        where = f"{key}.{name}"
        if not isinstance(values, list):
            self.fail(where, f"expected a list of strings, got {type(values).__name__}")
        for index, item in enumerate(values):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{where}[{index}]", f"expected a non-empty string, got {item!r}")
        if nonempty and not values:
            self.fail(where, "the list is empty")
        return values

    def number(
        self, parent: Mapping[str, Any], name: str, key: str, *, minimum: float = 0.0
    ) -> float:
        value = self.value(parent, name, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"{key}.{name}", f"expected a number, got {value!r}")
        if not math.isfinite(value) or value <= minimum:
            self.fail(f"{key}.{name}", f"expected a number above {minimum:g}, got {value!r}")
        return float(value)

    def words(self, values: Sequence[str], key: str, *, fold: bool = False) -> frozenset[str]:
        out = set()
        for index, text in enumerate(values):
            out.add(self.word(text, f"{key}[{index}]", fold=fold))
        return frozenset(out)

    def word(self, text: str, key: str, *, fold: bool = False) -> str:
        tokens = tokenize(normalize(text))
        if len(tokens) != 1:
            self.fail(key, f"{text!r} must be a single word (it reads as {tokens})")
        token = tokens[0]
        if _is_word_token(token):
            self.seen_words.add(fold_repeats(token) if fold else token)
        if (token,) in self.synonyms.table:
            rewritten = " ".join(self.synonyms.table[(token,)])
            self.fail(key, f"{text!r} is rewritten to {rewritten!r} by [text] synonyms; write that")
        return fold_repeats(token) if fold else token

    def pattern(self, source: str, key: str, *, fold: bool = False) -> Pattern:
        if not isinstance(source, str) or not source.strip():
            self.fail(key, f"expected a non-empty string, got {source!r}")
        elements = tuple(self.element(part, key, fold) for part in source.split())
        where = f"{key} {source!r}"
        gaps = [e.gap for e in elements]
        if len(elements) > _MAX_ELEMENTS:
            self.fail(where, f"more than {_MAX_ELEMENTS} words")
        if sum(gaps) > _MAX_GAPS:
            self.fail(where, f"more than {_MAX_GAPS} '...'")
        if gaps[0] or elements[0].optional:
            self.fail(where, "must not start with '...' or an optional word")
        if gaps[-1]:
            self.fail(where, "must not end with '...'")
        if any(a and b for a, b in zip(gaps, gaps[1:], strict=False)):
            self.fail(where, "two '...' in a row")
        self.check_no_rewritten_run(elements, where)
        self.check_no_phrase_in_alternatives(elements, where)
        return Pattern(source, elements)

    def check_no_phrase_in_alternatives(self, elements: Sequence[_Element], where: str) -> None:
        # "or anything|or nothing" reads as "or", then "anything" or "or", then "nothing": `|`
        # binds single words, so a two-word alternative can never match. The tell is an
        # alternative that repeats a word the phrase already required on its own.
        required: set[str] = set()
        for element in elements:
            choices = element.words | set(element.prefixes)
            repeated = sorted(choices & required) if len(choices) > 1 else []
            if repeated:
                self.fail(
                    where,
                    f"{repeated[0]!r} is repeated inside an alternative: '|' joins single "
                    f"words, so 'a b|a c' is 'a', then 'b' or 'a', then 'c'; write two phrases",
                )
            if len(choices) == 1 and not element.optional:
                required |= choices
        # The mirror, "han dado|ha dado": an alternative whose next word, required, is one of
        # its own choices.
        for element, following in zip(elements, elements[1:], strict=False):
            choices = element.words | set(element.prefixes)
            single = len(following.words) == 1 and not (following.prefixes or following.optional)
            if len(choices) > 1 and single and following.words <= choices:
                self.fail(
                    where,
                    f"{sorted(following.words)[0]!r} is repeated inside an alternative: '|' joins"
                    f" single words, so 'b a|c a' is 'b', then 'a' or 'c', then 'a'; write two "
                    f"phrases",
                )

    def check_no_rewritten_run(self, elements: Sequence[_Element], where: str) -> None:
        # Text has "do not" rewritten to "don't" before matching, so a phrase spelling out
        # "do not" could never match.
        words = [
            next(iter(e.words)) if len(e.words) == 1 and not e.prefixes and not e.optional else None
            for e in elements
        ]
        for key, target in self.synonyms.table.items():
            size = len(key)
            if size < 2:
                continue
            for i in range(len(words) - size + 1):
                if tuple(words[i : i + size]) == key:
                    spelled, rewritten = " ".join(key), " ".join(target)
                    self.fail(
                        where,
                        f"{spelled!r} is rewritten to {rewritten!r} by [text] synonyms; write that",
                    )

    def element(self, part: str, key: str, fold: bool) -> _Element:
        if part == "...":
            return _Element(frozenset(), (), gap=True)
        optional = len(part) > 1 and part.endswith("?")
        part = part[:-1] if optional else part
        words, prefixes = set(), []
        alternatives = part.split("|")
        repeated = next((a for i, a in enumerate(alternatives) if a in alternatives[:i]), None)
        if repeated is not None:
            # "no|without|without any warning" meant two phrases: '|' joins single words.
            self.fail(key, f"{part!r} lists {repeated!r} twice; '|' joins single words")
        for alternative in alternatives:
            is_prefix = len(alternative) > 1 and alternative.endswith("*")
            text = alternative[:-1] if is_prefix else alternative
            listed = is_prefix and " ".join(tokenize(normalize(text))) in self.seen_words
            word = self.word(text, key, fold=fold)
            if is_prefix and len(word) < _MIN_PREFIX:
                self.fail(key, f"{alternative!r}: a prefix needs at least {_MIN_PREFIX} letters")
            (prefixes.append if is_prefix else words.add)(word)
            if is_prefix:
                self.seen_stems.add(word)
            if is_prefix and not listed:  # a stem is not a word unless listed in full too
                self.seen_words.discard(word)
        return _Element(frozenset(words), tuple(prefixes), optional=optional)

    def phrases(self, values: Sequence[str], key: str, value: Any, *, fold: bool = False) -> list:
        return [
            (value, self.pattern(text, f"{key}[{index}]", fold=fold))
            for index, text in enumerate(values)
        ]

    def word_list(
        self, section: dict, name: str, key: str, *, fold: bool = False
    ) -> frozenset[str]:
        return self.words(self.strings(section, name, key), f"{key}.{name}", fold=fold)

    def phrase_list(
        self, section: dict, name: str, key: str, value: Any, *, fold: bool = False
    ) -> list[tuple[Any, Pattern]]:
        return self.phrases(self.strings(section, name, key), f"{key}.{name}", value, fold=fold)

    def keypad(self, parent: Mapping[str, Any], key: str, allowed: Sequence[str]) -> dict[str, str]:
        pad = self.table(parent, "keypad", f"{key}.keypad", None)
        out = {}
        for digit, meaning in pad.items():
            if meaning not in allowed:
                problem = f"expected one of {list(allowed)}, got {meaning!r}"
                self.fail(f"{key}.keypad.{digit}", problem)
            out[self.word(digit, f"{key}.keypad key {digit!r}")] = meaning
        return out

    # -- sections

    def lexicon(self) -> Lexicon:
        for name in self.data:
            if name not in _SECTIONS:
                self.fail(f"[{name}]", f"unknown section; expected one of {sorted(_SECTIONS)}")
        meta = self.section("meta")
        if self.value(meta, "language", "[meta]") != self.lang:
            problem = f"says {meta['language']!r} but the file is for {self.lang!r}"
            self.fail("[meta].language", problem)
        self.synonyms = self.read_synonyms()
        yes_no, alone, unclear, breaks, yes_no_pad, statements = self.read_yes_no()
        corrections = self.phrase_list(
            self.section("yes_no"), "corrections", "[yes_no]", "correction", fold=True
        )
        same = self.phrase_list(
            self.section("yes_no"), "same_as_before", "[yes_no]", "same", fold=True
        )
        not_unclear = self.phrases(
            self.strings(self.section("yes_no"), "not_unclear", "[yes_no]", nonempty=False),
            "[yes_no].not_unclear", None, fold=True,
        )
        checkin, checkin_pad = self.read_checkin()
        flags, exceptions = self.read_red_flags()
        own_answers = self.read_own_answers()
        restating = self.phrase_list(
            self.section("answers"), "restating", "[answers]", "restating", fold=True
        )
        story = self.read_story()
        markers, accented = self.read_language()
        duration = self.read_duration()
        negation = self.read_negation()
        return Lexicon(
            lang=self.lang,
            path=self.path,
            synonyms=self.synonyms,
            yes_no=yes_no,
            yes_no_alone=alone,
            unclear=unclear,
            not_unclear=PhraseSet(not_unclear),
            yes_no_breaks=breaks,
            yes_no_keypad=yes_no_pad,
            yes_no_statements=statements,
            yes_no_corrections=PhraseSet(corrections),
            yes_no_same=PhraseSet(same),
            duration=duration,
            checkin=checkin,
            checkin_keypad=checkin_pad,
            negation=negation,
            red_flags=flags,
            red_flag_exceptions=exceptions,
            own_answers=own_answers,
            restating=PhraseSet(restating),
            story=story,
            markers=markers,
            accented=accented,
            vocabulary=frozenset(self.seen_words - self.borrowed),
            borrowed=self.borrowed,
            stems=frozenset(self.seen_stems),
        )

    def section(self, name: str) -> dict:
        return self.table(self.data, name, f"[{name}]", _SECTIONS[name])

    def read_synonyms(self) -> Synonyms:
        table = self.table(self.section("text"), "synonyms", "[text].synonyms", None)
        out: dict[tuple[str, ...], tuple[str, ...]] = {}
        for source, target in table.items():
            key = f"[text].synonyms.{source!r}"
            if not isinstance(target, str) or not target.strip():
                self.fail(key, f"expected a non-empty string, got {target!r}")
            words = tuple(tokenize(normalize(source)))
            if not words:
                self.fail(key, "the word to rewrite is empty")
            out[words] = tuple(tokenize(normalize(target)))
        for words, target in out.items():
            if target in out and target != words:
                self.fail(f"[text].synonyms.{' '.join(words)!r}", "rewrites to another synonym")
        return Synonyms(out, max((len(k) for k in out), default=0))

    def read_yes_no(
        self,
    ) -> tuple[PhraseSet, PhraseSet, PhraseSet, frozenset[str], dict[str, str], PhraseSet]:
        section, key = self.section("yes_no"), "[yes_no]"
        lists = {
            "yes": "yes",
            "no": "no",
            "fillers": "filler",
            "yes_when_alone": "yes",
            "no_when_alone": "no",
        }
        entries: dict[str, list] = {}
        seen: dict[str, str] = {}
        for name, value in lists.items():
            entries[name] = self.phrase_list(section, name, key, value, fold=True)
            for _, pattern in entries[name]:
                signature = repr([(sorted(e.words), e.prefixes) for e in pattern.elements])
                other = seen.setdefault(signature, name)
                if other != name:
                    self.fail(f"{key}.{name}", f"{pattern.source!r} is also in {key}.{other}")
        regular = PhraseSet(entries["yes"] + entries["no"] + entries["fillers"])
        alone = PhraseSet(entries["yes_when_alone"] + entries["no_when_alone"])
        unclear = self.phrase_list(section, "unclear", key, "unclear", fold=True)
        breaks = self.word_list(section, "clause_breaks", key, fold=True)
        pad = self.keypad(section, key, YES_NO_VALUES)
        statements = self.phrase_list(section, "statements", key, "statement", fold=True)
        return regular, alone, PhraseSet(unclear), breaks, pad, PhraseSet(statements)

    def read_duration(self) -> Duration:
        section, key = self.section("duration"), "[duration]"
        numbers = self.number_table(section, "numbers", key)
        expressions = self.number_table(section, "expressions", key)
        return Duration(
            numbers=numbers,
            began=self.began_table(section, key, expressions),
            units=self.read_units(section, key),
            expressions=expressions,
            half_suffixes=PhraseSet(self.phrase_list(section, "half_suffixes", key, 0.5)),
            not_durations=PhraseSet(self.phrase_list(section, "not_durations", key, None)),
            maybe_longer=PhraseSet(self.phrase_list(section, "maybe_longer", key, None)),
            range_words=self.word_list(section, "range_words", key),
            joiners=self.word_list(section, "joiners", key),
            unit_fillers=self.word_list(section, "unit_fillers", key),
            weekdays=self.read_weekdays(section, key),
            weekend=PhraseSet(self.phrase_list(section, "weekend", key, _SATURDAY)),
            weekday_hours=self.number(section, "weekday_hours", key),
            clock_am=PhraseSet(self.phrase_list(section, "clock_am", key, None)),
            clock_pm=PhraseSet(self.phrase_list(section, "clock_pm", key, None)),
            clock_before=self.word_list(section, "clock_before", key),
            clock_hours=self.clock_hours(section, key),
            bare_plural_count=self.number(section, "bare_plural_count", key),
            lasting_before=self.word_list(section, "lasting_before", key),
            lasting_after=self.word_list(section, "lasting_after", key),
        )

    def began_table(self, section: dict, key: str, expressions: PhraseSet) -> PhraseSet:
        where = f"{key}.began"
        table = self.table(section, "began", where, None)
        known = {pattern.source for _, pattern in expressions.entries}
        entries = []
        for phrase, value in table.items():
            if not (isinstance(value, list) and len(value) == 2
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
                    and value[0] >= 0 and 0 <= value[1] <= 23):
                problem = f"expected [days before today, hour 0-23], got {value!r}"
                self.fail(f"{where}.{phrase!r}", problem)
            if phrase not in known:
                problem = "needs its hours without a clock in [duration.expressions]"
                self.fail(f"{where}.{phrase!r}", problem)
            entries.append((tuple(value), self.pattern(phrase, f"{where}.{phrase!r}")))
        return PhraseSet(entries)

    def clock_hours(self, section: dict, key: str) -> float:
        hours = self.number(section, "clock_hours", key)
        if hours >= 24:  # the clock last showed any time of day less than a day ago
            self.fail(f"{key}.clock_hours", f"expected under 24 hours, got {hours:g}")
        return hours

    def read_weekdays(self, section: dict, key: str) -> dict[str, int]:
        names = self.strings(section, "weekdays", key)
        if len(names) != 7:
            self.fail(f"{key}.weekdays", f"expected the 7 days, Monday first; got {len(names)}")
        days = {}
        for index, spellings in enumerate(names):
            for spelling in spellings.split("|"):
                days[self.word(spelling, f"{key}.weekdays[{index}]")] = index
        return days

    def number_table(self, section: dict, name: str, key: str) -> PhraseSet:
        table = self.table(section, name, f"{key}.{name}", None)
        if not table:
            self.fail(f"{key}.{name}", "the table is empty")
        entries = []
        for phrase in table:
            amount = self.number(table, phrase, f"{key}.{name}")
            entries.append((amount, self.pattern(phrase, f"{key}.{name}.{phrase!r}")))
        return PhraseSet(entries)

    def read_units(self, section: dict, key: str) -> PhraseSet:
        units = self.table(section, "units", f"{key}.units", None)
        if not units:
            self.fail(f"{key}.units", "the table is empty")
        entries = []
        for name in units:
            where = f"{key}.units.{name}"
            unit = self.table(units, name, where, _UNIT_KEYS)
            seconds = self.number(unit, "seconds", where)
            for plural in (False, True):
                field = "plural" if plural else "singular"
                words = self.words(self.strings(unit, field, where), f"{where}.{field}")
                element = _Element(words, ())
                entries.append(((seconds, plural), Pattern(f"{name} ({field})", (element,))))
        return PhraseSet(entries)

    def read_checkin(self) -> tuple[PhraseSet, dict[str, str]]:
        section, key = self.section("checkin"), "[checkin]"
        entries = []
        for value in CHECKIN_VALUES:
            entries += self.phrase_list(section, value, key, value)
        return PhraseSet(entries), self.keypad(section, key, CHECKIN_VALUES)

    def read_negation(self) -> Negation:
        section, key = self.section("negation"), "[negation]"
        window = self.number(section, "window", key)
        if window != int(window) or window > 6:
            problem = f"expected a whole number of words from 1 to 6, got {window:g}"
            self.fail(f"{key}.window", problem)

        return Negation(
            window=int(window),
            cues=self.word_list(section, "cues", key),
            self_negative=self.word_list(section, "self_negative", key),
            scope_breaks=self.word_list(section, "scope_breaks", key),
            answer_cues=self.word_list(section, "answer_cues", key),
            answer_phrases=PhraseSet(self.phrase_list(section, "answer_phrases", key, "answer")),
            answer_followers=self.word_list(section, "answer_followers", key),
            blockers=PhraseSet(self.phrase_list(section, "blockers", key, "blocker")),
            closers=PhraseSet(self.phrase_list(section, "closers", key, "closer")),
        )

    def read_red_flags(self) -> tuple[PhraseSet, PhraseSet]:
        section = self.section("red_flags")
        phrases = self.table(section, "phrases", "[red_flags.phrases]", set(FLAGS))
        missing = [flag for flag in FLAGS if flag not in phrases]
        if missing:
            self.fail("[red_flags.phrases]", f"missing flag {missing[0]!r}")
        exceptions = self.table(section, "exceptions", "[red_flags.exceptions]", set(FLAGS))
        flag_entries, exception_entries = [], []
        for flag in FLAGS:
            key = "[red_flags.phrases]"
            flag_entries += self.phrases(self.strings(phrases, flag, key), f"{key}.{flag}", flag)
            if flag in exceptions:
                key = "[red_flags.exceptions]"
                exception_entries += self.phrases(
                    self.strings(exceptions, flag, key, nonempty=False), f"{key}.{flag}", flag
                )
        return PhraseSet(flag_entries), PhraseSet(exception_entries)

    def read_own_answers(self) -> PhraseSet:
        section, entries = self.section("answers"), []
        for answer in ("yes", "no"):
            key = f"[answers.{answer}]"
            table = self.table(section, answer, key, set(ANSWER_KEYS))
            for question in (q for q in ANSWER_KEYS if q in table):
                if answer == "yes" and question in FLAGS:
                    problem = "a red flag's yes is a [red_flags.phrases] phrase"
                    self.fail(f"{key}.{question}", problem)
                where = f"{key}.{question}"
                values = self.strings(table, question, key, nonempty=False)
                self.check_no_gaps(values, where)
                entries += self.phrases(values, where, (question, answer))
        return PhraseSet(entries)

    def check_no_gaps(self, values: Sequence[str], where: str) -> None:
        # A gap would let anything in: "I walk ... fine" must not read "I walk really badly,
        # fine" as a no.
        for index, text in enumerate(values):
            if "..." in text.split():
                self.fail(f"{where}[{index}]", f"{text!r}: no '...' in these")

    def read_story(self) -> PhraseSet:
        section, key = self.section("story"), "[story]"
        entries = []
        for name in STORY_WORDS:
            entries += self.phrase_list(section, name, key, name)
        return PhraseSet(entries)

    def read_language(self) -> tuple[frozenset[str], frozenset[str]]:
        section, key = self.section("language"), "[language]"
        markers = self.word_list(section, "markers", key)
        accented = self.value(section, "accented", key)
        if not isinstance(accented, str):
            self.fail(f"{key}.accented", f"expected a string of characters, got {accented!r}")
        # Recorded as vocabulary by word(); may be empty.
        self.words(self.strings(section, "words", key, nonempty=False), f"{key}.words")
        self.borrowed = self.words(
            self.strings(section, "borrowed", key, nonempty=False), f"{key}.borrowed"
        )
        return markers, frozenset(unicodedata.normalize("NFC", accented.casefold()))
