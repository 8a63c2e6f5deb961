"""Load generators for scripts/bench, both outside the web process.

wrk (C, event loop) when it is installed: pre-signed requests are written one file per wrk
thread and replayed by scripts/bench_wrk.lua. Without wrk, a Python generator: a few processes,
each with threads that post whole conversations in order over http.client. The Python one
costs more CPU per request, which on a small machine it takes from the server: its figures are
lower than wrk's, for the hotline and the floor alike.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench_traffic import Request, interleave

HERE = Path(__file__).resolve().parent
WRK_SCRIPT = HERE / "bench_wrk.lua"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    failed: int  # answered with a status other than 2xx, or a socket error
    generator: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str | None:
    return shutil.which("wrk")


def run(
    port: int,
    convs: list[list[Request]],
    connections: int,
    seconds: float,
    scratch: Path,
    threads: int = 2,
) -> LoadResult:
    if wrk_binary():
        return run_wrk(port, convs, connections, seconds, scratch, threads)
    return run_python(port, convs, connections, seconds)


def run_wrk(
    port: int,
    convs: list[list[Request]],
    connections: int,
    seconds: float,
    scratch: Path,
    threads: int,
) -> LoadResult:
    prefix = scratch / f"wrk-{port}-{time.monotonic_ns()}"
    share = len(convs) // threads
    # Four times as many open conversations per thread as it has connections: a conversation's
    # next turn is generated only long after its previous one was answered.
    slots = 4 * max(1, connections // threads)
    for index in range(threads):
        mine = convs[index * share : (index + 1) * share]
        lines = (r.wrk_line() for r in interleave(mine, slots))
        Path(f"{prefix}.{index + 1}").write_text("\n".join(lines) + "\n")
    command = [
        wrk_binary(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(prefix),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for index in range(threads):
        Path(f"{prefix}.{index + 1}").unlink(missing_ok=True)
    match = re.search(r"^BENCH (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    figures = json.loads(match.group(1))
    return LoadResult(
        figures["requests"],
        figures["duration_us"] / 1e6,
        figures["p50_us"] / 1000,
        figures["p99_us"] / 1000,
        figures["max_us"] / 1000,
        figures["not_2xx"] + figures["socket_errors"],
        "wrk",
    )


# --- the Python generator, for a machine without wrk -----------------------------------------


def run_python(
    port: int, convs: list[list[Request]], connections: int, seconds: float
) -> LoadResult:
    processes = max(1, min(os.cpu_count() or 1, connections))
    per_connection: list[list[Request]] = [[] for _ in range(connections)]
    for index, conv in enumerate(convs):
        per_connection[index % connections].extend(conv)
    shares = [per_connection[p::processes] for p in range(processes)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        started = time.monotonic()
        parts = pool.starmap(_drive, [(port, share, seconds) for share in shares])
        elapsed = time.monotonic() - started
    latencies = sorted(lat for part in parts for lat in part[0])
    failed = sum(part[1] for part in parts)
    busy = max((part[2] for part in parts), default=elapsed)
    return LoadResult(
        len(latencies),
        busy,
        _pct(latencies, 50),
        _pct(latencies, 99),
        latencies[-1] if latencies else 0.0,
        failed,
        "python",
    )


def _drive(port: int, lists: list[list[Request]], seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def connection(requests: list[Request]) -> None:
        mine: list[float] = []
        bad = 0
        for req in requests:
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request(
                    "POST", req.path, req.body, {**HEADERS, "X-Twilio-Signature": req.signature}
                )
                response = conn.getresponse()
                response.read()
                bad += response.status != 200
            except OSError:
                bad += 1
            finally:
                conn.close()
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    workers = [threading.Thread(target=connection, args=(reqs,)) for reqs in lists]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, failures[0], time.monotonic() - started


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]
