"""What a webhook turn costs Redis, for scripts/bench.

Commands: Redis's own INFO commandstats, read before and after a run of turns; commands a Lua
script calls are counted there too, so this is every command Redis executed for the turns.

Round trips: a TCP proxy between the web process and Redis that counts, per connection, each
time the client starts sending after Redis last answered (a pipeline or a script is one round
trip however many commands it holds). It also counts the commands the client sent (RESP arrays),
so the two figures separate what the web process asked for from what scripts did inside Redis.

Memory: INFO memory used_memory before and after a number of conversations, divided by their
count (the Redis's own fixed overhead is in both readings and cancels out); what is kept is
read with the keys left in a database of their own, its tables sized for them (kept_memory).
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

import redis

OWN_COMMANDS = (
    "info",
    "config|resetstat",
    "config",
    "memory|usage",
    "dbsize",
    "flushall",
    "scan",
    "del",
    "unlink",
)


def command_calls(client: redis.Redis, exclude: tuple[str, ...] = OWN_COMMANDS) -> int:
    """Commands executed so far, leaving out the ones the bench itself sends."""
    total = 0
    for name, stats in client.info("commandstats").items():
        command = name.removeprefix("cmdstat_").lower()
        if command not in exclude:
            total += int(stats["calls"])
    return total


def cpu_seconds(client: redis.Redis) -> float:
    """CPU time the Redis server has used (its main thread and the rest), from INFO cpu."""
    info = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def kept_memory(client: redis.Redis, db: int = 1) -> int:
    """used_memory with every key left moved, as it is, into database `db` of its own.

    The bench deletes at once what would expire over two days (a conversation's dozen or more
    replay-memory keys among them), and the keyspace's tables stay sized for all of them: Redis
    shrinks a table only once it is under a tenth full, so after 10,000 conversations a retained
    one would carry 300-800 bytes of buckets for keys that are gone. In service the tables are
    sized for what is there (the last two days' short-lived keys are a few percent of the
    retained ones). MOVE hands over each value untouched (no rewrite, as DUMP and RESTORE would
    make of a stream), the new database's tables grow to fit the keys moved, and the emptied
    one's shrink in Redis's cron (settled_memory waits for that)."""
    pipe = client.pipeline(transaction=False)
    for count, key in enumerate(client.scan_iter(count=1000), 1):
        pipe.move(key, db)
        if count % 1000 == 0:
            pipe.execute()
    pipe.execute()
    return settled_memory(client)


def settled_memory(client: redis.Redis, quiet: float = 1.0, limit: float = 15.0) -> int:
    """used_memory once it has stopped falling for `quiet` seconds (Redis resizes and rehashes
    its tables in its cron, a step every 100 ms)."""
    now = lowest = used_memory(client)
    since = time.monotonic()
    deadline = since + limit
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.1)
        now = used_memory(client)
        if now < lowest:
            lowest, since = now, time.monotonic()
    return now


@dataclass
class ProxyCounts:
    round_trips: int = 0
    commands: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> tuple[int, int]:
        with self.lock:
            return self.round_trips, self.commands


class CountingProxy:
    """127.0.0.1:<port> -> Redis, counting round trips and commands (see module docstring)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.counts = ProxyCounts()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="redis-proxy", daemon=True)

    def start(self) -> CountingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        """Close every proxied connection and the loop (before the bench forks again)."""
        asyncio.run_coroutine_threadsafe(self._cancel_all(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _cancel_all(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        server_r, server_w = await asyncio.open_connection(*self.upstream)
        waiting = [False]  # the client has sent and Redis has not answered yet
        parser = RespCounter()

        async def upstream() -> None:
            while data := await client_r.read(65536):
                with self.counts.lock:
                    if not waiting[0]:
                        self.counts.round_trips += 1
                        waiting[0] = True
                    self.counts.commands += parser.feed(data)
                server_w.write(data)
                await server_w.drain()
            server_w.close()

        async def downstream() -> None:
            while data := await server_r.read(65536):
                waiting[0] = False
                client_w.write(data)
                await client_w.drain()
            client_w.close()

        try:
            await asyncio.gather(upstream(), downstream(), return_exceptions=True)
        except asyncio.CancelledError:
            pass  # the bench is done with the proxy
        finally:
            server_w.close()
            client_w.close()


class RespCounter:
    """Counts complete top-level RESP arrays (commands) in a client's byte stream."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> int:
        self.buffer += data
        count = 0
        while True:
            used = self._one(self.buffer)
            if used is None:
                return count
            self.buffer = self.buffer[used:]
            count += 1

    @staticmethod
    def _one(buf: bytes) -> int | None:
        """Bytes of the first complete command in `buf`, or None when it is not all there."""
        end = buf.find(b"\r\n")
        if end < 0:
            return None
        if not buf.startswith(b"*"):
            return end + 2  # an inline command: one line
        items, pos = int(buf[1:end]), end + 2
        for _ in range(items):
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None
            length = int(buf[pos + 1 : line_end])
            pos = line_end + 2 + length + 2
            if pos > len(buf):
                return None
        return pos
