"""The follow-up send job: one check-in text, sent exactly once.

Exactly once, even when the job runs twice (an RQ retry, the sweeper's copy, two workers) or
its worker is killed around the REST call:

1. claim: atomically check the follow-up is still due (not cancelled, not already sent, the
   number not opted out, no newer conversation) and write an attempt token and time into it,
   before any call to Twilio;
2. send through hotline.outbound, with a status callback URL that names the follow-up;
3. record: atomically the sid, status "sent", the conversation's check-in state (a version
   compare-and-set on the phone's state) and the text in the conversation log.

A run that finds an attempt without a result does not send again. While the attempt is young
(the REST timeout plus a margin) another run may still be waiting on Twilio, so it leaves it;
once it is older, the earlier send is settled as sent but unconfirmed: the worker died after
the request left (the usual case: sending is the slow part) or before it did (a window of
microseconds). Resending would risk a second text for every crash to rule out a lost one for a
rare few; Twilio's status callback, whose URL carries the follow-up id, later confirms the
send and records its sid. Errors that prove nothing went out (Twilio answered 429/5xx, or the
connection was refused) clear the attempt and retry with backoff.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import requests
from urllib3.exceptions import NewConnectionError

from hotline.outbound.schedule import quiet_until
from hotline.outbound.twilio_rest import Sender, SendError, make_sender
from hotline.redact import mask_phone
from hotline.services import Hotline, build_hotline
from hotline.settings import Settings
from hotline.store.followups import Claim, FollowupStore
from hotline.store.outage_buffer import OutageBuffer
from hotline.triage.conversation import FINISHED, new_state, start_checkin

log = logging.getLogger("hotline.outbound.followups")

SEND_TIMEOUT = 10.0  # seconds the REST call may take; an attempt younger than this + margin
IN_FLIGHT_MARGIN = 5.0  # may still be waiting on Twilio
RETRY_BACKOFF = (10, 30, 120, 600, 1800)  # seconds before each retry after a 429 / 5xx
MAX_STATE_ATTEMPTS = 8
OPT_OUT_CODES = frozenset({21610})  # the recipient texted STOP to our number
BUSY_DEFER = 30 * 60  # seconds a check-in waits while a newer conversation is under way


class RetryLater(Exception):
    """Twilio did not take the text for now; RQ's Retry runs the job again after a backoff."""


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
    """The RQ job (enqueued as hotline.outbound.followups.send_followup): send one check-in text."""
    return deliver(services(), followup_id)


def deliver(svc: Services, followup_id: str, now: float | None = None) -> str:
    """Send the check-in `followup_id` unless it is settled; return what happened."""
    if _postponed_for_quiet_hours(svc, followup_id, now):
        return "quiet_hours"
    claim = svc.followups.claim(followup_id, in_flight_window(), now)
    if claim.outcome == "claimed":
        if _another_conversation_under_way(svc, claim, now):
            later = (time.time() if now is None else now) + BUSY_DEFER
            svc.followups.record_retry(claim, next_try=later, code=None, http_status=None)
            log.info("follow-up %s: another conversation is under way; in %d s again",
                     followup_id, BUSY_DEFER)
            return "deferred"
        return _send(svc, claim)
    if claim.outcome in ("unconfirmed", "confirmed"):
        sid = (claim.followup or {}).get("sid") if claim.outcome == "confirmed" else None
        if claim.outcome == "unconfirmed":
            log.warning(
                "follow-up %s: an earlier send to %s never recorded its result; "
                "settled as sent, unconfirmed (not sent again)",
                followup_id,
                mask_phone(claim.phone or ""),
            )
        _record_sent(
            svc, claim, sid, "", _checkin(svc, claim, claim.state_version, claim.stored_state)
        )
        return claim.outcome
    log.info("follow-up %s not sent: %s", followup_id, claim.outcome)
    return claim.outcome


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


def _postponed_for_quiet_hours(svc: Services, followup_id: str, now: float | None) -> bool:
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


def _send(svc: Services, claim: Claim) -> str:
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
    try:
        sent = svc.sender.send(
            phone, checkin[2], status_callback_url(svc.hotline.settings, claim.followup_id)
        )
    except SendError as exc:
        return _failed_send(svc, claim, exc)
    _record_sent(svc, claim, sent.sid, sent.status, checkin)
    log.info("follow-up %s sent to %s as %s", claim.followup_id, mask_phone(phone), sent.sid)
    return "sent"


def stop_not_yet_written_back(settings: Settings, phone: str) -> bool:
    """A STOP this host's web processes answered while Redis was down, still in the outage
    buffer: the follow-up must not go out before it is applied."""
    try:
        return OutageBuffer(settings.spool_dir).has_opt_out(phone)
    except Exception:  # an unreadable buffer cannot prove there is no STOP in it
        log.exception("could not read the outage buffer; follow-up held")
        return True


def _failed_send(svc: Services, claim: Claim, exc: SendError) -> str:
    fid, phone = claim.followup_id, mask_phone(claim.phone or "")
    attempts = int((claim.followup or {}).get("attempts") or 1)
    if exc.retryable and not nothing_went_out(exc):
        # A timeout or a dropped connection: Twilio may have taken it. The attempt stays; the
        # sweeper runs the job again once it can no longer be in flight, and that run settles
        # it as sent, unconfirmed.
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
        raise RetryLater(str(exc)) from exc
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
        if isinstance(cause, requests.ConnectTimeout | NewConnectionError | ConnectionRefusedError):
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
