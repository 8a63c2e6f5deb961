"""The log and the record as stored: entries written the earlier ways read the same as the
compact ones, a repeated answer ("=") reads as the text it repeats, and record fields left out
at their default read as that default."""

from __future__ import annotations

import pytest

from hotline.store.clock import iso_from_ms
from hotline.store.keys import WORDING_KEY, conv_key, log_key
from hotline.store.records import compact_entry, log_items, started_at_of, wording_refs
from hotline.store.turns import new_conversation_id
from hotline.store.wording import wording_ref

HELLO, AGAIN = "Hello, how can we help?", "Text RESTART to start over."
T0 = 1_796_000_000_000  # ms


def items_of(log: list, texts: dict) -> list[tuple]:
    return [(i["at"], i["direction"], i["channel"], i["text"], i["key"])
            for i in log_items(log, texts)]


def test_every_way_an_entry_was_written_reads_the_same():
    hello, again = wording_ref(HELLO), wording_ref(AGAIN)
    texts = {hello: HELLO, again: AGAIN}
    at = iso_from_ms(T0)
    log = [
        # written out whole (follow-ups, outage turns, call events)
        (f"{T0 - 5}-0", {"at": at, "direction": "out", "channel": "sms", "text": "Checking in",
                         "key": "followup.soon", "followup": "c1:ab"}),
        # the three fields of commit_turn.lua before
        (f"{T0}-0", {"m": "in|sms|", "t": "hi", "r": hello}),
        (f"{T0}-1", {"m": "event|sms||2026-11-29T20:53:21.000Z", "t": '{"type": "opt_out"}',
                     "r": ""}),
        # its one field now: m, refs, text
        (f"{T0}-2", {"e": f"i\t{hello} {again}\tthanks"}),
        (f"{T0}-3", {"e": "I\t=\tstill here\twith a tab"}),
        (f"{T0}-4", {"e": "O\t\tan answer kept in full"}),
        # a text in answered as the entry before, its letter and text alone
        (f"{T0}-5", {"e": f"i\t{again}\thello"}),
        (f"{T0}-6", {"e": "r\tagain"}),
        (f"{T0}-7", {"e": "r\tand\tagain"}),
        (f"{T0 + 9}-0", {"e": "out|voice|q.one|2026-11-29T20:53:30.000Z\t\tsaid on the call"}),
    ]
    assert items_of(log, texts) == [
        (at, "out", "sms", "Checking in", "followup.soon"),
        (at, "in", "sms", "hi", None),
        (at, "out", "sms", HELLO, None),
        ("2026-11-29T20:53:21.000Z", "event", "sms", '{"type": "opt_out"}', None),
        (at, "in", "sms", "thanks", None),
        (at, "out", "sms", HELLO, None),
        (at, "out", "sms", AGAIN, None),
        (at, "in", "voice", "still here\twith a tab", None),
        (at, "out", "voice", HELLO, None),
        (at, "out", "voice", AGAIN, None),
        (at, "out", "voice", "an answer kept in full", None),
        (at, "in", "sms", "hello", None),
        (at, "out", "sms", AGAIN, None),
        (at, "in", "sms", "again", None),
        (at, "out", "sms", AGAIN, None),
        (at, "in", "sms", "and\tagain", None),
        (at, "out", "sms", AGAIN, None),
        ("2026-11-29T20:53:30.000Z", "out", "voice", "said on the call", "q.one"),
    ]
    assert wording_refs(log) == {hello, again}


def test_an_entry_given_whole_is_written_compact_and_reads_back_the_same():
    at = "2026-11-30T00:53:21.500Z"
    given = [
        {"at": at, "direction": "event", "channel": "voice", "text": '{"type": "call_ended"}'},
        {"at": at, "direction": "out", "channel": "sms", "text": "Hi\tthere", "key": "a.b"},
        {"at": at, "direction": "out", "channel": "sms", "text": "sent", "sid": "SM1"},
        {"at": at, "direction": "in", "channel": "sms|odd", "text": "kept whole"},
    ]
    stored = [compact_entry(entry) for entry in given]
    assert [list(fields) for fields in stored] == [["e"], ["e"], list(given[2]), list(given[3])]
    log = [(f"{T0 + 7}-{n}", fields) for n, fields in enumerate(stored)]
    assert [(i["at"], i["direction"], i["channel"], i["text"], i["key"])
            for i in log_items(log, {})] == [
        (e["at"], e["direction"], e["channel"], e["text"], e.get("key")) for e in given
    ]


def test_a_repeat_of_nothing_is_an_error_not_a_silent_gap():
    with pytest.raises(LookupError):
        list(log_items([(f"{T0}-0", {"e": "i\t=\tthanks"})], {}))


def test_a_conversation_started_before_keeps_its_log_readable(app, twilio, redis_server):
    """A log begun by the earlier script (three fields an entry) goes on in the compact form."""
    phone = "+15557770101"
    assert twilio.sms(phone, "my left leg is numb").status == 200
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    client = redis_server.client(decode_responses=True)
    key = log_key(conv)
    first_id, first = client.xrange(key)[0]
    refs = first["e"].split("\t")[1]
    client.delete(key)  # as the earlier script wrote that turn
    client.xadd(key, {"m": "in|sms|", "t": "my left leg is numb", "r": refs}, id=first_id)
    before = store.get_record(conv)["transcript"]

    assert twilio.sms(phone, "no").status == 200
    after = store.get_record(conv)["transcript"]
    assert after[: len(before)] == before
    assert [i["direction"] for i in after[len(before):]] == ["in", "out"]
    assert after[len(before)]["text"] == "no"


TAIL = 40  # texts after the advice, each answered the same


def test_the_same_answer_again_and_again_is_read_back_each_time(app, twilio, redis_server):
    phone = "+15557770102"
    story = ["my left leg is numb", *["no"] * 9, "about 3 days"]
    for text in story:
        assert twilio.sms(phone, text).status == 200
    replies = [twilio.sms(phone, f"ok thanks {n}").text for n in range(TAIL)]
    assert len(set(replies)) == 1  # past the advice: always the same answer

    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    transcript = store.get_record(conv)["transcript"]
    tail = transcript[-2 * TAIL:]
    assert [i["text"] for i in tail[::2]] == [f"ok thanks {n}" for n in range(TAIL)]
    assert [i["text"] for i in tail[1::2]] == replies
    client = redis_server.client(decode_responses=True)
    stored = [e["e"].split("\t") for _, e in client.xrange(log_key(conv))][-TAIL:]
    # A text answered as the one before is "r" and the text; the answer is named again only
    # once the script's look back (16 entries) finds no entry that names it: every 17th.
    assert [n for n, (m, *_) in enumerate(stored) if m != "r"] == [0, 17, 34]
    assert [text for m, text in (e for e in stored if e[0] == "r")] == [
        f"ok thanks {n}" for n in range(TAIL) if n not in (0, 17, 34)]
    assert all(client.hexists(WORDING_KEY, ref) for ref in stored[0][1].split())


def test_record_fields_at_their_default_are_not_stored_yet_read(app, twilio, redis_server):
    phone = "+15557770103"
    assert twilio.sms(phone, "my left leg is numb").status == 200
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    client = redis_server.client(decode_responses=True)
    stored = client.hgetall(conv_key(conv))
    assert not {"language", "red_flags", "disposition", "rule", "channel", "started_at"} & set(
        stored
    )
    record = store.get_record(conv)
    assert (record["language"], record["channel"], record["red_flags"]) == ("en", "sms", [])
    assert (record["disposition"], record["rule"]) == (None, None)
    assert record["started_at"] == started_at_of(conv) <= record["updated_at"]

    assert twilio.sms(phone, "español").status == 200
    assert client.hget(conv_key(conv), "language") == "es"
    assert store.get_record(conv)["language"] == "es"
    assert twilio.sms(phone, "english").status == 200
    assert not client.hexists(conv_key(conv), "language")  # back at its default: cleared
    assert store.get_record(conv)["language"] == "en"


def test_a_start_is_read_from_the_id_and_a_stored_one_wins():
    conv = new_conversation_id(T0 / 1000)
    assert started_at_of(conv) == iso_from_ms(T0) == "2026-11-30T00:53:20.000Z"
    for made_up in ("c0000000000000other", "cxyz", "not-an-id", ""):
        assert started_at_of(made_up) is None
