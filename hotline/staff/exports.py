"""Downloads: conversation records and the audit log as CSV (safe to open in a spreadsheet) or
JSONL, produced a row at a time so a long export never sits whole in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from hotline.redact import mask_phone
from hotline.staff.audit import FIELDS as AUDIT_FIELDS
from hotline.staff.audit import AuditEntry
from hotline.staff.csv_safety import spreadsheet_safe
from hotline.staff.present import shown_status

CONVERSATION_COLUMNS = (
    "id",
    "started_at",
    "updated_at",
    "channel",
    "language",
    "phone",
    "status",
    "disposition",
    "rule",
    "red_flags",
    "answers",
    "followups",
    "reviewed_by",
    "reviewed_at",
    "review_note",
    "transcript",
)
AUDIT_COLUMNS = ("id", *AUDIT_FIELDS)


def shown_to(record: dict, full_numbers: bool) -> dict:
    """The record as this reader may see it: only admins get whole phone numbers."""
    if full_numbers:
        return record
    return {**record, "phone": mask_phone(record.get("phone") or "")}


def conversation_row(record: dict) -> list[str]:
    review = record.get("review") or {}
    answers = "; ".join(f"{k}={v}" for k, v in (record.get("answers") or {}).items())
    followups = "; ".join(
        f"{fu.get('due_at')} {shown_status(fu)}" + (f" ({fu['reply']})" if fu.get("reply") else "")
        for fu in record.get("followups") or []
    )
    transcript = "\n".join(
        f"{line.get('at')} {line.get('direction')} {line.get('channel') or ''}: {line.get('text')}"
        for line in record.get("transcript") or []
    )
    return [
        record.get("id"),
        record.get("started_at"),
        record.get("updated_at"),
        record.get("channel"),
        record.get("language"),
        record.get("phone"),
        record.get("status"),
        record.get("disposition"),
        record.get("rule"),
        "; ".join(record.get("red_flags") or []),
        answers,
        followups,
        review.get("by"),
        review.get("at"),
        review.get("note"),
        transcript,
    ]


def csv_lines(header: Iterable[str], rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        # Every cell, not only the texters': a note or a rule can start with "=" too.
        writer.writerow([spreadsheet_safe(None if v is None else str(v)) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def conversations_csv(records: Iterable[dict]) -> Iterator[str]:
    return csv_lines(CONVERSATION_COLUMNS, (conversation_row(r) for r in records))


def conversations_jsonl(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def audit_csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    return csv_lines(AUDIT_COLUMNS, ([getattr(e, c) for c in AUDIT_COLUMNS] for e in entries))


def audit_jsonl(entries: Iterable[AuditEntry]) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(entry.as_dict(), ensure_ascii=False) + "\n"
