"""What every channel does once a turn is committed: hand planned follow-ups to RQ. (Turns
answered during a Redis outage are written back by hotline/channels/writeback.py's thread,
never inside a webhook.)"""

from __future__ import annotations

import logging

from hotline.outbound import followups
from hotline.redact import log_failure
from hotline.store.turns import TurnResult

log = logging.getLogger("hotline.turns")


def after_commit(hotline, result: TurnResult, phone: str) -> None:
    if result.followup_ids:
        try:
            followups.schedule_jobs(hotline, result.followup_ids)
        except Exception as exc:  # the due index already holds it; the sweeper will send it
            log_failure(log, "handing a follow-up to RQ", phone, exc)
