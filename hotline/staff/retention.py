"""The daily retention run: conversations older than HOTLINE_RETENTION go, the audit log is
trimmed to its own, longer HOTLINE_AUDIT_RETENTION.

`purge_job` is an RQ job that books its own next run, so one call to `schedule_daily_purge`
at worker start keeps it going; one job id per day means a second worker cannot double it.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import redis

from hotline.outbound import followups
from hotline.settings import Settings
from hotline.staff.audit import PURGE, AuditLog
from hotline.store.connect import connect, connect_rq
from hotline.store.conversations import Store
from hotline.store.staff import StaffRecords

log = logging.getLogger("hotline.retention")

PURGE_AT = clock_time(3, 30)  # clinic time: a quiet hour
JOB = "hotline.staff.retention.purge_job"


def purge_now(
    store: Store, records: StaffRecords, now: float | None = None, actor: str = "retention job"
) -> dict[str, int]:
    """Apply both retention settings now; how many conversations and audit entries went.
    The run itself goes in the audit log, with who ran it."""
    now = now if now is not None else time.time()
    conversations = store.purge(now)
    audit = AuditLog(records, store.settings.audit_retention)
    audit_entries = audit.trim(now)
    audit.record(
        actor,
        PURGE,
        detail=f"{conversations} conversation(s), {audit_entries} audit entr(ies) removed",
    )
    return {"conversations": conversations, "audit_entries": audit_entries}


def purge_job(settings: Settings | None = None, now: float | None = None) -> dict[str, int]:
    """The RQ job: purge, then book tomorrow's run (booked first, so a failure cannot end the
    daily chain)."""
    settings = settings or Settings.from_env()
    client = connect(settings.redis_url)
    schedule_daily_purge(connect_rq(settings.redis_url), settings, now)
    removed = purge_now(Store(client, settings), StaffRecords(client, settings), now)
    log.info(
        "retention: removed %(conversations)d conversation(s) and %(audit_entries)d audit "
        "entr(ies)",
        removed,
    )
    return removed


def next_purge_time(settings: Settings, now: float | None = None) -> datetime:
    """The next PURGE_AT in the clinic's time zone, strictly after now."""
    moment = datetime.fromtimestamp(now if now is not None else time.time(), settings.timezone)
    at = datetime.combine(moment.date(), PURGE_AT, settings.timezone)
    if at <= moment:
        at = datetime.combine(moment.date() + timedelta(days=1), PURGE_AT, settings.timezone)
    return at.astimezone(UTC)


def schedule_daily_purge(
    rq_client: redis.Redis, settings: Settings, now: float | None = None
) -> str:
    """Book the next run unless it is already booked; the job id."""
    at = next_purge_time(settings, now)
    job_id = f"hotline-purge-{at:%Y%m%d}"
    queue = followups.queue(rq_client)
    if queue.fetch_job(job_id) is None:
        queue.enqueue_at(at, JOB, job_id=job_id)
    return job_id
