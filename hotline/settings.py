"""Every environment variable the hotline reads, parsed and checked once.

The names are the outside surface documented in interfaces.md; a bad value stops the process at
start-up with a message naming the variable, rather than failing later inside a webhook.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.store.connect import (
    RedisURLError,
    SentinelTarget,
    is_sentinel_url,
    parse_host_ports,
    parse_sentinel_url,
    sentinel_url,
)

DISPOSITIONS_WITH_FOLLOWUP = ("self_care", "soon", "urgent")
ENVIRONMENTS = ("development", "production")
# Signs `hotline chat`'s webhooks in development. It is public (it is in this file), so it
# never validates anything in production.
DEV_SIGNING_TOKEN = "dev-auth-token"
ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(ValueError):
    """A setting has a value the hotline cannot run with."""


def parse_duration(name: str, raw: str, allow_off: bool = False) -> float | None:
    """Seconds for `2s`, `90m`, `24h`, `3d`; None for `off` where that is allowed."""
    if allow_off and raw.strip().lower() == "off":
        return None
    match = _DURATION.match(raw)
    if not match:
        hint = " or 'off'" if allow_off else ""
        raise SettingsError(f"{name}={raw!r}: expected a duration like 2s, 90m, 24h, 3d{hint}")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise SettingsError(f"{name}={raw!r}: must be longer than zero")
    return seconds


def parse_quiet_hours(raw: str) -> tuple[time, time] | None:
    if not raw.strip():
        return None
    match = re.match(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", raw)
    if not match:
        raise SettingsError(f"HOTLINE_QUIET_HOURS={raw!r}: expected HH:MM-HH:MM, e.g. 21:00-08:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError as exc:
        raise SettingsError(f"HOTLINE_QUIET_HOURS={raw!r}: {exc}") from None
    if start == end:
        raise SettingsError(f"HOTLINE_QUIET_HOURS={raw!r}: start and end are the same")
    return start, end


def _timezone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"HOTLINE_TIMEZONE={raw!r}: not a known time zone") from None


def _phone_like(name: str, raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if not re.fullmatch(r"\+?[0-9*#]{2,20}", raw.strip()):
        raise SettingsError(f"{name}={raw!r}: expected a phone number like 911 or +15551234567")
    return raw.strip()


def _redis(env: Mapping[str, str]) -> tuple[str, SentinelTarget | None]:
    """REDIS_URL, or Sentinel: REDIS_SENTINELS + REDIS_SENTINEL_MASTER (the db and the
    servers' password then come from REDIS_URL, whose host is not used), or a
    redis+sentinel:// REDIS_URL. Sentinel settings become one redis+sentinel:// URL, so every
    process and command that is handed "the Redis URL" reaches the master the same way."""
    url = (env.get("REDIS_URL") or "").strip()
    hosts_raw = (env.get("REDIS_SENTINELS") or "").strip()
    master = (env.get("REDIS_SENTINEL_MASTER") or "").strip()
    sentinel_password = env.get("REDIS_SENTINEL_PASSWORD") or None
    if hosts_raw or master:
        if not (hosts_raw and master):
            missing = "REDIS_SENTINEL_MASTER" if hosts_raw else "REDIS_SENTINELS"
            raise SettingsError(
                f"{missing} is required with "
                f"{'REDIS_SENTINELS' if hosts_raw else 'REDIS_SENTINEL_MASTER'}"
                " (Sentinel hosts as host:port,host:port and the master's name)"
            )
        if is_sentinel_url(url):
            raise SettingsError(
                "REDIS_URL is a redis+sentinel:// URL and REDIS_SENTINELS is set "
                "too: give Sentinel one way only"
            )
        try:
            sentinels = parse_host_ports(hosts_raw)
        except RedisURLError as exc:
            raise SettingsError(
                f"REDIS_SENTINELS={hosts_raw!r}: {exc}; expected host:port,host:port"
            ) from None
        db, username, password = _db_and_auth(url)
        target = SentinelTarget(sentinels, master, db, username, password, sentinel_password)
        return sentinel_url(target), target
    url = url or "redis://localhost:6379/0"
    if is_sentinel_url(url):
        try:
            target = parse_sentinel_url(url)
        except RedisURLError as exc:
            raise SettingsError(f"REDIS_URL: {exc}") from None
        if sentinel_password and not target.sentinel_password:
            target = SentinelTarget(
                target.sentinels,
                target.master,
                target.db,
                target.username,
                target.password,
                sentinel_password,
            )
            url = sentinel_url(target)
        return url, target
    if not re.match(r"^(redis|rediss|unix)://", url):
        raise SettingsError(
            "REDIS_URL: expected redis://, rediss://, unix:// or "
            "redis+sentinel://host:port[,host:port]/master[/db]"
        )
    return url, None


def _db_and_auth(url: str) -> tuple[int, str | None, str | None]:
    if not url:
        return 0, None, None
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise SettingsError(f"REDIS_URL: database {path!r} is not a number")
    return (
        int(path) if path else 0,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def _environment(env: Mapping[str, str]) -> bool:
    """True for production. HOTLINE_ENV must be spelled out: `prod` is a typo, not a wish to
    run as development."""
    raw = env.get("HOTLINE_ENV")
    if raw is not None and raw.strip():
        value = raw.strip().lower()
        if value not in ENVIRONMENTS:
            raise SettingsError(
                f"HOTLINE_ENV={raw!r}: expected {' or '.join(ENVIRONMENTS)} (or unset)"
            )
        return value == "production"
    return (env.get("FLASK_ENV") or "").strip().lower() == "production"


def parse_trusted_proxies(raw: str) -> tuple[ProxyNetwork, ...] | None:
    """HOTLINE_TRUSTED_PROXIES: addresses or networks (`10.0.0.0/8, 127.0.0.1`) whose
    X-Forwarded-* headers are believed; `*` for any peer (only when nothing but the proxy can
    reach the app). Empty: nobody's. None stands for `*`."""
    if raw.strip() == "*":
        return None
    networks = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(
                f"HOTLINE_TRUSTED_PROXIES: {part!r} is not an IP address or network "
                "(expected e.g. 10.0.0.0/8,127.0.0.1 or *)"
            ) from None
    return tuple(networks)


def _flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    redis_url: str = "redis://localhost:6379/0"  # redis+sentinel://… when Sentinel is used
    redis_sentinel: SentinelTarget | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_phone_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    twilio_webhook_shared_key: str | None = None
    public_url: str | None = None
    secret_key: str | None = None
    production: bool = False
    dev_insecure: bool = False
    emergency_number: str = "911"
    transfer_number: str | None = None
    followup_delays: Mapping[str, float | None] = field(
        default_factory=lambda: {"self_care": 86400.0, "soon": 259200.0, "urgent": 21600.0}
    )
    quiet_hours: tuple[time, time] | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/New_York"))
    session_ttl: float = 86400.0
    retention: float = 90 * 86400.0
    audit_retention: float = 6 * 365 * 86400.0
    spool_dir: str = "var/spool"
    trusted_proxies: tuple[ProxyNetwork, ...] | None = ()  # None: any peer (`*`)
    # The safety net: silence mid-triage, closing on no reply, on-call alerts.
    nudge_after: float | None = 900.0
    no_reply_after: float = 7200.0
    oncall_numbers: tuple[str, ...] = ()
    alert_levels: frozenset[str] = frozenset({"emergency", "urgent"})
    alert_webhook_url: str | None = None
    alert_webhook_secret: str | None = None
    dispatch_window: int | None = None  # texts in flight per worker; None: the dispatcher's own

    @property
    def can_send(self) -> bool:
        return bool(
            self.twilio_account_sid and self.twilio_auth_token and self.sender_problem is None
        )

    @property
    def sender_problem(self) -> str | None:
        """Why texts cannot be sent although Twilio credentials are set (None: they can)."""
        if not (self.twilio_account_sid and self.twilio_auth_token):
            return None
        if self.twilio_phone_number or self.twilio_messaging_service_sid:
            return None
        return ("TWILIO_PHONE_NUMBER (or TWILIO_MESSAGING_SERVICE_SID) is unset while "
                "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set: texts need a sender")

    @property
    def signing_token(self) -> str:
        """The secret webhooks are signed with: the auth token, or in development (no token
        set) the fixed token `hotline chat` signs with. In production only the real token:
        empty when it is missing, which validates nothing (check_web refuses that anyway)."""
        if self.production:
            token = self.twilio_auth_token or ""
            return "" if token == DEV_SIGNING_TOKEN else token
        return self.twilio_auth_token or DEV_SIGNING_TOKEN

    def check_web(self) -> None:
        """What the web process cannot run without in production: a real Twilio token (else
        anyone holding the public development token could forge webhooks), a secret key, and
        signature checks switched on."""
        if not self.production:
            return
        token = (self.twilio_auth_token or "").strip()
        if not token:
            raise SettingsError(
                "TWILIO_AUTH_TOKEN is required in production (HOTLINE_ENV=production): "
                "webhooks are checked against it"
            )
        if token == DEV_SIGNING_TOKEN:
            raise SettingsError(
                "TWILIO_AUTH_TOKEN is the public development token; set the account's real "
                "auth token in production"
            )
        if not self.secret_key:
            raise SettingsError("SECRET_KEY is required in production (HOTLINE_ENV=production)")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        get = env.get
        followups = {
            disp: parse_duration(
                f"HOTLINE_FOLLOWUP_{disp.upper()}",
                get(f"HOTLINE_FOLLOWUP_{disp.upper()}", default),
                allow_off=True,
            )
            for disp, default in (("self_care", "24h"), ("soon", "72h"), ("urgent", "6h"))
        }
        public_url = (get("HOTLINE_PUBLIC_URL") or "").strip().rstrip("/") or None
        if public_url and not re.match(r"^https?://[^/\s]+", public_url):
            raise SettingsError(
                f"HOTLINE_PUBLIC_URL={public_url!r}: expected http(s)://host[/path]"
            )
        production = _environment(env)
        dev_insecure = _flag(get("HOTLINE_DEV_INSECURE"))
        if production and dev_insecure:
            raise SettingsError(
                "HOTLINE_DEV_INSECURE=1 turns off webhook signature checks and is refused in "
                "production (HOTLINE_ENV=production)"
            )
        redis_url, sentinel = _redis(env)
        settings = cls(
            redis_url=redis_url,
            redis_sentinel=sentinel,
            twilio_account_sid=get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=get("TWILIO_AUTH_TOKEN") or None,
            twilio_phone_number=_phone_like("TWILIO_PHONE_NUMBER", get("TWILIO_PHONE_NUMBER")),
            twilio_messaging_service_sid=get("TWILIO_MESSAGING_SERVICE_SID") or None,
            twilio_api_base_url=(get("TWILIO_API_BASE_URL") or "https://api.twilio.com").rstrip(
                "/"
            ),
            twilio_webhook_shared_key=get("TWILIO_WEBHOOK_SHARED_KEY") or None,
            public_url=public_url,
            secret_key=get("SECRET_KEY") or None,
            production=production,
            dev_insecure=dev_insecure,
            emergency_number=_phone_like(
                "HOTLINE_EMERGENCY_NUMBER", get("HOTLINE_EMERGENCY_NUMBER", "911")
            )
            or "911",
            transfer_number=_phone_like("HOTLINE_TRANSFER_NUMBER", get("HOTLINE_TRANSFER_NUMBER")),
            followup_delays=followups,
            quiet_hours=parse_quiet_hours(get("HOTLINE_QUIET_HOURS", "")),
            timezone=_timezone(get("HOTLINE_TIMEZONE", "America/New_York")),
            session_ttl=parse_duration("HOTLINE_SESSION_TTL", get("HOTLINE_SESSION_TTL", "24h")),
            retention=parse_duration("HOTLINE_RETENTION", get("HOTLINE_RETENTION", "90d")),
            audit_retention=parse_duration(
                "HOTLINE_AUDIT_RETENTION", get("HOTLINE_AUDIT_RETENTION", "2190d")
            ),
            spool_dir=get("HOTLINE_SPOOL_DIR", "var/spool"),
            trusted_proxies=parse_trusted_proxies(get("HOTLINE_TRUSTED_PROXIES", "")),
            **_safety_net(env),
            dispatch_window=_dispatch_window(get("HOTLINE_DISPATCH_WINDOW")),
        )
        if settings.production and settings.sender_problem:
            raise SettingsError(settings.sender_problem)  # development logs texts instead
        return settings


def _dispatch_window(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 1000:
        raise SettingsError(
            f"HOTLINE_DISPATCH_WINDOW={raw!r}: expected a whole number from 1 to 1000"
        )
    return int(raw)


# --- the safety net (HOTLINE_NUDGE_AFTER … HOTLINE_ALERT_WEBHOOK_SECRET) ---------------------

ALERTABLE_LEVELS = ("emergency", "urgent", "soon", "self_care")
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


def _safety_net(env: Mapping[str, str]) -> dict:
    """The safety-net settings. A nudge due after the close would never go out: that stops
    start-up. (A close due after HOTLINE_SESSION_TTL never happens either: the conversation
    expires first, as it did before the safety net.)"""
    get = env.get
    nudge = parse_duration("HOTLINE_NUDGE_AFTER", get("HOTLINE_NUDGE_AFTER", "15m"), allow_off=True)
    close = parse_duration("HOTLINE_NO_REPLY_AFTER", get("HOTLINE_NO_REPLY_AFTER", "2h"))
    assert close is not None
    if nudge is not None and nudge >= close:
        raise SettingsError(
            f"HOTLINE_NUDGE_AFTER={get('HOTLINE_NUDGE_AFTER')!r}: must be shorter than "
            f"HOTLINE_NO_REPLY_AFTER ({get('HOTLINE_NO_REPLY_AFTER', '2h')!r}), or 'off'"
        )
    raw_numbers = (get("HOTLINE_ONCALL_NUMBERS") or "").split(",")
    numbers = tuple(n.strip() for n in raw_numbers if n.strip())
    for number in numbers:
        if not _E164.match(number):
            raise SettingsError(
                f"HOTLINE_ONCALL_NUMBERS: {number!r} is not an E.164 number like +15551234567"
            )
    levels_raw = get("HOTLINE_ALERT_LEVELS", "emergency,urgent")
    levels = frozenset(level.strip() for level in levels_raw.split(",") if level.strip())
    unknown = sorted(levels - set(ALERTABLE_LEVELS))
    if unknown:
        raise SettingsError(
            f"HOTLINE_ALERT_LEVELS={levels_raw!r}: {unknown[0]!r} is not one of "
            f"{', '.join(ALERTABLE_LEVELS)}"
        )
    url = (get("HOTLINE_ALERT_WEBHOOK_URL") or "").strip() or None
    secret = get("HOTLINE_ALERT_WEBHOOK_SECRET") or None
    if url and not re.match(r"^https?://[^/\s]+", url):
        raise SettingsError(f"HOTLINE_ALERT_WEBHOOK_URL={url!r}: expected http(s)://host[/path]")
    if url and not secret:
        raise SettingsError(
            "HOTLINE_ALERT_WEBHOOK_SECRET is required with HOTLINE_ALERT_WEBHOOK_URL: "
            "the receiver checks X-Hotline-Signature with it"
        )
    return {
        "nudge_after": nudge,
        "no_reply_after": close,
        "oncall_numbers": numbers,
        "alert_levels": levels,
        "alert_webhook_url": url,
        "alert_webhook_secret": secret,
    }
