"""After a Redis outage: the reply a texter was promised ("we will reply when we can").

During the outage a text got the safe reply; once its turn is written back
(hotline/channels/writeback.py) the conversation has moved on as that text said, and the
texter is owed what the hotline would have answered then: the next question, or the advice.
This RQ job texts it, once: not to an opted-out number, not when the texter has written again
since (the live turn answered them), and never twice (a claim in Redis before the send).
"""

from __future__ import annotations

import logging

from rq import Retry

from hotline.outbound.after_call import can_receive_texts, worker_hotline
from hotline.outbound.followups import queue
from hotline.outbound.twilio_rest import SendError, make_sender
from hotline.redact import mask_phone
from hotline.store.clock import now_iso
from hotline.triage.conversation import where_we_are

log = logging.getLogger("hotline.outbound.resume")

JOB_FUNC = "hotline.outbound.resume.send_resume"


def enqueue_resume(hotline, session: str, phone: str, dedupe: str) -> None:
    """Hand the owed reply to the worker (a second hand-off sends nothing more)."""
    if not can_receive_texts(phone):
        return
    queue(hotline.rq_redis).enqueue(
        JOB_FUNC, session, phone, dedupe,
        job_id=f"resume-{dedupe}".replace(":", "-"),
        retry=Retry(max=3, interval=[10, 60, 300]),
    )


def deliver_resume(hotline, session: str, phone: str, dedupe: str) -> str:
    """Text where the conversation stands now, once; returns what happened."""
    store = hotline.store
    if store.is_opted_out(phone):
        return "opted out"
    if store.last_turn_id(session) != dedupe:
        return "superseded"  # they texted again, and that turn answered them
    stored = store.get_state(session)
    owed = where_we_are(stored["state"], hotline.context) if stored else []
    if not owed:
        return "nothing owed"
    if not store.claim_once(f"resume:{dedupe}"):
        return "already sent"
    lang = stored["state"].get("lang", "en")
    texts = [hotline.protocol.text(lang, "outage_resume", "sms"), *(r["text"] for r in owed)]
    conversation = stored["conv"]
    sender = make_sender(hotline.settings)
    logged = []
    for text in texts:
        try:
            sent = sender.send(phone, text)
        except SendError as exc:  # claimed already: never retried into a second copy
            log.warning("reply after the outage to %s refused: %s", mask_phone(phone), exc)
            break
        logged.append({"at": now_iso(), "direction": "out", "channel": "sms", "text": text,
                       "sid": sent.sid})
    if logged:
        store.append_log(conversation, logged)
    return "sent" if len(logged) == len(texts) else "refused"


def send_resume(session: str, phone: str, dedupe: str) -> str:
    """RQ job: the reply owed to a text answered during the outage."""
    return deliver_resume(worker_hotline(), session, phone, dedupe)
