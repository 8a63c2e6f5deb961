"""`hotline dev`: Redis, web and worker on one machine, and a chat with the running hotline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hotline.dev.redis_provision import ProvisionedRedis, provision_redis, stop_process
from hotline.settings import Settings

DATA_DIR = Path("var")


def web_command(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "--access-logfile", "-", "hotline.wsgi:app"]


def worker_command(redis_url: str) -> list[str]:
    return [sys.executable, "-m", "hotline.cli", "worker"]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def _spawn(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - the child owns it for its whole life
    # Own process group: Ctrl-C reaches us first, and we stop children in order.
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def run_dev(port: int, chat: bool | None = None) -> int:
    settings = Settings.from_env()
    redis = provision_redis(os.environ.get("REDIS_URL") or settings.redis_url,
                            DATA_DIR / "redis")
    env = {**os.environ, "REDIS_URL": redis.url, "PORT": str(port)}
    print(f"Redis: {redis.url} ({redis.kind})")
    children: list[subprocess.Popen] = []
    stopping = {"flag": False}

    def stop(*_: object) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, stop)
    try:
        web = _spawn(web_command(port), env, DATA_DIR / "log" / "web.log")
        children.append(web)
        children.append(_spawn(worker_command(redis.url), env, DATA_DIR / "log" / "worker.log"))
        base = f"http://127.0.0.1:{port}"
        if not wait_healthy(base, web):
            print(f"the web process did not come up; see {DATA_DIR / 'log' / 'web.log'}",
                  file=sys.stderr)
            return 1
        interactive = sys.stdin.isatty() if chat is None else chat
        _banner(base, settings, interactive)
        if interactive:
            from hotline.dev.chat import DEFAULT_FROM, run_sms_chat
            run_sms_chat(base, DEFAULT_FROM, settings)
            return 0
        while not stopping["flag"] and all(c.poll() is None for c in children):
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        _stop_all(children, redis)


def _banner(base: str, settings: Settings, chatting: bool) -> None:
    sends = "Twilio" if settings.can_send else "the worker log (var/log/worker.log)"
    here = ("\nType below to text the hotline as a patient; Ctrl-D ends the chat and stops "
            "everything.") if chatting else ""
    print(f"""
The hotline is running.
  web:    {base}   (POST /sms, POST /voice, /staff, /healthz)
  worker: follow-up texts go to {sends}
  logs:   var/log/web.log, var/log/worker.log

Chat with it from another terminal:
  .venv/bin/hotline chat            # as a texter
  .venv/bin/hotline chat --voice    # as a caller (type digits, or words for speech)
Stop everything with Ctrl-C.{here}
""", flush=True)


def _stop_all(children: list[subprocess.Popen], redis: ProvisionedRedis) -> None:
    for child in reversed(children):
        if child.poll() is None:
            stop_process(child)
    redis.stop()
