"""The outage buffer on disk: private to its user, in order, STOPs first, nothing kept longer
than retention, and nothing left on disk once written back."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

from hotline.store.outage_buffer import BUFFER_FILE, OutageBuffer


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_buffer_and_its_journal_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)  # a usual umask would give 0644 files
    try:
        buffer = OutageBuffer(tmp_path / "spool")
        buffer.append("+15550000001", "+15550000001", {"in": "my leg is numb"})
    finally:
        os.umask(old)
    assert mode(tmp_path / "spool") == 0o700
    files = sorted(p.name for p in (tmp_path / "spool").iterdir())
    assert BUFFER_FILE in files
    for name in files:
        assert mode(tmp_path / "spool" / name) == 0o600, name


def test_entries_come_back_per_session_in_order_sessions_with_a_stop_first(tmp_path):
    buffer = OutageBuffer(tmp_path)
    buffer.append("a", "a", {"n": 1})
    buffer.append("b", "b", {"n": 2})
    buffer.append("a", "a", {"n": 3})
    buffer.append("c", "c", {"n": 4}, opt_out=True)
    assert buffer.next_sessions(10) == ["c", "a", "b"]
    assert [e.body["n"] for e in buffer.for_session("a")] == [1, 3]
    assert [e.body["n"] for e in buffer.for_session("a", 1)] == [1]
    assert buffer.has_opt_out("c") and not buffer.has_opt_out("a")


def test_written_back_words_do_not_stay_on_disk(tmp_path):
    buffer = OutageBuffer(tmp_path)
    ids = [buffer.append("s", "+15550000002", {"in": f"secret words {n}"}) for n in range(50)]
    buffer.remove(ids)
    assert buffer.count() == 0
    for path in tmp_path.iterdir():
        assert b"secret words" not in path.read_bytes(), path.name


def test_retention_drops_entries_older_than_the_cutoff(tmp_path):
    buffer = OutageBuffer(tmp_path)
    buffer.append("old", "old", {}, at=time.time() - 100 * 86400)
    buffer.append("new", "new", {})
    assert buffer.purge(time.time() - 90 * 86400) == 1
    assert buffer.next_sessions(10) == ["new"]


def test_appends_from_several_processes_all_land(tmp_path):
    program = (
        "import sys; from hotline.store.outage_buffer import OutageBuffer\n"
        "b = OutageBuffer(sys.argv[1])\n"
        "for n in range(100): b.append(sys.argv[2], sys.argv[2], {'n': n})\n"
    )
    children = [subprocess.Popen([sys.executable, "-c", program, str(tmp_path), f"p{k}"])
                for k in range(4)]
    assert [child.wait(60) for child in children] == [0, 0, 0, 0]
    buffer = OutageBuffer(tmp_path)
    assert buffer.count() == 400
    for k in range(4):
        assert [e.body["n"] for e in buffer.for_session(f"p{k}")] == list(range(100))


def test_one_writer_at_a_time(tmp_path):
    buffer = OutageBuffer(tmp_path)
    with buffer.writer() as first, OutageBuffer(tmp_path).writer(wait=0.05) as second:
        assert first and not second
    with buffer.writer() as again:
        assert again
