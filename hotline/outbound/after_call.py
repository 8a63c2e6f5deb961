"""After a call: one text with the advice the caller was given, when their number can get texts.

Run by RQ (`send_call_summary`), enqueued by POST /voice/status once the call has ended. The
follow-up check-in is not planned here: the store planned it in the turn that gave the advice,
as for a text conversation.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

from hotline.outbound import followup_jobs
from hotline.outbound.twilio_rest import SendError, make_sender
from hotline.redact import mask_phone
from hotline.services import Hotline, build_hotline
from hotline.settings import Settings
from hotline.store.call_summary import CallSummaryStore
from hotline.store.clock import now_iso
from hotline.triage.conversation import Turn
from hotline.triage.decision import SELF_CARE, SOON, advice_keys

log = logging.getLogger("hotline.outbound.after_call")

_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
# What Twilio puts in From when the caller's number is hidden: anonymous, unknown, restricted,
# blocked, unavailable (Twilio's "Caller ID values for unknown callers"). Never a phone.
HIDDEN_CALLER_IDS = frozenset({"+266696687", "+86282452253", "+7378742833", "+2562533", "+8656696"})

SENT, NOTHING_TO_SEND, NO_TEXT_NUMBER, OPTED_OUT, ALREADY_SENT, REFUSED = (
    "sent",
    "nothing to send",
    "no number that takes texts",
    "opted out",
    "already sent",
    "refused by Twilio",
)
UNCONFIRMED = "sent, unconfirmed"  # an earlier run never heard back: not sent again


class SummaryInFlight(Exception):
    """Another run may be waiting on Twilio for this text right now: RQ's retry looks again."""


def can_receive_texts(phone: str | None) -> bool:
    """A number a text could reach. Whether it is a mobile only Twilio can tell, when sending."""
    return bool(phone and _E164.match(phone) and phone not in HIDDEN_CALLER_IDS)


def summary_keys(record: dict) -> list[str]:
    """The end of the call in its text wording: advice, the safety net where the call gave it,
    and the follow-up note when a follow-up is planned."""
    disposition = record["disposition"]
    keys = list(advice_keys(disposition, record["answers"]))
    if disposition in (SOON, SELF_CARE):  # as conversation._give_advice says it
        keys.append("safety_net")
    if any(f["status"] == "scheduled" for f in record["followups"]):
        keys.append("followup_note")
    return keys


def summary_text(hotline: Hotline, record: dict) -> str:
    turn = Turn({"lang": record["language"]}, hotline.context, "sms")
    for key in summary_keys(record):
        turn.say(key)
    return " ".join(reply["text"] for reply in turn.replies)


def deliver_call_summary(hotline: Hotline, conversation_id: str) -> str:
    """Text the caller the advice from their call; returns what happened (for logs and tests)."""
    record = hotline.store.get_record(conversation_id)
    if not record or record["channel"] != "voice" or not record["disposition"]:
        return NOTHING_TO_SEND
    phone = record["phone"]
    if not can_receive_texts(phone):
        return NO_TEXT_NUMBER
    if hotline.store.is_opted_out(phone):
        return OPTED_OUT
    if any(t["channel"] == "sms" and t["direction"] == "out" for t in record["transcript"]):
        return ALREADY_SENT  # a retried job after the text went out
    body = summary_text(hotline, record)
    # Exactly once, as a follow-up (outbound/followup_jobs.py): an attempt is recorded before
    # the REST call; a run that finds one without a result never sends again.
    summaries = CallSummaryStore(hotline.redis, hotline.settings)
    outcome, token = summaries.claim(conversation_id, followup_jobs.in_flight_window())
    if outcome == "in_flight":
        raise SummaryInFlight(conversation_id)
    if outcome == "unconfirmed":
        log.warning("call summary to %s: an earlier send never heard back; settled as sent, "
                    "unconfirmed (not sent again)", mask_phone(phone))
        _note(hotline, conversation_id, {"type": "call_summary_unconfirmed"})
        return UNCONFIRMED
    if outcome != "claimed":
        return ALREADY_SENT if outcome == "done" else NOTHING_TO_SEND
    try:
        sent = make_sender(hotline.settings, timeout=followup_jobs.SEND_TIMEOUT).send(phone, body)
    except SendError as exc:
        return _failed(hotline, summaries, conversation_id, token, phone, exc)
    summaries.record_sent(
        conversation_id,
        token,
        sent.sid,
        {"at": now_iso(), "direction": "out", "channel": "sms", "text": body},
    )
    log.info("call summary sent to %s (%s)", mask_phone(phone), sent.status)
    return SENT


def _failed(hotline: Hotline, summaries, conversation_id: str, token: str, phone: str,
            exc: SendError) -> str:
    if exc.retryable:
        if followup_jobs.nothing_went_out(exc):
            summaries.release(conversation_id, token)  # Twilio never took it: try again
        # else Twilio may have it (a timeout): the attempt stays, and the retry settles it
        raise exc  # RQ retries the job (see voice.enqueue_summary)
    log.warning("call summary to %s refused: %s", mask_phone(phone), exc.code)
    summaries.record_refused(conversation_id, token, exc.code)
    _note(hotline, conversation_id, {"type": "call_summary_refused", "code": exc.code})
    return REFUSED


def _note(hotline: Hotline, conversation_id: str, event: dict) -> None:
    hotline.store.append_log(
        conversation_id,
        [{"at": now_iso(), "direction": "event", "channel": "sms", "text": json.dumps(event)}],
    )


@lru_cache(maxsize=1)
def worker_hotline() -> Hotline:
    """The worker process's hotline, built once from the environment."""
    return build_hotline(Settings.from_env())


def send_call_summary(conversation_id: str) -> str:
    """RQ job: the after-call text for one conversation."""
    return deliver_call_summary(worker_hotline(), conversation_id)
