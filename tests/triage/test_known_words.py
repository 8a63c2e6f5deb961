"""prompts/known_words.txt lists the real words the misspelling correction must leave alone;
it is written from the understanding vocabulary, so it must be rewritten when that changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hotline.triage.lexicon import known_words

ROOT = Path(__file__).resolve().parents[2]


def test_the_known_words_file_is_up_to_date_with_the_vocabulary():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "known_words"), "--check"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_known_words_are_loaded():
    words = known_words()
    assert {"pitched", "vaina", "cuido"} <= words
    assert "bladdar" not in words
