"""Redis reads and writes for the staff area: accounts, sessions, API tokens, login throttling,
reviews, the audit stream and the queue.

Conversation keys come from hotline.store (the conversation record is the store's); the staff
area's own key names are defined here and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import redis

from hotline.settings import Settings
from hotline.store import load_script
from hotline.store.clock import now_iso
from hotline.store.keys import INDEX_KEY, PREFIX, conv_key, followups_key, log_key
from hotline.store.records import build_record
from hotline.store.safety_net import tasks_key

if TYPE_CHECKING:  # the staff area's filter value; the store only reads its scan arguments
    from hotline.staff.filters import Filters

STAFF_PREFIX = f"{PREFIX}staff:"
ACCOUNTS_KEY = f"{STAFF_PREFIX}accounts"  # set of staff emails
AUDIT_KEY = f"{STAFF_PREFIX}audit"  # stream: who did what, when


def account_key(email: str) -> str:
    return f"{STAFF_PREFIX}account:{email}"


def session_key(session_id: str) -> str:
    return f"{STAFF_PREFIX}session:{session_id}"


def token_key(token_id: str) -> str:
    return f"{STAFF_PREFIX}token:{token_id}"


def account_tokens_key(email: str) -> str:
    return f"{STAFF_PREFIX}account:{email}:tokens"


def login_key(email: str) -> str:
    # Hashed: the login form accepts any text, and key names should not grow with it.
    return f"{STAFF_PREFIX}login:{hashlib.sha256(email.encode()).hexdigest()[:32]}"


def login_client_key(client: str) -> str:
    return f"{STAFF_PREFIX}login-client:{_client_id(client)}"


def _client_id(client: str) -> str:
    return hashlib.sha256(client.encode()).hexdigest()[:16]


# hash: "<day>|<kind>" -> count of refused sign-ins that are counted rather than listed
REFUSED_LOGINS_KEY = f"{STAFF_PREFIX}refused-logins"


SCAN_CHUNK = 1000  # conversations per queue_scan.lua call: each call stays a few milliseconds
RECORD_BATCH = 100  # full records per pipeline when exporting
ATTENTION = ("emergency", "urgent")


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    password_hash: str
    created_at: str
    epoch: int = 0  # raised by a password reset: sessions and tokens of an older one end
    disabled_at: str = ""  # `hotline staff disable`: no sign-in, no session, no token

    @property
    def disabled(self) -> bool:
        return bool(self.disabled_at)


@dataclass(frozen=True)
class LoginPolicy:
    free_failures: int
    waits: tuple[int, ...]
    lock_after: int
    lock_seconds: int
    memory: int
    client_limit: int  # wrong passwords from one client, over every account, per window
    account_limit: int  # wrong passwords at one account, from every client, per window
    window: int


@dataclass
class QueueMatches:
    """Matching conversation ids in queue order: unreviewed emergency, unreviewed urgent,
    unreviewed no-reply ones that stopped before the red-flag questions ended, rest; each
    newest first."""

    emergency: list[str] = field(default_factory=list)
    urgent: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.emergency) + len(self.urgent) + len(self.stopped) + len(self.others)

    @property
    def attention(self) -> int:
        return len(self.emergency) + len(self.urgent)

    def ordered(self) -> list[str]:
        return self.emergency + self.urgent + self.stopped + self.others

    def page(self, number: int, per_page: int) -> list[str]:
        start = (number - 1) * per_page
        return self.ordered()[start : start + per_page]


def review_is_current(record: dict) -> bool:
    """A review covers the disposition it saw; a level that rose since needs a new look.
    (The same rule as is_reviewed in lua/queue_scan.lua.)"""
    review = record.get("review")
    if not review:
        return False
    seen = review.get("disposition") if isinstance(review, dict) else None
    return seen is None or seen == (record.get("disposition") or "")


def needs_review(record: dict) -> bool:
    return record.get("disposition") in ATTENTION and not review_is_current(record)


class StaffRecords:
    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.r = client
        self.settings = settings
        self._scan = load_script(client, "queue_scan")
        self._review = load_script(client, "write_review")
        self._throttle = load_script(client, "login_throttle")

    # --- accounts ---------------------------------------------------------------------------

    def get_account(self, email: str) -> Account | None:
        data = self.r.hgetall(account_key(email))
        if not data:
            return None
        return Account(
            data["email"],
            data["role"],
            data["password_hash"],
            data.get("created_at", ""),
            int(data.get("epoch") or 0),
            data.get("disabled_at", ""),
        )

    def save_account(self, account: Account) -> bool:
        """Create or update (a new password raises the epoch: every session and token of the
        account ends); True when the account is new."""
        pipe = self.r.pipeline(transaction=True)
        pipe.sadd(ACCOUNTS_KEY, account.email)
        pipe.hset(
            account_key(account.email),
            mapping={
                "email": account.email,
                "role": account.role,
                "password_hash": account.password_hash,
                "created_at": account.created_at,
            },
        )
        pipe.hincrby(account_key(account.email), "epoch", 1)
        return bool(pipe.execute()[0])

    def set_disabled(self, email: str, disabled_at: str) -> bool:
        """Disable (a time) or enable ('') an account; the epoch rises either way, so no
        session or token from before survives. False when there is no such account."""
        if not self.r.exists(account_key(email)):
            return False
        pipe = self.r.pipeline(transaction=True)
        if disabled_at:
            pipe.hset(account_key(email), "disabled_at", disabled_at)
        else:
            pipe.hdel(account_key(email), "disabled_at")
        pipe.hincrby(account_key(email), "epoch", 1)
        pipe.execute()
        return True

    def list_accounts(self) -> list[Account]:
        return [
            a
            for a in (self.get_account(e) for e in sorted(self.r.smembers(ACCOUNTS_KEY)))
            if a is not None
        ]

    # --- sessions (server side: the cookie holds only an id, so logout really ends it) -------

    def create_session(
        self, session_id: str, email: str, csrf: str, now: float, ttl: int, epoch: int = 0
    ) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(
            session_key(session_id),
            mapping={
                "email": email,
                "csrf": csrf,
                "login_at": repr(now),
                "seen_at": repr(now),
                "epoch": epoch,
            },
        )
        pipe.expire(session_key(session_id), ttl)
        pipe.execute()

    def get_session(self, session_id: str) -> dict | None:
        return self.r.hgetall(session_key(session_id)) or None

    def touch_session(self, session_id: str, now: float, ttl: int) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.hset(session_key(session_id), "seen_at", repr(now))
        pipe.expire(session_key(session_id), ttl)
        pipe.execute()

    def end_session(self, session_id: str) -> None:
        self.r.delete(session_key(session_id))

    # --- API tokens (only a digest is stored) ------------------------------------------------

    def save_token(
        self, token_id: str, email: str, digest: str, created_at: str, epoch: int = 0
    ) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(
            token_key(token_id),
            mapping={"email": email, "digest": digest, "created_at": created_at, "epoch": epoch},
        )
        pipe.sadd(account_tokens_key(email), token_id)
        pipe.execute()

    def get_token(self, token_id: str) -> dict | None:
        return self.r.hgetall(token_key(token_id)) or None

    def delete_token(self, token_id: str) -> str | None:
        """Revoke one token; the email it belonged to, or None when there was no such token."""
        data = self.get_token(token_id)
        if not data:
            return None
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(token_key(token_id))
        pipe.srem(account_tokens_key(data["email"]), token_id)
        pipe.execute()
        return data["email"]

    def token_ids_of(self, email: str) -> list[str]:
        return sorted(self.r.smembers(account_tokens_key(email)))

    # --- login throttling ----------------------------------------------------------------------

    def reserve_login(
        self, email: str, client: str, now: float, policy: LoginPolicy
    ) -> tuple[str, float, float]:
        """Count this attempt as a failure before its password is checked, atomically with
        the check of every throttle: ("check", wait, locked_until) to go on, where wait and
        locked_until apply should the password be wrong; ("wait", until, 0) or
        ("locked", until, 0) to refuse without checking."""
        reply = self._throttle(
            keys=[login_key(email), login_client_key(client)],
            args=self._throttle_args("reserve", client, now, policy),
        )
        if reply[0] == "check":
            return "check", int(reply[1]) / 1000, int(reply[2]) / 1000
        return reply[0], int(reply[1]) / 1000, 0.0

    def login_succeeded(self, email: str, client: str, now: float, policy: LoginPolicy) -> None:
        """The right password: its attempt was no failure after all."""
        self._throttle(
            keys=[login_key(email), login_client_key(client)],
            args=self._throttle_args("ok", client, now, policy),
        )

    @staticmethod
    def _throttle_args(mode: str, client: str, now: float, policy: LoginPolicy) -> list:
        return [
            mode,
            round(now * 1000),
            _client_id(client),
            policy.free_failures,
            ",".join(str(w * 1000) for w in policy.waits),
            policy.lock_after,
            policy.lock_seconds * 1000,
            policy.memory,
            policy.client_limit,
            policy.account_limit,
            policy.window * 1000,
        ]

    def clear_login_attempts(self, email: str) -> None:
        self.r.delete(login_key(email))

    def count_refused_login(self, day: str, kind: str) -> None:
        """Refusals nobody needs one by one (unknown accounts, throttled tries): a count a
        day, so a flood of them cannot fill Redis with audit entries."""
        self.r.hincrby(REFUSED_LOGINS_KEY, f"{day}|{kind}", 1)

    def refused_logins(self) -> dict[str, dict[str, int]]:
        """{day: {kind: count}}, newest day first."""
        days: dict[str, dict[str, int]] = {}
        for field_, count in self.r.hgetall(REFUSED_LOGINS_KEY).items():
            day, _, kind = field_.partition("|")
            days.setdefault(day, {})[kind] = int(count)
        return dict(sorted(days.items(), reverse=True))

    # --- reviews -----------------------------------------------------------------------------

    def write_review(
        self, conv_id: str, by: str, note: str, disposition: str | None, at: str | None = None
    ) -> dict | None:
        """Store {by, at, note, disposition} in the record; None when it no longer exists."""
        review = {"by": by, "at": at or now_iso(), "note": note, "disposition": disposition}
        written = self._review(keys=[conv_key(conv_id)], args=[json.dumps(review)])
        return review if written else None

    # --- audit stream --------------------------------------------------------------------------

    def append_audit(self, entry: dict[str, str], keep_after_ms: int) -> str:
        # MINID trimming (Redis 6.2) keeps the stream to its retention as it grows.
        return self.r.xadd(AUDIT_KEY, entry, minid=f"{keep_after_ms}-0", approximate=True)

    def audit_page(self, before: str | None, count: int) -> list[tuple[str, dict]]:
        high = f"({before}" if before else "+"
        return self.r.xrevrange(AUDIT_KEY, max=high, min="-", count=count)

    def iter_audit(self, batch: int = 500) -> Iterator[tuple[str, dict]]:
        low = "-"
        while True:
            entries = self.r.xrange(AUDIT_KEY, min=low, max="+", count=batch)
            yield from entries
            if len(entries) < batch:
                return
            low = f"({entries[-1][0]}"

    def trim_audit(self, keep_after_ms: int) -> int:
        # Exact, unlike the approximate trim on append: retention must really be applied.
        return self.r.xtrim(AUDIT_KEY, minid=f"{keep_after_ms}-0", approximate=False)

    # --- the queue -----------------------------------------------------------------------------

    def scan_queue(self, filters: Filters, now: float) -> QueueMatches:
        """Every matching conversation id, in queue order; filtering runs inside Redis."""
        low, high = filters.score_range(self.settings.timezone)
        args = [*filters.scan_args(), now_iso(now - self.settings.session_ttl)]
        matches = QueueMatches()
        groups = (matches.emergency, matches.urgent, matches.stopped, matches.others)
        offset = 0
        while True:
            ids = self.r.zrevrangebyscore(INDEX_KEY, high, low, start=offset, num=SCAN_CHUNK)
            if not ids:
                return matches
            flat = self._scan(keys=[conv_key(i) for i in ids], args=args)
            for position, group in zip(flat[::2], flat[1::2], strict=True):
                groups[int(group)].append(ids[int(position) - 1])
            if len(ids) < SCAN_CHUNK:
                return matches
            offset += len(ids)

    def summaries(self, ids: Iterable[str]) -> list[dict]:
        """Records without transcripts (for queue rows), in the order of `ids`."""
        ids = list(ids)
        pipe = self.r.pipeline(transaction=False)
        for conv_id in ids:
            pipe.hgetall(conv_key(conv_id))
            pipe.hgetall(followups_key(conv_id))
        replies = pipe.execute()
        out = []
        for i, conv_id in enumerate(ids):
            meta, fus = replies[2 * i], replies[2 * i + 1]
            if meta:
                out.append(build_record(conv_id, meta, [], fus, self.settings.session_ttl))
        return out

    def records(self, ids: Iterable[str]) -> Iterator[dict]:
        """Whole records (transcripts included), fetched a batch per round trip."""
        ids = list(ids)
        for start in range(0, len(ids), RECORD_BATCH):
            batch = ids[start : start + RECORD_BATCH]
            pipe = self.r.pipeline(transaction=False)
            for conv_id in batch:
                pipe.hgetall(conv_key(conv_id))
                pipe.xrange(log_key(conv_id))
                pipe.hgetall(followups_key(conv_id))
                pipe.hgetall(tasks_key(conv_id))
            replies = pipe.execute()
            for i, conv_id in enumerate(batch):
                meta, log, fus, tasks = replies[4 * i : 4 * i + 4]
                if meta:
                    yield build_record(
                        conv_id, meta, log, fus, self.settings.session_ttl, tasks=tasks
                    )
