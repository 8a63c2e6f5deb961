"""Who gets in: every route without a login, reviewers and admins, API tokens, CSRF, lock-out,
idle and absolute session limits, cookie flags and security headers."""

from __future__ import annotations

import argparse
import io
import re

import pytest

from hotline.staff import auth as staff_auth
from hotline.staff.cli import handle, register
from hotline.store.staff import account_key
from tests.staff.conftest import (
    ADMIN,
    EMERGENCY_FIRST_TEXT,
    PASSWORD,
    REVIEWER,
    converse,
    csrf_of,
    log_in,
    page_csrf,
)
from tests.support.webhooks import new_phone


@pytest.fixture
def emergency(twilio, store, staff_app):
    return converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT)


def staff_routes(conv_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/staff/"),
        ("GET", f"/staff/conversations/{conv_id}"),
        ("POST", f"/staff/conversations/{conv_id}/review"),
        ("POST", f"/staff/conversations/{conv_id}/reveal"),
        ("GET", "/staff/export.csv"),
        ("GET", "/staff/export.jsonl"),
        ("GET", "/staff/audit"),
        ("GET", "/staff/audit.csv"),
        ("GET", "/staff/audit.jsonl"),
        ("POST", "/staff/logout"),
    ]


# --- without a login -----------------------------------------------------------------------


def test_every_page_sends_a_stranger_to_the_login(staff_app, emergency):
    client = staff_app.test_client()
    for method, path in staff_routes(emergency.conv_id):
        response = client.open(path, method=method, data={"note": "x"})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/staff/login"), (method, path)
        assert emergency.phone[-4:] not in response.get_data(as_text=True)
    review = staff_app.extensions["hotline"].store.get_record(emergency.conv_id)["review"]
    assert review is None


def test_the_api_answers_401_without_credentials(staff_app, emergency):
    response = staff_app.test_client().get("/staff/api/conversations")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "conversations" not in response.get_json()


def test_the_login_page_and_stylesheet_are_public(staff_app):
    client = staff_app.test_client()
    assert client.get("/staff/login").status_code == 200
    assert client.get("/staff/static/staff.css").status_code == 200


def test_after_login_the_user_returns_to_the_page_asked_for(staff_app, accounts, emergency):
    client = staff_app.test_client()
    path = f"/staff/conversations/{emergency.conv_id}"
    login_url = client.get(path).headers["Location"]
    page = client.get(login_url).get_data(as_text=True)
    response = client.post(
        "/staff/login",
        data={"email": REVIEWER, "password": PASSWORD, "csrf_token": csrf_of(page), "next": path},
    )
    assert response.headers["Location"] == path


def test_login_never_redirects_to_another_site(staff_app, accounts):
    client = staff_app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login",
        data={
            "email": REVIEWER,
            "password": PASSWORD,
            "csrf_token": csrf_of(page),
            "next": "//evil.example/staff/",
        },
    )
    assert response.headers["Location"] == "/staff/"


# --- roles ---------------------------------------------------------------------------------


def test_a_reviewer_sees_the_queue_and_conversations_without_full_numbers(reviewer, emergency):
    queue = reviewer.get("/staff/").get_data(as_text=True)
    page = reviewer.get(f"/staff/conversations/{emergency.conv_id}").get_data(as_text=True)
    for html in (queue, page):
        assert "…" + emergency.phone[-4:] in html
        assert emergency.phone not in html
        assert emergency.phone[1:] not in html
    assert "Show full number" not in page
    assert "Audit log" not in queue


def test_a_reviewer_may_not_reveal_numbers_or_read_the_audit_log(reviewer, emergency):
    csrf = page_csrf(reviewer)
    reveal = reviewer.post(
        f"/staff/conversations/{emergency.conv_id}/reveal", data={"csrf_token": csrf}
    )
    assert reveal.status_code == 403
    assert emergency.phone not in reveal.get_data(as_text=True)
    for path in ("/staff/audit", "/staff/audit.csv", "/staff/audit.jsonl"):
        assert reviewer.get(path).status_code == 403, path


def test_an_admin_reveals_a_number_and_the_reveal_is_audited(admin, area, emergency):
    page = admin.get(f"/staff/conversations/{emergency.conv_id}").get_data(as_text=True)
    assert emergency.phone not in page
    shown = admin.post(
        f"/staff/conversations/{emergency.conv_id}/reveal", data={"csrf_token": csrf_of(page)}
    )
    assert shown.status_code == 200
    assert emergency.phone in shown.get_data(as_text=True)
    reveals = [e for e in area.audit.page() if e.action == "reveal"]
    assert [(e.actor, e.target) for e in reveals] == [(ADMIN, emergency.conv_id)]
    assert emergency.phone not in str(area.audit.page())
    assert admin.get("/staff/audit").status_code == 200


def test_an_admin_exports_full_numbers_and_a_reviewer_masked_ones(admin, reviewer, emergency):
    assert emergency.phone in admin.get("/staff/export.jsonl").get_data(as_text=True)
    masked = reviewer.get("/staff/export.jsonl").get_data(as_text=True)
    assert emergency.phone not in masked and "…" + emergency.phone[-4:] in masked


def test_an_account_removed_meanwhile_loses_its_session(reviewer, area, staff_app):
    area.records.r.delete(account_key(REVIEWER))
    assert reviewer.get("/staff/").status_code == 302


# --- API tokens ------------------------------------------------------------------------------


def run_cli(staff_app, *argv: str, stdin: str = "") -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="hotline")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    hotline = staff_app.extensions["hotline"]
    out = io.StringIO()
    code = handle(args, hotline.settings, hotline.redis, stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def test_a_good_token_reads_the_api_and_a_wrong_or_revoked_one_does_not(
    staff_app, accounts, emergency
):
    code, out = run_cli(staff_app, "staff", "token", ADMIN)
    assert code == 0
    token = out.strip()
    client = staff_app.test_client()

    good = client.get("/staff/api/conversations", headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    assert [r["id"] for r in good.get_json()["conversations"]] == [emergency.conv_id]
    assert good.get_json()["conversations"][0]["phone"] == emergency.phone

    wrong = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    for header in (f"Bearer {wrong}", "Bearer nonsense", f"Basic {token}", "Bearer "):
        refused = client.get("/staff/api/conversations", headers={"Authorization": header})
        assert refused.status_code == 401, header
        assert "conversations" not in refused.get_json()

    assert run_cli(staff_app, "staff", "revoke-token", token)[0] == 0
    revoked = client.get("/staff/api/conversations", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert 'error="invalid_token"' in revoked.headers["WWW-Authenticate"]


def test_tokens_are_stored_only_as_digests(staff_app, accounts, area):
    token = run_cli(staff_app, "staff", "token", REVIEWER)[1].strip()
    token_id = token.split("_")[1]
    stored = area.records.get_token(token_id)
    assert stored["digest"] == staff_auth.token_digest(token)
    r = area.records.r
    stored_values = [
        r.hgetall(k) if r.type(k) == "hash" else r.smembers(k)
        for k in r.keys("hotline:staff:*")
        if r.type(k) in ("hash", "set")
    ]
    assert stored_values and token.split("_", 2)[2] not in str(stored_values)


def test_a_reviewer_token_gets_masked_numbers_and_revoke_all_ends_every_token(
    staff_app, accounts, emergency
):
    first = run_cli(staff_app, "staff", "token", REVIEWER)[1].strip()
    second = run_cli(staff_app, "staff", "token", REVIEWER)[1].strip()
    client = staff_app.test_client()
    records = client.get(
        "/staff/api/conversations", headers={"Authorization": f"Bearer {first}"}
    ).get_json()["conversations"]
    assert records[0]["phone"] == "…" + emergency.phone[-4:]
    assert run_cli(staff_app, "staff", "revoke-token", "--all", REVIEWER) == (
        0,
        f"revoked 2 token(s) of {REVIEWER}\n",
    )
    for token in (first, second):
        response = client.get(
            "/staff/api/conversations", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401


def test_a_token_does_not_open_the_html_pages(staff_app, accounts):
    token = run_cli(staff_app, "staff", "token", ADMIN)[1].strip()
    response = staff_app.test_client().get("/staff/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302


def test_the_api_also_accepts_a_signed_in_session(reviewer, emergency):
    response = reviewer.get("/staff/api/conversations")
    assert response.status_code == 200
    assert response.get_json()["total"] == 1


# --- CSRF ------------------------------------------------------------------------------------


def test_forms_without_the_csrf_token_are_refused(reviewer, store, emergency):
    path = f"/staff/conversations/{emergency.conv_id}/review"
    for data in ({"note": "x"}, {"note": "x", "csrf_token": "forged"}):
        response = reviewer.post(path, data=data)
        assert response.status_code == 400
        assert "form has expired" in response.get_data(as_text=True)
    assert store.get_record(emergency.conv_id)["review"] is None
    assert reviewer.post("/staff/logout", data={}).status_code == 400
    assert reviewer.get("/staff/").status_code == 200  # still signed in


def test_the_login_form_needs_its_csrf_token(staff_app, accounts):
    client = staff_app.test_client()
    client.get("/staff/login")
    response = client.post("/staff/login", data={"email": REVIEWER, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302


def test_one_sessions_csrf_token_does_not_work_in_another(staff_app, accounts, emergency, store):
    first, second = staff_app.test_client(), staff_app.test_client()
    log_in(first, REVIEWER)
    log_in(second, REVIEWER)
    response = second.post(
        f"/staff/conversations/{emergency.conv_id}/review",
        data={"note": "x", "csrf_token": page_csrf(first)},
    )
    assert response.status_code == 400
    assert store.get_record(emergency.conv_id)["review"] is None


# --- lock-out ----------------------------------------------------------------------------------


def problem_of(response) -> str:
    match = re.search(r'id="login-problem">(.*?)</div>', response.get_data(as_text=True), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def test_wrong_passwords_slow_down_then_lock_the_account_and_say_so(
    staff_app, accounts, clock, area
):
    client = staff_app.test_client()
    for _ in range(2):
        response = log_in(client, REVIEWER, "wrong password here")
        assert response.status_code == 401
        assert problem_of(response) == "Wrong email or password."

    third = log_in(client, REVIEWER, "wrong password here")
    assert "wait 5 seconds" in problem_of(third)
    too_soon = log_in(client, REVIEWER, PASSWORD)  # even the right one must wait
    assert too_soon.status_code == 429
    assert "Wait 5 seconds" in problem_of(too_soon)

    clock.advance(5)
    assert "wait 30 seconds" in problem_of(log_in(client, REVIEWER, "wrong password here"))
    clock.advance(30)
    locked = log_in(client, REVIEWER, "wrong password here")
    assert locked.status_code == 429
    assert "This account is locked" in problem_of(locked)

    clock.advance(14 * 60)
    still = log_in(client, REVIEWER, PASSWORD)
    assert still.status_code == 429 and "locked" in problem_of(still)
    clock.advance(61)
    assert log_in(client, REVIEWER, PASSWORD).status_code == 302
    actions = [e.action for e in area.audit.page()]
    # four wrong passwords checked, then the fifth, which locked the account: entries; the try
    # too soon and the one while locked checked nothing: counted
    assert actions.count("login_failed") == 4 and actions.count("locked_out") == 1
    [counts] = area.records.refused_logins().values()
    assert counts == {"throttled": 2}


def test_an_unknown_email_is_refused_like_a_wrong_password(staff_app, accounts, clock, area):
    client = staff_app.test_client()
    response = log_in(client, "nobody@clinic.example", PASSWORD)
    assert response.status_code == 401
    assert problem_of(response) == "Wrong email or password."
    assert area.audit.page() == []  # counted, not listed: see test_login_throttle.py
    [counts] = area.records.refused_logins().values()
    assert counts == {"unknown_account": 1}


def test_an_admin_can_lift_a_lock_out_from_the_command_line(staff_app, accounts, clock):
    client = staff_app.test_client()
    for _ in range(staff_auth.LOCK_AFTER):
        log_in(client, REVIEWER, "wrong password here")
        clock.advance(60)
    assert "locked" in problem_of(log_in(client, REVIEWER, PASSWORD))
    assert run_cli(staff_app, "staff", "unlock", REVIEWER)[0] == 0
    assert log_in(client, REVIEWER, PASSWORD).status_code == 302


# --- session limits ------------------------------------------------------------------------------


def test_a_session_ends_after_15_minutes_idle(reviewer, clock):
    clock.advance(14 * 60)
    assert reviewer.get("/staff/").status_code == 200
    clock.advance(14 * 60)  # 28 minutes signed in, but never 15 idle
    assert reviewer.get("/staff/").status_code == 200
    clock.advance(15 * 60 + 1)
    ended = reviewer.get("/staff/")
    assert ended.status_code == 302
    assert "ended=idle" in ended.headers["Location"]
    page = reviewer.get(ended.headers["Location"]).get_data(as_text=True)
    assert "15 minutes without activity" in page
    clock.advance(-20 * 60)  # even back in time, that session is gone for good
    assert reviewer.get("/staff/").status_code == 302


def test_a_session_ends_after_8_hours_even_when_busy(reviewer, clock):
    for _ in range(8 * 6):
        clock.advance(10 * 60)
        assert reviewer.get("/staff/").status_code == 200
    clock.advance(10 * 60)
    ended = reviewer.get("/staff/")
    assert "ended=expired" in ended.headers["Location"]


def test_logging_out_ends_the_session_on_the_server(reviewer, staff_app):
    cookie = reviewer.get_cookie("hotline_staff", path="/staff").value
    response = reviewer.post("/staff/logout", data={"csrf_token": page_csrf(reviewer)})
    assert response.headers["Location"] == "/staff/login?ended=signed_out"
    replay = staff_app.test_client()
    replay.set_cookie("hotline_staff", cookie, path="/staff")
    assert replay.get("/staff/").status_code == 302


def test_signing_in_starts_a_new_session(staff_app, accounts):
    client = staff_app.test_client()
    client.get("/staff/login")
    before = client.get_cookie("hotline_staff", path="/staff").value
    log_in(client, REVIEWER)
    assert client.get_cookie("hotline_staff", path="/staff").value != before


# --- cookies and headers ----------------------------------------------------------------------


def set_cookie_of(response) -> str:
    return next(v for k, v in response.headers.items() if k == "Set-Cookie")


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(make_app):
    staff_app = make_app(HOTLINE_TRUSTED_PROXIES="127.0.0.1")
    client = staff_app.test_client()
    plain = set_cookie_of(client.get("/staff/login"))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Path=/staff" in plain
    assert "Secure" not in plain
    proxied = set_cookie_of(
        staff_app.test_client().get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    )
    assert "Secure" in proxied
    direct = set_cookie_of(
        staff_app.test_client().get("/staff/login", base_url="https://localhost")
    )
    assert "Secure" in direct


def test_an_https_public_url_always_marks_the_cookie_secure(make_app):
    app = make_app(HOTLINE_PUBLIC_URL="https://hotline.example")
    assert "Secure" in set_cookie_of(app.test_client().get("/staff/login"))


def test_staff_pages_carry_security_headers(reviewer, emergency):
    for path in (
        "/staff/",
        f"/staff/conversations/{emergency.conv_id}",
        "/staff/login",
        "/staff/nowhere",
    ):
        headers = reviewer.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_pages_hold_no_inline_script_or_style(reviewer, admin, emergency):
    pages = [
        reviewer.get("/staff/"),
        reviewer.get(f"/staff/conversations/{emergency.conv_id}"),
        admin.get("/staff/audit"),
        admin.get(f"/staff/conversations/{emergency.conv_id}"),
    ]
    for response in pages:
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)
        assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from a CDN


def test_when_redis_is_down_pages_say_so_with_503(reviewer, redis_server):
    redis_server.stop()
    try:
        page = reviewer.get("/staff/")
        assert page.status_code == 503
        assert "database is not answering" in page.get_data(as_text=True)
        assert reviewer.get("/staff/api/conversations").status_code == 503
    finally:
        redis_server.start()
