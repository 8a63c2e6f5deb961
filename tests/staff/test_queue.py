"""The queue, a conversation page, reviews and the audit log, over HTTP with conversations made
through signed POST /sms."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
from markupsafe import escape

from hotline.staff import views
from hotline.store.keys import conv_key
from hotline.store.records import record_fields
from tests.staff.conftest import (
    ADMIN,
    EMERGENCY_FIRST_TEXT,
    REVIEWER,
    SELF_CARE,
    SOON,
    URGENT,
    converse,
    page_csrf,
)
from tests.support.webhooks import new_phone


@pytest.fixture
def mix(twilio, store, staff_app):
    """Four finished conversations, oldest first, and one still asking questions."""
    texters = {
        "emergency": converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT),
        "urgent": converse(twilio, store, new_phone(), "my leg is numb", URGENT),
        "soon": converse(twilio, store, new_phone(), "my leg is numb", SOON),
        "self_care": converse(twilio, store, new_phone(), "my leg is numb", SELF_CARE),
    }
    unfinished = new_phone()
    twilio.sms(unfinished, "hello")
    texters["asking"] = type(texters["soon"])(unfinished, store.get_state(unfinished)["conv"])
    for name in ("emergency", "urgent", "soon", "self_care"):
        assert store.get_record(texters[name].conv_id)["disposition"] == name
    return texters


def queue_ids(client, query: str = "") -> list[str]:
    response = client.get(f"/staff/?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(r'data-conversation="(c[0-9a-f]+)"', response.get_data(as_text=True))


def ids(mix, *names: str) -> list[str]:
    return [mix[name].conv_id for name in names]


def review(client, conv_id: str, note: str = ""):
    return client.post(
        f"/staff/conversations/{conv_id}/review",
        data={"note": note, "csrf_token": page_csrf(client)},
    )


# --- order --------------------------------------------------------------------------------------


def test_unreviewed_emergency_and_urgent_come_first_then_newest_first(reviewer, mix):
    assert queue_ids(reviewer) == ids(mix, "emergency", "urgent", "asking", "self_care", "soon")
    html = reviewer.get("/staff/").get_data(as_text=True)
    assert "2 emergency or urgent not yet reviewed" in html


def test_a_reviewed_emergency_takes_its_place_by_time(reviewer, mix):
    assert (
        review(reviewer, mix["emergency"].conv_id, "called, ambulance on its way").status_code
        == 302
    )
    assert queue_ids(reviewer) == ids(mix, "urgent", "asking", "self_care", "soon", "emergency")


def test_a_review_is_needed_again_when_the_level_rises(reviewer, mix, twilio, store):
    urgent = mix["urgent"]
    review(reviewer, urgent.conv_id, "advised same-day care")
    assert queue_ids(reviewer)[0] == mix["emergency"].conv_id
    twilio.sms(urgent.phone, "I fell off a ladder yesterday")  # a new red flag after the advice
    assert store.get_record(urgent.conv_id)["disposition"] == "emergency"
    assert queue_ids(reviewer)[:2] == ids(mix, "urgent", "emergency")  # both unreviewed now
    page = reviewer.get(f"/staff/conversations/{urgent.conv_id}").get_data(as_text=True)
    assert "Needs review again" in page


# --- filters ------------------------------------------------------------------------------------


def test_filters(reviewer, mix, area):
    tz = area.settings.timezone
    today = datetime.now(tz).date()
    cases = {
        "disposition=emergency": ["emergency"],
        "disposition=soon": ["soon"],
        "disposition=none": ["asking"],
        "red_flag=weakness": ["urgent"],
        "red_flag=bladder_bowel": ["emergency"],
        "channel=sms": ["emergency", "urgent", "asking", "self_care", "soon"],
        "channel=voice": [],
        "status=active": ["asking"],
        "status=completed": ["emergency", "urgent", "self_care", "soon"],
        "language=en": ["emergency", "urgent", "asking", "self_care", "soon"],
        "reviewed=yes": [],
        f"digits={mix['soon'].phone[-4:]}": ["soon"],
        f"from={today}": ["emergency", "urgent", "asking", "self_care", "soon"],
        f"from={today + timedelta(days=1)}": [],
        f"to={today - timedelta(days=1)}": [],
        f"from={today}&to={today}&disposition=urgent": ["urgent"],
    }
    for query, expected in cases.items():
        assert queue_ids(reviewer, query) == ids(mix, *expected), query
    review(reviewer, mix["soon"].conv_id)
    assert queue_ids(reviewer, "reviewed=yes") == ids(mix, "soon")
    assert mix["soon"].conv_id not in queue_ids(reviewer, "reviewed=no")


MANY_FLAGS = "I peed myself, my groin is numb, my face is drooping and I can't walk"


def test_a_record_kept_in_pieces_reads_as_the_same_record_written_whole(reviewer, twilio, store):
    """A value over 64 bytes is kept in pieces (store/lua/commit_turn.lua): the queue and its
    filters, a conversation's page, the API and the exports show such a record exactly as the
    same record written whole, the way records were written before."""
    many = converse(twilio, store, new_phone(), MANY_FLAGS)
    converse(twilio, store, new_phone(), "my leg is numb", URGENT)
    stored = store.r.hgetall(conv_key(many.conv_id))
    # "difficulty_walking" is cut across the two pieces of the red flags.
    assert stored["red_flags"].endswith('"difficulty_wa') and "red_flags#2" in stored

    def shown() -> list[bytes]:
        paths = ("/staff/?red_flag=difficulty_walking", "/staff/",
                 f"/staff/conversations/{many.conv_id}", "/staff/api/conversations",
                 "/staff/api/conversations?red_flag=difficulty_walking",
                 "/staff/export.csv", "/staff/export.jsonl")
        return [reviewer.get(path).get_data() for path in paths]

    assert queue_ids(reviewer, "red_flag=difficulty_walking") == [many.conv_id]
    in_pieces = shown()
    store.r.delete(conv_key(many.conv_id))
    store.r.hset(conv_key(many.conv_id), mapping=record_fields(stored))
    assert shown() == in_pieces


def test_a_bad_filter_says_what_is_wrong(reviewer, mix):
    for query in (
        "disposition=later",
        "digits=5551234567",
        "from=yesterday",
        "from=2024-02-02&to=2024-02-01",
    ):
        response = reviewer.get(f"/staff/?{query}")
        assert response.status_code == 400, query
        assert "Filter not applied" in response.get_data(as_text=True)


def test_paging_keeps_the_queue_order(reviewer, mix, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    pages = [queue_ids(reviewer, f"page={n}") for n in (1, 2, 3)]
    assert sum(pages, []) == ids(mix, "emergency", "urgent", "asking", "self_care", "soon")
    html = reviewer.get("/staff/?page=2&channel=sms").get_data(as_text=True)
    assert "Page 2 of 3" in html
    assert 'href="/staff/?page=3&amp;channel=sms"' in html
    assert queue_ids(reviewer, "page=99") == pages[2]  # past the end: the last page


# --- one conversation ---------------------------------------------------------------------------


def test_the_conversation_page_shows_transcript_answers_rule_and_followups(reviewer, mix, store):
    self_care = store.get_record(mix["self_care"].conv_id)
    html = reviewer.get(f"/staff/conversations/{self_care['id']}").get_data(as_text=True)
    assert html.count('class="msg msg-in"') == sum(
        1 for line in self_care["transcript"] if line["direction"] == "in"
    )
    assert html.count('class="msg msg-out"') == sum(
        1 for line in self_care["transcript"] if line["direction"] == "out"
    )
    assert str(escape(self_care["rule"])) in html
    assert "Self-care" in html and "Pressure cause" in html
    assert len(self_care["followups"]) == 1
    assert 'class="fu fu-scheduled">Scheduled' in html
    emergency = reviewer.get(f"/staff/conversations/{mix['emergency'].conv_id}")
    assert "Bladder or bowel control" in emergency.get_data(as_text=True)


def test_what_a_texter_wrote_is_shown_as_text(reviewer, twilio, store):
    texter = converse(twilio, store, new_phone(), '<script>alert("x")</script> <b>numb</b> leg')
    html = reviewer.get(f"/staff/conversations/{texter.conv_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;numb&lt;/b&gt; leg" in html
    assert "<script>" not in html and "<b>numb" not in html


def test_reviewing_records_who_when_and_the_note(reviewer, mix, store, area, clock):
    conv_id = mix["emergency"].conv_id
    response = review(reviewer, conv_id, "  <i>Called back</i>: going to the ED  ")
    assert response.headers["Location"] == f"/staff/conversations/{conv_id}"
    saved = store.get_record(conv_id)["review"]
    assert saved["by"] == REVIEWER and saved["note"] == "<i>Called back</i>: going to the ED"
    assert saved["disposition"] == "emergency"
    assert datetime.fromisoformat(saved["at"].replace("Z", "+00:00")).timestamp() == pytest.approx(
        clock.now, abs=0.01
    )
    html = reviewer.get(f"/staff/conversations/{conv_id}").get_data(as_text=True)
    assert "Marked as reviewed." in html and "&lt;i&gt;Called back&lt;/i&gt;" in html
    entries = [(e.actor, e.action, e.target) for e in area.audit.page()]
    assert (REVIEWER, "review", conv_id) in entries


def test_unknown_or_malformed_conversations_are_404(reviewer, admin):
    for conv_id in ("c0000000000000000000000", "nope", "..%2F..%2Fetc"):
        assert reviewer.get(f"/staff/conversations/{conv_id}").status_code == 404
        csrf = page_csrf(reviewer)
        response = reviewer.post(
            f"/staff/conversations/{conv_id}/review", data={"csrf_token": csrf, "note": "x"}
        )
        assert response.status_code == 404
    assert (
        admin.post(
            "/staff/conversations/c0000000000000000000000/reveal",
            data={"csrf_token": page_csrf(admin)},
        ).status_code
        == 404
    )


def test_a_review_never_recreates_a_purged_conversation(reviewer, mix, store, area):
    conv_id = mix["soon"].conv_id
    store.purge(now=datetime.now().timestamp() + store.settings.retention + 86400)
    assert area.records.write_review(conv_id, REVIEWER, "late", "soon") is None
    assert not area.records.r.exists(conv_key(conv_id))


# --- audit ------------------------------------------------------------------------------------


def test_views_reveals_exports_and_reviews_are_audited(admin, reviewer, mix, area):
    conv_id = mix["urgent"].conv_id
    reviewer.get(f"/staff/conversations/{conv_id}")
    reviewer.get("/staff/export.csv?disposition=urgent")
    review(reviewer, conv_id, "ok")
    admin.post(f"/staff/conversations/{conv_id}/reveal", data={"csrf_token": page_csrf(admin)})
    admin.get("/staff/audit.jsonl").get_data()
    entries = [
        (e.actor, e.action, e.target)
        for e in reversed(area.audit.page())
        if e.action != "queue_view"  # the pages the CSRF tokens came from
    ]
    assert entries[-5:] == [
        (REVIEWER, "view", conv_id),
        (REVIEWER, "export", ""),
        (REVIEWER, "review", conv_id),
        (ADMIN, "reveal", conv_id),
        (ADMIN, "audit_export", ""),
    ]
    export = next(e for e in area.audit.page() if e.action == "export")
    assert export.detail.startswith("csv, 1 conversations, masked numbers")
    assert all(e.ip == "127.0.0.1" and e.at for e in area.audit.page())


def test_admins_read_and_export_the_audit_log_and_no_route_changes_it(admin, mix, area):
    admin.get(f"/staff/conversations/{mix['soon'].conv_id}")
    html = admin.get("/staff/audit").get_data(as_text=True)
    assert mix["soon"].conv_id in html and ADMIN in html
    csv_text = admin.get("/staff/audit.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "id,at,actor,action,target,detail,ip"
    assert mix["soon"].conv_id in csv_text
    before = len(area.audit.page())
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert admin.open("/staff/audit", method=method).status_code == 405
    assert len(area.audit.page()) == before


def test_the_audit_log_pages_backwards(admin, area, monkeypatch):
    monkeypatch.setattr(views, "AUDIT_PER_PAGE", 3)
    for n in range(5):
        area.audit.record(ADMIN, "view", target=f"c{n:022x}")
    first = admin.get("/staff/audit").get_data(as_text=True)
    older = re.search(r'href="/staff/audit\?before=([0-9-]+)"', first).group(1)
    second = admin.get(f"/staff/audit?before={older}").get_data(as_text=True)
    assert f"c{4:022x}" in first and f"c{4:022x}" not in second
    assert f"c{0:022x}" in second
    assert admin.get("/staff/audit?before=DROP").status_code == 400


def test_no_phone_number_or_message_text_reaches_the_logs(admin, reviewer, twilio, store, caplog):
    caplog.set_level(logging.DEBUG)
    texter = converse(twilio, store, new_phone(), "my secret leg story is numb", SOON)
    reviewer.get(f"/staff/conversations/{texter.conv_id}")
    review(reviewer, texter.conv_id, "private note")
    admin.post(
        f"/staff/conversations/{texter.conv_id}/reveal", data={"csrf_token": page_csrf(admin)}
    )
    admin.get("/staff/export.csv").get_data()
    admin.get("/staff/api/conversations")
    assert texter.phone not in caplog.text and texter.phone[1:] not in caplog.text
    assert "secret leg story" not in caplog.text and "private note" not in caplog.text
