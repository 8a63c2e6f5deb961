"""A webhook turn's own Redis commands, sent on connections kept for them.

A turn sends two commands: the MGET of everything it needs, then the commit script. Through
redis-py's client an MGET costs about 45 µs of the web process's CPU (the pool's lock and pid
checks, a readiness probe that is a syscall of its own, retry and observability layers; more
for a script) where the command itself, on the same connection, costs about 12 µs: sent here, a
turn takes about 650 µs of CPU instead of 840 (scripts/bench_cpu.py). So these two go straight
to an idle connection of a small stack of their own, made by the client's own pool (plain or
Sentinel, with the same timeouts, health check and decoding); every other command keeps the
client. A thread takes one for a command and puts it back (list pop and append are atomic: no
lock), so there are never more than the threads sending at once, and a thread the server starts
later finds one ready.
"""

from __future__ import annotations

import os

import hiredis
import redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

try:  # redis-py's own name: should a release move it, the connection's packer is used
    from redis.connection import HiredisRespSerializer
except ImportError:  # pragma: no cover
    HiredisRespSerializer = None


class DirectCommands:
    """Commands on connections made by `client`'s pool, kept here, never handed back to it."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.pool = client.connection_pool
        self._idle: list = []
        self._pid = os.getpid()

    def execute(self, *args: object) -> object:
        """Send one command and read its reply. A connection found broken (Redis restarted,
        an idle socket a proxy dropped) is replaced and the command sent once more, as the
        client itself would; the turn's commands are safe to repeat (an MGET, and a commit
        that compares the state's version first). A timeout is not repeated: the webhook's
        time is spent, and its safe reply is due."""
        connection = self._take()
        try:
            for attempt in range(2):
                try:
                    # Connected as the pool would (a Sentinel connection asks for the master
                    # here; send_command alone would go to the default host); a no-op when it is.
                    connection.connect()
                    connection.send_packed_command(_packed(connection, args))
                    return connection.read_response()
                except ResponseError:
                    raise  # the reply was read whole: the connection is fine
                except RedisConnectionError:
                    connection.disconnect()
                    if attempt:
                        raise
                except BaseException:
                    # A timeout, or anything that leaves a reply unread on the socket: the
                    # next command must not read this one's reply.
                    connection.disconnect()
                    raise
            raise AssertionError("not reached")
        finally:
            self._idle.append(connection)  # disconnected ones connect again when next used

    def mget(self, keys: list[str]) -> list:
        return self.execute("MGET", *keys)

    def run_script(self, script: Script, keys: list, args: list) -> object:
        """EVALSHA; a server that does not know the script (restarted, flushed) is given it
        once and asked again."""
        try:
            return self.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.client.script_load(script.script)
            return self.execute("EVALSHA", script.sha, len(keys), *keys, *args)

    def _take(self):
        if self._pid != os.getpid():  # a forked child never uses its parent's sockets
            self._idle, self._pid = [], os.getpid()
        try:
            return self._idle.pop()
        except IndexError:
            return self.pool.make_connection()



def _packed(connection, args: tuple) -> list[bytes]:
    """The command in Redis's protocol. With hiredis, redis-py's packer hands the arguments to
    hiredis.pack_command as they are after a pass over them for memoryviews, which a turn never
    sends (~6 µs of a commit's ~60 arguments): the same bytes, packed here in one call."""
    packer = getattr(connection, "_command_packer", None)
    if HiredisRespSerializer is not None and type(packer) is HiredisRespSerializer:
        return [hiredis.pack_command(args)]
    return connection.pack_command(*args)
