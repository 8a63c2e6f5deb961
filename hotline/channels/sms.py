"""POST /sms: a text in, TwiML <Message>s out. Twilio sends the form; we answer in one turn."""

from __future__ import annotations

import functools
import logging
import re

from flask import Blueprint, Response, current_app
from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels import writeback
from hotline.channels.safe_reply import safe_replies
from hotline.channels.twilio_auth import twilio_signed
from hotline.channels.webhook_form import webhook_form
from hotline.outbound.alerts import plan_turn_alerts
from hotline.outbound.nudges import ends_silence_watch, silence_check_at
from hotline.redact import log_failure
from hotline.store.turns import TurnInput, TurnOutput
from hotline.triage import decision
from hotline.triage.conversation import Inbound, flags_in, step
from hotline.triage.keywords import match_keyword

bp = Blueprint("sms", __name__)
log = logging.getLogger("hotline.sms")

MAX_BODY = 1600  # Twilio's limit for one message; anything longer was not sent by Twilio
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_PHONE = re.compile(r"^\+?[0-9]{3,15}$|^[A-Za-z0-9:+._-]{3,64}$")


def twiml(replies: list[dict]) -> Response:
    return Response(messages_twiml(tuple(reply["text"] for reply in replies)),
                    mimetype="application/xml")


# The same questions go to every texter: each distinct reply's TwiML (its texts are the whole
# key) is built by twilio's builders once per process and reused.
@functools.lru_cache(maxsize=4096)
def messages_twiml(texts: tuple[str, ...]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


def clean_body(raw: str) -> str:
    return _CONTROL.sub("", raw or "")[:MAX_BODY]


def sender_of(raw: str | None) -> str | None:
    """The texter's address: an E.164 number, or a channel address like whatsapp:+1555…"""
    value = (raw or "").strip()
    return value if _PHONE.match(value) else None


def media_count(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), 10))
    except ValueError:
        return 0


@bp.post("/sms")
@twilio_signed
def incoming_sms() -> Response:
    hotline = current_app.extensions["hotline"]
    form = webhook_form()
    body = clean_body(form.get("Body", ""))
    phone = sender_of(form.get("From"))
    if phone is None:
        log.warning("text without a usable From; answered with the safe reply")
        return twiml(safe_replies(hotline.protocol, body, hotline.settings.emergency_number))
    sid = form.get("MessageSid") or form.get("SmsSid") or None
    media = media_count(form.get("NumMedia"))
    try:
        writeback.catch_up(hotline, phone)  # this texter's own outage turns come first
        replies = run_sms_turn(hotline, phone, body, sid, media)
    except Exception as exc:
        log_failure(log, "sms turn", phone, exc)
        replies = safe_replies(hotline.protocol, body, hotline.settings.emergency_number)
        writeback.keep_sms(hotline, phone, sid, body, media, match_keyword(body), replies,
                           failure=exc)
    return twiml(replies)


def run_sms_turn(hotline, phone: str, body: str, sid: str | None, media: int) -> list[dict]:
    seen: dict = {}

    def compute(loaded: TurnInput) -> TurnOutput:
        inbound = Inbound(body, "sms", media_count=media, opted_out=loaded.opted_out)
        state, replies, effects = step(loaded.state, inbound, hotline.context)
        if loaded.opted_out and not replies:
            effects = effects + opted_out_alert(body, state)
        shown = body if body or not media else f"[{media} attachment(s), no text]"
        seen["state"] = state
        watch = silence_check_at(hotline.settings, state, effects)
        return TurnOutput(state, replies, effects, inbound_text=shown, watch_silence_at=watch,
                          unwatch_silence=ends_silence_watch(state, effects))

    result = hotline.store.run_turn(phone, phone, "sms", sid, compute)
    state = seen.get("state") or {}
    plan_turn_alerts(hotline, result, phone, "sms", state.get("lang", "en"))
    return result.replies


def opted_out_alert(body: str, state: dict) -> list[dict]:
    """A texter who opted out gets no reply (carriers require it), but red flags in their words
    still alert on-call staff: the alert effect, with the flags their words name."""
    flags = flags_in([body], state.get("lang", "en"))
    level = decision.flag_level(dict.fromkeys(flags, decision.YES))
    if level is None:
        return []
    return [{"type": "alert_staff", "disposition": level, "red_flags": sorted(flags),
             "opted_out": True}]
