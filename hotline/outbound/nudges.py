"""Silence in the middle of the questions: one nudge after HOTLINE_NUDGE_AFTER, and after
HOTLINE_NO_REPLY_AFTER the conversation is closed (status no_reply, stopped_at the question)
with one safety-net text. A call hung up mid-way is closed the same way (hotline/channels/voice.py
calls close_call), with the same text.

How silence is noticed without a write on every turn: a turn that begins asking (a new
conversation, a reopened one) puts the texter in the silence index with the time to look again;
the sweeper thread of the worker (hotline/outbound/worker.py) looks at those whose time has come,
judges from the record's last activity, and either moves them on, plans the nudge, closes the
conversation, or drops them (finished, opted out, expired). Nudges and the closing text are not
held for quiet hours: the person was in touch minutes ago.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime

from hotline.outbound import safety_net
from hotline.outbound.after_call import can_receive_texts
from hotline.redact import log_failure
from hotline.services import Hotline
from hotline.store.clock import now_iso
from hotline.store.safety_net import NO_REPLY, NUDGE, Silence, TaskClaim, conversation_of
from hotline.triage import safety_net as wording
from hotline.triage.conversation import ASKING

log = logging.getLogger("hotline.outbound.nudges")

# Effects of a turn that (may) begin asking: only then is the texter put in the index.
BEGINS_ASKING = frozenset({"new_conversation", "cancel_followups", "checkin_answered", "opt_in"})


# --- after a turn (the web process) ---


def silence_check_at(
    settings, state: dict | None, effects: list[dict], now: float | None = None
) -> float | None:
    """When the sweeper first looks at a texter this turn leaves being asked questions, or
    None: only a turn that begins asking puts them in the silence index (the turn's own commit
    writes it, so watching costs no round trip of its own)."""
    if not state or state.get("phase") != ASKING or ends_silence_watch(state, effects):
        return None  # STOP cancels follow-ups too, but begins nothing
    if not any(e["type"] in BEGINS_ASKING for e in effects):
        return None  # already watched since the turn that began asking
    first_look = settings.nudge_after or settings.no_reply_after
    return (time.time() if now is None else now) + first_look


def ends_silence_watch(state: dict | None, effects: list[dict]) -> bool:
    """True for a turn after which the sweeper would only drop the texter (STOP: nothing may
    be sent until START; the advice given): that turn's commit drops them instead, so a
    finished conversation does not keep its entry (~110 bytes) until the sweeper comes."""
    types = {e["type"] for e in effects}
    if "opt_out" in types:
        return True
    return "finished" in types and (state or {}).get("phase") != ASKING


# --- the sweeper (the worker) ---


def sweep_silence(
    hotline: Hotline, now: float | None = None, limit: int = 500, budget: float = 2.0
) -> int:
    """Look at every watched texter whose time has come, a batch at a time for at most
    `budget` seconds (the rest wait for the next sweep); returns how many tasks were planned."""
    now = time.time() if now is None else now
    store = safety_net.store_of(hotline)
    planned, stop_at = 0, time.monotonic() + budget
    while True:
        sessions = store.watched(now, limit)
        for session in sessions:
            try:
                planned += _look_at(hotline, store.silence(session), now)
            except Exception as exc:  # one bad entry must not stop the others
                log_failure(log, "judging a silence", session, exc)
        if len(sessions) < limit or time.monotonic() > stop_at:
            return planned


def _look_at(hotline: Hotline, silence: Silence, now: float) -> int:
    store = safety_net.store_of(hotline)
    stored, settings = silence.stored, hotline.settings
    state = (stored or {}).get("state") or {}
    if (
        state.get("phase") != ASKING
        or not state.get("question")
        or silence.opted_out
        or silence.status not in (None, "active")
        or not silence.updated_at
    ):
        store.unwatch(silence.session)  # finished, opted out, closed or gone: nothing to do
        return 0
    last = _timestamp(silence.updated_at)
    conv_id = stored["conv"]
    if now >= last + settings.no_reply_after:
        return _close(hotline, silence, state, now)
    nudge_at = last + settings.nudge_after if settings.nudge_after else None
    if nudge_at is not None and now >= nudge_at:
        task = _task(conv_id, f"{NUDGE}-{int(last * 1000)}", NUDGE, now)
        task["silence_of"] = silence.updated_at
        created = store.plan(conv_id, [task], session=silence.session,
                             next_check=_after_nudge(settings, last, now))
        return len(created)
    if nudge_at is None:
        next_check = last + settings.no_reply_after
    elif store.get(f"{conv_id}:{NUDGE}-{int(last * 1000)}") is not None:
        next_check = _after_nudge(settings, last, now)  # nudged: watch for the next silence
    else:
        next_check = nudge_at
    store.plan(conv_id, [], session=silence.session, next_check=next_check)
    return 0


def recheck_interval(settings) -> float:
    """How often a nudged texter is looked at again: a reply after the nudge starts a new
    silence (with a nudge of its own) that no index entry announces, so it is found by looking;
    a tenth of the nudge delay, between 1 s and a minute (a second nudge is at most that late)."""
    return min(60.0, max(1.0, (settings.nudge_after or 0) / 10))


def _after_nudge(settings, last: float, now: float) -> float:
    return min(last + settings.no_reply_after, now + recheck_interval(settings))


def _close(hotline: Hotline, silence: Silence, state: dict, now: float) -> int:
    conv_id = silence.stored["conv"]
    task = _task(conv_id, NO_REPLY, NO_REPLY, now)
    outcome = safety_net.store_of(hotline).close(
        silence,
        stopped_at=state["question"],
        flags_open=wording.red_flags_unanswered(state.get("answers") or {}),
        task=task,
        now=now,
    )
    if outcome != "ok":
        return 0  # they wrote just now: the next look judges the new silence
    log.info("conversation %s closed: no reply at %s", conv_id, state["question"])
    return 1


def plan_call_closing(hotline: Hotline, conversation_id: str, phone: str) -> list[str]:
    """A call hung up mid-triage was closed by its last turn: text the safety net at once
    when the number takes texts. Returns the task ids planned (none when it cannot)."""
    if not can_receive_texts(phone) or hotline.store.is_opted_out(phone):
        return []
    task = _task(conversation_id, NO_REPLY, NO_REPLY, time.time())
    created = safety_net.store_of(hotline).plan(conversation_id, [task])
    return created


def _task(conv_id: str, suffix: str, kind: str, now: float) -> dict:
    return {
        "id": f"{conv_id}:{suffix}",
        "kind": kind,
        "status": "scheduled",
        "due_ts": now,
        "planned_at": now_iso(now),
    }


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


# --- the job's side ---


def still_silent(ctx: safety_net.Context, task: dict) -> bool:
    """A nudge goes out only while the silence it was planned for lasts."""
    conv_id = conversation_of(task["id"])
    phone = ctx.store.phone_of(conv_id)
    if not phone:
        return False
    silence = ctx.store.silence(phone)
    state = (silence.stored or {}).get("state") or {}
    return (
        (silence.stored or {}).get("conv") == conv_id
        and silence.updated_at == task.get("silence_of")
        and state.get("phase") == ASKING
        and silence.status in (None, "active")
    )


def text_body(ctx: safety_net.Context, claim: TaskClaim) -> str:
    """The nudge or the closing text, in the conversation's language, from its answers."""
    meta = claim.meta
    lang = meta.get("language") or "en"
    try:
        answers = json.loads(meta.get("answers") or "{}")
    except ValueError:
        answers = {}  # nothing ruled out: every sign is named
    build = wording.nudge_text if (claim.task or {}).get("kind") == NUDGE else wording.closing_text
    return build(ctx.hotline.protocol, lang, answers, ctx.hotline.settings.emergency_number)
