"""Shaping records for the staff pages: local times, the follow-up column, the timeline and the
answers table. Pure functions of a record; the templates only lay them out."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.triage.decision import FLAG_LEVELS
from hotline.triage.protocol import Protocol


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def local_time(value: str | None, tz: ZoneInfo) -> str:
    moment = parse_iso(value)
    if moment is None:
        return "—"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def duration_label(hours: object) -> str:
    if not isinstance(hours, int | float) or isinstance(hours, bool):
        return str(hours)
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:g} h"
    return f"{hours / 24:.1f} days".replace(".0 ", " ")


def shown_status(fu: dict) -> str:
    """A follow-up's status as staff should read it: a send Twilio never confirmed is
    "unconfirmed", not "sent" (it may never have left), and one mid-send is "sending"."""
    status = fu.get("status") or ""
    if status == "sent" and fu.get("confirmed") is False and not fu.get("sid"):
        return "unconfirmed"
    if status == "scheduled" and isinstance(fu.get("attempt"), dict):
        return "sending"
    return status


def can_resend(fu: dict) -> bool:
    return shown_status(fu) == "unconfirmed"


def followup_state(record: dict) -> dict | None:
    """The follow-up that matters most for the queue: the latest one planned."""
    followups = record.get("followups") or []
    if not followups:
        return None
    latest = followups[-1]
    return {
        "status": shown_status(latest),
        "due_at": latest.get("due_at"),
        "sent_at": latest.get("sent_at"),
        "reply": latest.get("reply"),
        "count": len(followups),
    }


def timeline(record: dict) -> list[dict]:
    """Messages in and out and the conversation's events, in time order."""
    items = [
        {**line, "kind": line.get("direction") or "in", "event": None}
        for line in record.get("transcript") or []
    ]
    for line in record.get("events") or []:
        try:
            event = json.loads(line.get("text") or "{}")
        except ValueError:
            event = {}
        items.append({**line, "kind": "event", "event": event if isinstance(event, dict) else {}})
    # Stable: within one turn the message lines keep their order and events follow them.
    items.sort(key=lambda item: item.get("at") or "")
    return items


def answer_rows(record: dict, protocol: Protocol) -> list[dict]:
    """The answers in the order the questions are asked, each with its English wording."""
    answers = dict(record.get("answers") or {})
    flags = set(record.get("red_flags") or [])
    rows = []
    order = [q.key for q in protocol.questions] + sorted(
        set(answers) - {q.key for q in protocol.questions}
    )
    for key in order:
        if key not in answers:
            continue
        value = answers[key]
        rows.append(
            {
                "key": key,
                "question": _question_text(protocol, key),
                "answer": duration_label(value) if key == "duration" else str(value),
                "level": FLAG_LEVELS.get(key),
                "raised": key in flags,
            }
        )
    return rows


def _question_text(protocol: Protocol, key: str) -> str:
    try:
        return protocol.text("en", f"question.{key}", "sms")
    except (KeyError, ValueError):
        return ""
