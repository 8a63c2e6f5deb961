"""Red flags said in plain words, in English and Spanish at once.

Every message, at any turn, is scanned, and a match counts as that flag's "yes"
(triage-protocol.md, "Free text at any point"). A scan can only raise the level, so a negation
that is not clearly a denial does not hide a flag: under-triage is the one error that must not
happen. The phrases, negation cues and exceptions are data in prompts/<lang>/understanding.toml.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from hotline.triage.lexicon import FLAGS, Lexicon, Match, PhraseSet, analyse, lexicons_for

__all__ = ["FLAGS", "NegationRules", "negation_rules", "scan_red_flags"]


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
        )

    def negates(self, tokens: Sequence[str], match: Match) -> bool:
        literal = [tokens[i] for i in match.literal_positions()]
        # "can't walk", "no puedo caminar": the phrase is already negative, and a "no" before it
        # answers the question ("no, I can't walk") rather than denying it.
        if any(word in self.cues or word in self.self_negative for word in literal):
            return False
        if any(self._is_cue(tokens, i) for i in match.gaps):
            return True
        start = self._window_start(tokens, match.start)
        if not any(self._is_cue(tokens, i) for i in range(start, match.start)):
            return False
        return not self._doubt_between(tokens, start, match.start)

    def _is_cue(self, tokens: Sequence[str], i: int) -> bool:
        if tokens[i] not in self.cues:
            return False
        if tokens[i] not in self.answer_cues:
            return True
        # "no I fell off a ladder": a spoken "no" answering the last question, then the story.
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        return following not in self.answer_followers

    def _window_start(self, tokens: Sequence[str], start: int) -> int:
        i = start
        while i > 0 and start - i < self.window and tokens[i - 1] not in self.scope_breaks:
            i -= 1
        return i

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


def scan_red_flags(text: str, lang: str = "en") -> frozenset[str]:
    """The protocol's red flags (a subset of FLAGS) that the message states in plain words."""
    lexicons = lexicons_for(lang)
    tokens = analyse(text, lexicons)
    rules = negation_rules(lexicons)
    excused = _excused_positions(tokens, lexicons)
    found: set[str] = set()
    for lexicon in lexicons:
        for match in lexicon.red_flags.find_all(tokens):
            if match.value in found or _is_excused(match, excused):
                continue
            if not rules.negates(tokens, match):
                found.add(match.value)
    return frozenset(found)


def _excused_positions(tokens: Sequence[str], lexicons: Sequence[Lexicon]) -> dict[str, set[int]]:
    """Per flag, the token positions covered by an exception ("my foot fell asleep")."""
    excused: dict[str, set[int]] = {}
    for lexicon in lexicons:
        for match in lexicon.red_flag_exceptions.find_all(tokens):
            excused.setdefault(match.value, set()).update(range(match.start, match.end))
    return excused


def _is_excused(match: Match, excused: dict[str, set[int]]) -> bool:
    positions = excused.get(match.value)
    return bool(positions) and any(i in positions for i in match.literal_positions())
