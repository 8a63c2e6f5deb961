"""`hotline staff …`: staff accounts and API tokens from the command line.

hotline staff add EMAIL [--role reviewer|admin]   password from stdin when it is not a terminal
hotline staff token EMAIL                         print a new API token
hotline staff revoke-token TOKEN_OR_ID            or: --all EMAIL
hotline staff unlock EMAIL                        end a lock-out after wrong passwords
hotline staff disable EMAIL                       a leaver: sessions and tokens end at once
hotline staff enable EMAIL                        undo `disable` (sign-in again needed)
hotline staff list                                accounts, roles and token ids
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from hotline.settings import Settings
from hotline.staff import audit as actions
from hotline.staff.audit import AuditLog
from hotline.staff.auth import REVIEWER, ROLES, AccountError, StaffAuth, normalize_email
from hotline.store.connect import connect
from hotline.store.staff import StaffRecords

CLI_ACTOR = "command line"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `staff` and its actions to the `hotline` command's subparsers."""
    staff = subparsers.add_parser("staff", help="staff logins and API tokens")
    actions_ = staff.add_subparsers(dest="staff_action", required=True)

    add = actions_.add_parser("add", help="create a staff login (or set a new password)")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, default=REVIEWER)
    add.set_defaults(handler=handle)

    token = actions_.add_parser("token", help="print a new API token for a staff member")
    token.add_argument("email")
    token.set_defaults(handler=handle)

    revoke = actions_.add_parser("revoke-token", help="revoke an API token")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("token", nargs="?", help="the token, or the id printed with it")
    which.add_argument(
        "--all", dest="all_of", metavar="EMAIL", help="revoke every token of this staff member"
    )
    revoke.set_defaults(handler=handle)

    unlock = actions_.add_parser("unlock", help="lift a lock-out after wrong passwords")
    unlock.add_argument("email")
    unlock.set_defaults(handler=handle)

    for name, what in (
        ("disable", "end a staff member's access: sessions and tokens at once, no sign-in"),
        ("enable", "let a disabled staff member sign in again"),
    ):
        toggle = actions_.add_parser(name, help=what)
        toggle.add_argument("email")
        toggle.set_defaults(handler=handle)

    actions_.add_parser("list", help="staff accounts and their token ids").set_defaults(
        handler=handle
    )


def handle(
    args: argparse.Namespace,
    settings: Settings | None = None,
    client=None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one `hotline staff` action; the exit status."""
    settings = settings or Settings.from_env()
    client = client if client is not None else connect(settings.redis_url)
    records = StaffRecords(client, settings)
    auth, audit = StaffAuth(records), AuditLog(records, settings.audit_retention)
    stdin, out = stdin or sys.stdin, out or sys.stdout
    try:
        return _ACTIONS[args.staff_action](args, records, auth, audit, stdin, out)
    except AccountError as exc:
        print(f"hotline staff: {exc}", file=sys.stderr)
        return 1


def _add(args, records, auth, audit, stdin, out) -> int:
    password = read_password(stdin)
    created = auth.save_account(args.email, args.role, password)
    email = normalize_email(args.email)
    audit.record(
        CLI_ACTOR,
        actions.ACCOUNT_SAVED,
        detail=f"{email} {args.role} {'created' if created else 'password reset'}",
    )
    print(f"{'created' if created else 'updated'} {email} ({args.role})", file=out)
    if not created:
        print("its sessions and API tokens have ended", file=out)
        if records.get_account(email).disabled:
            print(f"note: {email} is disabled; `hotline staff enable {email}`", file=out)
    return 0


def _disable(args, records, auth, audit, stdin, out) -> int:
    email = normalize_email(args.email)
    tokens = auth.set_disabled(email, True)
    audit.record(CLI_ACTOR, actions.ACCOUNT_DISABLED, detail=f"{email}; {tokens} token(s) revoked")
    print(f"disabled {email}: sessions ended, {tokens} token(s) revoked", file=out)
    return 0


def _enable(args, records, auth, audit, stdin, out) -> int:
    email = normalize_email(args.email)
    auth.set_disabled(email, False)
    audit.record(CLI_ACTOR, actions.ACCOUNT_ENABLED, detail=email)
    print(f"enabled {email}", file=out)
    return 0


def _token(args, records, auth, audit, stdin, out) -> int:
    token, token_id = auth.issue_token(args.email)
    audit.record(
        CLI_ACTOR, actions.TOKEN_CREATED, detail=f"{normalize_email(args.email)} token {token_id}"
    )
    print(token, file=out)
    print(
        f"token id {token_id}: shown once; revoke with `hotline staff revoke-token {token_id}`",
        file=sys.stderr,
    )
    return 0


def _revoke(args, records, auth, audit, stdin, out) -> int:
    if args.all_of:
        count = auth.revoke_all_tokens(args.all_of)
        audit.record(
            CLI_ACTOR,
            actions.TOKEN_REVOKED,
            detail=f"{normalize_email(args.all_of)} all tokens ({count})",
        )
        print(f"revoked {count} token(s) of {normalize_email(args.all_of)}", file=out)
        return 0
    email = auth.revoke_token(args.token)
    if email is None:
        print("hotline staff: no such token", file=sys.stderr)
        return 1
    token_id = args.token.split("_")[1] if args.token.startswith("hst_") else args.token
    audit.record(CLI_ACTOR, actions.TOKEN_REVOKED, detail=f"{email} token {token_id}")
    print(f"revoked token {token_id} of {email}", file=out)
    return 0


def _unlock(args, records, auth, audit, stdin, out) -> int:
    auth.unlock(args.email)
    audit.record(CLI_ACTOR, actions.ACCOUNT_UNLOCKED, detail=normalize_email(args.email))
    print(f"unlocked {normalize_email(args.email)}", file=out)
    return 0


def _list(args, records, auth, audit, stdin, out) -> int:
    for account in records.list_accounts():
        tokens = ", ".join(records.token_ids_of(account.email)) or "no tokens"
        state = f"\tdisabled {account.disabled_at}" if account.disabled else ""
        print(f"{account.email}\t{account.role}\t{tokens}{state}", file=out)
    return 0


_ACTIONS = {
    "add": _add,
    "token": _token,
    "revoke-token": _revoke,
    "unlock": _unlock,
    "disable": _disable,
    "enable": _enable,
    "list": _list,
}


def read_password(stdin: TextIO) -> str:
    """From a pipe: the first line. At a terminal: asked twice, without echo."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise AccountError("the two passwords differ")
    return first
