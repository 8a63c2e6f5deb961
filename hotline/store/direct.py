"""A webhook turn's own Redis commands, sent on a connection the thread keeps.

A turn sends two commands: the MGET of everything it needs, then the commit script. Through
redis-py's client each costs about 45 µs of the web process's CPU (the pool's lock and pid
checks, a readiness probe that is a syscall of its own, retry and observability layers) where
the command itself, on the same connection, costs about 12 µs; at two per turn that was a tenth
of a turn's CPU. So these two go straight to a connection of the thread's own, made by the
client's own pool (plain or Sentinel, with the same timeouts, health check and decoding);
every other command keeps the client.
"""

from __future__ import annotations

import os
import threading

import redis
from redis.commands.core import Script
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError


class DirectCommands:
    """Commands on a per-thread connection of `client`'s pool, never handed back to it."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.pool = client.connection_pool
        self._local = threading.local()

    def execute(self, *args: object) -> object:
        """Send one command and read its reply. A connection found broken (Redis restarted,
        an idle socket a proxy dropped) is replaced and the command sent once more, as the
        client itself would; the turn's commands are safe to repeat (an MGET, and a commit
        that compares the state's version first). A timeout is not repeated: the webhook's
        time is spent, and its safe reply is due."""
        connection = self._connection()
        for attempt in range(2):
            try:
                connection.send_command(*args)
                return connection.read_response()
            except ResponseError:
                raise  # the reply was read whole: the connection is fine
            except RedisConnectionError:
                connection.disconnect()
                if attempt:
                    raise
            except BaseException:
                # A timeout, or anything that leaves a reply unread on the socket: the next
                # command must not read this one's reply.
                connection.disconnect()
                raise
        raise AssertionError("not reached")

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

    def _connection(self):
        held = getattr(self._local, "held", None)
        pid = os.getpid()
        if held is None or held[0] != pid:  # a forked child never shares its parent's socket
            held = (pid, self.pool.make_connection())
            self._local.held = held
        return held[1]

