"""Follow-up texts on RQ: the only module that knows RQ.

The store records every planned follow-up in a due index (a sorted set) in the same atomic
write that finishes the conversation; this module hands each one to RQ's scheduler, and its
sweeper hands RQ again whatever the scheduler did not run in time.

Why a sweeper: RQ's scheduler runs in one worker at a time, under a lock that lives 61 s and is
only retried at the worker's maintenance interval. A SIGKILLed worker leaves its lock behind,
so a restarted `rq worker --with-scheduler` may not enqueue due jobs for minutes (rq/rq#1758),
and jobs lost with a killed worker stay "started". The due index is the truth; the sweeper
enqueues every follow-up overdue by more than a grace period, and the exactly-once send
(hotline/outbound/followup_jobs.py) makes any duplicate harmless.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from redis import Redis
from rq import Queue, Retry

from hotline.outbound import followup_jobs
from hotline.outbound.followup_jobs import send_followup  # noqa: F401  (the job's import path)
from hotline.store.followups import FollowupStore

QUEUE_NAME = "hotline"
JOB_FUNC = "hotline.outbound.followups.send_followup"
JOB_TIMEOUT = 120  # one REST call and a few Redis round trips; generous
RESULT_TTL = 3600
MAX_QUEUE_SCAN = 50_000  # waiting jobs the sweeper reads in one go


def queue(connection: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)


def job_id(followup_id: str) -> str:
    return f"followup-{followup_id.replace(':', '-')}"


def sweep_job_id(followup_id: str) -> str:
    return job_id(followup_id) + "-sweep"


def retry() -> Retry:
    """429 / 5xx from Twilio: run the job again with backoff (followup_jobs.RETRY_BACKOFF)."""
    backoff = followup_jobs.RETRY_BACKOFF
    return Retry(max=len(backoff), interval=list(backoff))


def schedule_jobs(hotline, followup_ids: list[tuple[str, float]]) -> None:
    """Ask RQ's scheduler to run the send job for each follow-up when it is due."""
    q = queue(hotline.rq_redis)
    for followup_id, due_ts in followup_ids:
        q.enqueue_at(
            datetime.fromtimestamp(due_ts, UTC),
            JOB_FUNC,
            followup_id,
            job_id=job_id(followup_id),
            retry=retry(),
            job_timeout=JOB_TIMEOUT,
            result_ttl=RESULT_TTL,
        )


def sweep(hotline, grace: float, now: float | None = None, batch: int = 1000) -> int:
    """Enqueue the send job of every follow-up overdue by more than `grace` seconds whose job
    is not already waiting in the queue. Returns how many were enqueued."""
    now = time.time() if now is None else now
    store = FollowupStore(hotline.redis, hotline.settings)
    q = queue(hotline.rq_redis)
    waiting = _waiting_job_ids(q)
    if waiting is None:
        return 0  # a long queue: workers are busy with due jobs; look again next interval
    enqueued, offset = 0, 0
    while True:
        overdue = store.overdue(now - grace, start=offset, limit=batch)
        statuses = store.statuses(overdue)
        settled = [fid for fid, status in statuses.items() if status != "scheduled"]
        store.forget_due(settled)  # e.g. purged conversations; sent ones are removed already
        live = [fid for fid in overdue if statuses[fid] == "scheduled"]
        offset += len(live)
        for fid in live:
            if job_id(fid) in waiting or sweep_job_id(fid) in waiting:
                continue
            q.enqueue_call(
                JOB_FUNC,
                args=(fid,),
                job_id=sweep_job_id(fid),
                retry=retry(),
                timeout=JOB_TIMEOUT,
                result_ttl=RESULT_TTL,
            )
            enqueued += 1
        if len(overdue) < batch:
            return enqueued


def _waiting_job_ids(q: Queue) -> set[str] | None:
    """Ids of the jobs waiting in the queue; None when there are too many to read cheaply."""
    length = q.count
    if length == 0:
        return set()
    if length > MAX_QUEUE_SCAN:
        return None
    return set(q.get_job_ids())
