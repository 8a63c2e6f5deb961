"""POST /sms/status: Twilio's delivery status callback for follow-up texts.

The callback URL the send job gives Twilio carries the follow-up id (?followup=…); without it
the message sid finds the follow-up through the sid index. Twilio retries a callback that
fails, and an answer other than 2xx helps nobody, so a signed request always gets 204: for a
sid we do not know, and when Redis is away.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, current_app, request

from hotline.channels.twilio_auth import twilio_signed
from hotline.channels.webhook_form import webhook_form
from hotline.redact import log_failure
from hotline.store.followups import DELIVERY_RANK, FollowupStore

bp = Blueprint("sms_status", __name__)
log = logging.getLogger("hotline.sms_status")

_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
_FOLLOWUP_ID = re.compile(r"^c[0-9a-f]{8,40}:[0-9a-f]{2,32}$")
_ERROR_CODE = re.compile(r"^[0-9]{1,6}$")


@bp.post("/sms/status")
@twilio_signed
def delivery_status() -> Response:
    form = webhook_form()
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    error_code = form.get("ErrorCode") or ""
    followup_id = request.args.get("followup") or None
    if not _SID.match(sid) or status not in DELIVERY_RANK:
        return Response(status=204)
    if followup_id is not None and not _FOLLOWUP_ID.match(followup_id):
        followup_id = None
    try:
        outcome = _followups().record_delivery(
            followup_id, sid, status, error_code if _ERROR_CODE.match(error_code) else None
        )
    except Exception as exc:
        log_failure(log, "recording a delivery status", form.get("To"), exc)
        return Response(status=204)
    if outcome == "ok" and status in ("failed", "undelivered"):
        log.warning("follow-up %s not delivered: %s, error %s", sid, status, error_code or "-")
    return Response(status=204)


def _followups() -> FollowupStore:
    store = current_app.extensions.get("hotline_followups")
    if store is None:
        hotline = current_app.extensions["hotline"]
        store = current_app.extensions["hotline_followups"] = FollowupStore(
            hotline.redis, hotline.settings
        )
    return store
