"""The sample patient stories (../shared/vignettes-sample.json) and how each person answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

SHARED = Path(os.environ.get("HOTLINE_SHARED_DIR")
              or Path(__file__).resolve().parents[3] / "shared")
YES = {"en": "yes", "es": "sí"}
NO = {"en": "no", "es": "no"}


def load_stories() -> list[dict]:
    path = SHARED / "vignettes-sample.json"
    return json.loads(path.read_text(encoding="utf-8"))["stories"]


def answer_for(story: dict, question: str) -> str:
    """What this person says to `question`: only what the story's facts say, else no."""
    facts, lang = story["facts"], story["lang"]
    if question == "duration":
        return facts.get("duration", "a few days")
    return YES[lang] if facts.get(question) else NO[lang]
