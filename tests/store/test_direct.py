"""The turn's commands on the thread's own connection: a broken connection is replaced, a
flushed script is loaded again, a timeout never leaves a reply for the next command to read."""

from __future__ import annotations

import os
import threading

import pytest
import redis

from hotline.store.connect import connect_web
from hotline.store.direct import DirectCommands


@pytest.fixture
def client(redis_url):
    client = connect_web(redis_url)
    yield client
    client.close()


def test_commands_answer_as_the_client_does(client):
    direct = DirectCommands(client)
    client.set("direct:a", "1")
    assert direct.mget(["direct:a", "direct:missing"]) == ["1", None]
    script = client.register_script("return {KEYS[1], ARGV[1]}")
    assert direct.run_script(script, ["k"], ["v"]) == ["k", "v"]
    with pytest.raises(redis.ResponseError):
        direct.execute("INCR", "direct:a", "extra")  # an error reply keeps the connection
    assert direct.mget(["direct:a"]) == ["1"]


def test_a_connection_killed_by_the_server_is_replaced(client):
    direct = DirectCommands(client)
    client.set("direct:b", "x")
    assert direct.mget(["direct:b"]) == ["x"]
    mine = direct.execute("CLIENT", "ID")
    client.execute_command("CLIENT", "KILL", "ID", mine)
    assert direct.mget(["direct:b"]) == ["x"]  # sent again on a new connection
    assert direct.execute("CLIENT", "ID") != mine


def test_a_script_the_server_forgot_is_loaded_again(client):
    direct = DirectCommands(client)
    script = client.register_script("return 'again'")
    client.script_flush()
    assert direct.run_script(script, [], []) == "again"


def test_a_timeout_leaves_no_reply_behind(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True, socket_timeout=0.2)
    direct = DirectCommands(client)
    client.set("direct:c", "after")
    with pytest.raises(redis.TimeoutError):
        direct.execute("BLPOP", "direct:never", 1)  # its reply comes after the timeout
    assert direct.mget(["direct:c"]) == ["after"]  # not BLPOP's late nil
    client.close()


def test_threads_sending_at_once_use_connections_of_their_own(client):
    direct = DirectCommands(client)
    main_id = direct.execute("CLIENT", "ID")
    waiting = threading.Thread(target=direct.execute, args=("BLPOP", "direct:wake", 5))
    waiting.start()
    while client.execute_command("CLIENT", "LIST", "TYPE", "normal").count("cmd=blpop") < 1:
        pass  # the other thread is now inside its command
    second_id = direct.execute("CLIENT", "ID")
    assert second_id != main_id  # a second connection: the first is busy
    client.lpush("direct:wake", "1")
    waiting.join()
    seen = []
    later = threading.Thread(target=lambda: seen.append(direct.execute("CLIENT", "ID")))
    later.start()
    later.join()
    assert seen[0] in (main_id, second_id)  # a thread started later takes an idle one


def test_a_forked_child_never_uses_its_parents_connection(client):
    direct = DirectCommands(client)
    main_id = direct.execute("CLIENT", "ID")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own connection, and the parent's is left alone
        try:
            os.write(write, str(direct.execute("CLIENT", "ID")).encode())
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    child_id = int(os.read(read, 64))
    assert child_id != main_id
    assert direct.execute("CLIENT", "ID") == main_id


def test_a_command_is_packed_as_the_connection_itself_packs_it():
    from redis.connection import Connection, PythonRespSerializer

    from hotline.store.direct import _packed

    args = ("EVALSHA", "a" * 40, 2, "k1", "ké", 7, 1.5, "", "x" * 70_000)
    plain = Connection()
    python_packer = PythonRespSerializer(plain._buffer_cutoff, plain.encoder.encode)
    for connection in (plain, Connection(command_packer=python_packer)):  # hiredis, Python
        assert b"".join(_packed(connection, args)) == b"".join(connection.pack_command(*args))
