"""Whole-message keywords (STOP, HELP, RESTART, ESPAÑOL, ...) from prompts/keywords.toml."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import lru_cache

from hotline.triage.protocol import ProtocolError, prompts_dir

KEYWORDS = ("stop", "start", "help", "restart", "spanish", "english")


def normalise(text: str) -> str:
    """Lower case, no accents, no surrounding punctuation or spaces: how keywords are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.strip(" \t\r\n.!?¡¿,;:'\"").split())


@lru_cache(maxsize=1)
def keyword_table() -> dict[str, str]:
    path = prompts_dir() / "keywords.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProtocolError(path, "-", f"cannot read: {exc}") from None
    table: dict[str, str] = {}
    for name in KEYWORDS:
        words = data.get(name)
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ProtocolError(path, name, "must be a list of words")
        for word in words:
            key = normalise(word)
            if key in table and table[key] != name:
                raise ProtocolError(path, name, f"{word!r} is also a {table[key]} keyword")
            table[key] = name
    unknown = set(data) - set(KEYWORDS)
    if unknown:
        raise ProtocolError(path, sorted(unknown)[0], "not a keyword the hotline knows")
    return table


def match_keyword(text: str) -> str | None:
    """The keyword a whole message is, if it is one (a keyword inside a sentence is not)."""
    if len(text) > 40:
        return None
    return keyword_table().get(normalise(text))
