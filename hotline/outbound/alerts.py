"""On-call alerts: a conversation that reaches a level in HOTLINE_ALERT_LEVELS texts each number
in HOTLINE_ONCALL_NUMBERS and POSTs to HOTLINE_ALERT_WEBHOOK_URL, once per conversation and level.

An alert carries the minimum necessary (texts to a phone and chat channels are no place for
health information): the level, the red flags, channel, language, the last four digits and the
staff page's URL; never the texter's words or full number. The texts go through the follow-up
path (hotline/outbound/safety_net.py); the webhook is signed, `X-Hotline-Signature:
sha256=<hex HMAC-SHA256 of the raw body>`, and retried with backoff on a non-2xx answer or a
timeout for at least 15 minutes, with the same `X-Hotline-Alert-Id` and the same body every time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import requests

from hotline.outbound import followup_jobs, safety_net
from hotline.redact import log_failure
from hotline.services import Hotline
from hotline.store.clock import now_iso
from hotline.store.safety_net import ALERT_TEXT, ALERT_WEBHOOK, TaskClaim
from hotline.store.turns import TurnResult
from hotline.triage import safety_net as wording

log = logging.getLogger("hotline.outbound.alerts")

# Seconds before each retry of a webhook call: 15.8 minutes in all, then it is marked failed.
WEBHOOK_BACKOFF: tuple[float, ...] = (10, 20, 40, 80, 160, 320, 320)
ALERTING_EFFECTS = ("finished", "alert_staff")
STAFF_PATH = "/staff/conversations/"


def configure(*, webhook_backoff: tuple[float, ...] | None = None) -> None:
    """Tune the webhook's retry timing for this process (the worker does; tests shorten it)."""
    global WEBHOOK_BACKOFF
    if webhook_backoff is not None:
        WEBHOOK_BACKOFF = tuple(webhook_backoff)


def signature(secret: str, body: bytes) -> str:
    """The X-Hotline-Signature header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- planning (after a turn, in the web process) ---


def levels_reached(result: TurnResult, alert_levels: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The alerting levels a turn reached, each with the red flags that led there."""
    reached: dict[str, tuple[str, ...]] = {}
    for effect in result.effects:
        level = effect.get("disposition")
        if effect["type"] in ALERTING_EFFECTS and level in alert_levels:
            flags = wording.flags_of(effect.get("red_flags"))
            reached[level] = flags or reached.get(level, ())
    return reached


def plan_turn_alerts(
    hotline: Hotline, result: TurnResult, phone: str, channel: str, lang: str
) -> list[str]:
    """Plan (and hand to RQ) the alerts a committed turn calls for; returns the ids created."""
    settings = hotline.settings
    if not (settings.oncall_numbers or settings.alert_webhook_url):
        return []
    try:
        if result.duplicate:
            # Twilio's retry of a turn already committed: its effects are not replayed, but the
            # process that committed it may have died before planning. Planning is idempotent.
            reached, channel, lang = _levels_on_record(hotline, result.conversation_id)
        else:
            reached = levels_reached(result, settings.alert_levels)
        if not reached:
            return []
        tasks = [
            task
            for level, flags in reached.items()
            for task in alert_tasks(
                hotline, result.conversation_id, level, flags, phone, channel, lang
            )
        ]
        created = safety_net.store_of(hotline).plan(result.conversation_id, tasks)
    except Exception as exc:
        log_failure(log, "planning on-call alerts", phone, exc)
        return []
    return created


def _levels_on_record(hotline: Hotline, conv_id: str) -> tuple[dict, str, str]:
    facts = safety_net.store_of(hotline).conversation_facts(conv_id)
    level = facts.get("disposition")
    if level not in hotline.settings.alert_levels:
        return {}, "", ""
    flags = wording.flags_of(json.loads(facts.get("red_flags") or "[]"))
    return {level: flags}, facts.get("channel") or "sms", facts.get("language") or "en"


def alert_tasks(
    hotline: Hotline,
    conv_id: str,
    level: str,
    flags: tuple[str, ...],
    phone: str,
    channel: str,
    lang: str,
    now: float | None = None,
) -> list[dict]:
    now = time.time() if now is None else now
    settings = hotline.settings
    last4 = "".join(c for c in phone if c.isdigit())[-4:]
    url = f"{settings.public_url or ''}{STAFF_PATH}{conv_id}"
    facts = {
        "level": level,
        "red_flags": list(flags),
        "channel": channel,
        "language": lang,
        "phone_last4": last4,
        "url": url,
    }
    base = {"level": level, "status": "scheduled", "due_ts": now, "planned_at": now_iso(now)}
    tasks = [
        {
            **base,
            "id": f"{conv_id}:alert-{level}-t{n}",
            "kind": ALERT_TEXT,
            "to": number,
            "facts": facts,
        }
        for n, number in enumerate(settings.oncall_numbers)
    ]
    if settings.alert_webhook_url:
        alert_id = f"{conv_id}:alert-{level}-webhook"
        payload = {"id": alert_id, "conversation_id": conv_id, **facts, "at": now_iso(now)}
        tasks.append(
            {**base, "id": alert_id, "kind": ALERT_WEBHOOK, "to": "webhook", "payload": payload}
        )
    return tasks


# --- sending (the worker) ---


def alert_body(ctx: safety_net.Context, claim: TaskClaim) -> str:
    facts = (claim.task or {})["facts"]
    return wording.alert_text(
        ctx.hotline.protocol,
        wording.AlertFacts(
            level=facts["level"],
            red_flags=tuple(facts["red_flags"]),
            channel=facts["channel"],
            language=facts["language"],
            phone_last4=facts["phone_last4"],
            url=facts["url"],
        ),
    )


def deliver_webhook(ctx: safety_net.Context, task_id: str, now: float | None = None) -> str:
    store = ctx.store
    window = followup_jobs.in_flight_window()
    claim = store.claim(task_id, window, now)
    if claim.outcome == "unconfirmed":
        # A call whose answer was never recorded (its worker died): call again, same alert id,
        # the receiver deduplicates.
        store.record_retry(claim, next_try=time.time(), code=None, http_status=None)
        claim = store.claim(task_id, window, now)
    if claim.outcome != "claimed":
        return claim.outcome
    task = claim.task or {}
    url = ctx.hotline.settings.alert_webhook_url
    secret = ctx.hotline.settings.alert_webhook_secret or ""
    if not url:
        store.record_failure(
            claim,
            code=None,
            http_status=None,
            opt_out=False,
            entry=event_entry("alert_failed", task, reason="no webhook URL"),
        )
        return "failed"
    body = json.dumps(task["payload"], separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hotline-Signature": signature(secret, body),
        "X-Hotline-Alert-Id": task_id,
        "User-Agent": "hotline-alerts/1",
    }
    status: int | None = None
    try:
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=followup_jobs.SEND_TIMEOUT,
            allow_redirects=False,
        )
        status = response.status_code
        ok = 200 <= status < 300
    except requests.RequestException as exc:
        log.warning("alert webhook %s: %s", task_id, type(exc).__name__)
        ok = False
    if ok:
        store.record_sent(claim, sid=None, twilio_status="", entry=event_entry("alert_sent", task))
        log.info("alert webhook %s answered %s", task_id, status)
        return "sent"
    attempts = int(task.get("attempts") or 1)
    if attempts <= len(WEBHOOK_BACKOFF):
        next_try = time.time() + WEBHOOK_BACKOFF[attempts - 1]
        store.record_retry(claim, next_try=next_try, code=None, http_status=status)
        log.warning(
            "alert webhook %s: answered %s; retry %d", task_id, status or "nothing", attempts
        )
        return "retry"
    store.record_failure(
        claim,
        code=None,
        http_status=status,
        opt_out=False,
        entry=event_entry("alert_failed", task, http_status=status),
    )
    log.error("alert webhook %s failed for good after %d attempts", task_id, attempts)
    return "failed"


def event_entry(kind: str, task: dict, **detail: object) -> dict:
    """A log event for staff: which alert, to whom (last four digits), the outcome."""
    to = "webhook" if task.get("kind") == ALERT_WEBHOOK else "…" + (task.get("to") or "")[-4:]
    event = {"type": kind, "task": task.get("id"), "to": to, "level": task.get("level"), **detail}
    return {"direction": "event", "channel": "sms", "text": json_text(event)}


def json_text(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)
