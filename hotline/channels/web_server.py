"""`hotline web`: the Procfile's web process. Checks the settings once, then becomes Granian.

Granian (a maintained Rust HTTP server with WSGI workers) serves the webhooks: on this
project's bench it answers the same Flask app faster and with a lower p99 than gunicorn's
gthread workers (docs/operations.md, "Web server"). The settings are checked here, once,
before any worker boots, so a bad setting is one line naming the variable (as gunicorn.conf.py
does for gunicorn, which stays a documented alternative). Then this process is replaced by
Granian (exec), so signals (SIGTERM: graceful stop; SIGHUP: reload the workers) reach it
directly and a platform's process manager sees one process tree, as before.
"""

from __future__ import annotations

import os
import shutil
import sys

from hotline.settings import Settings

APP = "hotline.wsgi:app"
WORKERS = 4  # processes: two per core, so one waiting on Redis leaves the CPU to another
THREADS = 2  # per worker: more share one GIL and lengthen the p99 (docs/operations.md)


def granian_argv(host: str, port: int, workers: int = WORKERS, threads: int = THREADS,
                 app: str = APP, access_log: bool = False) -> list[str]:
    """Granian's command line for the WSGI app: no access log unless asked (one line per
    webhook costs CPU and says nothing the app's own logs do not), failed workers respawned,
    a graceful stop that lets a turn in flight finish."""
    return [
        _granian(), "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--respawn-failed-workers", "--workers-kill-timeout", "30", "--no-ws",
        "--access-log" if access_log else "--no-access-log", app,
    ]


def _granian() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "granian")
    return beside if os.path.exists(beside) else (shutil.which("granian") or "granian")


def run_web(host: str, port: int, workers: int = WORKERS, threads: int = THREADS,
            app: str = APP, access_log: bool = False) -> int:
    """Check the settings (SettingsError reaches the CLI's one-line report), then exec."""
    if app == APP:
        Settings.from_env().check_web()
    argv = granian_argv(host, port, workers, threads, app, access_log)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
    return 0  # not reached
