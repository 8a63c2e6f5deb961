"""The harder sample stories (../shared/vignettes-hard-sample.json): messy words, red flags said
in passing, replies that start with "no" but describe the flag, Spanish and Spanglish."""

from __future__ import annotations

import json

from hotline.triage.conversation import ASKING, Context, Inbound, step
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


def play_story(story: dict, ctx: Context) -> dict:
    """Play a story through the conversation core, in its own words, to its last state."""
    state, _, _ = step(None, Inbound(story["opening"]), ctx)
    for _ in range(40):
        if state["phase"] != ASKING:
            break
        state, _, _ = step(state, Inbound(says(story, state["question"])), ctx)
    return state
