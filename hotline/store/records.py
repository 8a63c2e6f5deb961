"""A conversation's record in the format of interfaces.md, rebuilt from its Redis hash, its log
stream and its follow-ups.

The log is kept compact, because it is kept for the whole retention period (docs/operations.md):
one stream entry per turn in one field (so Redis stores its name once per stream node), its
stream id its time, the usual direction and channel one letter, and an outbound text, which is
the protocol's wording and so the same for thousands of conversations, stored once in
WORDING_KEY under a hash of it (an answer repeated from the entry before is "="). Staff still
see exactly what was sent: build_record puts the text back. Entries written the earlier ways
(whole fields; the fields m, t and r) read the same.
"""


from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping
from datetime import datetime

from hotline.store.clock import iso_from_ms
from hotline.store.keys import WORDING_KEY
from hotline.store.wording import WORDING

# commit_turn.lua's one-letter m for the usual "direction|channel|" (no message key, no time).
CODES = {"i": "in|sms|", "o": "out|sms|", "e": "event|sms|",
         "I": "in|voice|", "O": "out|voice|", "E": "event|voice|"}
SAME_REFS = "="  # the entry's refs are the ones of the entry just before it
# A text in whose refs are SAME_REFS, written as the letter and the text alone ("r<TAB>text").
REPEATS = {"r": "in|sms|", "R": "in|voice|"}


def log_items(log: list, texts: Mapping[str, str]) -> Iterator[dict]:
    """The log's entries as items {at, direction, channel, text, key}, in stream order."""
    previous: str | None = None  # the refs of the entry before, for a "=" that repeats them
    for entry_id, entry in log:
        items, previous = log_entries(entry_id, entry, texts, previous)
        yield from items


def log_entries(
    entry_id: str, entry: Mapping[str, str], texts: Mapping[str, str], previous: str | None = None
) -> tuple[list[dict], str | None]:
    """A stream entry as log items, and its refs (for the entry after it), whichever way it was
    written: whole fields (follow-ups, outage turns, call events), commit_turn.lua's one field
    "e" (m, refs and text, tab-separated; a text in that repeats the refs before, "r" or "R"
    and the text), or the three fields m, t and r it wrote before. The refs are texts sent out
    after the entry's own; "=" repeats the previous entry's."""
    if "e" in entry:
        m, _, rest = entry["e"].partition("\t")
        if m in REPEATS:
            m, refs, text = REPEATS[m], SAME_REFS, rest
        else:
            refs, _, text = rest.partition("\t")
            m = CODES.get(m, m)
    elif "m" in entry:
        m, text, refs = entry["m"], entry.get("t", ""), entry.get("r") or ""
    else:
        item = {
            "at": entry.get("at"),
            "direction": entry.get("direction"),
            "channel": entry.get("channel"),
            "text": entry.get("text", ""),
            "key": entry.get("key"),
        }
        return [item], None
    if refs == SAME_REFS:
        if previous is None:
            raise LookupError(f"{entry_id} repeats the refs of an entry that has none")
        refs = previous
    return _compact_items(entry_id, m, text, refs.split(), texts), refs


def wording_refs(log: list) -> set[str]:
    """The wording refs a conversation's log entries name (as log_entries reads them; "r" is
    the field an entry wrote them in before "e")."""
    refs: set[str] = set()
    for _, entry in log:
        if "e" in entry:
            m, _, rest = entry["e"].partition("\t")
            named = "" if m in REPEATS else rest.partition("\t")[0]
        else:
            named = entry.get("r") or ""
        refs.update(ref for ref in named.split() if ref != SAME_REFS)
    return refs


WHOLE_FIELDS = frozenset(("at", "direction", "channel", "text", "key"))


def compact_entry(entry: Mapping[str, object]) -> dict[str, str]:
    """A log entry given whole ({at, direction, channel, text[, key]}) in the one field "e" that
    log_entries reads back the same (m names its time: the stream id is Redis's clock). An entry
    with fields of its own beyond those, or that the field could not carry, stays whole."""
    head = ["" if entry.get(name) is None else str(entry[name])
            for name in ("direction", "channel", "key", "at")]
    direction, channel, _, at = head
    if (set(entry) - WHOLE_FIELDS or not (direction and channel and at)
            or any("|" in part or "\t" in part for part in head)):
        return {name: str(value) for name, value in entry.items()}
    return {"e": "|".join(head) + "\t\t" + str(entry.get("text") or "")}


def _compact_items(
    entry_id: str, m: str, text: str, refs: list[str], texts: Mapping[str, str]
) -> list[dict]:
    direction, channel, key, *rest = m.split("|", 3)
    at = rest[0] if rest else iso_from_ms(int(entry_id.partition("-")[0]))
    items = []
    if direction != "out" or text or not refs:
        items.append(
            {"at": at, "direction": direction, "channel": channel, "text": text, "key": key or None}
        )
    for ref in refs:
        if ref not in texts:
            raise LookupError(f"wording {ref} of {entry_id} is not in {WORDING_KEY}")
        items.append(
            {"at": at, "direction": "out", "channel": channel, "text": texts[ref], "key": None}
        )
    return items


PIECE_MARK = "#"  # commit_turn.lua's "<field>#2", "<field>#3": the pieces after a field's first


def record_fields(stored: Mapping[str, str]) -> dict[str, str]:
    """A record hash as read (HGETALL), its long values whole again. commit_turn.lua writes a
    value longer than 64 bytes in pieces, the field holding the first and "<field>#2",
    "<field>#3" ... the others, so that Redis keeps the hash compact; a record written whole
    (before) reads as it is. Every reader of the hash reads it through this."""
    if not any(PIECE_MARK in name for name in stored):
        return dict(stored)
    fields = {}
    for name, value in stored.items():
        if PIECE_MARK in name:
            continue
        pieces, n = [value], 2
        while (piece := stored.get(f"{name}{PIECE_MARK}{n}")) is not None:
            pieces.append(piece)
            n += 1
        fields[name] = "".join(pieces)
    return fields


# What a follow-up planned by commit_turn.lua holds without storing it: its id is the name of
# its field in the follow-ups hash, and these are null until it is sent and answered.
FOLLOWUP_DEFAULTS = {"sent_at": None, "reply": None}


def followup_of(followup_id: str, stored: Mapping[str, object]) -> dict:
    """A follow-up as every reader sees it, from its decoded JSON: with its id, and sent_at and
    reply null where they are not stored (one stored before has them all)."""
    return {"id": followup_id, **FOLLOWUP_DEFAULTS, **stored}


CONVERSATION_ID = re.compile(r"c([0-9a-f]{11})[0-9a-f]{10}")  # turns.new_conversation_id


def started_at_of(conv_id: str) -> str | None:
    """A conversation's start, from its id (c<ms since epoch in hex><random>): the record does
    not hold it as well."""
    match = CONVERSATION_ID.fullmatch(conv_id)
    return iso_from_ms(int(match.group(1), 16)) if match else None


def build_record(
    conv_id: str,
    meta: dict,
    log: list,
    fus: dict,
    session_ttl: float,
    texts: Mapping[str, str] | None = None,
    tasks: Mapping[str, str] | None = None,
) -> dict:
    """The interfaces.md record. `texts` holds the wording the log refers to; without it the
    wording is read through WORDING (from its cache, else from Redis)."""
    if texts is None:
        texts = WORDING.texts(wording_refs(log))
    meta = record_fields(meta)
    transcript, events = [], []
    for full in log_items(log, texts):
        item = {
            "at": full["at"],
            "direction": full["direction"],
            "text": full["text"],
            "channel": full["channel"],
        }
        (events if item["direction"] == "event" else transcript).append(item)
    transcript.sort(key=lambda item: item["at"] or "")  # outage turns are written late
    followups = sorted(
        (followup_of(fid, json.loads(raw)) for fid, raw in fus.items()),
        key=lambda f: f.get("due_ts", 0),
    )
    for fu in followups:
        fu.pop("due_ts", None)  # bookkeeping of the due index and of delivery order, not record
        fu.pop("delivery_rank", None)
    status = meta.get("status", "active")
    if status == "active" and _silent_for(meta.get("updated_at"), session_ttl):
        status = "expired"
    return {
        "id": conv_id,
        "phone": meta.get("phone"),
        "channel": meta.get("channel", "sms"),
        "language": meta.get("language", "en"),
        "status": status,
        "stopped_at": meta.get("stopped_at") or None,
        "started_at": meta.get("started_at") or started_at_of(conv_id),
        "updated_at": meta.get("updated_at"),
        "disposition": meta.get("disposition") or None,
        "red_flags": json.loads(meta.get("red_flags") or "[]"),
        "answers": json.loads(meta.get("answers") or "{}"),
        "rule": meta.get("rule") or None,
        "transcript": transcript,
        "events": events,
        "followups": followups,
        "alerts": alert_list(tasks or {}),
        "review": json.loads(meta["review"]) if meta.get("review") else None,
        "reviews": _reviews(meta),
    }


ALERT_STATUSES = {"sent": "sent", "failed": "failed", "scheduled": "pending"}


def alert_list(tasks: Mapping[str, str]) -> list[dict]:
    """The record's `alerts`: each on-call text and webhook call, and how it went. An on-call
    number shows only its last four digits, as every number does on staff screens."""
    alerts = []
    for raw in tasks.values():
        task = json.loads(raw)
        if task.get("kind") not in ("alert_text", "alert_webhook"):
            continue
        to = "webhook" if task["kind"] == "alert_webhook" else "…" + (task.get("to") or "")[-4:]
        at = task.get("sent_at") or task.get("failed_at") or task.get("planned_at")
        status = ALERT_STATUSES.get(task.get("status"), task.get("status"))
        alerts.append({"to": to, "level": task.get("level"), "at": at, "status": status,
                       "attempts": task.get("attempts") or 0})
    return sorted(alerts, key=lambda a: (a["at"] or "", a["to"]))


def _reviews(meta: dict) -> list[dict]:
    """Every review, newest first (a record reviewed before all were kept has its one)."""
    if meta.get("reviews"):
        return json.loads(meta["reviews"])
    return [json.loads(meta["review"])] if meta.get("review") else []


def _silent_for(updated_at: str | None, seconds: float) -> bool:
    if not updated_at:
        return False
    then = datetime.fromisoformat(updated_at.replace("Z", "+00:00")).timestamp()
    return time.time() - then > seconds
