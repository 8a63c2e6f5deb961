"""Reading a message once: one analysed value that every parser reads.

A message is normalised and tokenised once (with every language's synonyms), and from those
tokens this module finds, once, everything the parsers need: the red-flag phrases and whether a
negation or an exception covers each, the durations said and whether each says how long the
numbness has lasted, and whether the reply says the person is unsure. answers.py and redflags.py
only interpret a Reading; none of them tokenises text again.

Words are data (prompts/<lang>/understanding.toml). The chat's language is read first, but
every language's phrases are tried, because people mix them ("tengo el leg numb"); a `word*` of
one language never matches a word of the other's vocabulary (lexicon.foreign_words).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from hotline.triage.lexicon import (
    Duration,
    Lexicon,
    Match,
    PhraseSet,
    analyse,
    fold_repeats,
    foreign_words,
    lexicons_for,
    longest_at,
)

__all__ = [
    "DurationFound",
    "FlagMatch",
    "NegationRules",
    "Reading",
    "negation_rules",
    "read",
    "says_doubt",
]

_NUMBER = re.compile(r"\d+(?:[.,/]\d+)?")
_MAX_AMOUNT = 10_000.0
_MAX_FILLERS = 2
_MAX_NUMBERS = 4
_LOOK_BACK = 3  # words between "since"/"for" and the duration it introduces ("since my nap 3 days")
# Words between a "since ..." and the day that dates it, within the clause ("since I got back from
# my trip on tuesday").
_DATING_GAP = 6
# Words between a day and the time on it ("yesterday at 4pm", "desde ayer a las 4 de la tarde").
_DAY_TIME_GAP = 2
_MINUTES = re.compile(r"[0-5]\d")


# ---------------------------------------------------------------------------- negation


@dataclass(frozen=True, slots=True)
class NegationRules:
    """Decides whether a phrase found in a message is denied ("no weakness", "I didn't fall")."""

    window: int
    cues: frozenset[str]
    self_negative: frozenset[str]
    scope_breaks: frozenset[str]
    answer_cues: frozenset[str]
    answer_followers: frozenset[str]
    blockers: tuple[PhraseSet, ...]
    answer_phrases: tuple[PhraseSet, ...] = ()
    closers: tuple[PhraseSet, ...] = ()

    @classmethod
    def of(cls, lexicons: Sequence[Lexicon]) -> NegationRules:
        rules = [lex.negation for lex in lexicons]
        return cls(
            window=rules[0].window,
            cues=frozenset().union(*(r.cues for r in rules)),
            self_negative=frozenset().union(*(r.self_negative for r in rules)),
            scope_breaks=frozenset().union(*(r.scope_breaks for r in rules)),
            answer_cues=frozenset().union(*(r.answer_cues for r in rules)),
            answer_followers=frozenset().union(*(r.answer_followers for r in rules)),
            blockers=tuple(r.blockers for r in rules),
            answer_phrases=tuple(r.answer_phrases for r in rules),
            closers=tuple(r.closers for r in rules),
        )

    def negates(self, tokens: Sequence[str], match: Match) -> bool:
        literal = [tokens[i] for i in match.literal_positions()]
        # "can't walk", "no puedo caminar": the phrase is already negative, and a "no" before it
        # answers the question ("no, I can't walk") rather than denying it.
        if any(word in self.cues or word in self.self_negative for word in literal):
            return False
        if any(self._is_cue(tokens, i) for i in match.gaps):
            return True
        start = self.scope_start(tokens, match.start)
        if not any(self._is_cue(tokens, i) for i in range(start, match.start)):
            return False
        return not self._doubt_between(tokens, start, match.start)

    def scope_start(self, tokens: Sequence[str], start: int) -> int:
        """Where a negation reaching `start` may begin: `window` words back, not past a break."""
        i = start
        while i > 0 and start - i < self.window and not self.breaks_before(tokens, i):
            i -= 1
        return i

    def breaks_before(self, tokens: Sequence[str], i: int) -> bool:
        """A clause ends just before tokens[i]: a break word, or a closer such as "ni nada"."""
        # Spoken answers have no commas: in "no estaba sentada ni nada me dio de golpe" the
        # denial ends at "ni nada", as it would at a comma.
        if tokens[i - 1] in self.scope_breaks:
            return True
        return any(
            match.end == i
            for closers in self.closers
            for start in range(max(0, i - 3), i)
            for match in closers.matches_at(tokens, start)
        )

    def _is_cue(self, tokens: Sequence[str], i: int) -> bool:
        if tokens[i] not in self.cues:
            return False
        answer_end = self._answer_ending(tokens, i)
        if answer_end is None:
            return True
        # "no I fell off a ladder", "not really i just wobble": a spoken answer to the last
        # question, then the story; "not really weak" still denies.
        following = tokens[answer_end] if answer_end < len(tokens) else ""
        return following not in self.answer_followers

    def _answer_ending(self, tokens: Sequence[str], i: int) -> int | None:
        """Where the whole answer holding the cue at i ends, when one opens a clause there."""
        if tokens[i] in self.answer_cues:
            return i + 1
        for phrases in self.answer_phrases:
            for start in range(max(0, i - 2), i + 1):
                if start > 0 and tokens[start - 1] not in self.scope_breaks:
                    continue
                match = phrases.longest_at(tokens, start)
                if match is not None and match.start <= i < match.end:
                    return match.end
        return None

    def _doubt_between(self, tokens: Sequence[str], start: int, end: int) -> bool:
        return any(
            match.end <= end
            for blockers in self.blockers
            for match in blockers.find_all(tokens, start, end)
        )


@lru_cache(maxsize=8)
def negation_rules(lexicons: tuple[Lexicon, ...]) -> NegationRules:
    """The merged rules, built once per set of loaded lexicons (a Lexicon hashes by identity,
    so reloaded files get new rules): every turn scans, and merging costs a tenth of a scan."""
    return NegationRules.of(lexicons)


# ---------------------------------------------------------------------------- what is found


@dataclass(frozen=True, slots=True)
class FlagMatch:
    """A red-flag phrase found in the message, and what covers it."""

    flag: str
    match: Match
    lang: str  # the file whose phrase it is
    negated: bool  # "no weakness"
    excused: bool  # "my foot fell asleep", "nearly fell"

    @property
    def counts(self) -> bool:
        return not (self.negated or self.excused)


@dataclass(frozen=True, slots=True)
class DurationFound:
    """One way the message says how long: tokens[start:end] mean `hours`.

    `weekday` is set for "since tuesday": its hours depend on today (answers.py resolves it).
    `lasting` when the words say it is how long the numbness has lasted ("for 3 days",
    "3 days ago", "since lunch") rather than some other time ("a 2 hour nap").
    `clock` is set for "since 4pm": the times of day it may mean (4:00 and 16:00 for a bare
    "desde las 4"), in hours after midnight; its hours depend on the time now, as a weekday's.
    `began` is set for "since last night": (days before today, hour of the day) it began at.
    """

    start: int
    end: int
    hours: float
    lasting: bool
    weekday: int | None = None
    clock: tuple[float, ...] | None = None
    began: tuple[int, float] | None = None


class Reading:
    """One inbound message, read once. Build it with read(text, lang)."""

    def __init__(self, text: str, lexicons: tuple[Lexicon, ...]) -> None:
        self.text = text
        self.lexicons = lexicons
        self.lang = lexicons[0].lang
        self.tokens: tuple[str, ...] = tuple(analyse(text, lexicons))
        # Stretched letters folded ("noooo", "yesss") for the short-answer vocabularies.
        self.folded: tuple[str, ...] = tuple(fold_repeats(t) for t in self.tokens)
        self.negation = negation_rules(lexicons)

    def foreign(self, lex: Lexicon) -> frozenset[str]:
        """Words of this message that `lex`'s `word*` phrases must not match."""
        return self._foreign[lex.lang]

    @cached_property
    def _foreign(self) -> dict[str, frozenset[str]]:
        return {lex.lang: foreign_words(self.tokens, lex, self.lexicons) for lex in self.lexicons}

    # -- red flags

    @cached_property
    def flag_matches(self) -> tuple[FlagMatch, ...]:
        excused = self._excused_positions()
        found = []
        for lex in self.lexicons:
            for match in lex.red_flags.find_all(self.tokens, foreign=self.foreign(lex)):
                positions = excused.get(match.value, set())
                found.append(
                    FlagMatch(
                        flag=match.value,
                        match=match,
                        lang=lex.lang,
                        negated=self.negation.negates(self.tokens, match),
                        excused=any(i in positions for i in match.literal_positions()),
                    )
                )
        return tuple(found)

    @cached_property
    def red_flags(self) -> frozenset[str]:
        """Flags the message states: a phrase neither negated nor excused."""
        return frozenset(m.flag for m in self.flag_matches if m.counts)

    def _excused_positions(self) -> dict[str, set[int]]:
        excused: dict[str, set[int]] = {}
        for lex in self.lexicons:
            found = lex.red_flag_exceptions.find_all(self.tokens, foreign=self.foreign(lex))
            for match in found:
                excused.setdefault(match.value, set()).update(range(match.start, match.end))
        return excused

    # -- story answers said in passing

    @cached_property
    def story_stated(self) -> frozenset[str]:
        """Story questions the words answer yes ("I'm diabetic"), not negated ("not diabetic")."""
        found = set()
        for lex in self.lexicons:
            for match in lex.story.find_all(self.tokens, foreign=self.foreign(lex)):
                if not self.negation.negates(self.tokens, match):
                    found.add(match.value)
        return frozenset(found)

    # -- unsure

    @cached_property
    def unsure(self) -> bool:
        """They say they don't know, or only hedge ("maybe", "creo que sí", "yes?")."""
        if says_doubt(self.folded, self.lexicons):
            return True
        return self._answer_is_a_question()

    def _answer_is_a_question(self) -> bool:
        # "?" or "yes?" alone: a question mark after nothing but answer words is a doubt. A
        # question about something else ("what?", "my leg?") is not, and is asked again.
        if "?" not in self.folded:
            return False
        before = self.folded[: self.folded.index("?")]
        vocabularies = [lex.yes_no for lex in self.lexicons]
        i = 0
        while i < len(before):
            match = longest_at(vocabularies, before, i)
            if match is None and any(ch.isalnum() for ch in before[i]):
                return False
            i = match.end if match is not None else i + 1
        return True

    # -- durations

    @cached_property
    def answer_start(self) -> int:
        """Where the answer begins in `folded`: just after the last "scratch that" / "uy,
        mentira", read across punctuation ("sí... perdón, quise decir no"); else 0."""
        where = [i for i, token in enumerate(self.folded) if any(c.isalnum() for c in token)]
        words = [self.folded[i] for i in where]
        return max(
            (where[m.end - 1] + 1
             for lex in self.lexicons for m in lex.yes_no_corrections.find_all(words)),
            default=0,
        )

    @cached_property
    def maybe_longer(self) -> bool:
        """They say it may have lasted longer than the duration they give ("or more")."""
        return any(
            next(lex.duration.maybe_longer.find_all(self.tokens, foreign=self.foreign(lex)), None)
            is not None
            for lex in self.lexicons
        )

    @cached_property
    def durations(self) -> tuple[DurationFound, ...]:
        """Every duration said, in order; "every day for a week" skips "every day"."""
        tokens = list(self.tokens)
        durations = [lex.duration for lex in self.lexicons]
        found = []
        i = 0
        while i < len(tokens):
            not_duration = longest_at([d.not_durations for d in durations], tokens, i)
            if not_duration is not None:
                i = not_duration.end
                continue
            reading = _reading_at(tokens, i, durations)
            if reading is None:
                i += 1
                continue
            lasting = _says_lasting(tokens, i, reading.end, durations, self.negation)
            found.append(
                DurationFound(
                    start=i,
                    end=reading.end,
                    hours=reading.hours,
                    lasting=lasting or self._dates_a_since(found, i),
                    weekday=reading.weekday,
                    clock=reading.clock,
                    began=reading.began,
                )
            )
            i = reading.end
        return tuple(self._with_times_of_day(found))

    def _with_times_of_day(self, found: list[DurationFound]) -> list[DurationFound]:
        # "since 4pm yesterday", "desde ayer a las 4 de la tarde", "since yesterday at 10": a day
        # and a time on it, side by side, are one moment: that day at that time.
        out: list[DurationFound] = []
        for item in found:
            joined = _day_and_time(out[-1], item, self.tokens) if out else None
            if joined is not None:
                out[-1] = joined
            else:
                out.append(item)
        return out

    def _dates_a_since(self, found: list[DurationFound], start: int) -> bool:
        # "since I got back thursday", "desde que llegué del viaje el jueves": the day or time
        # right after a "since ..." expression says when that was, so it is how long it lasted.
        if not found or not found[-1].lasting or start - found[-1].end > _DATING_GAP:
            return False
        between = range(found[-1].end + 1, start + 1)
        return not any(self.negation.breaks_before(self.tokens, i) for i in between)


def _day_and_time(
    first: DurationFound, second: DurationFound, tokens: Sequence[str]
) -> DurationFound | None:
    between = tokens[first.end:second.start]
    if len(between) > _DAY_TIME_GAP or not all(any(c.isalnum() for c in t) for t in between):
        return None
    day = next((d for d in (first, second) if d.began and d.began[0] > 0 and d.began[1] == 0),
               None)
    if day is None:
        return None
    time = second if day is first else first
    if time.clock is not None:
        hour = min(time.clock)  # of two ("a las 4"), the earlier: the longer
    elif time.began is not None and time.began[0] == 0:
        hour = time.began[1]
    else:
        return None
    return DurationFound(start=first.start, end=second.end, hours=day.hours,
                         lasting=first.lasting or second.lasting, began=(day.began[0], hour))


@lru_cache(maxsize=256)
def _read(text: str, lexicons: tuple[Lexicon, ...]) -> Reading:
    return Reading(text, lexicons)


def read(text: str, lang: str = "en") -> Reading:
    """The message read once in `lang` first, then the other languages (cached: the step scans
    and parses the same text several times)."""
    return _read(text if isinstance(text, str) else "", lexicons_for(lang))


def says_doubt(folded: Sequence[str], lexicons: Sequence[Lexicon]) -> bool:
    """An `unclear` phrase in the (folded) tokens that no `not_unclear` phrase overlaps."""
    spared = {i for lex in lexicons for m in lex.not_unclear.find_all(folded)
              for i in range(m.start, m.end)}
    return any(
        not spared.intersection(range(m.start, m.end))
        for lex in lexicons
        for m in lex.unclear.find_all(folded)
    )


# ---------------------------------------------------------------------------- duration words


@dataclass(frozen=True, slots=True)
class _Reading:
    end: int
    hours: float
    unit_seconds: float | None = None  # set when read as a number of units
    weekday: int | None = None
    clock: tuple[float, ...] | None = None
    began: tuple[int, float] | None = None


def _says_lasting(
    tokens: list[str], start: int, end: int, durations: Sequence[Duration], rules: NegationRules
) -> bool:
    before = frozenset().union(*(d.lasting_before for d in durations))
    after = frozenset().union(*(d.lasting_after for d in durations))
    if tokens[start] in before or (end < len(tokens) and tokens[end] in after):
        return True
    if start > 0 and tokens[start - 1] in before:  # "since monday": "since" also ends a clause
        return True
    # "ever since my nap 3 days ago", "for about 2 weeks": a few words back, within the clause.
    first = max(rules.scope_start(tokens, start), start - _LOOK_BACK)
    return any(tokens[j] in before for j in range(first, start))


def _reading_at(tokens: list[str], i: int, durations: Sequence[Duration]) -> _Reading | None:
    # The longest reading at this place wins; on a tie the fixed expression ("a few minutes")
    # beats the counted one.
    readings = []
    expression = longest_at([d.expressions for d in durations], tokens, i)
    if expression is not None:
        # "last night" is also when it began: the clock can say how long ago that was.
        began = longest_at([d.began for d in durations], tokens, i)
        when = began.value if began is not None and began.end == expression.end else None
        readings.append(_Reading(expression.end, float(expression.value), began=when))
    counted = _counted_units(tokens, i, durations)
    if counted is not None:
        readings.append(counted)
    weekend = longest_at([d.weekend for d in durations], tokens, i)
    if weekend is not None:
        readings.append(_Reading(weekend.end, durations[0].weekday_hours, weekday=weekend.value))
    day = next((d.weekdays[tokens[i]] for d in durations if tokens[i] in d.weekdays), None)
    if day is not None:
        readings.append(_Reading(i + 1, durations[0].weekday_hours, weekday=day))
    clock = _clock_at(tokens, i, durations)
    if clock is not None:
        readings.append(clock)
    if not readings:
        return None
    return _with_smaller_units(tokens, max(readings, key=lambda r: r.end), durations)


def _clock_at(tokens: list[str], i: int, durations: Sequence[Duration]) -> _Reading | None:
    """A time of day at tokens[i]: an hour with am or pm ("4pm", "10:30 de la noche"), with
    minutes ("16:00"), or after a word that makes a bare hour one ("desde las 4")."""
    found = _number_at(tokens, i, durations)
    if found is None or not found[1].is_integer() or not 0 <= found[1] <= 23:
        return None
    end, hour = found[0], int(found[1])
    minutes = None
    if end + 1 < len(tokens) and tokens[end] == ":" and _MINUTES.fullmatch(tokens[end + 1]):
        minutes, end = int(tokens[end + 1]), end + 2
    half = _day_half_at(tokens, end, durations)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        end, afternoon = half
        hours = (hour % 12 + (12 if afternoon else 0),)
    elif minutes is not None or (i > 0 and any(tokens[i - 1] in d.clock_before for d in durations)):
        hours = (hour,) if hour == 0 or hour > 12 else (hour % 12, hour % 12 + 12)
    else:
        return None
    at = tuple(h + (minutes or 0) / 60 for h in hours)
    return _Reading(end, durations[0].clock_hours, clock=at)


def _day_half_at(
    tokens: list[str], j: int, durations: Sequence[Duration]
) -> tuple[int, bool] | None:
    """Where "am" / "de la tarde" ends after an hour, and whether it is the afternoon."""
    if j >= len(tokens):
        return None
    am = longest_at([d.clock_am for d in durations], tokens, j)
    pm = longest_at([d.clock_pm for d in durations], tokens, j)
    if am is None and pm is None:
        return None
    return (pm.end, True) if pm is not None and (am is None or pm.end > am.end) else (am.end, False)


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
