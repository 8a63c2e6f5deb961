"""The safety net's Redis transitions on a real Redis: planning once, closing only a silence
that still holds, and which checks a claim applies to texts to the texter and to alerts."""

from __future__ import annotations

import json
import time

from hotline.store.keys import log_key, optout_key, state_key
from hotline.store.safety_net import SILENCE_KEY, SafetyNetStore
from hotline.store.turns import TurnOutput
from hotline.triage.conversation import ASKING, new_state
from tests.support.webhooks import new_phone


def asking(app, phone: str) -> str:
    """A texter in the middle of the questions; returns the conversation id."""
    hotline = app.extensions["hotline"]

    def compute(_):
        state = new_state()
        state.update(phase=ASKING, question="saddle_numbness", answers={"bladder_bowel": "no"})
        # Watched from now on, as the commit of a turn that begins asking writes it.
        return TurnOutput(state, [], [{"type": "new_conversation"}], inbound_text="numb leg",
                          watch_silence_at=time.time())

    return hotline.store.run_turn(phone, phone, "sms", None, compute).conversation_id


def task(conv_id: str, suffix: str, kind: str, **extra) -> dict:
    return {"id": f"{conv_id}:{suffix}", "kind": kind, "status": "scheduled",
            "due_ts": time.time(), **extra}


def stores(app):
    hotline = app.extensions["hotline"]
    return hotline, SafetyNetStore(hotline.redis, hotline.settings)


def test_a_task_is_planned_once_however_often_it_is_planned(app):
    hotline, store = stores(app)
    conv = asking(app, new_phone())
    tasks = [task(conv, "alert-emergency-t0", "alert_text", to="+15550007001")]
    assert store.plan(conv, tasks) == [f"{conv}:alert-emergency-t0"]
    assert store.plan(conv, tasks) == []
    assert [t["id"] for t in store.tasks(conv)] == [f"{conv}:alert-emergency-t0"]
    assert store.overdue(time.time() + 1) == [f"{conv}:alert-emergency-t0"]


def test_closing_needs_the_silence_it_judged(app):
    hotline, store = stores(app)
    phone = new_phone()
    conv = asking(app, phone)
    silence = store.silence(phone)
    hotline.store.run_turn(  # they write just before the close
        phone, phone, "sms", None,
        lambda loaded: TurnOutput(loaded.state, [], [], inbound_text="still here"))
    noreply = task(conv, "noreply", "noreply")
    assert store.close(silence, "saddle_numbness", 8, noreply) == "conflict"
    assert hotline.store.get_record(conv)["status"] == "active" and store.tasks(conv) == []

    assert store.close(store.silence(phone), "saddle_numbness", 8, noreply) == "ok"
    record = hotline.store.get_record(conv)
    assert record["status"] == "no_reply" and record["stopped_at"] == "saddle_numbness"
    assert hotline.redis.get(state_key(phone)) is None
    assert hotline.redis.zscore(SILENCE_KEY, phone) is None
    assert [t["id"] for t in store.tasks(conv)] == [f"{conv}:noreply"]


def test_an_opt_out_holds_back_a_nudge_but_never_an_alert(app):
    hotline, store = stores(app)
    phone = new_phone()
    conv = asking(app, phone)
    store.plan(conv, [task(conv, "nudge-1", "nudge"),
                      task(conv, "alert-emergency-t0", "alert_text", to="+15550007001")])
    hotline.redis.set(optout_key(phone), "1")
    nudge = store.claim(f"{conv}:nudge-1", 10)
    alert = store.claim(f"{conv}:alert-emergency-t0", 10)
    assert nudge.outcome == "opted_out" and store.get(nudge.task_id)["status"] == "cancelled"
    assert alert.outcome == "claimed" and alert.to == "+15550007001"
    # A second run while the first is sending does not send.
    assert store.claim(alert.task_id, 10).outcome == "in_flight"
    assert store.record_sent(alert, sid="SM" + "0" * 32, twilio_status="queued",
                             entry={"direction": "event", "channel": "sms",
                                    "text": json.dumps({"type": "alert_sent"})}) == "ok"
    assert store.claim(alert.task_id, 10).outcome == "done"
    [shown] = hotline.store.get_record(conv)["alerts"]
    assert shown["to"] == "…7001" and shown["status"] == "sent"


def test_the_safety_nets_log_entries_are_one_compact_field_and_read_the_same(app):
    hotline, store = stores(app)
    phone = new_phone()
    conv = asking(app, phone)
    store.plan(conv, [task(conv, "alert-emergency-t0", "alert_text", to="+15550007001")])
    alert = store.claim(f"{conv}:alert-emergency-t0", 10)
    sent = {"direction": "event", "channel": "sms", "text": '{"type": "alert_sent"}'}
    assert store.record_sent(alert, sid="SM" + "1" * 32, twilio_status="queued", entry=sent,
                             now=1_796_000_000.25) == "ok"
    assert store.close(store.silence(phone), "saddle_numbness", 8, None,
                       now=1_796_000_060.5) == "ok"

    entries = hotline.redis.xrange(log_key(conv))
    assert all(list(fields) == ["e"] for _, fields in entries)
    events = hotline.store.get_record(conv)["events"]
    assert events[-2:] == [
        {"at": "2026-11-30T00:53:20.250Z", "direction": "event", "channel": "sms",
         "text": '{"type": "alert_sent"}'},
        {"at": "2026-11-30T00:54:20.500Z", "direction": "event", "channel": "sms",
         "text": json.dumps({"type": "no_reply", "stopped_at": "saddle_numbness"})},
    ]
