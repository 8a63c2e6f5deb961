"""The harder sample stories (../shared/vignettes-hard-sample.json): messy words, red flags said
in passing, replies that start with "no" but describe the flag, Spanish and Spanglish."""

from __future__ import annotations

import json

from tests.support.vignettes import SHARED, answer_for, load_stories


def load_hard_stories() -> list[dict]:
    path = SHARED / "vignettes-hard-sample.json"
    return json.loads(path.read_text(encoding="utf-8"))["stories"]


def all_stories() -> list[dict]:
    """Both sample files: every story must pass by text and by phone."""
    return load_stories() + load_hard_stories()


def says(story: dict, question: str) -> str:
    """What this person says to `question` in their own words, else the plain answer."""
    own = story.get("says", {})
    if question in own:
        return own[question]
    return answer_for(story, question)
