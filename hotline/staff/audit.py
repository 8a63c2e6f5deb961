"""The audit log: who looked at or did what, and when. Append-only from the app (no route edits
or deletes an entry); entries older than HOTLINE_AUDIT_RETENTION are trimmed away.

Entries name conversations by id and never carry phone numbers or what a texter wrote.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from hotline.store.clock import now_iso
from hotline.store.staff import StaffRecords

# What gets recorded (the `action` field).
LOGIN, LOGIN_FAILED, LOCKED_OUT, LOGOUT = "login", "login_failed", "locked_out", "logout"
VIEW, REVEAL, REVIEW, EXPORT, API = "view", "reveal", "review", "export", "api"
AUDIT_VIEW, AUDIT_EXPORT = "audit_view", "audit_export"
ACCOUNT_SAVED, ACCOUNT_UNLOCKED = "account_saved", "account_unlocked"
ACCOUNT_DISABLED, ACCOUNT_ENABLED, LOGIN_DISABLED = (
    "account_disabled",
    "account_enabled",
    "login_disabled",
)
QUEUE_VIEW, CLI_EXPORT, PURGE = "queue_view", "cli_export", "purge"
FOLLOWUP_RESEND = "followup_resend"
TOKEN_CREATED, TOKEN_REVOKED = "token_created", "token_revoked"

FIELDS = ("at", "actor", "action", "target", "detail", "ip")


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: str
    actor: str
    action: str
    target: str
    detail: str
    ip: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class AuditLog:
    def __init__(
        self, records: StaffRecords, retention: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.records = records
        self.retention = retention
        self.clock = clock

    def record(
        self, actor: str, action: str, target: str = "", detail: str = "", ip: str = ""
    ) -> str:
        now = self.clock()
        entry = {
            "at": now_iso(now),
            "actor": actor,
            "action": action,
            "target": target,
            "detail": detail[:500],
            "ip": ip,
        }
        return self.records.append_audit(entry, self._keep_after_ms(time.time()))

    def page(self, before: str | None = None, count: int = 100) -> list[AuditEntry]:
        return [_entry(i, d) for i, d in self.records.audit_page(before, count)]

    def entries(self) -> Iterator[AuditEntry]:
        """Oldest first, the whole log."""
        for entry_id, data in self.records.iter_audit():
            yield _entry(entry_id, data)

    def trim(self, now: float | None = None) -> int:
        """Apply HOTLINE_AUDIT_RETENTION now; how many entries went."""
        return self.records.trim_audit(self._keep_after_ms(now if now is not None else time.time()))

    def _keep_after_ms(self, now: float) -> int:
        # Stream ids are Redis server milliseconds: retention is measured on that clock.
        return max(0, int((now - self.retention) * 1000))


def _entry(entry_id: str, data: dict) -> AuditEntry:
    return AuditEntry(entry_id, *(data.get(name, "") for name in FIELDS))
