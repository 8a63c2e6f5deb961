"""`hotline staff …` against the test Redis: accounts, tokens, unlock, list."""

from __future__ import annotations

import argparse
import io

import pytest

from hotline.settings import Settings
from hotline.staff.audit import AuditLog
from hotline.staff.auth import StaffAuth
from hotline.staff.cli import read_password, register
from hotline.store.connect import connect
from hotline.store.staff import StaffRecords

PASSWORD = "a long enough password"


@pytest.fixture
def settings(make_env):
    return Settings.from_env(make_env())


@pytest.fixture
def client(settings):
    connection = connect(settings.redis_url)
    yield connection
    connection.close()


def run(settings, client, *argv: str, stdin: str = "") -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="hotline")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    out = io.StringIO()
    code = args.handler(args, settings, client, stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def test_add_reads_the_password_from_a_pipe_and_hashes_it(settings, client):
    code, out = run(
        settings,
        client,
        "staff",
        "add",
        "Nurse@Clinic.Example",
        "--role",
        "admin",
        stdin=PASSWORD + "\n",
    )
    assert (code, out) == (0, "created nurse@clinic.example (admin)\n")
    records = StaffRecords(client, settings)
    account = records.get_account("nurse@clinic.example")
    assert account.role == "admin"
    assert account.password_hash.startswith("scrypt:") and PASSWORD not in account.password_hash
    assert StaffAuth(records).log_in("nurse@clinic.example", PASSWORD).ok


def test_add_again_sets_a_new_password_and_role(settings, client):
    run(settings, client, "staff", "add", "n@clinic.example", stdin=PASSWORD)
    code, out = run(
        settings,
        client,
        "staff",
        "add",
        "n@clinic.example",
        "--role",
        "admin",
        stdin="another long password",
    )
    assert (code, out) == (
        0,
        "updated n@clinic.example (admin)\nits sessions and API tokens have ended\n",
    )
    auth = StaffAuth(StaffRecords(client, settings))
    assert not auth.log_in("n@clinic.example", PASSWORD).ok
    assert auth.log_in("n@clinic.example", "another long password").user.role == "admin"


@pytest.mark.parametrize(
    "argv,stdin",
    [
        (("staff", "add", "n@clinic.example"), "short"),
        (("staff", "add", "not-an-email"), PASSWORD),
        (("staff", "token", "nobody@clinic.example"), ""),
        (("staff", "revoke-token", "0123456789ab"), ""),
        (("staff", "revoke-token", "garbage"), ""),
    ],
)
def test_mistakes_exit_1_with_a_reason(settings, client, capsys, argv, stdin):
    assert run(settings, client, *argv, stdin=stdin)[0] == 1
    assert capsys.readouterr().err.startswith("hotline staff: ")


def test_a_role_outside_the_two_is_refused_by_the_parser(settings, client):
    with pytest.raises(SystemExit):
        run(settings, client, "staff", "add", "n@clinic.example", "--role", "owner")


def test_token_list_and_revoke_by_id(settings, client, capsys):
    run(settings, client, "staff", "add", "n@clinic.example", stdin=PASSWORD)
    code, token = run(settings, client, "staff", "token", "n@clinic.example")
    assert code == 0 and token.startswith("hst_")
    token_id = token.split("_")[1]
    assert f"token id {token_id}" in capsys.readouterr().err
    assert run(settings, client, "staff", "list")[1] == f"n@clinic.example\treviewer\t{token_id}\n"
    assert run(settings, client, "staff", "revoke-token", token_id)[0] == 0
    assert StaffAuth(StaffRecords(client, settings)).token_user(token.strip()) is None
    assert run(settings, client, "staff", "list")[1] == "n@clinic.example\treviewer\tno tokens\n"


def test_account_and_token_changes_are_audited(settings, client):
    run(settings, client, "staff", "add", "n@clinic.example", stdin=PASSWORD)
    token = run(settings, client, "staff", "token", "n@clinic.example")[1].strip()
    run(settings, client, "staff", "revoke-token", token)
    run(settings, client, "staff", "unlock", "n@clinic.example")
    entries = list(AuditLog(StaffRecords(client, settings), settings.audit_retention).entries())
    assert [e.action for e in entries] == [
        "account_saved",
        "token_created",
        "token_revoked",
        "account_unlocked",
    ]
    assert all(e.actor == "command line" for e in entries)
    assert token.split("_", 2)[2] not in str(entries)


def test_a_terminal_is_asked_twice_without_echo(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["typed at a terminal", "typed at a terminal"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert read_password(Terminal()) == "typed at a terminal"
