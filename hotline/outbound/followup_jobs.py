"""Sending one check-in text, exactly once: the steps the dispatcher takes for each follow-up
(hotline/outbound/dispatcher.py), and `deliver()`, the same steps for one.

Exactly once, even when two runs take the same follow-up (two dispatchers, a lease that ran
out) or a worker is killed around the REST call:

1. claim: atomically check the follow-up is still due (not cancelled, not already sent, the
   number not opted out, no newer conversation) and write an attempt token and time into it,
   before any call to Twilio;
2. send through hotline.outbound, with a status callback URL that names the follow-up;
3. record: atomically the sid, status "sent", the conversation's check-in state (a version
   compare-and-set on the phone's state) and the text in the conversation log.

A run that finds an attempt without a result does not send blindly. While the attempt is young
(the REST timeout plus a margin) another run may still be waiting on Twilio, so it leaves it;
once it is older, Twilio's message list for the number says what happened: the text is there
(the worker died after the request left: recorded as sent, with its sid) or it is not (it died
before: sent now, under a fresh claim). Only when Twilio cannot be asked is it settled as sent,
unconfirmed, which staff see and can send again. Errors that prove nothing went out (Twilio
answered 429/5xx, or the connection was refused) clear the attempt and retry with backoff.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import aiohttp
import requests
from urllib3.exceptions import NewConnectionError

from hotline.outbound.schedule import quiet_until
from hotline.outbound.twilio_rest import (
    LookupUnavailable,
    Sender,
    SendError,
    SentMessage,
    make_sender,
)
from hotline.redact import mask_phone
from hotline.services import Hotline, build_hotline
from hotline.settings import Settings
from hotline.store.followups import Claim, FollowupStore, SentRecord
from hotline.store.outage_buffer import OutageBuffer
from hotline.triage.conversation import FINISHED, new_state, start_checkin

log = logging.getLogger("hotline.outbound.followups")

SEND_TIMEOUT = 10.0  # seconds the REST call may take; an attempt younger than this + margin
IN_FLIGHT_MARGIN = 5.0  # may still be waiting on Twilio
RETRY_BACKOFF = (10, 30, 120, 600, 1800)  # seconds before each retry after a 429 / 5xx
MAX_STATE_ATTEMPTS = 8
OPT_OUT_CODES = frozenset({21610})  # the recipient texted STOP to our number
BUSY_DEFER = 30 * 60  # seconds a check-in waits while a newer conversation is under way


@dataclass
class Services:
    """What the job needs, built once per worker process."""

    hotline: Hotline
    sender: Sender
    followups: FollowupStore


_services: Services | None = None


def make_services(settings: Settings, hotline: Hotline | None = None) -> Services:
    hotline = hotline or build_hotline(settings)
    return Services(
        hotline, make_sender(settings, timeout=SEND_TIMEOUT), FollowupStore(hotline.redis, settings)
    )


def use_services(services: Services | None) -> None:
    """Set the process's services (the worker does, from its settings); None forgets them."""
    global _services
    _services = services


def services() -> Services:
    global _services
    if _services is None:
        _services = make_services(Settings.from_env())
    return _services


def configure(
    *,
    send_timeout: float | None = None,
    in_flight_margin: float | None = None,
    retry_backoff: tuple[int, ...] | None = None,
) -> None:
    """Tune timing for this process (the worker class does; tests shorten it)."""
    global SEND_TIMEOUT, IN_FLIGHT_MARGIN, RETRY_BACKOFF
    if send_timeout is not None:
        SEND_TIMEOUT = send_timeout
    if in_flight_margin is not None:
        IN_FLIGHT_MARGIN = in_flight_margin
    if retry_backoff is not None:
        RETRY_BACKOFF = tuple(retry_backoff)


def in_flight_window() -> float:
    return SEND_TIMEOUT + IN_FLIGHT_MARGIN


def max_send_attempts() -> int:
    return len(RETRY_BACKOFF) + 1


def retry_delay(attempts: int) -> int:
    """Backoff before the next try after `attempts` failed ones."""
    return RETRY_BACKOFF[min(max(attempts, 1), len(RETRY_BACKOFF)) - 1]


def send_followup(followup_id: str) -> str:
    """The RQ job of earlier releases (hotline.outbound.followups.send_followup): one queued
    before an upgrade still sends through the same exactly-once path."""
    return deliver(services(), followup_id)


@dataclass(frozen=True)
class _Step:
    claim: Claim
    checkin: tuple[int, dict, str, str]  # the state version, check-in state, text and its key

    @property
    def phone(self) -> str:
        return self.claim.phone or ""

    @property
    def text(self) -> str:
        return self.checkin[2]


@dataclass(frozen=True)
class Send(_Step):
    """A claimed follow-up, ready to go: the text, and how to record it once sent."""

    callback: str | None


@dataclass(frozen=True)
class Lookup(_Step):
    """An earlier attempt never recorded its result: Twilio's message list says which it was."""

    since: float


def deliver(svc: Services, followup_id: str, now: float | None = None) -> str:
    """Send the check-in `followup_id` unless it is settled; return what happened. The
    dispatcher (hotline/outbound/dispatcher.py) takes the same steps for many at once."""
    if postponed_for_quiet_hours(svc, followup_id, now):
        return "quiet_hours"
    step = next_step(svc, svc.followups.claim(followup_id, in_flight_window(), now), now)
    if isinstance(step, Lookup):
        try:
            found: SentMessage | None | LookupUnavailable = svc.sender.find_sent(
                step.phone, step.text, step.since
            )
        except LookupUnavailable as exc:
            found = exc
        outcome = looked_up(svc, step, found)
        if outcome != "resend":
            return outcome
        step = next_step(svc, svc.followups.claim(followup_id, in_flight_window(), now), now)
    if isinstance(step, Send):
        try:
            message = svc.sender.send(step.phone, step.text, step.callback)
        except SendError as exc:
            return send_failed(svc, step.claim, exc)
        return sent(svc, step, message)
    return step


def next_step(svc: Services, claim: Claim, now: float | None = None) -> Send | Lookup | str:
    """What a claim leaves to do: a text to send, an earlier attempt to look up, or nothing
    (the outcome, already recorded)."""
    if claim.outcome == "claimed":
        return _claimed(svc, claim, now)
    if claim.outcome == "unconfirmed":
        checkin = _checkin(svc, claim, claim.state_version, claim.stored_state)
        attempt = (claim.followup or {}).get("attempt") or {}
        return Lookup(claim, checkin, float(attempt.get("at") or 0))
    if claim.outcome == "confirmed":
        sid = (claim.followup or {}).get("sid")
        checkin = _checkin(svc, claim, claim.state_version, claim.stored_state)
        _record_sent(svc, claim, sid, "", checkin)
        return "confirmed"
    log.info("follow-up %s not sent: %s", claim.followup_id, claim.outcome)
    return claim.outcome


def _claimed(svc: Services, claim: Claim, now: float | None) -> Send | str:
    if _another_conversation_under_way(svc, claim, now):
        later = (time.time() if now is None else now) + BUSY_DEFER
        svc.followups.record_retry(claim, next_try=later, code=None, http_status=None)
        log.info("follow-up %s: another conversation is under way; in %d s again",
                 claim.followup_id, BUSY_DEFER)
        return "deferred"
    phone = claim.phone or ""
    if stop_not_yet_written_back(svc.hotline.settings, phone):
        svc.followups.release(claim)  # due again: sent, or cancelled by the STOP, once applied
        log.warning("follow-up %s held: %s texted STOP during a Redis outage", claim.followup_id,
                    mask_phone(phone))
        return "held"
    try:
        checkin = _checkin(svc, claim, claim.state_version, claim.stored_state)
    except Exception:
        svc.followups.release(claim)  # nothing was sent: let a later run try
        raise
    return Send(claim, checkin, status_callback_url(svc.hotline.settings, claim.followup_id))


def sent(svc: Services, step: Send, message: SentMessage) -> str:
    """Twilio took the text: record it (sid, check-in state, the log)."""
    return sent_many(svc, [(step, message)])[0]


def sent_many(svc: Services, sends: list[tuple[Send, SentMessage]]) -> list[str]:
    """sent() for many texts Twilio took, recorded in one round trip; one whose phone's state
    changed meanwhile is recorded again on the fresh state, on its own."""
    records = [
        SentRecord(step.claim, message.sid, message.status, step.text, step.checkin[3],
                   step.checkin[1], step.checkin[0])
        for step, message in sends
    ]
    outcomes = svc.followups.record_sent_many(records)
    for (step, message), outcome in zip(sends, outcomes, strict=True):
        if outcome == "conflict":
            version, state, text, key = _checkin(
                svc, step.claim, *svc.followups.phone_state(step.phone)
            )
            _record_sent(svc, step.claim, message.sid, message.status,
                         (version, state, step.text, key))
    if len(sends) == 1:
        step, message = sends[0]
        log.info("follow-up %s sent to %s as %s", step.claim.followup_id,
                 mask_phone(step.phone), message.sid)
    elif sends:  # a batch: one line, not one per text (the conversation logs hold each)
        log.info("%d follow-ups sent and recorded", len(sends))
    return ["sent"] * len(sends)


def looked_up(svc: Services, step: Lookup, found: SentMessage | None | Exception) -> str:
    """Settle an earlier attempt by what Twilio's message list said: there, it is recorded as
    sent with its sid; not there, it never reached Twilio, and the attempt is cleared so the
    caller claims it again and sends it ("resend"); Twilio could not be asked: settled as
    sent, unconfirmed, which staff see and can send again."""
    claim = step.claim
    if isinstance(found, SentMessage):
        _record_sent(svc, claim, found.sid, found.status, step.checkin)
        log.info("follow-up %s: the earlier send did go out (%s, found in Twilio's list)",
                 claim.followup_id, found.sid)
        return "sent"
    if found is None:
        if svc.followups.record_retry(claim, next_try=time.time(), code=None,
                                      http_status=None) != "ok":
            return "busy"  # another run settled or claimed it meanwhile
        log.warning("follow-up %s: the earlier send never reached Twilio; sending it now",
                    claim.followup_id)
        return "resend"
    log.warning("follow-up %s to %s: an earlier send never recorded its result and Twilio's "
                "list could not be read (%s); settled as sent, unconfirmed", claim.followup_id,
                mask_phone(step.phone), type(found).__name__)
    _record_sent(svc, claim, None, "", step.checkin)
    return "unconfirmed"


def _another_conversation_under_way(svc: Services, claim: Claim, now: float | None) -> bool:
    """The number is in the middle of a newer text conversation (still asking, active within
    BUSY_DEFER): the check-in would take its place in the phone's state and read their next
    answer as a check-in reply. It waits; a newer one that reaches a disposition cancels it."""
    stored = claim.stored_state or {}
    state = stored.get("state") or {}
    other = stored.get("conv")
    if not other or other == claim.conversation_id or state.get("phase") != "asking":
        return False
    updated = svc.followups.updated_at(other)
    moment = time.time() if now is None else now
    return updated is not None and moment - updated < BUSY_DEFER


def postponed_for_quiet_hours(svc: Services, followup_id: str, now: float | None) -> bool:
    """Quiet hours are checked again when sending: a follow-up running late (a worker down,
    retries, the sweeper) moves to the window's end, where the sweeper sends it."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    until = quiet_until(moment, svc.hotline.settings)
    if until is None:
        return False
    outcome = svc.followups.postpone(followup_id, until.timestamp(), moment.timestamp())
    if outcome == "postponed":
        log.info("follow-up %s: quiet hours; postponed to %s", followup_id, until.isoformat())
        return True
    return False  # settled already, or an attempt to settle: the claim says which


def status_callback_url(settings: Settings, followup_id: str) -> str | None:
    if not settings.public_url:
        return None  # Twilio could not reach us anyway
    return f"{settings.public_url}/sms/status?{urlencode({'followup': followup_id})}"


@functools.lru_cache(maxsize=4)
def _outage_buffer(spool_dir: str) -> OutageBuffer:
    return OutageBuffer(spool_dir)


def stop_not_yet_written_back(settings: Settings, phone: str) -> bool:
    """A STOP this host's web processes answered while Redis was down, still in the outage
    buffer: the follow-up must not go out before it is applied."""
    try:
        return _outage_buffer(settings.spool_dir).has_opt_out(phone)
    except Exception:  # an unreadable buffer cannot prove there is no STOP in it
        log.exception("could not read the outage buffer; follow-up held")
        return True


def send_failed(svc: Services, claim: Claim, exc: SendError) -> str:
    """Twilio did not take the text: due again after a backoff when that can help, else
    settled as failed (an opted-out number is marked so)."""
    fid, phone = claim.followup_id, mask_phone(claim.phone or "")
    attempts = int((claim.followup or {}).get("attempts") or 1)
    if exc.retryable and not nothing_went_out(exc):
        # A timeout or a dropped connection: Twilio may have taken it. The attempt stays; once
        # it can no longer be in flight it is due again, and Twilio's message list settles it.
        log.warning("follow-up %s to %s: send outcome unknown (%s)", fid, phone, exc)
        return "unknown"
    if exc.retryable and attempts < max_send_attempts():
        next_try = time.time() + retry_delay(attempts)
        svc.followups.record_retry(
            claim, next_try=next_try, code=exc.code, http_status=exc.http_status
        )
        log.warning(
            "follow-up %s to %s: Twilio said %s; retrying (attempt %d)",
            fid,
            phone,
            exc.http_status or "no answer",
            attempts,
        )
        return "retry"
    opt_out = exc.code in OPT_OUT_CODES
    svc.followups.record_failure(claim, code=exc.code, http_status=exc.http_status, opt_out=opt_out)
    log.warning(
        "follow-up %s to %s failed for good: code %s, HTTP %s%s",
        fid,
        phone,
        exc.code,
        exc.http_status,
        "; number opted out" if opt_out else "",
    )
    return "opted_out" if opt_out else "failed"


def nothing_went_out(exc: SendError) -> bool:
    """True when the error proves Twilio never took the message."""
    if exc.http_status is not None:
        return True  # Twilio answered, and the answer was an error
    cause: BaseException | None = exc.__cause__
    while cause is not None:
        if isinstance(cause, requests.ConnectTimeout | NewConnectionError | ConnectionRefusedError
                      | aiohttp.ClientConnectorError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _checkin(
    svc: Services, claim: Claim, version: int, stored: dict | None
) -> tuple[int, dict, str, str]:
    """From the phone's stored state and its version: that version, the check-in state, and
    the check-in text with its key."""
    if stored and stored.get("conv") == claim.conversation_id and stored.get("state"):
        state = stored["state"]
    else:
        # The session expired (HOTLINE_SESSION_TTL is often shorter than the delay) or the
        # conversation was a call: the record holds all a check-in needs.
        state = _state_from_record(claim)
    state, replies = start_checkin(state, svc.hotline.context, "sms")
    state["channel"] = "sms"
    return version, state, replies[0]["text"], replies[0]["key"]


def _state_from_record(claim: Claim) -> dict:
    meta = claim.meta
    state = new_state(meta.get("language") or "en", "sms")
    answers = _json_field(meta.get("answers"), {})
    flags = _json_field(meta.get("red_flags"), [])
    disposition = meta.get("disposition") or (claim.followup or {}).get("disposition")
    state.update(
        phase=FINISHED,
        answers=answers,
        red_flags=flags,
        disposition=disposition,
        rule=meta.get("rule") or None,
    )
    return state


def _json_field(raw: str | None, default: object) -> object:
    try:
        return json.loads(raw) if raw else default
    except ValueError:
        return default


def _record_sent(
    svc: Services,
    claim: Claim,
    sid: str | None,
    twilio_status: str,
    checkin: tuple[int, dict, str, str],
) -> None:
    """Record the send; on a state conflict recompute the check-in state, keep the text."""
    version, state, text, key = checkin
    for _ in range(MAX_STATE_ATTEMPTS):
        outcome = svc.followups.record_sent(
            claim,
            sid=sid,
            twilio_status=twilio_status,
            text=text,
            key=key,
            state=state,
            expected_version=version,
        )
        if outcome != "conflict":
            return
        version, state, _, _ = _checkin(svc, claim, *svc.followups.phone_state(claim.phone or ""))
    raise RuntimeError("conversation state kept changing while recording a follow-up")
