"""The dispatcher: every due text (check-ins, nudges, no-reply texts, on-call alerts) goes out
from here, in every `hotline worker` process.

It takes due ids from the due indexes in batches (store/due.py: atomic, leased, so several
dispatchers never start on the same one), claims a batch of follow-ups in three pipelined
round trips, and keeps at most `window` texts in flight at once on one aiohttp session whose
kept-alive connections spare a handshake per text (twilio_rest.AsyncTwilioSender). What Twilio
took is recorded after each pass, in one round trip. So a worker killed mid-flight leaves at
most `window` attempts without a result; each is due again once it can no longer be in
flight, and Twilio's message list for its number settles it (hotline/outbound/followup_jobs.py):
recorded as sent when it is there, sent once more when it is not.

Safety-net tasks are few and go through their own exactly-once job (hotline/outbound/
safety_net.py) in a small thread pool, counted in the same window. There is no RQ job per text
(one cost ~79 Redis commands) and no scheduler lock to wait for (rq/rq#1758): a restarted
worker takes what is due on its first pass.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from hotline.outbound import followup_jobs, safety_net
from hotline.outbound.followup_jobs import Lookup, Send, Services
from hotline.outbound.schedule import quiet_until
from hotline.outbound.twilio_rest import (
    AsyncSender,
    LookupUnavailable,
    SendError,
    SentMessage,
    make_async_sender,
)
from hotline.redact import log_failure
from hotline.store.due import followups_due, safety_net_due

log = logging.getLogger("hotline.outbound.dispatcher")

WINDOW = 64  # texts claimed and not yet recorded, at most, per dispatcher
IDLE_POLL = 0.1  # seconds between looks at the due indexes when nothing is due
TASK_THREADS = 4  # safety-net tasks (sync REST and webhook calls) at once
ERROR_PAUSE = 1.0  # seconds before looking again after Redis refused a take


class Dispatcher(threading.Thread):
    def __init__(self, svc: Services, window: int = WINDOW, idle_poll: float = IDLE_POLL) -> None:
        super().__init__(name="dispatcher", daemon=True)
        self.svc, self.window, self.idle_poll = svc, max(1, window), idle_poll
        self.followups_due = followups_due(svc.hotline.redis)
        self.tasks_due = safety_net_due(svc.hotline.redis)
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(TASK_THREADS, thread_name_prefix="safety-net")
        self._in_flight: set[asyncio.Task] = set()
        self._unrecorded: list[tuple[Send, SentMessage]] = []  # Twilio took them; not recorded
        self.sender: AsyncSender | None = None

    def stop(self, wait: float | None = None) -> None:
        """Take nothing more; texts in flight finish (up to `wait` seconds) and are recorded."""
        self._stopping.set()
        if wait is not None and self.is_alive():
            self.join(wait)

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self.sender = make_async_sender(
            self.svc.hotline.settings, timeout=followup_jobs.SEND_TIMEOUT
        )
        try:
            while not self._stopping.is_set():
                taken = self._take_more()
                if taken < 0:  # Redis away: look again in a moment, not ten times a second
                    await asyncio.sleep(ERROR_PAUSE)
                await self._wait(idle=taken == 0)
                self._record()
            if self._in_flight:
                await asyncio.wait(self._in_flight, timeout=followup_jobs.in_flight_window())
            self._record()
        finally:
            await self.sender.close()
            self._pool.shutdown(wait=False)

    async def _wait(self, idle: bool) -> None:
        if self._in_flight:
            # Wake when one finishes (a slot is free), or to look for newly due work.
            await asyncio.wait(
                self._in_flight, timeout=self.idle_poll, return_when=asyncio.FIRST_COMPLETED
            )
        elif idle:
            await asyncio.sleep(self.idle_poll)

    def _take_more(self) -> int:
        """Start as many due texts as the window has room for; how many were taken (-1: Redis
        refused). Waits for half the window to be free, so batches stay large enough to pay for
        their round trips."""
        free = self.window - len(self._in_flight) - len(self._unrecorded)
        if free < max(1, self.window // 2) and self._in_flight:
            return 0
        try:
            now = time.time()
            lease = followup_jobs.in_flight_window()
            fids = self.followups_due.take(now, lease, free)
            tids = self.tasks_due.take(now, lease, free - len(fids))
            self._start_followups(fids, now)
            for tid in tids:
                self._spawn(self._task(tid), tid)
        except Exception as exc:  # Redis away for a moment: the leases bring them back
            log_failure(log, "taking due texts", None, exc)
            return -1
        return len(fids) + len(tids)

    def _start_followups(self, fids: list[str], now: float) -> None:
        if not fids:
            return
        svc = self.svc
        until = quiet_until(datetime.fromtimestamp(now, UTC), svc.hotline.settings)
        if until is not None:  # a late one must not go out in the night it was planned around
            # One an earlier run tried to send is not postponed: its claim settles it, as in
            # followup_jobs.deliver().
            fids = [fid for fid in fids
                    if svc.followups.postpone(fid, until.timestamp(), now) == "attempted"]
            if not fids:
                return
        for claim in svc.followups.claim_many(fids, followup_jobs.in_flight_window(), now):
            try:
                step = followup_jobs.next_step(svc, claim, now)
            except Exception as exc:
                log_failure(log, f"preparing follow-up {claim.followup_id}", claim.phone, exc)
                continue
            if isinstance(step, Send | Lookup):
                self._spawn(self._followup(step), claim.followup_id)

    def _spawn(self, work: Awaitable[str], what: str) -> None:
        task = asyncio.ensure_future(self._guarded(work, what))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _guarded(self, work: Awaitable[str], what: str) -> str:
        try:
            return await work
        except Exception as exc:  # the attempt stays: once its window ends it is settled
            log_failure(log, f"sending {what}", None, exc)
            return "error"

    async def _followup(self, step: Send | Lookup) -> str:
        svc = self.svc
        if isinstance(step, Lookup):
            try:
                found = await self.sender.find_sent(step.phone, step.text, step.since)
            except LookupUnavailable as exc:
                found = exc
            outcome = followup_jobs.looked_up(svc, step, found)
            if outcome != "resend":
                return outcome
            claim = svc.followups.claim(step.claim.followup_id, followup_jobs.in_flight_window())
            step = followup_jobs.next_step(svc, claim)
            if not isinstance(step, Send):
                return step if isinstance(step, str) else "busy"
        try:
            message = await self.sender.send(step.phone, step.text, step.callback)
        except SendError as exc:
            return followup_jobs.send_failed(svc, step.claim, exc)
        self._unrecorded.append((step, message))  # recorded with the others that finished
        return "sent"

    def _record(self) -> None:
        """Record every text Twilio took since the last time, in one round trip. If Redis
        refuses, their attempts stay: once out of their window, Twilio's list settles them."""
        sends, self._unrecorded = self._unrecorded, []
        try:
            followup_jobs.sent_many(self.svc, sends)
        except Exception as exc:
            log_failure(log, f"recording {len(sends)} sent follow-up(s)", None, exc)

    async def _task(self, task_id: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, safety_net.send_task, task_id)
