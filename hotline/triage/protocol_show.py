"""`hotline protocol show`: the whole flow as Markdown a clinician can review and sign off."""

from __future__ import annotations

from hotline.triage.decision import (
    DISPOSITIONS,
    EMERGENCY,
    FLAG_LEVELS,
    SELF_CARE_MAX_HOURS,
    URGENT,
)
from hotline.triage.protocol import Protocol

FIELDS = {"emergency_number": "{emergency_number}", "transfer_number": "{transfer_number}"}


def render_markdown(protocol: Protocol, lang: str) -> str:
    meta = protocol.meta[lang]
    text = lambda key, channel="sms": protocol.messages[lang][channel].get(key) or (  # noqa: E731
        protocol.messages[lang]["sms"][key])
    lines = [f"# Leg numbness triage protocol: {meta.get('name', lang)} ({lang})", ""]
    if not meta.get("reviewed_by_fluent_speaker", False):
        lines += ["> **Not yet reviewed by a fluent speaker.** Do not release before review.", ""]
    lines += ["## First message", "", f"> {text('greeting')}", "", "## Questions, in order", "",
              "| # | key | asks | a *yes* means |", "| --- | --- | --- | --- |"]
    for n, q in enumerate(protocol.questions, 1):
        outcome = _outcome(q.flag, q.kind)
        lines.append(f"| {n} | `{q.key}` | {text('question.' + q.key)} | {outcome} |")
    lines += ["", "## How answers lead to advice", "",
              "1. An emergency red flag (a *yes*, or named in any message) stops the questions and "
              "gives the emergency advice at once.",
              "2. An urgent red flag skips the story; the emergency flags not yet answered are "
              "still asked; then the urgent advice.",
              f"3. Self-care only when all hold: a pressure cause, under {SELF_CARE_MAX_HOURS:g} "
              "hours, not worsening, not recurring, no risk condition.",
              "4. Otherwise: soon.",
              "5. Three unclear answers to one question: the person is told how to reach a "
              "person, and the unanswered question counts as the worst answer (an unanswered red "
              "flag counts as present; an unknown story answer rules out self-care).",
              "", "## Advice per disposition", ""]
    for level in DISPOSITIONS:
        lines += [f"### {level}", "", f"> {text('advice.' + level)}", ""]
        if level != EMERGENCY:
            lines += [f"Follow-up text: > {text('checkin.' + level)}", ""]
    lines += ["## Spoken wording that differs on a call", ""]
    for key, value in sorted(protocol.messages[lang]["voice"].items()):
        lines.append(f"- `{key}`: {value}")
    lines += ["", "## Other messages", ""]
    for key, value in sorted(protocol.messages[lang]["sms"].items()):
        if not key.startswith(("question.", "advice.")):
            lines.append(f"- `{key}`: {value}")
    lines += ["", "Signed off by: ____________________  Date: __________", ""]
    return "\n".join(lines)


def _outcome(flag: str | None, kind: str) -> str:
    if flag is None:
        if kind == "duration":
            return "story: read as hours"
        return "story (no single answer is a red flag)"
    level = FLAG_LEVELS[flag]
    return ("**emergency**: stop, emergency advice" if level == EMERGENCY else
            "**urgent**: skip the story, urgent advice" if level == URGENT else level)
