"""Growing past one machine: Sentinel settings, and several web processes and workers sharing
one Redis with nothing in any one process that the others need to know."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from hotline import create_app
from hotline.dev.redis_provision import free_port
from hotline.outbound import followups
from hotline.settings import Settings, SettingsError
from hotline.store.connect import (
    RedisURLError,
    SentinelTarget,
    describe,
    parse_host_ports,
    parse_sentinel_url,
    sentinel_url,
)
from tests.conftest import AUTH_TOKEN
from tests.support.followups import followup_env
from tests.support.webhooks import TwilioWebhooks, message_sid, sign, texts_of
from tests.support.workers import wait_until

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_URL = "http://localhost"  # what the follow-up env's HOTLINE_PUBLIC_URL says

# --- Sentinel settings ------------------------------------------------------------------------


def test_sentinel_url_names_hosts_master_db_and_passwords():
    target = parse_sentinel_url(
        "redis+sentinel://:s%40cret@10.0.0.1:26379,sentinel-b:26380/hotline/2"
        "?sentinel_password=watch"
    )
    assert target == SentinelTarget(
        (("10.0.0.1", 26379), ("sentinel-b", 26380)), "hotline", 2, None, "s@cret", "watch"
    )
    assert parse_sentinel_url(sentinel_url(target)) == target
    assert parse_sentinel_url("redis+sentinel://h:1/m").db == 0
    assert "s@cret" not in describe(sentinel_url(target))


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://h:26379",  # no master
        "redis+sentinel://h:26379/",  # no master
        "redis+sentinel://h/m",  # no port
        "redis+sentinel://h:99999/m",  # port out of range
        "redis+sentinel://h:1/m/zero",  # db not a number
        "redis+sentinel://h:1/m/0/extra",
        "redis+sentinel://h:1/m?timeout=3",  # an option we do not know
    ],
)
def test_bad_sentinel_urls_are_refused(url):
    with pytest.raises(RedisURLError):
        parse_sentinel_url(url)
    with pytest.raises(SettingsError, match="REDIS_URL"):
        Settings.from_env({"REDIS_URL": url})


def test_sentinel_env_becomes_one_sentinel_url_with_the_db_and_password_of_redis_url():
    settings = Settings.from_env(
        {
            "REDIS_SENTINELS": " 10.0.0.1:26379, 10.0.0.2:26379 ,[::1]:26380",
            "REDIS_SENTINEL_MASTER": "hotline",
            "REDIS_URL": "redis://:pw@unused:6379/3",
            "REDIS_SENTINEL_PASSWORD": "watch",
        }
    )
    assert settings.redis_sentinel == SentinelTarget(
        (("10.0.0.1", 26379), ("10.0.0.2", 26379), ("::1", 26380)),
        "hotline",
        3,
        None,
        "pw",
        "watch",
    )
    assert parse_sentinel_url(settings.redis_url) == settings.redis_sentinel
    assert Settings.from_env({}).redis_sentinel is None
    assert Settings.from_env({}).redis_url == "redis://localhost:6379/0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REDIS_SENTINELS": "h:26379"}, "REDIS_SENTINEL_MASTER is required"),
        ({"REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS is required"),
        ({"REDIS_SENTINELS": "h", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS='h'"),
        ({"REDIS_SENTINELS": "h:1,,h:2", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS"),
        (
            {
                "REDIS_SENTINELS": "h:1",
                "REDIS_SENTINEL_MASTER": "m",
                "REDIS_URL": "redis+sentinel://h:1/m",
            },
            "one way only",
        ),
        (
            {"REDIS_SENTINELS": "h:1", "REDIS_SENTINEL_MASTER": "m", "REDIS_URL": "redis://h/x"},
            "not a number",
        ),
        ({"REDIS_URL": "http://example.org"}, "REDIS_URL"),
    ],
)
def test_bad_sentinel_settings_name_the_variable(env, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        Settings.from_env(env)


def test_host_lists_parse():
    assert parse_host_ports("a:1,b.example:2") == (("a", 1), ("b.example", 2))
    with pytest.raises(RedisURLError):
        parse_host_ports("")


@pytest.mark.slow
def test_the_hotline_finds_its_redis_through_a_real_sentinel(redis_server, redis_url, tmp_path):
    sentinel = start_sentinel(redis_server, tmp_path)
    try:
        url = f"redis+sentinel://127.0.0.1:{sentinel.port}/hotline/0"
        app = create_app(
            Settings.from_env(
                {
                    "REDIS_URL": url,
                    "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                    "SECRET_KEY": "s",
                    "HOTLINE_SPOOL_DIR": str(tmp_path / "spool"),
                }
            )
        )
        reply = TwilioWebhooks(app.test_client(), AUTH_TOKEN).sms("+15557770001", "leg numb")
        assert "bladder" in reply.text
        hotline = app.extensions["hotline"]
        assert hotline.rq_redis.ping()
        direct = redis_server.client(decode_responses=True)
        assert (
            direct.get("hotline:last:+15557770001")
            == hotline.store.get_state("+15557770001")["conv"]
        )
    finally:
        sentinel.stop()


class Sentinel:
    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process, self.port = process, port

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_sentinel(redis_server, tmp_path: Path) -> Sentinel:
    port = free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor hotline 127.0.0.1 {redis_server.port} 1\n"
    )
    log = (tmp_path / "sentinel.log").open("wb")
    process = subprocess.Popen(
        [redis_server.binary, str(config), "--sentinel"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    sentinel = Sentinel(process, port)

    def knows_master():
        import redis

        try:
            with redis.Redis(port=port, socket_timeout=0.5) as client:
                return client.sentinel_get_master_addr_by_name("hotline")
        except redis.RedisError:
            return None

    try:
        wait_until(knows_master, timeout=15, what="the Sentinel to know the master")
    except AssertionError:
        sentinel.stop()
        raise
    return sentinel


# --- two web processes, two workers, one Redis -------------------------------------------------

SOON = ["my left leg is numb", *["no"] * 9, "about 3 days", "no", "no", "yes", "no", "no"]
SELF_CARE = ["my foot fell asleep", *["no"] * 9, "20 minutes", "no", "no", "yes", "no", "yes"]


@pytest.mark.slow
def test_two_web_processes_and_two_workers_share_one_conversation(make_env, twilio_api, tmp_path):
    env = followup_env(make_env, twilio_api)
    webs = [start_web(env, tmp_path, name) for name in ("web-a", "web-b")]
    workers = [start_worker(env, tmp_path, name) for name in ("worker-a", "worker-b")]
    try:
        split = {"+15557100001": SOON, "+15557100002": SELF_CARE}
        alone = {"+15557200001": SOON, "+15557200002": SELF_CARE}
        app = create_app(Settings.from_env(env))
        one_process = TwilioWebhooks(app.test_client(), AUTH_TOKEN, base_url=PUBLIC_URL)
        heard_split, heard_alone = {}, {}
        for (phone, texts), (alone_phone, _) in zip(split.items(), alone.items(), strict=True):
            heard_split[phone] = [
                post_sms(webs[turn % 2].port, phone, text) for turn, text in enumerate(texts)
            ]
            heard_alone[alone_phone] = [one_process.sms(alone_phone, text).texts for text in texts]

        store = app.extensions["hotline"].store
        for (phone, replies), (alone_phone, alone_replies) in zip(
            heard_split.items(), heard_alone.items(), strict=True
        ):
            assert replies == alone_replies
            split_record = store.get_record(store.get_state(phone)["conv"])
            alone_record = store.get_record(store.get_state(alone_phone)["conv"])
            assert same_outcome(split_record) == same_outcome(alone_record)
            assert split_record["disposition"] in ("soon", "self_care")

        everyone = [*split, *alone]
        wait_until(
            lambda: all(followup_statuses(store, p) == ["sent"] for p in everyone),
            timeout=60,
            what="every follow-up to be sent",
        )
        queue = followups.queue(app.extensions["hotline"].rq_redis)
        wait_until(
            lambda: queue.count == 0 and queue.started_job_registry.count == 0,
            timeout=30,
            what="the workers to finish every job",
        )
        time.sleep(1.5)  # a duplicate would have to come from a job already running: none is
        sent_to = [m.to for m in twilio_api.messages]
        assert sorted(sent_to) == sorted(everyone), "exactly one follow-up each"
        for phone in split:
            transcript = store.get_record(store.get_state(phone)["conv"])["transcript"]
            assert transcript[-1]["direction"] == "out"
            assert transcript[-1]["text"] == next(
                m.body for m in twilio_api.messages if m.to == phone
            )
    finally:
        for process in [*webs, *workers]:
            process.stop()


def same_outcome(record: dict) -> dict:
    return {
        "disposition": record["disposition"],
        "answers": record["answers"],
        "red_flags": record["red_flags"],
        "status": record["status"],
        "language": record["language"],
        "transcript": [(t["direction"], t["text"]) for t in record["transcript"]],
    }


def followup_statuses(store, phone: str) -> list[str]:
    stored = store.get_state(phone)
    record = store.get_record(stored["conv"]) if stored else None
    return [f["status"] for f in record["followups"]] if record else []


def post_sms(port: int, phone: str, body: str) -> list[str]:
    """A text as Twilio posts it, signed for the public URL, to one web process."""
    params = {
        "From": phone,
        "To": "+15550001111",
        "Body": body,
        "MessageSid": message_sid(),
        "AccountSid": "AC" + "0" * 32,
        "NumMedia": "0",
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(
            "POST",
            "/sms",
            urlencode(params),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": sign(AUTH_TOKEN, PUBLIC_URL + "/sms", params),
            },
        )
        response = connection.getresponse()
        xml = response.read().decode()
    finally:
        connection.close()
    assert response.status == 200, xml
    return texts_of(xml)


class Process:
    def __init__(self, process: subprocess.Popen, port: int | None, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def procfile_line(kind: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{kind}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {kind}: line in the Procfile")


def start_web(env: dict[str, str], tmp_path: Path, name: str) -> Process:
    """The Procfile's web line, one worker, on a free port of 127.0.0.1."""
    port = free_port()
    line = (
        procfile_line("web")
        .replace("$PORT", str(port))
        .replace(re.search(r"\$\{WEB_CONCURRENCY:-\d+\}", procfile_line("web")).group(), "1")
        .replace("0.0.0.0", "127.0.0.1")
    )
    words = shlex.split(line)
    words[0] = str(Path(sys.executable).with_name(words[0]))
    process = spawn(words, env, tmp_path / f"{name}.log")

    def answers():
        assert process.process.poll() is None, process.log.read_text(errors="replace")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        return False

    process.port = port
    wait_until(answers, timeout=30, what=f"{name} to answer")
    return process


def start_worker(env: dict[str, str], tmp_path: Path, name: str) -> Process:
    """The Procfile's worker line: `hotline worker`."""
    assert procfile_line("worker") == "hotline worker"
    return spawn([sys.executable, "-m", "hotline.cli", "worker"], env, tmp_path / f"{name}.log")


def spawn(command: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Process(process, None, log)
