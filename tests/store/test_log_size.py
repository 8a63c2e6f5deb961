"""A conversation that goes on after its advice: every turn's words stay in the log, and the log
is kept at its real size (on Redis 7 a new stream node takes 4 KB up front; a rewrite with DUMP
and RESTORE gives it exactly what its entries need)."""

from __future__ import annotations

from hotline.store.keys import log_key

STORY = ["my left leg is numb", *["no"] * 9, "about 3 days", "no", "no", "yes", "no", "no"]
AFTER = 100  # more entries after the advice than a stream node holds (100)


def test_a_long_tail_after_the_advice_keeps_every_text_and_a_compact_log(
    app, twilio, redis_server
):
    phone = "+15557770001"
    for text in STORY:
        assert twilio.sms(phone, text).status == 200
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    assert store.get_record(conv)["disposition"] == "soon"
    for n in range(AFTER):
        assert twilio.sms(phone, f"thanks, one more thing {n}").status == 200

    transcript = store.get_record(conv)["transcript"]
    said = [item["text"] for item in transcript if item["direction"] == "in"]
    assert said[: len(STORY)] == STORY
    assert said[len(STORY):] == [f"thanks, one more thing {n}" for n in range(AFTER)]
    answers = [item["text"] for item in transcript[-2 * AFTER :] if item["direction"] == "out"]
    assert len(answers) == AFTER and len(set(answers)) == 1 and answers[0]

    client = redis_server.client()
    key = log_key(conv)
    assert client.xinfo_stream(key)["radix-tree-keys"] > 1
    used = client.memory_usage(key, samples=0)
    client.restore(key + ":copy", 0, client.dump(key))
    assert used == client.memory_usage(key + ":copy", samples=0)  # nothing allocated ahead
    assert client.ttl(key) > 0  # still kept for the retention period, not forever
