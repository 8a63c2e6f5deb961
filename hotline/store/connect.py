"""Redis connections for every process: a plain `redis://` URL, or Redis Sentinel.

Sentinel is named by a URL of its own, so that every place that holds "the Redis URL" can hold
either kind:

    redis+sentinel://[[user]:password@]host:port[,host:port...]/master-name[/db][?sentinel_password=...]

The password in it is the Redis servers' (`requirepass`); `sentinel_password` is the Sentinels'
own, when they have one. Settings builds this URL from REDIS_SENTINELS and
REDIS_SENTINEL_MASTER too (hotline/settings.py). A Sentinel client asks the Sentinels which
server is the master and asks again after a failover, so web processes and workers follow a
promoted replica without a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import redis
from redis.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"
_HOST_PORT = re.compile(
    r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9_.-]+)):(?P<port>\d{1,5})$"
)

# A webhook must answer within Twilio's 15 s even when Redis does not: fail fast.
WEB_OPTIONS = {"socket_timeout": 2.0, "socket_connect_timeout": 1.0, "health_check_interval": 15}
SENTINEL_TIMEOUT = 1.0  # each question to a Sentinel; the next one is asked when it is slow


class RedisURLError(ValueError):
    """A Redis or Sentinel address the hotline cannot use."""


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None


def parse_host_ports(raw: str) -> tuple[tuple[str, int], ...]:
    """ "host:port,host:port" -> ((host, port), ...)."""
    hosts = []
    for part in (p.strip() for p in raw.split(",")):
        match = _HOST_PORT.match(part)
        if not match:
            raise RedisURLError(f"{part!r} is not host:port")
        port = int(match.group("port"))
        if not 0 < port < 65536:
            raise RedisURLError(f"{part!r}: port out of range")
        hosts.append((match.group("v6") or match.group("host"), port))
    if not hosts:
        raise RedisURLError("no Sentinel host:port given")
    return tuple(hosts)


def is_sentinel_url(url: str) -> bool:
    return url.startswith(f"{SENTINEL_SCHEME}://")


def parse_sentinel_url(url: str) -> SentinelTarget:
    if not is_sentinel_url(url):
        raise RedisURLError(f"expected {SENTINEL_SCHEME}://host:port[,host:port]/master[/db]")
    rest = url[len(SENTINEL_SCHEME) + 3 :]
    # urlsplit wants one host; the userinfo and host list are split here by hand.
    netloc, _, tail = rest.partition("/")
    userinfo, _, hostlist = netloc.rpartition("@")
    parts = urlsplit("x://h/" + tail)
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise RedisURLError(f"{SENTINEL_SCHEME} URL names no master: …/master-name[/db]")
    if len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise RedisURLError(f"{SENTINEL_SCHEME} URL path must be /master-name[/db]")
    username, password = None, None
    if userinfo:
        user, _, secret = userinfo.partition(":")
        username, password = unquote(user) or None, unquote(secret) or None
    query = parse_qs(parts.query)
    unknown = set(query) - {"sentinel_password"}
    if unknown:
        raise RedisURLError(f"{SENTINEL_SCHEME} URL: unknown option {sorted(unknown)[0]!r}")
    return SentinelTarget(
        sentinels=parse_host_ports(hostlist),
        master=unquote(path[0]),
        db=int(path[1]) if len(path) == 2 else 0,
        username=username,
        password=password,
        sentinel_password=(query.get("sentinel_password") or [None])[0],
    )


def sentinel_url(target: SentinelTarget) -> str:
    """The redis+sentinel:// URL of `target` (the inverse of parse_sentinel_url)."""
    auth = ""
    if target.username or target.password:
        auth = (
            quote(target.username or "", safe="")
            + (":" + quote(target.password, safe="") if target.password else "")
            + "@"
        )
    hosts = ",".join(f"[{h}]:{p}" if ":" in h else f"{h}:{p}" for h, p in target.sentinels)
    query = (
        f"?{urlencode({'sentinel_password': target.sentinel_password})}"
        if target.sentinel_password
        else ""
    )
    return f"{SENTINEL_SCHEME}://{auth}{hosts}/{quote(target.master, safe='')}/{target.db}{query}"


def connect_url(url: str, *, decode_responses: bool = True, **options) -> redis.Redis:
    """A client for `url`, plain or Sentinel; `options` go to every connection it opens."""
    if not is_sentinel_url(url):
        return redis.Redis.from_url(url, decode_responses=decode_responses, **options)
    target = parse_sentinel_url(url)
    sentinel_kwargs = {
        "socket_timeout": SENTINEL_TIMEOUT,
        "socket_connect_timeout": SENTINEL_TIMEOUT,
    }
    if target.sentinel_password:
        sentinel_kwargs["password"] = target.sentinel_password
    sentinel = Sentinel(list(target.sentinels), sentinel_kwargs=sentinel_kwargs)
    return sentinel.master_for(
        target.master,
        db=target.db,
        username=target.username,
        password=target.password,
        decode_responses=decode_responses,
        **options,
    )


def connect_web(url: str) -> redis.Redis:
    """The web process's client: text replies, and it fails fast."""
    return connect_url(url, **WEB_OPTIONS)


def connect_rq(url: str, **options) -> redis.Redis:
    """A client for RQ, which stores bytes (pickles): no decode_responses."""
    return connect_url(url, decode_responses=False, **options)


def clients(url: str) -> tuple[redis.Redis, redis.Redis]:
    """The web process's pair: (text client, bytes client for RQ), both failing fast."""
    return connect_web(url), connect_rq(url, **WEB_OPTIONS)


def describe(url: str) -> str:
    """`url` without its passwords, for logs."""
    if is_sentinel_url(url):
        target = parse_sentinel_url(url)
        hosts = ",".join(f"{h}:{p}" for h, p in target.sentinels)
        return f"Sentinel {hosts} master {target.master!r} db {target.db}"
    return re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", url)


def connect(url: str) -> redis.Redis:
    """A client that fails fast: a webhook must answer even when Redis does not. `url` is
    redis:// or redis+sentinel://."""
    return connect_web(url)
