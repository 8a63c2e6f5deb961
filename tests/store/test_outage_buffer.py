"""The outage buffer on disk: private to its user, in order, STOPs first, nothing kept longer
than retention, and nothing left on disk once written back."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
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


def test_words_a_reader_kept_in_the_journal_are_emptied_by_the_next_round(app, tmp_path):
    """Emptying the journal waits only briefly for a reader (appends wait behind it); what it
    could not empty then, the write-back's next round does."""
    from hotline.channels.writeback import buffer_of, drain

    hotline = app.extensions["hotline"]
    buffer = buffer_of(hotline)
    ids = [buffer.append("s", "+15550000002", {"in": f"secret words {n}"}) for n in range(5)]
    reader = sqlite3.connect(buffer.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM entries").fetchall()  # a snapshot held open
    buffer.remove(ids)
    assert buffer.count() == 0 and buffer.journal_owed
    reader.execute("COMMIT")
    reader.close()
    drain(hotline)
    assert not buffer.journal_owed
    for path in buffer.directory.iterdir():
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


COUNT = ("import sqlite3, sys\n"
         "db = sqlite3.connect(sys.argv[1] + '/' + sys.argv[2])\n"
         "print(db.execute('SELECT COUNT(*) FROM entries').fetchone()[0])\n"
         "db.close()\n")


def count_in_another_process(directory) -> int:
    """What a process opening the buffer afresh sees (and its connection closed at exit)."""
    done = subprocess.run([sys.executable, "-c", COUNT, str(directory), BUFFER_FILE],
                          capture_output=True, text=True, timeout=60, check=True)
    return int(done.stdout)


def in_a_new_thread(work):
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_thread_opening_the_buffer_leaves_the_other_threads_appends_durable(tmp_path):
    """Each thread has its own connection. Opening one must not drop the locks the process
    holds on the file through the others (closing any descriptor of a file drops them all):
    another process closing the buffer would then take it for unused and delete the journal
    under them, so appends committed afterwards vanish and new connections fail."""
    buffer = OutageBuffer(tmp_path)
    buffer.append("a", "a", {"n": 1})
    in_a_new_thread(lambda: buffer.append("b", "b", {"n": 2}))  # a second server thread
    assert count_in_another_process(tmp_path) == 2  # the worker, `hotline purge`, a monitor
    buffer.append("a", "a", {"n": 3})
    assert count_in_another_process(tmp_path) == 3
    assert in_a_new_thread(buffer.count) == 3
    assert [e.body["n"] for e in OutageBuffer(tmp_path).for_session("a")] == [1, 3]


def test_threads_appending_while_another_writes_back_lose_nothing(tmp_path):
    """Waves of new webhook threads append while the write-back thread reads, removes and
    empties the journal, and other processes open and close the buffer: every append raises
    nothing and is either removed by the write-back or there, as a fresh process sees it."""
    buffer = OutageBuffer(tmp_path)
    appended: list[int] = []
    removed: list[int] = []
    done = threading.Event()

    def append(k: int) -> None:  # sessions "w…" are written back, "k…" are kept
        appended.extend(buffer.append(f"{'wk'[n % 2]}{k}", "p", {"n": n}) for n in range(20))

    def write_back() -> None:
        while True:
            finished = done.is_set()  # the last appends were made before this was set
            sessions = [s for s in buffer.next_sessions(100) if s.startswith("w")]
            if finished and not sessions:
                return
            for session in sessions:
                ids = [e.id for e in buffer.for_session(session, 3)]
                buffer.remove(ids)
                removed.extend(ids)

    writer = threading.Thread(target=write_back)
    writer.start()
    for wave in range(4):
        threads = [threading.Thread(target=append, args=(wave * 3 + k,)) for k in range(3)]
        for thread in threads:
            thread.start()
        count_in_another_process(tmp_path)
        for thread in threads:
            thread.join()
    done.set()
    writer.join()
    assert len(appended) == 240 and len(removed) == 120
    assert count_in_another_process(tmp_path) == 120
    assert in_a_new_thread(buffer.count) == 120


def test_one_writer_at_a_time(tmp_path):
    buffer = OutageBuffer(tmp_path)
    with buffer.writer() as first, OutageBuffer(tmp_path).writer(wait=0.05) as second:
        assert first and not second
    with buffer.writer() as again:
        assert again


def test_the_spool_of_earlier_versions_is_taken_in_and_written_to_the_log(app, tmp_path):
    from hotline.channels.writeback import drain
    from tests.support.webhooks import TwilioWebhooks

    hotline = app.extensions["hotline"]
    phone = "+15550000003"
    TwilioWebhooks(app.test_client(), "test-auth-token").sms(phone, "my leg is numb")
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    from hotline.store.clock import now_iso

    (spool / "outage.jsonl").write_text(
        f'{{"phone": "+15550000003", "channel": "sms", "at": "{now_iso()}", '
        '"sid": "SMold", "in": "no", "out": ["safe"]}\n{damaged\n'
    )
    assert drain(hotline).applied == 1
    assert not (spool / "outage.jsonl").exists()
    record = hotline.store.get_record(hotline.store.get_state(phone)["conv"])
    said = [(t["direction"], t["text"]) for t in record["transcript"]]
    assert ("in", "no") in said and ("out", "safe") in said


def test_hotline_purge_covers_the_outage_buffer(make_env, tmp_path, capsys, monkeypatch):
    from hotline.cli import main

    env = make_env(HOTLINE_RETENTION="30d")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    buffer = OutageBuffer(env["HOTLINE_SPOOL_DIR"])
    buffer.append("old", "old", {}, at=time.time() - 31 * 86400)
    buffer.append("new", "new", {})
    assert main(["purge"]) == 0
    assert "1 outage buffer entr(ies)" in capsys.readouterr().out
    assert buffer.next_sessions(10) == ["new"]
