"""Property-based: whatever anyone writes, at whatever point, the step answers and stays safe."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.triage.conversation import ASKING, Context, Inbound, step
from hotline.triage.decision import rank
from hotline.triage.keywords import match_keyword
from hotline.triage.protocol import load_protocol

CTX = Context(protocol=load_protocol())
WORDS = st.sampled_from(["yes", "no", "sí", "1", "2", "3", "worse", "better", "STOP", "START",
                         "HELP", "RESTART", "ESPAÑOL", "english", "2 days", "10 min",
                         "I fell", "can't walk", "", " ", "👍", "banana", "not sure"])
MESSAGES = st.one_of(st.text(max_size=300), WORDS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MESSAGES, min_size=1, max_size=25), st.integers(min_value=0, max_value=3))
def test_every_message_gets_a_reply_and_the_level_never_drops(messages, media):
    state, opted_out = None, False
    level = None
    for text in messages:
        state, replies, effects = step(state, Inbound(text, media_count=media % 2,
                                                      opted_out=opted_out), CTX)
        kinds = {e["type"] for e in effects}
        if opted_out and "opt_in" not in kinds and match_keyword(text) != "help":
            assert replies == []
        else:
            assert replies, text
            assert all(r["text"].strip() for r in replies)
        opted_out = (opted_out or "opt_out" in kinds) and "opt_in" not in kinds
        json.dumps(state)  # always plain data for Redis
        if "new_conversation" in kinds:
            level = None
        if state["phase"] != ASKING and state["disposition"] is not None:
            assert rank(state["disposition"]) >= rank(level)
            level = state["disposition"]
