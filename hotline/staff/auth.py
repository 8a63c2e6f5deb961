"""Who may use the staff area: accounts with slow salted password hashes, login throttling and
lock-out, server-side sessions that end after 15 minutes idle or 8 hours in all, CSRF tokens
and revocable API tokens (only their digests are stored)."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from hotline.store.clock import now_iso
from hotline.store.staff import Account, LoginPolicy, StaffRecords

REVIEWER, ADMIN = "reviewer", "admin"
ROLES = (REVIEWER, ADMIN)

IDLE_SECONDS = 15 * 60
ABSOLUTE_SECONDS = 8 * 3600
MIN_PASSWORD_LENGTH = 12

# Throttling: two free mistakes, then a growing wait, then a lock-out. Waits are enforced by
# refusing early attempts (never by sleeping, which would tie up a web worker).
FREE_FAILURES = 2
WAITS = (5, 30)  # seconds to wait after the 3rd and the 4th wrong password
LOCK_AFTER = 5
LOCK_SECONDS = 15 * 60
ATTEMPTS_MEMORY = 24 * 3600
# Beyond one account from one client: a client trying many accounts, and many clients trying
# one account, are each stopped for LOCK_SECONDS after this many wrong passwords in WINDOW.
CLIENT_LIMIT = 20
ACCOUNT_LIMIT = 50
WINDOW = 15 * 60
POLICY = LoginPolicy(
    FREE_FAILURES, WAITS, LOCK_AFTER, LOCK_SECONDS, ATTEMPTS_MEMORY, CLIENT_LIMIT, ACCOUNT_LIMIT,
    WINDOW,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TOKEN = re.compile(r"^hst_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")


class AccountError(ValueError):
    """An account that cannot be created as asked."""


@dataclass(frozen=True)
class StaffUser:
    email: str
    role: str
    session_id: str | None = None
    csrf: str | None = None
    token_id: str | None = None
    login_at: float = 0.0

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None = None
    refused: str = ""  # "wrong", "wait", "locked" or "disabled"
    wait_seconds: int = 0  # after a wrong password: how long before the next try
    locked_until: float = 0.0
    checked: bool = False  # the password was checked (not refused by the throttle first)
    account: Account | None = None  # the account the email names, if there is one

    @property
    def ok(self) -> bool:
        return self.user is not None


def normalize_email(raw: str) -> str:
    return (raw or "").strip().lower()[:254]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # Checked when the account does not exist, so a wrong email costs as long as a wrong password.
    return hash_password(secrets.token_urlsafe(16))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(expected, given)


def token_digest(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough, unlike for passwords.
    return hashlib.sha256(token.encode()).hexdigest()


class StaffAuth:
    def __init__(self, records: StaffRecords, clock: Callable[[], float] = time.time) -> None:
        self.records = records
        self.clock = clock

    # --- accounts ---------------------------------------------------------------------------

    def save_account(self, email: str, role: str, password: str) -> bool:
        """Create an account, or set a new password and role; True when it is new."""
        email = normalize_email(email)
        if not _EMAIL.match(email):
            raise AccountError(f"{email!r} is not an email address")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
        old = self.records.get_account(email)
        created = old.created_at if old else now_iso(self.clock())
        new = self.records.save_account(Account(email, role, hash_password(password), created))
        if not new:  # a password reset: the old password's tokens end with it (sessions too)
            self.revoke_all_tokens(email)
        return new

    def set_disabled(self, email: str, disabled: bool) -> int:
        """Disable (or enable again) an account. Disabling ends its sessions at once (the
        epoch rises) and revokes its tokens; how many tokens went. AccountError if unknown."""
        email = normalize_email(email)
        if not self.records.set_disabled(email, now_iso(self.clock()) if disabled else ""):
            raise AccountError(f"no staff account {email!r}")
        return self.revoke_all_tokens(email) if disabled else 0

    def unlock(self, email: str) -> None:
        self.records.clear_login_attempts(normalize_email(email))

    # --- logging in ---------------------------------------------------------------------------

    def log_in(self, email: str, password: str, client: str = "") -> LoginResult:
        """Check a password, the attempt counted first (hotline/store/lua/login_throttle.lua),
        so parallel guesses cannot all be checked before the limit applies."""
        email = normalize_email(email)
        now = self.clock()
        account = self.records.get_account(email)
        outcome, until, locked_until = self.records.reserve_login(email, client, now, POLICY)
        if outcome == "locked":
            return LoginResult(refused="locked", locked_until=until, account=account)
        if outcome == "wait":
            return LoginResult(
                # (less a millisecond: the stored time is rounded to one)
                refused="wait", wait_seconds=math.ceil(until - now - 1e-3), account=account
            )
        matches = check_password_hash(
            account.password_hash if account else _decoy_hash(), password or ""
        )
        if account and matches:
            self.records.login_succeeded(email, client, now, POLICY)
            if account.disabled:
                return LoginResult(refused="disabled", checked=True, account=account)
            return LoginResult(user=StaffUser(account.email, account.role), account=account)
        if locked_until:
            return LoginResult(
                refused="locked", locked_until=locked_until, checked=True, account=account
            )
        return LoginResult(
            refused="wrong", wait_seconds=int(until), checked=True, account=account
        )

    # --- sessions -----------------------------------------------------------------------------

    def start_session(self, user: StaffUser) -> StaffUser:
        session_id, csrf, now = secrets.token_urlsafe(32), new_csrf_token(), self.clock()
        account = self.records.get_account(user.email)
        epoch = account.epoch if account else 0
        self.records.create_session(session_id, user.email, csrf, now, _session_ttl(), epoch)
        return StaffUser(user.email, user.role, session_id, csrf, login_at=now)

    def resume_session(self, session_id: str | None) -> tuple[StaffUser | None, str]:
        """The signed-in user, or None and why not: "none", "idle", "expired" or "gone"."""
        if not session_id:
            return None, "none"
        data = self.records.get_session(session_id)
        if not data:
            return None, "gone"
        now = self.clock()
        login_at, seen_at = float(data["login_at"]), float(data["seen_at"])
        ended = (
            "expired"
            if now - login_at > ABSOLUTE_SECONDS
            else "idle"
            if now - seen_at > IDLE_SECONDS
            else ""
        )
        account = None if ended else self.records.get_account(data["email"])
        if account is not None and not _current(account, data):
            account = None  # a password reset or `hotline staff disable` since sign-in
        if ended or account is None:
            self.records.end_session(session_id)
            return None, ended or "gone"
        self.records.touch_session(session_id, now, _session_ttl())
        return StaffUser(
            account.email, account.role, session_id, data["csrf"], login_at=login_at
        ), ""

    def end_session(self, session_id: str | None) -> None:
        if session_id:
            self.records.end_session(session_id)

    # --- API tokens ---------------------------------------------------------------------------

    def issue_token(self, email: str) -> tuple[str, str]:
        """A new token for an existing account: (token, token id). Only its digest is kept."""
        account = self.records.get_account(normalize_email(email))
        if account is None:
            raise AccountError(f"no staff account {normalize_email(email)!r}")
        token_id = secrets.token_hex(6)
        token = f"hst_{token_id}_{secrets.token_urlsafe(32)}"
        if account.disabled:
            raise AccountError(f"{account.email!r} is disabled")
        self.records.save_token(
            token_id, account.email, token_digest(token), now_iso(self.clock()), account.epoch
        )
        return token, token_id

    def token_user(self, token: str) -> StaffUser | None:
        match = _TOKEN.match(token or "")
        if not match:
            return None
        stored = self.records.get_token(match.group(1))
        if not stored or not hmac.compare_digest(stored["digest"], token_digest(token)):
            return None
        account = self.records.get_account(stored["email"])
        if account is None or not _current(account, stored):
            return None
        return StaffUser(account.email, account.role, token_id=match.group(1))

    def revoke_token(self, token_or_id: str) -> str | None:
        """Revoke by the token itself or by its id; the account's email, or None if unknown."""
        match = _TOKEN.match(token_or_id)
        token_id = match.group(1) if match else token_or_id.strip()
        if not re.fullmatch(r"[0-9a-f]{12}", token_id):
            return None
        return self.records.delete_token(token_id)

    def revoke_all_tokens(self, email: str) -> int:
        ids = self.records.token_ids_of(normalize_email(email))
        return sum(1 for token_id in ids if self.records.delete_token(token_id))


def _current(account: Account, issued: dict) -> bool:
    """A session or token is good while its account is enabled and its password is the one
    it was issued under (the account's epoch then)."""
    return not account.disabled and int(issued.get("epoch") or 0) == account.epoch


def _session_ttl() -> int:
    # Only garbage collection: the idle and absolute limits are checked against the clock.
    return IDLE_SECONDS + 60
