"""What every channel does once a turn is committed: hand planned follow-ups to RQ, and write
turns answered during a Redis outage into the log now that Redis answers again."""

from __future__ import annotations

import logging

from hotline.outbound import followups
from hotline.redact import log_failure
from hotline.store.outage_spool import has_spooled, spool_turn, take_spooled
from hotline.store.turns import TurnResult

log = logging.getLogger("hotline.turns")


def after_commit(hotline, result: TurnResult, phone: str) -> None:
    if result.followup_ids:
        try:
            followups.schedule_jobs(hotline, result.followup_ids)
        except Exception as exc:  # the due index already holds it; the sweeper will send it
            log_failure(log, "handing a follow-up to RQ", phone, exc)
    if has_spooled(hotline.settings.spool_dir):
        replay_spool(hotline)


def replay_spool(hotline) -> None:
    for entry in take_spooled(hotline.settings.spool_dir):
        try:
            hotline.store.record_outage_turn(entry)
        except Exception as exc:
            spool_turn(hotline.settings.spool_dir, entry)  # keep it for the next try
            log_failure(log, "replaying the outage spool", entry.get("phone"), exc)
            return
