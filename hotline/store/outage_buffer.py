"""What was said while Redis could not take it, kept durably on this host's disk until it is
written back (hotline/channels/writeback.py), so nothing a person sent during an outage is lost.

One SQLite file (the standard library's sqlite3: every web host has it, nothing to run) in
HOTLINE_SPOOL_DIR, mode 0600 in a 0700 folder. Each entry is one row appended in its own
fsync'd transaction before the webhook answers; rows are read in the order they were appended
and a row is deleted only after its turn is committed to Redis, so a crash or a stall at any
point leaves every unapplied entry in place. Applying an entry twice is harmless because each
one carries the dedupe id its turn is committed under (Twilio's MessageSid, a call's turn),
which the turn commit remembers. Deleted rows are overwritten on disk (secure_delete), and rows
older than HOTLINE_RETENTION are dropped by `purge`.

Entries hold only what the write-back needs: the session, the number, the dedupe id, the
words or keys received, what was answered, and the time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

BUFFER_FILE = "outage.sqlite3"
LOCK_FILE = "writeback.lock"
BUSY_TIMEOUT = 5.0  # seconds an append waits for another process's transaction
APPEND_TRIES = 2  # an append refused after BUSY_TIMEOUT is tried once more, on a fresh connection
CHECKPOINT_WAIT = 0.2  # seconds emptying the journal waits for others (appends wait behind it)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,
    phone TEXT NOT NULL,
    at REAL NOT NULL,
    opt_out INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_session ON entries (session, id);
CREATE INDEX IF NOT EXISTS entries_opt_out ON entries (phone) WHERE opt_out = 1;
"""


_creating = threading.Lock()


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it, and never open it otherwise.

    Closing any descriptor of a file drops every POSIX lock the process holds on it, the
    locks of its SQLite connections included (other threads' connections to this buffer).
    With them gone, another process closing its last connection takes the file for unused,
    checkpoints and deletes the -wal and -shm under the live connections: appends committed
    afterwards go into an unlinked journal and are lost, and new connections fail
    (SQLITE_IOERR_SHORT_READ, "disk I/O error"). So the file is only made when it does not
    exist (no connection can hold a lock on a file that is not there), under a lock every
    opening thread of this process passes, so none connects before the descriptor is closed."""
    with _creating:
        if path.exists():
            return
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))


def _unix(iso: str | None) -> float:
    try:
        return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


@dataclass(frozen=True)
class Entry:
    id: int
    session: str
    phone: str
    at: float
    opt_out: bool
    body: dict


class OutageBuffer:
    """The buffer in `directory`; safe to share between the processes and threads of a host."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.path = self.directory / BUFFER_FILE
        self._path_name = str(self.path)  # exists() runs before every turn: no Path layers
        self._local = threading.local()
        self.journal_owed = False  # written-back words may still be in the WAL

    # --- the file -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or not self.path.exists():
            if connection is not None:
                connection.close()
            connection = self._open()
            self._local.connection = connection
        return connection

    def _open(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        _create_private(self.path)
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            os.chmod(self.path, 0o600)  # a file an earlier version made; by path, no descriptor
            # WAL: one fsync per transaction, and readers (a webhook asking whether its session
            # has entries) never wait for the write-back. SQLite gives -wal and -shm the db's
            # mode.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")  # a committed append survives power loss
            connection.execute("PRAGMA secure_delete=ON")  # a written-back entry leaves no trace
            connection.executescript(_SCHEMA)
        except BaseException:
            connection.close()  # not left open (and holding the file) until collected
            raise
        return connection

    def exists(self) -> bool:
        return os.path.exists(self._path_name)

    # --- writing --------------------------------------------------------------------------

    def append(self, session: str, phone: str, body: dict, *, opt_out: bool = False,
               at: float | None = None) -> int:
        """Keep one entry; returns its id once it is on disk. A refused transaction (the file
        busy past BUSY_TIMEOUT, a connection SQLite gave up on) is tried again on a fresh
        connection: this is the turn's only copy."""
        row = (session, phone, time.time() if at is None else at, int(opt_out),
               json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        for attempt in range(APPEND_TRIES):
            try:
                with self._transaction() as db:
                    cursor = db.execute(
                        "INSERT INTO entries (session, phone, at, opt_out, body) "
                        "VALUES (?, ?, ?, ?, ?)",
                        row,
                    )
                    return int(cursor.lastrowid)
            except sqlite3.OperationalError:
                if attempt == APPEND_TRIES - 1:
                    raise
                self._drop_connection()
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def remove(self, entry_ids: list[int]) -> None:
        """Forget entries whose turns are committed; once none is left, the WAL is emptied too
        so no written-back words stay on disk."""
        with self._transaction() as db:
            db.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in entry_ids])
            empty = db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None
        if empty:
            self.empty_journal()

    def empty_journal(self) -> bool:
        """Copy the WAL into the file and truncate it. The checkpoint holds the write lock
        while it waits for readers, so it waits CHECKPOINT_WAIT, not BUSY_TIMEOUT: an append
        never waits long behind it. False when others kept it from finishing; then
        `journal_owed` stays set and the write-back's next round tries again."""
        db = self._connection()
        db.execute(f"PRAGMA busy_timeout = {int(CHECKPOINT_WAIT * 1000)}")
        try:
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            busy = 1
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        self.journal_owed = bool(busy)
        return not busy

    def purge(self, older_than: float) -> int:
        """Drop entries kept longer than the retention period (unix time cutoff)."""
        if not self.exists():
            return 0
        with self._transaction() as db:
            return db.execute("DELETE FROM entries WHERE at < ?", (older_than,)).rowcount

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")  # never leave the thread's connection mid-transaction
            raise

    # --- reading --------------------------------------------------------------------------

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Every row at once, so no statement is left holding a read snapshot on this
        thread's connection; a connection SQLite refused is opened afresh once."""
        try:
            return self._connection().execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            self._drop_connection()
            return self._connection().execute(sql, args).fetchall()

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()

    def count(self) -> int:
        if not self.exists():
            return 0
        return int(self._read("SELECT COUNT(*) FROM entries")[0][0])

    def oldest_at(self) -> float | None:
        if not self.exists():
            return None
        return self._read("SELECT MIN(at) FROM entries")[0][0]

    def next_sessions(self, limit: int) -> list[str]:
        """Sessions with entries, those holding an opt-out first, then oldest first."""
        if not self.exists():
            return []
        rows = self._read(
            "SELECT session, MAX(opt_out) AS stop, MIN(id) AS first FROM entries "
            "GROUP BY session ORDER BY stop DESC, first LIMIT ?",
            (limit,),
        )
        return [row[0] for row in rows]

    def for_session(self, session: str, limit: int = -1) -> list[Entry]:
        """The session's (first `limit`) entries in the order they were said."""
        if not self.exists():
            return []
        rows = self._read(
            "SELECT id, session, phone, at, opt_out, body FROM entries WHERE session = ? "
            "ORDER BY id LIMIT ?",
            (session, limit),
        )
        return [Entry(r[0], r[1], r[2], r[3], bool(r[4]), json.loads(r[5])) for r in rows]

    def has_session(self, session: str) -> bool:
        if not self.exists():
            return False
        return bool(self._read("SELECT 1 FROM entries WHERE session = ? LIMIT 1", (session,)))

    def has_opt_out(self, phone: str) -> bool:
        """An opt-out (STOP) from this number that is not yet written to Redis."""
        if not self.exists():
            return False
        return bool(
            self._read("SELECT 1 FROM entries WHERE phone = ? AND opt_out = 1 LIMIT 1", (phone,))
        )

    def adopt_old_spool(self) -> int:
        """Take in the JSON-lines spool earlier versions wrote (outage.jsonl, and the
        replaying-*.jsonl a crash left behind), so an upgrade loses none of it; its entries
        are written to their conversation's log only, as those versions did."""
        adopted = 0
        for path in sorted(self.directory.glob("outage.jsonl")) + sorted(
            self.directory.glob("replaying-*.jsonl")
        ):
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    old = json.loads(line)
                    phone = str(old["phone"])
                except (ValueError, KeyError, TypeError):
                    continue
                voice = old.get("channel") == "voice"
                session = f"call:{old.get('sid')}" if voice and old.get("sid") else phone
                digest = hashlib.sha256(line.encode()).hexdigest()[:24]
                body = {"kind": "log_only", "channel": "voice" if voice else "sms",
                        "dedupe": f"old-spool-{digest}", "in": old.get("in", ""),
                        "out": list(old.get("out") or [])}
                self.append(session, phone, body, at=_unix(old.get("at")))
                adopted += 1
            path.unlink()
        return adopted

    # --- one writer at a time -------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self, wait: float = 0.0) -> Iterator[bool]:
        """Hold this host's write-back lock (yields False when not had within `wait` s).

        One applier at a time per buffer keeps each session's entries in order; the lock is a
        flock, so a killed holder releases it with its last file descriptor."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.directory / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    held = True
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        held = False
                        break
                    time.sleep(0.005)
            try:
                yield held
            finally:
                if held:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
