"""How late do follow-up texts go out when 10,000 fall due at once?

Everything runs on this machine and is started here: a Redis of its own
(hotline.redis_provision), the local stand-in of Twilio's REST API (tests/support/twilio_api.py,
served with keep-alive, as Twilio's API is) and N worker processes running exactly what the
Procfile's `worker:` line runs (`hotline worker`: the dispatcher of due texts, the silence
sweeper, RQ's worker and scheduler).

The follow-ups are planned through the store's real end-of-conversation path, which puts each in
the due index as the web process does. A quiet-hours window that ends at the next whole minute
holds them all, so every one is due at the same instant: the morning rush when quiet hours end.
Lateness = when the stand-in received the text - when it was due. CPU per text: the workers'
user + system time over the rush (from /proc), this process's (the stand-in serves from here)
and Redis's (INFO cpu), each divided by the texts: where the machine's cores went.

    .venv/bin/python scripts/bench_followups.py [--count 10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline.dev.redis_provision import provision_redis  # noqa: E402
from hotline.services import build_hotline  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from hotline.store.followups import FollowupStore  # noqa: E402
from hotline.store.turns import TurnOutput  # noqa: E402
from hotline.triage.conversation import FINISHED, new_state  # noqa: E402
from tests.support.twilio_api import FakeTwilioAPI  # noqa: E402

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="follow-ups due at once")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--lead",
        type=float,
        default=45.0,
        help="at least this many seconds to plan them before they fall due",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as scratch:
        redis = provision_redis(None, Path(scratch) / "redis")
        api = FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, keep_alive=True).start()
        workers: list[subprocess.Popen[bytes]] = []
        try:
            due = next_minute(time.time() + args.lead)
            env = bench_env(redis.url, api.url, due)
            workers = start_workers(args.workers, env, Path(scratch))
            hotline = build_hotline(Settings.from_env(env))
            planned, planning = plan(hotline, args.count)
            print(
                f"planned {len(planned)} follow-ups in {planning:.1f} s; all due at "
                f"{datetime.fromtimestamp(due, UTC):%H:%M:%S} UTC "
                f"(in {due - time.time():.0f} s)",
                flush=True,
            )
            late_planned = sum(1 for _, ts in planned.values() if ts != due)
            before = (cpu_seconds(workers), time.process_time(), redis_cpu(hotline))
            received = wait_for_all(api, len(planned), due)
            after = (cpu_seconds(workers), time.process_time(), redis_cpu(hotline))
            cpu = [b - a for a, b in zip(before, after, strict=True)]
            report(args, planned, received, due, late_planned, hotline, cpu)
        finally:
            for worker in workers:
                stop(worker)
            api.stop()
            redis.stop()
    return 0


def cpu_seconds(processes: list[subprocess.Popen]) -> float:
    """User + system CPU the processes have used so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def redis_cpu(hotline) -> float:
    info = hotline.redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def next_minute(ts: float) -> float:
    moment = datetime.fromtimestamp(ts, UTC)
    return (moment.replace(second=0, microsecond=0) + timedelta(minutes=1)).timestamp()


def bench_env(redis_url: str, api_url: str, due: float) -> dict[str, str]:
    end = datetime.fromtimestamp(due, UTC)
    start = end - timedelta(minutes=30)
    return {
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_PHONE_NUMBER": "+15550001111",
        "TWILIO_API_BASE_URL": api_url,
        "HOTLINE_PUBLIC_URL": "https://hotline.example.org",
        "HOTLINE_FOLLOWUP_SELF_CARE": "1s",
        "HOTLINE_TIMEZONE": "UTC",
        "HOTLINE_QUIET_HOURS": f"{start:%H:%M}-{end:%H:%M}",
    }


def start_workers(count: int, env: dict[str, str], scratch: Path) -> list[subprocess.Popen]:
    procs = []
    for index in range(count):
        log = (scratch / f"worker-{index}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "hotline.cli", "worker"],
                cwd=ROOT,
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return procs


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def plan(hotline, count: int) -> tuple[dict[str, tuple[str, float]], float]:
    """Finish `count` self-care conversations as the web process does; phone -> (id, due)."""

    def finished(_):
        state = new_state()
        state.update(phase=FINISHED, disposition="self_care", rule="bench")
        return TurnOutput(
            state,
            [],
            [
                {"type": "new_conversation"},
                {"type": "finished", "disposition": "self_care", "red_flags": [], "rule": "bench"},
                {"type": "schedule_followup", "disposition": "self_care"},
            ],
            inbound_text="my leg is numb",
        )

    def one(index: int) -> tuple[str, tuple[str, float]]:
        phone = f"+1555{index:07d}"
        result = hotline.store.run_turn(phone, phone, "sms", None, finished)
        [(fid, due)] = result.followup_ids
        return phone, (fid, due)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        planned = dict(pool.map(one, range(count)))
    return planned, time.monotonic() - started


def wait_for_all(api: FakeTwilioAPI, count: int, due: float, timeout: float = 1800.0):
    deadline = due + timeout
    while time.time() < deadline:
        messages = api.messages
        if len(messages) >= count:
            return messages
        time.sleep(0.5)
    raise SystemExit(f"only {len(api.messages)} of {count} follow-ups went out in {timeout:g} s")


def report(args, planned, received, due: float, late_planned: int, hotline, cpu: list) -> None:
    lateness = sorted(m.date_created.timestamp() - planned[m.to][1] for m in received)
    handed = max(m.date_created.timestamp() for m in received) - due
    per_phone: dict[str, int] = {}
    for message in received:
        per_phone[message.to] = per_phone.get(message.to, 0) + 1
    duplicates = sum(n - 1 for n in per_phone.values())
    store_statuses = FollowupStore(hotline.redis, hotline.settings).statuses(
        fid for fid, _ in planned.values()
    )
    sent = sum(1 for status in store_statuses.values() if status == "sent")
    rows = [
        (
            "follow-ups due at the same instant",
            f"{len(planned) - late_planned:,}"
            + (f" (+{late_planned} planned after it)" if late_planned else ""),
        ),
        ("worker processes (`hotline worker`)", str(args.workers)),
        ("time to hand all to the REST stand-in", f"{handed:.1f} s"),
        ("throughput", f"{len(received) / max(handed, 1e-9):,.0f} texts/s"),
        ("lateness p50", f"{percentile(lateness, 50):.1f} s"),
        ("lateness p99", f"{percentile(lateness, 99):.1f} s"),
        ("lateness max", f"{lateness[-1]:.1f} s"),
        ("texts sent twice", str(duplicates)),
        ("follow-ups recorded as sent", f"{sent:,}"),
        ("CPU per text: workers / REST stand-in / Redis", " / ".join(
            f"{seconds / max(len(received), 1) * 1e6:,.0f}" for seconds in cpu) + " µs"),
        ("machine", f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    print(f"| {'measure':<{width}} | value |")
    print(f"| {'-' * width} | ----- |")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


def percentile(sorted_values: list[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[int(pct) - 1]


if __name__ == "__main__":
    sys.exit(main())
