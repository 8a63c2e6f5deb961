"""A finished self-care conversation in either language: where every check-in test starts."""

from __future__ import annotations

from hotline.triage.conversation import Context
from hotline.triage.decision import SELF_CARE
from tests.support.hard_vignettes import play_story

SELF_CARE_STORY = {
    "en": ("my foot fell asleep sitting on the floor", "20 minutes"),
    "es": ("se me durmió el pie por estar sentado en el piso", "20 minutos"),
}


def finished_self_care(lang: str, ctx: Context) -> dict:
    """Play the foot-fell-asleep story to its self-care advice and return the state."""
    opening, duration = SELF_CARE_STORY[lang]
    story = {"lang": lang, "opening": opening,
             "facts": {"duration": duration, "pressure_cause": True}}
    state = play_story(story, ctx)
    assert state["disposition"] == SELF_CARE
    return state
