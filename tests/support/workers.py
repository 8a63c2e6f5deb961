"""Real RQ worker processes for tests.

Each one runs what the Procfile's `worker:` line runs (hotline.outbound.worker.run_worker,
RQ's worker
with its scheduler and the due sweeper) in a process of its own, reading its settings from the
environment it is given, with the follow-up timing shortened (QuickWorker) so tests take
seconds. `kill()` is SIGKILL to the worker's whole process group (the worker and the
scheduler it forked), as a platform restart does: no handler runs, no lock is released.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from hotline.outbound.worker import HotlineWorker, run_worker

ROOT = Path(__file__).resolve().parents[2]


class QuickWorker(HotlineWorker):
    """HotlineWorker with seconds instead of minutes: silences looked at every 0.3 s, an attempt
    counts as in flight for 4 s, retries after 1 s (a webhook's after 0.3 s)."""

    sweep_every = 0.3
    send_timeout = 3.0
    in_flight_margin = 1.0
    retry_backoff = (1, 1, 1, 1, 1)
    webhook_backoff = (0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3)  # 8 webhook calls in ~2 s


def main(argv: list[str]) -> int:
    """Entry point of a test worker process: `python -c ... <name>`."""
    from hotline.cli import start_outage_writeback
    from hotline.settings import Settings

    settings = Settings.from_env()
    start_outage_writeback(settings)
    run_worker(settings, name=argv[0] if argv else None, worker_class=QuickWorker)
    return 0


class WorkerProcess:
    def __init__(self, env: dict[str, str], log_path: Path, name: str | None = None) -> None:
        self.env = env
        self.log_path = log_path
        self.name = name or f"test-worker-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        program = "import sys; from tests.support.workers import main; sys.exit(main(sys.argv[1:]))"
        command = [sys.executable, "-c", program, self.name]
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and everything it started, and reap it."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 10.0) -> None:
        """A warm shutdown (SIGTERM), then SIGKILL if it lingers."""
        if not self.running:
            self.kill()  # its scheduler child may still be about
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        self.kill()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


class Workers:
    """Starts worker processes for one test and stops every one of them at the end."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.started: list[WorkerProcess] = []

    def start(self, name: str | None = None) -> WorkerProcess:
        index = len(self.started) + 1
        worker = WorkerProcess(self.env, self.log_dir / f"worker-{index}.log", name).start()
        self.started.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.started:
            worker.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {w.name} ---\n{w.log()}" for w in self.started)


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "it"):
    """Poll `predicate` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
