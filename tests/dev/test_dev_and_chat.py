"""The README's run command: `hotline dev` brings Redis, web and worker up, `hotline chat`
completes a whole triage for each disposition, and SIGTERM stops everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from hotline.dev.redis_provision import free_port, redis_answers

pytestmark = pytest.mark.slow

NO_FLAGS = ["no"] * 9
CONVERSATIONS = {
    "emergency": (["I peed myself and my leg is numb"], "Call 911 now"),
    "urgent": (["my leg is numb", *["no"] * 7, "yes"], "get medical care today"),
    "soon": (["hi", *NO_FLAGS, "3 weeks"], "next few days"),  # 3 weeks: the story is decided
    "self_care": (["my foot fell asleep", *NO_FLAGS, "5 min", "no", "no", "yes", "no", "yes"],
                  "pressure on a nerve"),
}


def hotline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "hotline.cli", *args]


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} never answered 200")


@pytest.fixture
def dev(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_"))}
    env.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", PORT=str(port))  # none there
    process = subprocess.Popen(hotline_command("dev", "--no-chat"), cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz")
        yield base, env, process, tmp_path
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_dev_runs_everything_and_chat_completes_each_disposition(dev):
    base, env, process, cwd = dev
    for number, (disposition, (lines, advice)) in enumerate(CONVERSATIONS.items()):
        chat = subprocess.run(
            hotline_command("chat", "--url", base, "--from", f"+1555000{number:04d}"),
            input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, timeout=60)
        assert chat.returncode == 0, chat.stderr
        replies = [ln for ln in chat.stdout.splitlines() if ln.startswith("hotline> ")]
        assert "not a diagnosis" in replies[0]
        assert advice in " ".join(replies[-4:]), (disposition, replies)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "(redis-server)" in output or "(embedded)" in output
    redis_url = next(w for w in output.split() if w.startswith("redis://"))
    assert not redis_answers(redis_url)  # the Redis it started is gone with it
    worker_log = (cwd / "var" / "log" / "worker.log").read_text()
    assert "Traceback" not in worker_log


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append((int(entry), command))
    return found


def dev_process(tmp_path, **extra: str):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_"))}
    env.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", PORT=str(port), **extra)
    process = subprocess.Popen(hotline_command("dev", "--no-chat"), cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               stdin=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def test_dev_reports_a_child_that_dies_with_its_log_and_exits_non_zero(tmp_path):
    process, base = dev_process(tmp_path)
    try:
        wait_for(base + "/healthz")
        [(worker, _)] = [(p, c) for p, c in children_of(process.pid) if "cli worker" in c]
        os.kill(worker, signal.SIGKILL)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert "the worker process exited" in output
    assert "worker.log" in output and "hotline" in output.split("worker.log", 1)[1]
    assert not children_of(process.pid)


def test_dev_without_a_sender_logs_texts_and_says_so(tmp_path):
    process, base = dev_process(tmp_path, TWILIO_ACCOUNT_SID="AC" + "1" * 32,
                                TWILIO_AUTH_TOKEN="token")
    try:
        wait_for(base + "/healthz")
        time.sleep(2)  # the worker would have died by now
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "WARNING: TWILIO_PHONE_NUMBER" in output
    worker_log = (tmp_path / "var" / "log" / "worker.log").read_text()
    assert "Traceback" not in worker_log and "NOT SENT" in worker_log


@pytest.mark.parametrize("command", [("worker",), ("dev", "--no-chat")])
def test_a_production_setting_problem_is_one_line_before_anything_starts(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_"))}
    env.update(HOTLINE_ENV="production", SECRET_KEY="s", TWILIO_ACCOUNT_SID="AC1",
               TWILIO_AUTH_TOKEN="t", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    done = subprocess.run(hotline_command(*command), cwd=tmp_path, env=env, timeout=60,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stdout == ""  # nothing started: no Redis, no banner
    [line] = done.stderr.splitlines()
    assert line.startswith("hotline: bad setting: TWILIO_PHONE_NUMBER")
