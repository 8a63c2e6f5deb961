"""The record hash as stored: a value longer than Redis's 64-byte listpack limit is kept in
pieces that every reader joins back, so Redis keeps the hash compact; a record written whole
(before) reads the same. A planned follow-up's JSON leaves out its id and its null fields,
and reads as it did."""

from __future__ import annotations

import json

from hotline.store.keys import conv_key, followups_key
from hotline.store.records import record_fields
from hotline.store.safety_net import SafetyNetStore
from hotline.store.turns import TurnOutput
from hotline.triage.conversation import new_state
from tests.support.webhooks import new_phone

MANY_FLAGS = "I peed myself, my groin is numb, my face is drooping and I can't walk"
PIECE = 64  # Redis's hash-max-listpack-value: the longest value a compact hash holds


def test_pieces_read_joined_and_whole_values_as_they_are():
    stored = {"phone": "+15550001234", "answers": '{"a":', "answers#3": '"yes"}',
              "answers#2": '"no","b":', "rule": "rule 1"}
    assert record_fields(stored) == {"phone": "+15550001234", "rule": "rule 1",
                                     "answers": '{"a":"no","b":"yes"}'}
    whole = {"phone": "+15550001234", "answers": '{"a":"no","b":"yes"}'}
    assert record_fields(whole) == whole


def finish_with(store, phone: str, **state) -> str:
    """A turn whose step left the conversation finished with `state`'s fields; its id."""
    def compute(_):
        return TurnOutput({**new_state(), "phase": "finished", **state}, [], [])

    return store.run_turn(phone, phone, "sms", None, compute).conversation_id


def stored_hash(redis_server, conv: str) -> dict[bytes, bytes]:
    with redis_server.client() as client:
        return client.hgetall(conv_key(conv))


def test_a_long_record_is_kept_compact_and_reads_back_whole(app, twilio, redis_server):
    phone = new_phone()
    assert twilio.sms(phone, MANY_FLAGS).status == 200
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    record = store.get_record(conv)
    assert record["red_flags"] == [
        "bladder_bowel", "saddle_numbness", "stroke_signs", "difficulty_walking"]
    assert record["rule"] == ("rule 1: red flag bladder_bowel, saddle_numbness, stroke_signs"
                              " → emergency")
    assert len(json.dumps(record["red_flags"])) > PIECE and len(record["rule"]) > PIECE

    stored = stored_hash(redis_server, conv)
    assert {b"red_flags#2", b"answers#2", b"rule#2"} <= set(stored)
    assert max(len(value) for value in stored.values()) <= PIECE
    with redis_server.client() as client:
        assert client.object("encoding", conv_key(conv)) in (b"listpack", b"ziplist")

    # The same record as it was written before, every value whole, reads the same.
    whole = record_fields({k.decode(): v.decode() for k, v in stored.items()})
    with redis_server.client() as client:
        client.delete(conv_key(conv))
        client.hset(conv_key(conv), mapping=whole)
    assert store.get_record(conv) == record
    facts = SafetyNetStore(store.r, store.settings).conversation_facts(conv)
    assert json.loads(facts["red_flags"]) == record["red_flags"]


def test_a_value_that_gets_shorter_leaves_no_piece_behind(app):
    store = app.extensions["hotline"].store
    phone = new_phone()
    long = {f"question_{n}": "yes" for n in range(20)}
    short = {"question_1": "no", "question_2": "no", "question_3": "no", "question_4": "no"}
    count = -(-len(json.dumps(long, separators=(",", ":"))) // PIECE)
    assert count > 3
    conv = finish_with(store, phone, answers=long, disposition="soon", rule="r" * 200)
    assert store.get_record(conv)["answers"] == long
    names = set(store.r.hgetall(conv_key(conv)))
    assert {f"answers#{n}" for n in range(2, count + 1)} <= names
    assert f"answers#{count + 1}" not in names

    finish_with(store, phone, answers=short, disposition="soon", rule="rule 2")
    record = store.get_record(conv)
    assert (record["answers"], record["rule"]) == (short, "rule 2")
    assert sorted(n for n in store.r.hgetall(conv_key(conv)) if "#" in n) == ["answers#2"]

    finish_with(store, phone, answers={}, disposition="soon")  # back at the default: cleared
    assert store.get_record(conv)["answers"] == {}
    assert not [n for n in store.r.hgetall(conv_key(conv)) if n.startswith("answers")]


def test_a_value_is_cut_between_characters(app, redis_server):
    store = app.extensions["hotline"].store
    phone = new_phone()
    for lead in range(60, 66):  # a 2-, 3- or 4-byte character at every place around the cut
        rule = "x" * lead + "é→🦵" * 12
        conv = finish_with(store, phone, disposition="soon", rule=rule)
        pieces = {k: v for k, v in stored_hash(redis_server, conv).items()
                  if k.startswith(b"rule")}
        assert all(len(piece) <= PIECE for piece in pieces.values())
        [piece.decode("utf-8", errors="strict") for piece in pieces.values()]
        assert store.get_record(conv)["rule"] == rule


def test_a_planned_followup_keeps_out_its_id_and_nulls_and_reads_as_before(app, twilio):
    phone = new_phone()
    for text in ["my left leg is numb", *["no"] * 9, "about 3 days"]:
        assert twilio.sms(phone, text).status == 200
    store = app.extensions["hotline"].store
    conv = store.get_state(phone)["conv"]
    [followup] = store.get_record(conv)["followups"]
    assert followup["id"].startswith(conv + ":") and followup["status"] == "scheduled"
    assert (followup["sent_at"], followup["reply"], followup["disposition"]) == (
        None, None, "soon")

    [(fid, raw)] = store.r.hgetall(followups_key(conv)).items()
    stored = json.loads(raw)
    assert fid == followup["id"] and not {"id", "sent_at", "reply"} & set(stored)
    assert len(raw) < 110  # ~170 bytes with them

    # As written before, with its id and nulls: read the same.
    store.r.hset(followups_key(conv), fid, json.dumps(
        {"id": fid, "sent_at": None, "reply": None, **stored}))
    assert store.get_record(conv)["followups"] == [followup]
