"""Understanding replies: yes/no, how long, and follow-up check-ins, in English and Spanish.

The words are data (prompts/<lang>/understanding.toml); this module holds only the reading
rules. A message is read once (reading.py: tokens, red-flag phrases, durations, doubt) and every
function here accepts that Reading or the text. Replies are read in the chat's language first
and then the other one, because people mix them. When a reply could mean two things the answer
is "unclear" (or None), never a guess: the conversation asks again rather than act on a
misreading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from hotline.triage.lexicon import Lexicon, Match, PhraseSet, longest_at
from hotline.triage.reading import DurationFound, NegationRules, Reading, read, says_doubt

__all__ = [
    "BETTER",
    "NO",
    "SAME",
    "UNCLEAR",
    "WORSE",
    "YES",
    "choose_duration",
    "denies_flag",
    "leans_yes",
    "parse_checkin",
    "parse_duration_hours",
    "parse_yes_no",
    "own_words_answer",
    "says_unsure",
]

YES, NO, UNCLEAR = "yes", "no", "unclear"
BETTER, SAME, WORSE = "better", "same", "worse"

_FILLER = "filler"
_STATEMENT = "statement"
_RESTATING = "restating"


def _reading(text: str | Reading, lang: str) -> Reading:
    return text if isinstance(text, Reading) else read(text, lang)


# ---------------------------------------------------------------------------- yes / no


def parse_yes_no(text: str | Reading, lang: str = "en") -> str:
    """Read a reply to a yes/no question as "yes", "no" or "unclear"."""
    return _yes_no(_reading(text, lang))


# A reading is never changed once made, and read() hands out the same one for the same text
# ("no", "yes" in every conversation): its answer is worked out once.
@lru_cache(maxsize=1024)
def _yes_no(reading: Reading) -> str:
    lexicons = reading.lexicons
    keyed = _keypad(reading.tokens, [lex.yes_no_keypad for lex in lexicons])
    if keyed:
        return keyed
    tokens = _after_corrections(reading)
    if says_doubt(tokens, lexicons):
        return UNCLEAR
    breaks = frozenset().union(*(lex.yes_no_breaks for lex in lexicons))
    return _answer(_clauses(tokens, breaks), lexicons)


def leans_yes(text: str | Reading, lang: str = "en") -> bool:
    """The reply's answer words say yes, doubt aside ("yes, a little", "sí, un poco")."""
    reading = _reading(text, lang)
    breaks = frozenset().union(*(lex.yes_no_breaks for lex in reading.lexicons))
    return _answer(_clauses(_after_corrections(reading), breaks), reading.lexicons) == YES


def says_same_as_before(text: str | Reading, lang: str = "en") -> bool:
    """The whole reply is "same as before", "ditto", "igual que la anterior" (fillers and
    punctuation aside): it gives the last yes/no answer again."""
    reading = _reading(text, lang)
    words = [t for t in reading.folded if _is_word(t)]
    fillers = [lex.yes_no for lex in reading.lexicons]
    same = [lex.yes_no_same for lex in reading.lexicons]
    said, i = False, 0
    while i < len(words):
        match = longest_at(same, words, i)
        filler = longest_at(fillers, words, i)
        if match is not None:
            said, i = True, match.end
        elif filler is not None and filler.value == _FILLER:
            i = filler.end
        else:
            return False
    return said


def _after_corrections(reading: Reading) -> list[str]:
    """The folded words after the last "scratch that" / "uy, mentira": a no taken back is no
    answer ("not really. ok it's actually killing me" is asked again)."""
    return list(reading.folded[reading.answer_start:])


def denies_flag(text: str | Reading, flag: str, lang: str = "en") -> bool:
    """The reply names this red flag only to deny it ("it doesn't give way", "didn't fall off
    the ladder or anything", "no está fría ni pálida") and states no red flag at all: a no,
    though no yes/no word opens it. Doubt, or any flag it states, and it is not."""
    reading = _reading(text, lang)
    named = [m for m in reading.flag_matches if m.flag == flag and not m.excused]
    return (bool(named) and all(m.negated for m in named) and not reading.red_flags
            and not reading.unsure)


def own_words_answer(text: str | Reading, question: str, lang: str = "en") -> str | None:
    """ "yes" or "no" where every clause of the reply answers this question in words of its
    own ("I walk fine", "it came on slowly", "first time", "camino bien"), fillers and words
    that only restate the numbness ("just tingly") aside; else None. Anything else in it ("I
    walk fine but slowly", "camino bien despacio": "bien" also means "very"), a question mark
    ("strong?"), doubt, or a red flag, and it is None."""
    reading = _reading(text, lang)
    if reading.red_flags or reading.unsure or "?" in reading.folded:
        return None
    lexicons = reading.lexicons
    own = [lex.own_answers for lex in lexicons]
    fillers = [lex.yes_no for lex in lexicons] + [lex.restating for lex in lexicons]
    breaks = frozenset().union(*(lex.yes_no_breaks for lex in lexicons))
    said = set()
    cut = reading.answer_start
    for start, end in _clause_spans(reading.folded, breaks):
        if end <= cut:
            continue  # taken back: "yes- sorry, i misread. i walk fine"
        answers = _own_answers_in(reading, max(start, cut), end, own, fillers, question)
        if answers is None:
            return None
        said |= answers
    return said.pop() if len(said) == 1 else None


def _own_answers_in(
    reading: Reading, start: int, end: int, own: Sequence[PhraseSet],
    fillers: Sequence[PhraseSet], question: str,
) -> set[str] | None:
    """The answers to `question` tokens[start:end] gives, or None if anything else is in it."""
    tokens, folded = reading.tokens[:end], reading.folded[:end]
    said = set()
    i = start
    while i < end:
        if not _is_word(folded[i]):
            i += 1
            continue
        match = longest_at(own, tokens, i)
        filler = longest_at(fillers, folded, i)
        if _is_filler(filler) and (match is None or filler.end >= match.end):
            i = filler.end
        elif match is not None and match.value[0] == question:
            said.add(match.value[1])
            i = match.end
        else:
            return None  # "slowly" answers sudden onset, not trouble walking
    return said


def _is_filler(match: Match | None) -> bool:
    # Restating the numbness ("walking's fine, just tingly") is filler to an own-words answer.
    return match is not None and match.value in (_FILLER, _RESTATING)


def says_unsure(text: str | Reading, lang: str = "en") -> bool:
    """The reply says they don't know or only hedges ("not sure", "creo que sí", "maybe?",
    "yes?"): an unknown answer, which never lowers a level."""
    return _reading(text, lang).unsure


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
    regular = [lex.yes_no for lex in lexicons] + [lex.yes_no_statements for lex in lexicons]
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
        if match is not None and match.value == _STATEMENT:
            break  # "no puedo caminar": a statement to read for what it says, not the answer no
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
    return [tokens[start:end] for start, end in _clause_spans(tokens, breaks)]


def _clause_spans(tokens: Sequence[str], breaks: frozenset[str]) -> list[tuple[int, int]]:
    """Where each non-empty clause starts and ends; the breaks between are left out."""
    spans, start = [], 0
    for i, token in enumerate(tokens):
        if token in breaks:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(tokens)))
    return [(first, last) for first, last in spans if last > first]


# ---------------------------------------------------------------------------- duration


def parse_duration_hours(
    text: str | Reading, lang: str = "en", now: datetime | None = None
) -> float | None:
    """Hours in "20 minutes", "since yesterday", "hace dos días"...; None if no duration is said.

    `now` (in the hotline's time zone) dates a weekday: "since tuesday" is the last Tuesday
    before today; and a time of day: "since 4pm" is the last 4 pm. Without it a weekday counts
    as the file's weekday_hours and a time of day as its clock_hours. Said to be maybe longer
    ("since last night, maybe earlier"), it counts twice as long: the longer reading is the
    safe one, and a short "an hour or more" stays short.
    """
    reading = _reading(text, lang)
    hours = choose_duration(reading.durations, now)
    return hours * 2 if hours is not None and reading.maybe_longer else hours


def choose_duration(found: Sequence[DurationFound], now: datetime | None = None) -> float | None:
    """Of several readings ("ever since my nap 3 days ago"), the one that says how long the
    numbness has lasted wins; between plausible ones, the longer: a long duration never leads
    to self-care, so the longer reading is the safe one."""
    if not found:
        return None
    lasting = [d for d in found if d.lasting] or list(found)
    return max(_hours(d, now) for d in lasting)


# Before this hour, someone still up calls the day that just ended "today": their "last night"
# and "yesterday afternoon" may be a day further back, the longer reading.
_DAY_STARTS = 6


def _hours(found: DurationFound, now: datetime | None) -> float:
    if now is not None and found.began is not None:
        return _hours_since_began(found.began, now)
    if now is not None and found.clock is not None:
        # The last time the clock showed it; of two ("desde las 4"), the earlier: the longer.
        at = now.hour + now.minute / 60
        return max((at - clock) % 24 for clock in found.clock)
    if found.weekday is None or now is None:
        return found.hours
    days_back = (now.weekday() - found.weekday) % 7 or 7  # the last one before today
    # From the start of that day: the longer of the readings "since tuesday" allows.
    return days_back * 24 + now.hour + now.minute / 60


def _hours_since_began(began: tuple[int, float], now: datetime) -> float:
    days_back, hour = began
    if days_back and now.hour < _DAY_STARTS:
        days_back += 1
    midnight = (now - timedelta(days=days_back)).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight + timedelta(hours=hour)
    if start > now:  # "this evening" said at 1 am: the evening that just passed
        start -= timedelta(days=1)
    return (now - start).total_seconds() / 3600


# ---------------------------------------------------------------------------- check-in


def parse_checkin(text: str | Reading, lang: str = "en") -> str | None:
    """Read a follow-up reply as "better", "same" or "worse"; None when it says none of them.

    A reply naming several (for example "better but still numb") gets the most cautious one:
    worse over same over better. A negated "better" or "worse" ("not better", "no peor") reads
    as "same": it rules out one end without saying the other, and "same" moves a self-care
    case to a doctor's visit, the safer of the two remaining readings.
    """
    reading = _reading(text, lang)
    lexicons, tokens = reading.lexicons, list(reading.tokens)
    pads = [lex.checkin_keypad for lex in lexicons]
    keyed = _keypad(tokens, pads)
    if keyed:
        return keyed
    rules = reading.negation
    vocabularies = [lex.checkin for lex in lexicons]
    found = _keys_said(reading, pads)  # "3 can't feel my toes at all now", "1... more like 2"
    i = 0
    while i < len(tokens):
        match = longest_at(vocabularies, tokens, i)
        if match is None:
            i += 1
            continue
        found.add(_checkin_meaning(match, tokens, rules))
        i = match.end
    if found - {None} == {BETTER} and "?" in tokens:
        return None  # "which is better, ibuprofen or rest?" asks; it does not say it is better
    return next((value for value in (WORSE, SAME, BETTER) if value in found), None)


def _keys_said(reading: Reading, pads: Sequence[Mapping[str, str]]) -> set[str]:
    """Keys said with words around them: the word a reply opens with ("1 thank god", "uno
    gracias"), and a digit anywhere ("1... more like 2"); never a count ("2 days")."""
    counts = {found.start for found in reading.durations}
    words = [i for i, token in enumerate(reading.tokens) if _is_word(token)]
    keys = set()
    for i in words:
        token = reading.tokens[i]
        if i in counts or not (i == words[0] or token.isdigit()):
            continue
        keys |= {pad[token] for pad in pads if token in pad}
    return keys


def _checkin_meaning(match: Match, tokens: list[str], rules: NegationRules) -> str | None:
    if not rules.negates(tokens, match):
        return match.value
    return None if match.value == SAME else SAME


# ---------------------------------------------------------------------------- shared


def _keypad(tokens: Sequence[str], pads: Sequence[Mapping[str, str]]) -> str | None:
    """The meaning of a reply that is nothing but one keypad digit ("1", "2.")."""
    words = [token for token in tokens if _is_word(token)]
    if len(words) != 1:
        return None
    return next((pad[words[0]] for pad in pads if words[0] in pad), None)


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)
