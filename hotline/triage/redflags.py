"""Red flags said in plain words, in English and Spanish at once.

Every message, at any turn, is scanned, and a match counts as that flag's "yes"
(triage-protocol.md, "Free text at any point"). A scan can only raise the level, so a negation
that is not clearly a denial does not hide a flag: under-triage is the one error that must not
happen. The phrases, negation cues and exceptions are data in prompts/<lang>/understanding.toml;
the message is read once (reading.py) and this module only says which flags it states.
"""

from __future__ import annotations

from hotline.triage.lexicon import FLAGS
from hotline.triage.reading import NegationRules, Reading, negation_rules, read

__all__ = ["FLAGS", "NegationRules", "flags_stated", "negation_rules", "scan_red_flags"]


def flags_stated(reading: Reading) -> frozenset[str]:
    """The protocol's red flags (a subset of FLAGS) that an already read message states."""
    return reading.red_flags


def scan_red_flags(text: str, lang: str = "en") -> frozenset[str]:
    """The protocol's red flags (a subset of FLAGS) that the message states in plain words."""
    return flags_stated(read(text, lang))
