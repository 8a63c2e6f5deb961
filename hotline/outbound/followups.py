"""The RQ queue the worker serves, and the job paths of earlier releases.

Due texts (check-ins, nudges, no-reply texts, on-call alerts) no longer go through one RQ job
each: the store puts every planned one in a due index in the same atomic write that plans it,
and the dispatcher of every worker process (hotline/outbound/dispatcher.py) takes them from
there. RQ still runs the few jobs that are not due texts (the after-call text, the reply owed
after an outage, the daily purge) on this queue.
"""

from __future__ import annotations

from redis import Redis
from rq import Queue

from hotline.outbound.followup_jobs import send_followup  # noqa: F401  (an older job's path)

QUEUE_NAME = "hotline"
JOB_FUNC = "hotline.outbound.followups.send_followup"  # follow-up jobs queued before upgrading


def queue(connection: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)
