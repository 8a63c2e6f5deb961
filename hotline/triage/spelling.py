"""Misspelt words read as the vocabulary word they were meant to be: "bladdar", "wierd",
"controll", "fuersa", "caminal", "repende".

A word is corrected only when it is no word of either language's vocabulary, nor a real word
one edit from one (prompts/known_words.txt, from pyspellchecker's English and Spanish word
lists: "pinched" is not a misspelt "punched", nor "vaina" "vagina"), and has at least
MIN_LENGTH letters; and then only to the one vocabulary word of that length or more, starting
alike (the same letter, one that sounds the same, or a silent h), one edit away (a letter
added, dropped, changed, or two swapped).
The correction keeps every `word*` stem the word already began with ("caminal" -> "caminar"
still reads as "camin*"), so a phrase that read it before still does. Anything less certain is
left as written: a wrong correction could only make a word mean something its writer did not
say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_LENGTH = 5


def near_known_words(known: Iterable[str], vocabulary: Iterable[str]) -> list[str]:
    """The words of `known` (a dictionary) that a correction could turn into a vocabulary word:
    the ones prompts/known_words.txt must list (scripts/known_words writes it)."""
    index = Speller.of(vocabulary, [])._by_deletion
    vocab = set(vocabulary)
    return sorted(
        word for word in set(known)
        if len(word) >= MIN_LENGTH and word.isalpha() and word not in vocab
        and any(key in index for key in (word, *_deletions(word)))
    )


@dataclass(frozen=True)
class Speller:
    vocabulary: frozenset[str]
    stems: tuple[str, ...]
    known: frozenset[str]  # real words that are not misspellings, though no vocabulary word
    first: frozenset[str]  # the words of the chat's own language: they win a tie
    # One-letter deletions of each vocabulary word (and the word itself) -> the words.
    _by_deletion: dict[str, frozenset[str]] = field(repr=False, compare=False)

    @classmethod
    def of(cls, words: Iterable[str], stems: Iterable[str],
           known: frozenset[str] = frozenset(), first: Iterable[str] = ()) -> Speller:
        vocabulary = frozenset(w for w in words if w.isalpha())
        index: dict[str, set[str]] = {}
        for word in vocabulary:
            if len(word) >= MIN_LENGTH:
                for key in {word, *_deletions(word)}:
                    index.setdefault(key, set()).add(word)
        by_deletion = {key: frozenset(words) for key, words in index.items()}
        return cls(vocabulary, tuple(sorted(set(stems))), known, frozenset(first), by_deletion)

    def correct(self, tokens: Sequence[str]) -> list[str]:
        return [self.corrected(token) for token in tokens]

    def corrected(self, token: str) -> str:
        if (len(token) < MIN_LENGTH or not token.isalpha() or token in self.vocabulary
                or token in self.known):
            return token
        kept = [stem for stem in self.stems if token.startswith(stem)]
        near = {
            word
            for key in (token, *_deletions(token))
            for word in self._by_deletion.get(key, ())
            if _same_start(token, word) and _one_edit_apart(token, word)
            and all(word.startswith(stem) for stem in kept)
        }
        return _likeliest(token, near, self.first) or token


# Letters people write for one another at the start of a word: "sintura" (cintura), "vajar"
# (bajar); a silent h is left out or put in ("orrible").
_SOUNDS_ALIKE = ({"s", "c", "z"}, {"b", "v"}, {"y", "l"}, {"k", "c", "q"})


def _same_start(token: str, word: str) -> bool:
    if token[0] == word[0] or (word[0] == "h" and word[1:2] == token[:1]):
        return True
    return any(token[0] in alike and word[0] in alike for alike in _SOUNDS_ALIKE)


def _likeliest(token: str, near: set[str], first: frozenset[str]) -> str | None:
    """The one candidate; else the one a doubled letter explains, one too many ("controll")
    or one too few ("suden" -> "sudden", not "suben"); else the one of the chat's language;
    else the one of the same length ("caminal" -> "caminar", not "camina"). None when unsure."""
    for chosen in (near,
                   {w for w in near if _undoubled(token, w) or _undoubled(w, token)},
                   near & first,
                   {w for w in near if len(w) == len(token)}):
        if len(chosen) == 1:
            return next(iter(chosen))
    return None


def _undoubled(token: str, word: str) -> bool:
    return len(word) == len(token) - 1 and any(
        token[i] == token[i + 1] and token[:i] + token[i + 1:] == word
        for i in range(len(token) - 1)
    )


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit_apart(a: str, b: str) -> bool:
    """Levenshtein distance 1, or two neighbouring letters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
