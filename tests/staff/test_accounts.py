"""Leavers and password resets end access at once; a guesser cannot lock the real user out;
refused sign-ins nobody needs one by one are counted, not listed."""

from __future__ import annotations

import argparse
import io

from hotline.staff import auth as staff_auth
from hotline.staff.cli import handle, register
from tests.staff.conftest import PASSWORD, REVIEWER, csrf_of

NEW_PASSWORD = "a brand new password for the reviewer"


def run_cli(app, *argv: str, stdin: str = "") -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="hotline")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    hotline = app.extensions["hotline"]
    out = io.StringIO()
    code = handle(args, hotline.settings, hotline.redis, stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def log_in_from(client, address: str, email: str, password: str):
    page = client.get("/staff/login", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/staff/login",
        data={"email": email, "password": password,
              "csrf_token": csrf_of(page.get_data(as_text=True))},
        environ_base={"REMOTE_ADDR": address},
    )


def api(client, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/staff/api/conversations", headers=headers)


def test_disable_ends_sessions_and_tokens_at_once_and_refuses_sign_in(
    staff_app, reviewer, area
):
    token = run_cli(staff_app, "staff", "token", REVIEWER)[1].strip()
    assert reviewer.get("/staff/").status_code == 200
    assert api(staff_app.test_client(), token).status_code == 200

    code, out = run_cli(staff_app, "staff", "disable", REVIEWER)
    assert code == 0 and "1 token(s) revoked" in out
    assert reviewer.get("/staff/").status_code == 302  # the open session is gone
    assert api(staff_app.test_client(), token).status_code == 401
    refused = log_in_from(staff_app.test_client(), "127.0.0.1", REVIEWER, PASSWORD)
    assert refused.status_code == 403 and "disabled" in refused.get_data(as_text=True)
    assert run_cli(staff_app, "staff", "token", REVIEWER)[0] == 1

    # the audit keeps the history: what they did before, the disabling, the refused sign-in
    actions = [(e.actor, e.action) for e in area.audit.entries()]
    assert (REVIEWER, "login") in actions and (REVIEWER, "view") not in actions
    assert ("command line", "account_disabled") in actions
    assert (REVIEWER, "login_disabled") in actions
    assert "disabled" in run_cli(staff_app, "staff", "list")[1]

    assert run_cli(staff_app, "staff", "enable", REVIEWER)[0] == 0
    assert log_in_from(staff_app.test_client(), "127.0.0.1", REVIEWER, PASSWORD).status_code == 302


def test_a_password_reset_ends_sessions_and_tokens(staff_app, reviewer):
    token = run_cli(staff_app, "staff", "token", REVIEWER)[1].strip()
    code, out = run_cli(staff_app, "staff", "add", REVIEWER, stdin=NEW_PASSWORD + "\n")
    assert code == 0 and "sessions and API tokens have ended" in out
    assert reviewer.get("/staff/").status_code == 302
    assert api(staff_app.test_client(), token).status_code == 401
    client = staff_app.test_client()
    assert log_in_from(client, "127.0.0.1", REVIEWER, PASSWORD).status_code == 401
    assert log_in_from(client, "127.0.0.1", REVIEWER, NEW_PASSWORD).status_code == 302
    assert client.get("/staff/").status_code == 200


def test_a_guesser_elsewhere_cannot_lock_the_real_user_out(staff_app, accounts, clock):
    guesser = staff_app.test_client()
    for _ in range(staff_auth.LOCK_AFTER):
        log_in_from(guesser, "203.0.113.7", REVIEWER, "not the password")
        clock.advance(60)
    assert log_in_from(guesser, "203.0.113.7", REVIEWER, PASSWORD).status_code == 429
    real = staff_app.test_client()
    assert log_in_from(real, "198.51.100.20", REVIEWER, PASSWORD).status_code == 302


def test_one_client_trying_many_accounts_is_stopped(staff_app, accounts, clock, area):
    sprayer = staff_app.test_client()
    codes = []
    for n in range(staff_auth.CLIENT_LIMIT + 3):
        response = log_in_from(sprayer, "203.0.113.8", f"user{n}@clinic.example", "guess")
        codes.append(response.status_code)
        clock.advance(1)
    limit = staff_auth.CLIENT_LIMIT
    assert codes[: limit - 1] == [401] * (limit - 1)
    assert set(codes[limit - 1 :]) == {429}  # the last wrong one within the limit locks
    # even a real account with its right password, from that client, for the lock's length
    assert log_in_from(sprayer, "203.0.113.8", REVIEWER, PASSWORD).status_code == 429
    elsewhere = log_in_from(staff_app.test_client(), "198.51.100.1", REVIEWER, PASSWORD)
    assert elsewhere.status_code == 302
    # none of it is an audit entry: unknown accounts and throttled tries are counts a day
    assert [e.action for e in area.audit.entries()] == ["login"]  # the sign-in elsewhere
    [counts] = area.records.refused_logins().values()
    assert counts == {"unknown_account": staff_auth.CLIENT_LIMIT + 3, "throttled": 1}


def test_many_clients_at_one_account_lock_it(staff_app, accounts, clock):
    for n in range(staff_auth.ACCOUNT_LIMIT):
        log_in_from(staff_app.test_client(), f"10.9.{n // 250}.{n % 250 + 1}", REVIEWER, "guess")
    refused = log_in_from(staff_app.test_client(), "198.51.100.30", REVIEWER, PASSWORD)
    assert refused.status_code == 429
    clock.advance(staff_auth.LOCK_SECONDS + 1)
    later = log_in_from(staff_app.test_client(), "198.51.100.30", REVIEWER, PASSWORD)
    assert later.status_code == 302


def test_refused_sign_in_counts_are_on_the_audit_page(staff_app, admin, accounts):
    log_in_from(staff_app.test_client(), "203.0.113.9", "nobody@clinic.example", "guess")
    page = admin.get("/staff/audit").get_data(as_text=True)
    assert "Refused sign-ins" in page and "unknown account" in page
