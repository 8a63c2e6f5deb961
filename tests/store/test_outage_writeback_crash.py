"""The write-back killed at every step: whatever line it dies on, the next write-back applies
each buffered turn exactly once, in order, into its own conversation.

The writer is a forked child running the real write-back (hotline.channels.writeback.drain)
against the test's real Redis and a real buffer file; a line tracer SIGKILLs it (no handler,
no cleanup, like a crash or a platform restart) on the k-th line it runs in the write-back
and buffer modules, for k = 1, 2, ... until a run finishes without reaching k.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from hotline.channels import writeback
from hotline.store.outage_buffer import OutageBuffer
from tests.support.followups import followup_app, followup_env, plan_followup
from tests.support.webhooks import TwilioWebhooks

TRACED = {
    str(Path(writeback.__file__).resolve()),
    str(Path(sys.modules["hotline.store.outage_buffer"].__file__).resolve()),
}
MID, DONE, STOPPED, NEW = "+15556100001", "+15556100002", "+15556100003", "+15556100004"
NOT_KILLED = 0


def scenario(app, buffer: OutageBuffer) -> dict[str, list[str]]:
    """Conversations in Redis, then turns of each kept in the buffer as an outage keeps them."""
    twilio = TwilioWebhooks(app.test_client(), "test-auth-token")
    twilio.sms(MID, "my leg is numb")
    twilio.sms(MID, "no")
    plan_followup(app, STOPPED, "soon")
    hotline = app.extensions["hotline"]
    said = {
        MID: ["no", "I can't control my bladder", "no", "ok"],  # more than one batch takes
        STOPPED: ["STOP"],
        NEW: ["my foot went numb after I fell"],
    }
    order = [(MID, 0), (STOPPED, 0), (MID, 1), (NEW, 0), (MID, 2), (MID, 3)]
    for n, (phone, i) in enumerate(order):
        text = said[phone][i]
        writeback.keep_sms(hotline, phone, f"SMcrash{n:04d}", text, 0,
                           "stop" if text == "STOP" else None, [{"text": "safe reply"}])
    assert buffer.count() == len(order)
    return said


def run_writer_killed_at(app, k: int) -> int:
    """Fork a writer that dies on its k-th traced line; its exit status (0: it finished)."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        count = 0

        def tracer(frame, event, arg):
            nonlocal count
            if frame.f_code.co_filename in TRACED:
                if event == "line":
                    count += 1
                    if count == k:
                        os.kill(os.getpid(), signal.SIGKILL)
                return tracer
            return tracer if event == "call" and frame.f_code.co_filename in TRACED else None

        try:
            hotline = app.extensions["hotline"]
            hotline.redis.connection_pool.reset()  # the parent's sockets are not ours
            hotline._outage_buffer = None
            sys.settrace(tracer)
            writeback.drain(hotline)
            sys.settrace(None)
        finally:
            os._exit(NOT_KILLED)
    _, status = os.waitpid(pid, 0)
    return status


def outcome(app) -> dict:
    store = app.extensions["hotline"].store
    seen = {}
    for phone in (MID, STOPPED, NEW):
        stored = store.get_state(phone)
        record = store.get_record(stored["conv"]) if stored else None
        seen[phone] = record
    return seen


@pytest.mark.slow
def test_a_writer_killed_on_any_line_loses_nothing_and_applies_nothing_twice(
    make_env, twilio_api, redis_server, tmp_path
):
    env = followup_env(make_env, twilio_api, HOTLINE_FOLLOWUP_SOON="1h")
    killed_runs = 0
    for k in range(1, 2000):
        env["HOTLINE_SPOOL_DIR"] = str(tmp_path / f"spool-{k}")
        app = followup_app(env)
        hotline = app.extensions["hotline"]
        hotline.redis.flushall()
        buffer = writeback.buffer_of(hotline)
        said = scenario(app, buffer)
        status = run_writer_killed_at(app, k)
        finished = os.WIFEXITED(status) and os.WEXITSTATUS(status) == NOT_KILLED
        assert finished or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL)
        hotline._outage_buffer = None
        writeback.drain(hotline)  # the next writer, after the crash
        assert writeback.buffer_of(hotline).count() == 0, f"killed at line {k}"
        records = outcome(app)
        mid = records[MID]
        inbound = [t["text"] for t in mid["transcript"] if t["direction"] == "in"]
        assert inbound == ["my leg is numb", "no", *said[MID]], f"killed at line {k}"
        assert mid["disposition"] == "emergency" and "bladder_bowel" in mid["red_flags"]
        assert mid["answers"]["saddle_numbness"] == "no"  # the outage "no" answered question 2
        stopped = records[STOPPED]
        assert hotline.store.is_opted_out(STOPPED)
        assert [f["status"] for f in stopped["followups"]] == ["cancelled"]
        assert [t["text"] for t in stopped["transcript"] if t["direction"] == "in"] == [
            "my leg is numb", "STOP"]
        new = records[NEW]
        assert [t["text"] for t in new["transcript"] if t["direction"] == "in"] == said[NEW]
        assert new["disposition"] == "emergency" and "injury" in new["red_flags"]
        events = [e["text"] for e in mid["events"]]
        assert sum("answered_during_outage" in e for e in events) == 4, f"killed at line {k}"
        if finished:
            break
        killed_runs += 1
    else:
        raise AssertionError("the write-back never finished")
    print(f"\nwrite-back killed on each of its {killed_runs} lines in turn: nothing lost/doubled")
    assert killed_runs > 20  # the tracer did reach the write-back's lines
