"""Every review kept; every view audited (the queue, the audit log, `hotline export`, `hotline
purge`) with the client address from the socket unless a trusted proxy sent it; a CR/LF in
next= is a 400; HSTS behind an https public URL."""

from __future__ import annotations

import json

from hotline.cli import main
from tests.staff.conftest import ADMIN, PASSWORD, REVIEWER, converse, csrf_of, log_in, page_csrf
from tests.support.webhooks import new_phone


def review(client, conv_id: str, note: str):
    return client.post(
        f"/staff/conversations/{conv_id}/review",
        data={"note": note, "csrf_token": page_csrf(client)},
    )


def test_every_review_is_kept_newest_first(reviewer, admin, twilio, store, clock):
    conv_id = converse(twilio, store, new_phone(), "my leg is numb", {"weakness": "yes"}).conv_id
    assert review(reviewer, conv_id, "called back, no answer").status_code == 302
    clock.advance(60)
    assert review(admin, conv_id, "reached them; going to urgent care").status_code == 302
    record = store.get_record(conv_id)
    assert [(r["by"], r["note"]) for r in record["reviews"]] == [
        (ADMIN, "reached them; going to urgent care"),
        (REVIEWER, "called back, no answer"),
    ]
    assert record["review"]["by"] == ADMIN  # the latest, as the queue reads it
    page = reviewer.get(f"/staff/conversations/{conv_id}").get_data(as_text=True)
    newest, earlier = page.index("reached them"), page.index("called back, no answer")
    assert newest < earlier and "Earlier reviews (1)" in page


def test_the_queue_and_the_audit_log_views_are_audited(reviewer, admin, area):
    reviewer.get("/staff/?disposition=urgent")
    admin.get("/staff/audit")
    entries = [(e.actor, e.action, e.detail) for e in area.audit.entries()]
    assert any(actor == REVIEWER and action == "queue_view" and "disposition=urgent" in detail
               for actor, action, detail in entries)
    assert (ADMIN, "audit_view", "before newest") in entries


def test_cli_export_and_purge_are_audited(staff_app, twilio, store, area, redis_url,
                                         monkeypatch, capsys):
    converse(twilio, store, new_phone(), "my leg is numb", {"weakness": "yes"})
    converse(twilio, store, new_phone(), "my leg is numb", {"duration": "3 weeks"})
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["export", "--format", "csv"]) == 0
    assert main(["purge"]) == 0
    capsys.readouterr()
    exported = next(e for e in area.audit.entries() if e.action == "cli_export")
    assert exported.actor.startswith("command line (")
    assert exported.detail.startswith("csv, 2 conversation(s), full numbers")
    purged = next(e for e in area.audit.entries() if e.action == "purge")
    assert purged.detail.startswith("0 conversation(s)")


def test_the_audit_records_the_socket_address_not_a_forged_header(make_app, accounts):
    def sign_in(app, peer: str):
        client = app.test_client()
        page = client.get("/staff/login", environ_base={"REMOTE_ADDR": peer})
        client.post("/staff/login", data={
            "email": REVIEWER, "password": PASSWORD,
            "csrf_token": csrf_of(page.get_data(as_text=True))},
            headers={"X-Forwarded-For": "198.51.100.66"}, environ_base={"REMOTE_ADDR": peer})
        return app.extensions["staff"].audit.page()[0]

    assert sign_in(make_app(), "203.0.113.5").ip == "203.0.113.5"
    behind_proxy = make_app(HOTLINE_TRUSTED_PROXIES="10.0.0.0/8")
    assert sign_in(behind_proxy, "10.0.0.2").ip == "198.51.100.66"
    assert sign_in(behind_proxy, "203.0.113.5").ip == "203.0.113.5"


def test_a_crlf_in_next_is_a_bad_request(staff_app, accounts):
    client = staff_app.test_client()
    assert client.get("/staff/login?next=/staff/%0d%0aSet-Cookie:x=1").status_code == 400
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post("/staff/login", data={
        "email": REVIEWER, "password": PASSWORD, "csrf_token": csrf_of(page),
        "next": "/staff/\r\nLocation: https://evil.example"})
    assert response.status_code == 400
    signed_in = staff_app.test_client()
    log_in(signed_in, REVIEWER)
    assert signed_in.get("/staff/login?next=/staff/%0aevil").status_code == 400


def test_hsts_only_behind_an_https_public_url(make_app):
    https = make_app(HOTLINE_PUBLIC_URL="https://hotline.example.org").test_client()
    header = https.get("/staff/login").headers.get("Strict-Transport-Security", "")
    assert header.startswith("max-age=") and int(header.split("=")[1].split(";")[0]) >= 15552000
    plain = make_app(HOTLINE_PUBLIC_URL="http://localhost:5000").test_client()
    assert "Strict-Transport-Security" not in plain.get("/staff/login").headers
    assert "Strict-Transport-Security" not in make_app().test_client().get("/staff/login").headers


def test_help_from_an_opted_out_number_is_answered(twilio, store):
    phone = new_phone()
    twilio.sms(phone, "my leg is numb")
    twilio.sms(phone, "STOP")
    assert twilio.sms(phone, "are you there").texts == []
    for word in ("HELP", "info"):
        reply = twilio.sms(phone, word)
        assert len(reply.texts) == 2 and "START" in reply.texts[1], word
    assert store.is_opted_out(phone)  # still opted out: HELP is not START
    record = store.get_record(store.get_state(phone)["conv"])
    assert json.dumps(record)  # the record stays well formed
