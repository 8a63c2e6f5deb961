"""The worker process: RQ's worker and scheduler for follow-up texts, plus the due sweeper.

Procfile: `worker: hotline worker`, which calls run_worker(settings). The same worker runs
under RQ's own command line too:

    rq worker --with-scheduler --worker-class hotline.outbound.worker.HotlineWorker \
        --maintenance-interval 60 --url "$REDIS_URL" hotline

HotlineWorker runs jobs in the worker process itself (RQ's SimpleWorker): a follow-up job is
one REST call, so a fork per job would cost more than the job, and a platform restart then
kills the job with its worker instead of leaving a work horse behind. A shorter maintenance
interval than RQ's 10 minutes lets a restarted worker retake the scheduler lock soon after a
killed one's expires (rq/rq#1758); the sweeper covers the time until then.
"""

from __future__ import annotations

import logging
import sys
import threading

from rq.worker import SimpleWorker

from hotline.outbound import alerts, followup_jobs, followups, nudges, safety_net
from hotline.redact import log_failure
from hotline.settings import Settings
from hotline.store.connect import connect_rq

log = logging.getLogger("hotline.outbound.worker")


class DueSweeper(threading.Thread):
    """Every `every` seconds, hand RQ the follow-ups overdue by more than `grace` seconds."""

    def __init__(self, hotline, every: float, grace: float) -> None:
        super().__init__(name="followup-sweeper", daemon=True)
        self.hotline, self.every, self.grace = hotline, every, grace
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            self.sweep_once()

    def sweep_once(self) -> int:
        try:
            store = followup_jobs.services().followups
            if not store.take_sweep_turn(self.every * 0.8):
                return 0  # another worker process swept this interval
            count = followups.sweep(self.hotline, self.grace)
        except Exception as exc:  # Redis away for a moment: try again next interval
            log_failure(log, "sweeping due follow-ups", None, exc)
            return 0
        if count:
            log.warning("sweeper enqueued %d overdue follow-up(s)", count)
        return count + self.sweep_safety_net()

    def sweep_safety_net(self) -> int:
        """Silences whose time has come (nudge, close), then safety-net tasks whose job was
        lost: the same turn, under the same lock, as the follow-ups."""
        try:
            nudges.sweep_silence(self.hotline)
            count = safety_net.sweep(self.hotline, self.grace)
        except Exception as exc:
            log_failure(log, "sweeping the safety net", None, exc)
            return 0
        if count:
            log.warning("sweeper enqueued %d overdue safety-net task(s)", count)
        return count

    def stop(self) -> None:
        self._stop_event.set()


class HotlineWorker(SimpleWorker):
    """`rq worker --worker-class hotline.outbound.worker.HotlineWorker`: jobs in-process, plus the
    sweeper. Timing lives in class attributes so a subclass can shorten it (tests do)."""

    sweep_every = 5.0
    sweep_grace = 30.0
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
        sweeper = DueSweeper(services.hotline, self.sweep_every, self.sweep_grace)
        sweeper.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            sweeper.stop()


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
