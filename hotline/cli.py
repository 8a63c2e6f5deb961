"""The `hotline` command (interfaces.md, "Command line")."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime

from hotline.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except SettingsError as exc:
        print(f"hotline: bad setting: {exc}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline", description="The leg numbness hotline.")
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="run Redis, web and worker on this machine, then chat")
    dev.add_argument("--port", type=int, default=None, help="web port (default $PORT or 5000)")
    dev.add_argument("--no-chat", action="store_true", help="do not open a chat in this terminal")
    dev.set_defaults(handler=_dev)

    chat = sub.add_parser("chat", help="text (or call) the running hotline from the terminal")
    chat.add_argument("--voice", action="store_true", help="be a caller instead of a texter")
    chat.add_argument("--from", dest="phone", default=None, help="your phone number")
    chat.add_argument("--url", default=None, help="the hotline's base URL")
    chat.set_defaults(handler=_chat)

    protocol = sub.add_parser("protocol", help="check or show the triage protocol")
    psub = protocol.add_subparsers(dest="action", required=True)
    psub.add_parser("check", help="validate prompts/").set_defaults(handler=_protocol_check)
    show = psub.add_parser("show", help="the flow as Markdown for clinical review")
    show.add_argument("--lang", choices=("en", "es"), default="en")
    show.set_defaults(handler=_protocol_show)

    export = sub.add_parser("export", help="conversation records to stdout")
    export.add_argument("--since", default=None, help="YYYY-MM-DD or ISO-8601")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.set_defaults(handler=_export)

    sub.add_parser("purge", help="apply HOTLINE_RETENTION now").set_defaults(handler=_purge)
    sub.add_parser("worker", help="run a follow-up worker").set_defaults(handler=_worker)

    web = sub.add_parser("web", help="serve the webhooks and staff area (Granian)")
    web.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    web.add_argument("--workers", type=int, default=None, help="worker processes (default 4)")
    web.add_argument("--threads", type=int, default=None, help="threads per worker (default 2)")
    web.add_argument("--access-log", action="store_true", help="one line per request")
    web.add_argument("--app", default=None, help="WSGI app to serve instead (the bench's floor)")
    web.set_defaults(handler=_web)
    from hotline.staff.cli import register as register_staff
    register_staff(sub)
    return parser


def _dev(args: argparse.Namespace) -> int:
    import os

    from hotline.dev.runner import run_dev
    port = args.port or int(os.environ.get("PORT") or 5000)
    return run_dev(port, chat=False if args.no_chat else None)


def _chat(args: argparse.Namespace) -> int:
    import os

    settings = Settings.from_env()
    url = args.url or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"
    from hotline.dev.chat import DEFAULT_FROM, run_sms_chat
    phone = args.phone or DEFAULT_FROM
    if args.voice:
        from hotline.dev.voice_chat import run_voice_chat
        return run_voice_chat(url, phone, settings.signing_token, None, settings.public_url)
    return run_sms_chat(url, phone, settings)


def _protocol_check(args: argparse.Namespace) -> int:
    from hotline.triage.keywords import keyword_table
    from hotline.triage.lexicon import LexiconError, validate_all
    from hotline.triage.protocol import ProtocolError, load_protocol
    try:
        protocol = load_protocol()
        keyword_table()
        validate_all()
    except (ProtocolError, LexiconError) as exc:
        print(f"protocol check failed: {exc}", file=sys.stderr)
        return 1
    unreviewed = [lang for lang, meta in protocol.meta.items()
                  if not meta.get("reviewed_by_fluent_speaker")]
    print(f"prompts/ is valid: {len(protocol.questions)} questions, languages "
          f"{', '.join(protocol.messages)}")
    for lang in unreviewed:
        print(f"note: {lang} wording is marked as not yet reviewed by a fluent speaker")
    return 0


def _protocol_show(args: argparse.Namespace) -> int:
    from hotline.triage.protocol import load_protocol
    from hotline.triage.protocol_show import render_markdown
    print(render_markdown(load_protocol(), args.lang))
    return 0


def _store():
    from hotline.store.connect import connect
    from hotline.store.conversations import Store
    settings = Settings.from_env()
    return Store(connect(settings.redis_url), settings)


def _parse_since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"hotline export: --since {raw!r} is not a date (YYYY-MM-DD)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


EXPORT_COLUMNS = ("id", "phone", "channel", "language", "status", "started_at", "updated_at",
                  "disposition", "red_flags", "answers", "transcript", "followups", "review",
                  "reviews")


def _cli_actor() -> str:
    """Who ran a command, for the audit log: the operating-system user."""
    import getpass
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown user"
    return f"command line ({user})"


def _audit(store, action: str, detail: str) -> None:
    from hotline.staff.audit import AuditLog
    from hotline.store.staff import StaffRecords
    audit = AuditLog(StaffRecords(store.r, store.settings), store.settings.audit_retention)
    audit.record(_cli_actor(), action, detail=detail)


def _export(args: argparse.Namespace) -> int:
    from hotline.staff.audit import CLI_EXPORT
    store = _store()
    written, finished = 0, False
    try:
        for record in _export_lines(store.iter_records(_parse_since(args.since)), args.format):
            written += record
        finished = True
    finally:
        # Full numbers and transcripts left the system: the audit says who, how many, which.
        _audit(store, CLI_EXPORT, f"{args.format}, {written} conversation(s), full numbers; "
                                  f"since {args.since or 'the start'}"
                                  f"{'' if finished else '; interrupted'}")
    return 0


def _export_lines(records, fmt: str):
    """Write the records to stdout; yields 1 per record written."""
    from hotline.staff.csv_safety import spreadsheet_safe
    if fmt == "jsonl":
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
            yield 1
        return
    writer = csv.writer(sys.stdout)
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        row = [record.get(col) for col in EXPORT_COLUMNS]
        writer.writerow([spreadsheet_safe(v if isinstance(v, str) or v is None
                                          else json.dumps(v, ensure_ascii=False)) for v in row])
        yield 1


def _purge(args: argparse.Namespace) -> int:
    from hotline.staff.retention import purge_now
    from hotline.store.staff import StaffRecords
    store = _store()
    removed = purge_now(store, StaffRecords(store.r, store.settings), actor=_cli_actor())
    print(f"purged {removed['conversations']} conversation(s) older than HOTLINE_RETENTION and "
          f"{removed['audit_entries']} audit entr(ies) older than HOTLINE_AUDIT_RETENTION")
    buffered = _purge_outage_buffer(store.settings)
    if buffered:
        print(f"and {buffered} outage buffer entr(ies) older than HOTLINE_RETENTION")
    return 0


def _purge_outage_buffer(settings: Settings) -> int:
    """This host's outage buffer is covered by retention too (the write-back thread also
    drops what has waited too long)."""
    import time

    from hotline.store.outage_buffer import OutageBuffer
    return OutageBuffer(settings.spool_dir).purge(time.time() - settings.retention)


def _web(args: argparse.Namespace) -> int:
    import os

    from hotline.channels.web_server import APP, THREADS, WORKERS, run_web
    port = args.port or int(os.environ.get("PORT") or 8000)
    workers, threads = args.workers or WORKERS, args.threads or THREADS
    if min(workers, threads) < 1:
        print("hotline web: --workers and --threads must be at least 1", file=sys.stderr)
        return 2
    return run_web(args.host, port, workers, threads, args.app or APP, args.access_log)


def _worker(args: argparse.Namespace) -> int:
    from hotline.outbound.worker import run_worker
    settings = Settings.from_env()
    start_outage_writeback(settings)
    run_worker(settings)
    return 0


def start_outage_writeback(settings: Settings) -> None:
    """The worker writes back this host's outage buffer too (hotline/channels/writeback.py):
    whichever process of the host sees Redis first applies it."""
    from hotline.channels.writeback import start_drainer
    from hotline.services import build_hotline
    start_drainer(build_hotline(settings))


if __name__ == "__main__":
    sys.exit(main())
