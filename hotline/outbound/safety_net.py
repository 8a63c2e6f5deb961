"""Safety-net tasks on RQ: the nudge, the no-reply text and on-call alerts, sent exactly once.

The same pattern as follow-ups (hotline/outbound/followup_jobs.py), on the same dispatcher: a
task is planned in Redis first, into its due index (hotline/store/safety_net.py); the
dispatcher of every worker (hotline/outbound/dispatcher.py) takes it when due and runs
send_task, which claims it before sending and records the result after, through the follow-up
scripts. A SIGKILLed worker delays a task by its lease, never loses or doubles it.

Texts (to the texter or to on-call numbers) are never resent blindly: an attempt that never
recorded its result is looked up in Twilio's message list for that number, recorded as sent
when it is there and sent again under a fresh claim when it is not (settled as sent,
unconfirmed, only when Twilio cannot be asked). A webhook call is
different: its receiver deduplicates by X-Hotline-Alert-Id, so an unknown outcome is retried.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from hotline.outbound import followup_jobs
from hotline.outbound.twilio_rest import SendError
from hotline.redact import mask_phone
from hotline.services import Hotline
from hotline.store.safety_net import ALERT_WEBHOOK, SafetyNetStore, TaskClaim

log = logging.getLogger("hotline.outbound.safety_net")

JOB_FUNC = "hotline.outbound.safety_net.send_task"
OPT_OUT_CODES = followup_jobs.OPT_OUT_CODES


@dataclass
class Context:
    """What a task job needs: the follow-up job's services (hotline, Twilio sender) and the
    safety net's store, built once per worker process."""

    svc: followup_jobs.Services
    store: SafetyNetStore

    @property
    def hotline(self) -> Hotline:
        return self.svc.hotline


_context: Context | None = None


def context() -> Context:
    global _context
    svc = followup_jobs.services()
    if _context is None or _context.svc is not svc:
        _context = Context(svc, SafetyNetStore(svc.hotline.redis, svc.hotline.settings))
    return _context


def store_of(hotline: Hotline) -> SafetyNetStore:
    return SafetyNetStore(hotline.redis, hotline.settings)


# --- the job ---


def send_task(task_id: str) -> str:
    """Send one safety-net task unless it is settled; returns what happened. The dispatcher
    runs it (and RQ, for a job queued before upgrading: JOB_FUNC)."""
    from hotline.outbound import alerts, nudges  # they use this module's plumbing

    ctx = context()
    task = ctx.store.get(task_id)
    if task is None:
        ctx.store.forget_due([task_id])
        return "missing"
    if task.get("kind") == ALERT_WEBHOOK:
        return alerts.deliver_webhook(ctx, task_id)
    if task.get("kind") == "nudge" and not nudges.still_silent(ctx, task):
        return "cancelled" if ctx.store.cancel(task_id, "replied") == "ok" else "busy"
    builder = alerts.alert_body if task.get("kind") == "alert_text" else nudges.text_body
    return deliver_text(ctx, task_id, builder)


def deliver_text(ctx: Context, task_id: str, build, now: float | None = None) -> str:
    """Claim, send the text `build(ctx, claim)` returns, record: the follow-up's exactly-once."""
    claim = ctx.store.claim(task_id, followup_jobs.in_flight_window(), now)
    if claim.outcome == "unconfirmed":
        return _resolve_unconfirmed(ctx, claim, build, now)
    if claim.outcome != "claimed":
        log.info("safety-net text %s not sent: %s", task_id, claim.outcome)
        return claim.outcome
    try:
        body = build(ctx, claim)
    except Exception:
        ctx.store.record_retry(claim, next_try=time.time(), code=None, http_status=None)
        raise
    try:
        sent = ctx.svc.sender.send(claim.to or "", body, None)
    except SendError as exc:
        return _failed_text(ctx, claim, exc)
    ctx.store.record_sent(
        claim, sid=sent.sid, twilio_status=sent.status, entry=_sent_entry(claim, body)
    )
    log.info("safety-net text %s sent to %s as %s", task_id, mask_phone(claim.to or ""), sent.sid)
    return "sent"


def _resolve_unconfirmed(ctx: Context, claim: TaskClaim, build, now: float | None) -> str:
    """An earlier attempt never recorded its result (its worker died mid-send). Twilio's
    message list for the number says which it was: found, it is recorded as sent; not there,
    it never reached Twilio and is sent now under a fresh claim (the claim only says
    "unconfirmed" once the earlier request can no longer be in flight). These texts name the
    emergency signs or page a nurse, so a lost one must not stay lost. Only when Twilio cannot
    be asked is it settled as sent, unconfirmed, as a follow-up is."""
    attempt = (claim.task or {}).get("attempt") or {}
    try:
        body = build(ctx, claim)
        found = ctx.svc.sender.find_sent(claim.to or "", body, float(attempt.get("at") or 0))
    except Exception as exc:  # LookupUnavailable, or a text that can no longer be built
        log.warning("safety-net text %s: an earlier send never recorded its result and %s; "
                    "settled as sent, unconfirmed", claim.task_id, type(exc).__name__)
        ctx.store.record_sent(claim, sid=None, twilio_status="", entry=_sent_entry(claim, ""))
        return "unconfirmed"
    if found is not None:
        ctx.store.record_sent(
            claim, sid=found.sid, twilio_status=found.status, entry=_sent_entry(claim, body)
        )
        log.info("safety-net text %s: the earlier send did go out (%s, found in Twilio's list)",
                 claim.task_id, found.sid)
        return "sent"
    if ctx.store.record_retry(claim, next_try=time.time(), code=None, http_status=None) != "ok":
        return "busy"  # another run settled or re-claimed it meanwhile
    log.warning("safety-net text %s: the earlier send never reached Twilio; sending it now",
                claim.task_id)
    return deliver_text(ctx, claim.task_id, build, now)


def _sent_entry(claim: TaskClaim, body: str) -> dict:
    from hotline.outbound import alerts

    task = claim.task or {}
    if task.get("kind") in ("alert_text", ALERT_WEBHOOK):
        return alerts.event_entry("alert_sent", task)
    entry = {"direction": "out", "channel": "sms", "text": body, "key": f"silence.{task['kind']}"}
    if not body:  # settled without knowing the text: the log says what kind it was
        entry.update(text=f"[{task['kind']} text, sent unconfirmed]")
    return entry


def _failed_text(ctx: Context, claim: TaskClaim, exc: SendError) -> str:
    from hotline.outbound import alerts

    task = claim.task or {}
    attempts = int(task.get("attempts") or 1)
    if exc.retryable and not followup_jobs.nothing_went_out(exc):
        log.warning("safety-net text %s: send outcome unknown (%s)", claim.task_id, exc)
        return "unknown"  # the sweeper settles it once it can no longer be in flight
    if exc.retryable and attempts < followup_jobs.max_send_attempts():
        next_try = time.time() + followup_jobs.retry_delay(attempts)
        ctx.store.record_retry(claim, next_try=next_try, code=exc.code, http_status=exc.http_status)
        log.warning("safety-net text %s: Twilio said %s; retrying", claim.task_id, exc.http_status)
        return "retry"
    to_texter = task.get("kind") not in ("alert_text", ALERT_WEBHOOK)
    opt_out = to_texter and exc.code in OPT_OUT_CODES
    entry = (
        alerts.event_entry("alert_failed", task, code=exc.code)
        if not to_texter
        else {
            "direction": "event",
            "channel": "sms",
            "text": alerts.json_text(
                {"type": "safety_net_failed", "task": claim.task_id, "code": exc.code}
            ),
        }
    )
    ctx.store.record_failure(
        claim, code=exc.code, http_status=exc.http_status, opt_out=opt_out, entry=entry
    )
    log.warning("safety-net text %s failed for good: code %s", claim.task_id, exc.code)
    return "opted_out" if opt_out else "failed"
