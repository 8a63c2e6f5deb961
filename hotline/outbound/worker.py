"""The worker process: the dispatcher of due texts, the silence sweeper, and RQ's worker and
scheduler for the other jobs (the after-call text, a reply owed after an outage, the purge).

Procfile: `worker: hotline worker`, which calls run_worker(settings). The same worker runs
under RQ's own command line too:

    rq worker --with-scheduler --worker-class hotline.outbound.worker.HotlineWorker \
        --maintenance-interval 60 --url "$REDIS_URL" hotline

HotlineWorker runs jobs in the worker process itself (RQ's SimpleWorker): a job is one REST
call, so a fork per job would cost more than the job, and a platform restart then kills the
job with its worker instead of leaving a work horse behind. A shorter maintenance interval
than RQ's 10 minutes lets a restarted worker retake the scheduler lock soon after a killed
one's expires (rq/rq#1758). Due texts do not wait for that lock: the dispatcher
(hotline/outbound/dispatcher.py) takes them from the due indexes from the worker's first
second.
"""

from __future__ import annotations

import logging
import sys
import threading

from rq.worker import SimpleWorker

from hotline.outbound import alerts, dispatcher, followup_jobs, followups, nudges
from hotline.redact import log_failure
from hotline.settings import Settings
from hotline.store.connect import connect_rq

log = logging.getLogger("hotline.outbound.worker")


class SilenceSweeper(threading.Thread):
    """Every `every` seconds, look at the texters gone quiet mid-questions (nudge, close)."""

    def __init__(self, hotline, every: float) -> None:
        super().__init__(name="silence-sweeper", daemon=True)
        self.hotline, self.every = hotline, every
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            self.sweep_once()

    def sweep_once(self) -> int:
        """Silences whose time has come; one worker process per interval does it."""
        try:
            store = followup_jobs.services().followups
            if not store.take_sweep_turn(self.every * 0.8):
                return 0  # another worker process swept this interval
            return nudges.sweep_silence(self.hotline)
        except Exception as exc:  # Redis away for a moment: try again next interval
            log_failure(log, "sweeping the silence index", None, exc)
            return 0

    def stop(self) -> None:
        self._stop_event.set()


class HotlineWorker(SimpleWorker):
    """`rq worker --worker-class hotline.outbound.worker.HotlineWorker`: jobs in-process, plus the
    dispatcher of due texts and the silence sweeper. Timing lives in class attributes so a
    subclass can shorten it (tests do)."""

    sweep_every = 5.0
    dispatch_window = dispatcher.WINDOW
    send_timeout = followup_jobs.SEND_TIMEOUT
    in_flight_margin = followup_jobs.IN_FLIGHT_MARGIN
    retry_backoff: tuple[int, ...] | None = None  # None: followup_jobs.RETRY_BACKOFF
    webhook_backoff: tuple[float, ...] | None = None  # None: alerts.WEBHOOK_BACKOFF

    def work(self, *args, **kwargs) -> bool:
        _log_to_stderr()
        followup_jobs.configure(
            send_timeout=self.send_timeout,
            in_flight_margin=self.in_flight_margin,
            retry_backoff=self.retry_backoff,
        )
        alerts.configure(webhook_backoff=self.webhook_backoff)
        services = followup_jobs.services()
        if not services.hotline.settings.can_send:
            why = services.hotline.settings.sender_problem or "No Twilio credentials"
            log.warning("%s: follow-up texts are NOT SENT, only logged", why)
        sweeper = SilenceSweeper(services.hotline, self.sweep_every)
        window = services.hotline.settings.dispatch_window or self.dispatch_window
        sender = dispatcher.Dispatcher(services, window=window)
        sweeper.start()
        sender.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            sweeper.stop()
            sender.stop(wait=followup_jobs.in_flight_window())


MAINTENANCE_INTERVAL = 60  # seconds; RQ's default is 600


def run_worker(
    settings: Settings,
    *,
    burst: bool = False,
    name: str | None = None,
    worker_class: type[HotlineWorker] = HotlineWorker,
) -> None:
    """The worker process for `hotline worker` / `hotline dev`: blocks until SIGTERM/SIGINT."""
    followup_jobs.use_services(followup_jobs.make_services(settings))
    # Not store.connect(): its 2 s socket timeout would end the worker's blocking dequeue.
    connection = connect_rq(settings.redis_url, health_check_interval=30)
    worker = worker_class(
        [followups.QUEUE_NAME],
        connection=connection,
        name=name,
        maintenance_interval=MAINTENANCE_INTERVAL,
    )
    if not burst:
        from hotline.staff.retention import schedule_daily_purge
        schedule_daily_purge(connection, settings)  # idempotent: one booked run per day
    worker.work(with_scheduler=True, burst=burst)


def _log_to_stderr() -> None:
    """The hotline's own log lines (sent, failed, NOT SENT) next to RQ's."""
    logger = logging.getLogger("hotline")
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
