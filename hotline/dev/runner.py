"""`hotline dev`: Redis, web and worker on one machine, and a chat with the running hotline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from hotline.dev.redis_provision import ProvisionedRedis, provision_redis, stop_process
from hotline.settings import Settings

DATA_DIR = Path("var")


def web_command(port: int) -> list[str]:
    """The Procfile's server (`hotline web`), two workers, each request logged."""
    return [sys.executable, "-m", "hotline.cli", "web", "--port", str(port), "--workers", "2",
            "--access-log"]


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


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path


LAST_LINES = 15  # of a dead child's log, shown when it exits


def run_dev(port: int, chat: bool | None = None) -> int:
    settings = Settings.from_env()  # a bad setting stops here, in one line, before anything
    redis = provision_redis(os.environ.get("REDIS_URL") or settings.redis_url,
                            DATA_DIR / "redis")
    env = {**os.environ, "REDIS_URL": redis.url, "PORT": str(port)}
    print(f"Redis: {redis.url} ({redis.kind})")
    children: list[Child] = []
    stopping = {"flag": False}

    def stop(*_: object) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGTERM, stop)
    try:
        for name, command in (("web", web_command(port)), ("worker", worker_command(redis.url))):
            log_path = DATA_DIR / "log" / f"{name}.log"
            children.append(Child(name, _spawn(command, env, log_path), log_path))
        base = f"http://127.0.0.1:{port}"
        if not wait_healthy(base, children[0].process):
            dead = next((c for c in children if c.process.poll() is not None), children[0])
            return _report_dead(dead, "did not come up")
        interactive = sys.stdin.isatty() if chat is None else chat
        _banner(base, settings, interactive)
        if interactive:
            from hotline.dev.chat import DEFAULT_FROM, run_sms_chat
            _watch_in_background(children, stopping)
            run_sms_chat(base, DEFAULT_FROM, settings)
            dead = _first_dead(children)
            return _report_dead(dead, "exited") if dead and not stopping["flag"] else 0
        while not stopping["flag"]:
            dead = _first_dead(children)
            if dead is not None:
                return _report_dead(dead, "exited")
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        dead = _first_dead(children)
        return _report_dead(dead, "exited") if dead and not stopping["flag"] else 0
    finally:
        _stop_all([c.process for c in children], redis)


def _first_dead(children: list[Child]) -> Child | None:
    return next((c for c in children if c.process.poll() is not None), None)


def _report_dead(child: Child, what: str) -> int:
    """Say which child stopped, with the end of its log; the caller stops the rest."""
    code = child.process.poll()
    print(f"\nhotline dev: the {child.name} process {what} (exit status {code}); "
          f"the last lines of {child.log_path}:", file=sys.stderr)
    for line in _tail(child.log_path, LAST_LINES):
        print(f"  {line}", file=sys.stderr)
    print("hotline dev: stopping everything else.", file=sys.stderr, flush=True)
    return 1


def _tail(path: Path, count: int) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ["(no log)"]
    return lines[-count:] or ["(the log is empty)"]


def _watch_in_background(children: list[Child], stopping: dict) -> None:
    """During the chat: a child that exits interrupts it (as Ctrl-C would), so the runner
    reports it and stops the rest instead of chatting with half a hotline."""

    def watch() -> None:
        while not stopping["flag"]:
            if _first_dead(children) is not None:
                os.kill(os.getpid(), signal.SIGINT)  # a real signal: input() wakes up
                return
            time.sleep(0.5)

    threading.Thread(target=watch, name="dev-watch", daemon=True).start()


def _banner(base: str, settings: Settings, chatting: bool) -> None:
    sends = "Twilio" if settings.can_send else "the worker log (var/log/worker.log)"
    if settings.sender_problem:
        sends += f"\n          WARNING: {settings.sender_problem}"
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
