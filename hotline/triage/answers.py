"""Understanding replies: yes/no, how long, and follow-up check-ins, in English and Spanish.

The words are data (prompts/<lang>/understanding.toml); this module holds only the reading
rules. Replies are read in the chat's language first and then the other one, because people
mix them. When a reply could mean two things the answer is "unclear" (or None), never a guess:
the conversation asks again rather than act on a misreading.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotline.triage.lexicon import (
    Duration,
    Lexicon,
    Match,
    PhraseSet,
    analyse,
    fold_repeats,
    lexicons_for,
    longest_at,
)
from hotline.triage.redflags import NegationRules, negation_rules

__all__ = [
    "BETTER",
    "NO",
    "SAME",
    "UNCLEAR",
    "WORSE",
    "YES",
    "parse_checkin",
    "parse_duration_hours",
    "parse_yes_no",
    "says_unsure",
]

YES, NO, UNCLEAR = "yes", "no", "unclear"
BETTER, SAME, WORSE = "better", "same", "worse"

_FILLER = "filler"
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)?")
_MAX_AMOUNT = 10_000.0
_MAX_FILLERS = 2
_MAX_NUMBERS = 4


# ---------------------------------------------------------------------------- yes / no


def parse_yes_no(text: str, lang: str = "en") -> str:
    """Read a reply to a yes/no question as "yes", "no" or "unclear"."""
    lexicons = lexicons_for(lang)
    words = analyse(text, lexicons)
    keyed = _keypad(words, [lex.yes_no_keypad for lex in lexicons])
    if keyed:
        return keyed
    tokens = [fold_repeats(word) for word in words]
    if any(_contains(lex.unclear, tokens) for lex in lexicons):
        return UNCLEAR
    breaks = frozenset().union(*(lex.yes_no_breaks for lex in lexicons))
    return _answer(_clauses(tokens, breaks), lexicons)


def says_unsure(text: str, lang: str = "en") -> bool:
    """The reply says they don't know ("not sure", "no sé"): no point asking again."""
    lexicons = lexicons_for(lang)
    tokens = [fold_repeats(word) for word in analyse(text, lexicons)]
    return any(_contains(lex.unclear, tokens) for lex in lexicons)


def _answer(clauses: list[list[str]], lexicons: Sequence[Lexicon]) -> str:
    # The reply's opening answers ("no it just tingles"). A later clause counts only when it is
    # nothing but an answer ("my leg? yes", "yes, no wait"): a "no" inside a later sentence
    # ("yes. no pain though") is about something else.
    answer = None
    for index, clause in enumerate(clauses):
        signals, pure = _opening_signals(clause, lexicons)
        if not signals or (index > 0 and not pure):
            continue
        if len(set(signals)) > 1 or (answer is not None and signals[0] != answer):
            return UNCLEAR
        answer = signals[0]
    return answer or UNCLEAR


def _opening_signals(clause: list[str], lexicons: Sequence[Lexicon]) -> tuple[list[str], bool]:
    """Yes/no words opening a clause, and whether the clause says nothing else."""
    regular = [lex.yes_no for lex in lexicons]
    signals, pure = _read_opening(clause, regular)
    if pure:
        return signals, True
    # "I do." answers; "I did some gardening" does not.
    whole, pure = _read_opening(clause, regular + [lex.yes_no_alone for lex in lexicons])
    return (whole, True) if pure else (signals, False)


def _read_opening(clause: list[str], vocabularies: Sequence[PhraseSet]) -> tuple[list[str], bool]:
    signals = []
    i = 0
    while i < len(clause):
        match = longest_at(vocabularies, clause, i)
        if match is not None:
            if match.value != _FILLER:
                signals.append(match.value)
            i = match.end
        elif not _is_word(clause[i]):
            i += 1  # an emoji or stray symbol says nothing
        else:
            break
    return signals, i >= len(clause)


def _clauses(tokens: list[str], breaks: frozenset[str]) -> list[list[str]]:
    clauses: list[list[str]] = [[]]
    for token in tokens:
        if token in breaks:
            clauses.append([])
        else:
            clauses[-1].append(token)
    return [clause for clause in clauses if clause]


# ---------------------------------------------------------------------------- duration


def parse_duration_hours(text: str, lang: str = "en") -> float | None:
    """Hours in "20 minutes", "since yesterday", "hace dos días"...; None if no duration is said."""
    lexicons = lexicons_for(lang)
    tokens = analyse(text, lexicons)
    durations = [lex.duration for lex in lexicons]
    i = 0
    while i < len(tokens):
        # "every day for a week": "every day" says how often, not how long.
        not_duration = longest_at([d.not_durations for d in durations], tokens, i)
        if not_duration is not None:
            i = not_duration.end
            continue
        reading = _reading_at(tokens, i, durations)
        if reading is not None:
            return reading.hours
        i += 1
    return None


@dataclass(frozen=True, slots=True)
class _Reading:
    end: int
    hours: float
    unit_seconds: float | None = None  # set when read as a number of units


def _reading_at(tokens: list[str], i: int, durations: Sequence[Duration]) -> _Reading | None:
    # The longest reading at this place wins; on a tie the fixed expression ("a few minutes")
    # beats the counted one.
    readings = []
    expression = longest_at([d.expressions for d in durations], tokens, i)
    if expression is not None:
        readings.append(_Reading(expression.end, float(expression.value)))
    counted = _counted_units(tokens, i, durations)
    if counted is not None:
        readings.append(counted)
    weekday = next((d.weekday_hours for d in durations if tokens[i] in d.weekdays), None)
    if weekday is not None:
        readings.append(_Reading(i + 1, weekday))
    if not readings:
        return None
    return _with_smaller_units(tokens, max(readings, key=lambda r: r.end), durations)


def _with_smaller_units(
    tokens: list[str], reading: _Reading, durations: Sequence[Duration]
) -> _Reading:
    """Add "30 min" to "1 hr 30 min" and "3 hours" to "2 days and 3 hours"."""
    if reading.unit_seconds is None:
        return reading
    j = reading.end
    if j < len(tokens) and any(tokens[j] in d.joiners for d in durations):
        j += 1
    more = _counted_units(tokens, j, durations) if j < len(tokens) else None
    if more is None or more.unit_seconds is None or more.unit_seconds >= reading.unit_seconds:
        return reading
    more = _with_smaller_units(tokens, more, durations)
    return _Reading(more.end, reading.hours + more.hours, reading.unit_seconds)


def _counted_units(tokens: list[str], i: int, durations: Sequence[Duration]) -> _Reading | None:
    """Read "2 days", "a couple of weeks", "hora y media", or a bare "days"."""
    quantity = _quantity(tokens, i, durations)
    j, amount = quantity if quantity else (i, None)
    half = _half_at(tokens, j, durations) if quantity else None
    if half is not None:
        amount, j = amount + 0.5, half.end
    fillers = frozenset().union(*(d.unit_fillers for d in durations))
    skipped = 0
    while quantity and j < len(tokens) and tokens[j] in fillers and skipped < _MAX_FILLERS:
        j, skipped = j + 1, skipped + 1
    unit = longest_at([d.units for d in durations], tokens, j) if j < len(tokens) else None
    if unit is None or (quantity is None and i > 0 and _NUMBER.fullmatch(tokens[i - 1])):
        return None  # a number we could not read ("999...9 days") is not "days"
    seconds, plural = unit.value
    if amount is None:
        amount = durations[0].bare_plural_count if plural else 1.0
    end = unit.end
    trailing_half = None if half else _half_at(tokens, end, durations)
    if trailing_half is not None:
        amount, end = amount + 0.5, trailing_half.end
    return _Reading(end, amount * seconds / 3600, seconds)


def _quantity(tokens: list[str], i: int, durations: Sequence[Duration]) -> tuple[int, float] | None:
    """A number or a run of them ("2 or 3", "unos 10", "1 1/2"), and where it ends."""
    range_words = frozenset().union(*(d.range_words for d in durations))
    values: list[float] = []
    j = i
    while j < len(tokens) and len(values) < _MAX_NUMBERS:
        found = _number_at(tokens, j, durations)
        if found is None:
            break
        j, value = found
        values.append(value)
        if (
            j + 1 < len(tokens)
            and tokens[j] in range_words
            and _number_at(tokens, j + 1, durations)
        ):
            j += 1
    if not values:
        return None
    return j, _combined(values)


def _combined(values: list[float]) -> float:
    # "1 1/2" adds up; otherwise the numbers are a range or an approximation ("unos 10"), and
    # the larger is the safer reading: a long duration never leads to self-care.
    if len(values) == 2 and values[0] >= 1 and values[0].is_integer() and 0 < values[1] < 1:
        return values[0] + values[1]
    return max(values)


def _number_at(
    tokens: list[str], j: int, durations: Sequence[Duration]
) -> tuple[int, float] | None:
    if _NUMBER.fullmatch(tokens[j]):
        value = _digits_value(tokens[j])
        return None if value is None else (j + 1, value)
    match = longest_at([d.numbers for d in durations], tokens, j)
    return None if match is None else (match.end, float(match.value))


def _digits_value(token: str) -> float | None:
    try:
        if "/" in token:
            top, bottom = token.split("/")
            value = float(top) / float(bottom)
        else:
            value = float(token.replace(",", "."))
    except (ValueError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) and 0 <= value <= _MAX_AMOUNT else None


def _half_at(tokens: list[str], j: int, durations: Sequence[Duration]) -> Match | None:
    if j >= len(tokens):
        return None
    return longest_at([d.half_suffixes for d in durations], tokens, j)


# ---------------------------------------------------------------------------- check-in


def parse_checkin(text: str, lang: str = "en") -> str | None:
    """Read a follow-up reply as "better", "same" or "worse"; None when it says none of them.

    A reply naming several (for example "better but still numb") gets the most cautious one:
    worse over same over better. A negated "better" or "worse" ("not better", "no peor") reads
    as "same": it rules out one end without saying the other, and "same" moves a self-care
    case to a doctor's visit, the safer of the two remaining readings.
    """
    lexicons = lexicons_for(lang)
    tokens = analyse(text, lexicons)
    keyed = _keypad(tokens, [lex.checkin_keypad for lex in lexicons])
    if keyed:
        return keyed
    rules = negation_rules(lexicons)
    vocabularies = [lex.checkin for lex in lexicons]
    found = set()
    i = 0
    while i < len(tokens):
        match = longest_at(vocabularies, tokens, i)
        if match is None:
            i += 1
            continue
        found.add(_checkin_meaning(match, tokens, rules))
        i = match.end
    return next((value for value in (WORSE, SAME, BETTER) if value in found), None)


def _checkin_meaning(match: Match, tokens: list[str], rules: NegationRules) -> str | None:
    if not rules.negates(tokens, match):
        return match.value
    return None if match.value == SAME else SAME


# ---------------------------------------------------------------------------- shared


def _keypad(tokens: list[str], pads: Sequence[Mapping[str, str]]) -> str | None:
    """The meaning of a reply that is nothing but one keypad digit ("1", "2.")."""
    words = [token for token in tokens if _is_word(token)]
    if len(words) != 1:
        return None
    return next((pad[words[0]] for pad in pads if words[0] in pad), None)


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _contains(phrases: PhraseSet, tokens: list[str]) -> bool:
    return next(phrases.find_all(tokens), None) is not None
