"""CSV and JSONL downloads and GET /staff/api/conversations: same filters and order as the
queue, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hotline.staff.exports import csv_lines
from tests.staff.conftest import EMERGENCY_FIRST_TEXT, SOON, URGENT, converse, page_csrf
from tests.support.webhooks import new_phone

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
RECORD_FIELDS = {
    "id",
    "phone",
    "channel",
    "language",
    "status",
    "started_at",
    "updated_at",
    "disposition",
    "red_flags",
    "answers",
    "transcript",
    "followups",
    "review",
}


@pytest.fixture
def three(twilio, store, staff_app):
    return [
        converse(twilio, store, new_phone(), "my leg is numb", SOON),
        converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT),
        converse(twilio, store, new_phone(), '=HYPERLINK("http://x.example","numb")', URGENT),
    ]


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_cells_never_start_a_formula(admin, three):
    soon, emergency, urgent = three
    for conv_id, note in (
        (soon.conv_id, "=1+2"),
        (emergency.conv_id, "@SUM(A1:A9)"),
        (urgent.conv_id, "-2+3 cmd|' /C calc'!A0"),
    ):
        admin.post(
            f"/staff/conversations/{conv_id}/review",
            data={"note": note, "csrf_token": page_csrf(admin)},
        )
    response = admin.get("/staff/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(TRIGGERS), cell
    rows = {row["id"]: row for row in rows_of(text)}
    assert rows[soon.conv_id]["review_note"] == "'=1+2"
    assert rows[emergency.conv_id]["review_note"] == "'@SUM(A1:A9)"
    assert rows[urgent.conv_id]["phone"] == "'" + urgent.phone
    assert '=HYPERLINK("http://x.example","numb")' in rows[urgent.conv_id]["transcript"]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_formula_trigger_is_defused(trigger):
    text = "".join(csv_lines(["a", "b"], [[f"{trigger}cmd", "plain"], [None, 7]]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], [f"'{trigger}cmd", "plain"], ["", "7"]]


def test_exports_follow_the_queue_filters_and_order(reviewer, three):
    soon, emergency, urgent = three
    everything = rows_of(reviewer.get("/staff/export.csv").get_data(as_text=True))
    assert [r["id"] for r in everything] == [emergency.conv_id, urgent.conv_id, soon.conv_id]
    assert {r["phone"] for r in everything} == {"…" + t.phone[-4:] for t in three}
    only = rows_of(reviewer.get("/staff/export.csv?disposition=soon").get_data(as_text=True))
    assert [r["id"] for r in only] == [soon.conv_id]
    assert reviewer.get("/staff/export.csv?disposition=bad").status_code == 400
    assert reviewer.get("/staff/export.xlsx").status_code == 404


def test_jsonl_holds_whole_records(reviewer, three, store):
    soon = three[0]
    lines = reviewer.get("/staff/export.jsonl?disposition=soon").get_data(as_text=True)
    records = [json.loads(line) for line in lines.splitlines()]
    assert len(records) == 1
    record = records[0]
    assert set(record) >= RECORD_FIELDS
    stored = store.get_record(soon.conv_id)
    assert record["transcript"] == stored["transcript"]
    assert record["phone"] == "…" + soon.phone[-4:]


def test_an_export_with_no_matches_is_just_the_header(reviewer, three):
    text = reviewer.get("/staff/export.csv?channel=voice").get_data(as_text=True)
    assert text.splitlines() == [text.splitlines()[0]] and text.startswith("id,started_at")
    assert reviewer.get("/staff/export.jsonl?channel=voice").get_data(as_text=True) == ""


def test_the_api_takes_the_queue_filters_and_pages(reviewer, three):
    soon, emergency, urgent = three
    body = reviewer.get("/staff/api/conversations").get_json()
    assert [r["id"] for r in body["conversations"]] == [
        emergency.conv_id,
        urgent.conv_id,
        soon.conv_id,
    ]
    assert body["total"] == 3 and body["pages"] == 1
    assert set(body["conversations"][0]) >= RECORD_FIELDS
    paged = reviewer.get("/staff/api/conversations?per_page=2&page=2").get_json()
    assert [r["id"] for r in paged["conversations"]] == [soon.conv_id]
    assert paged["pages"] == 2
    flagged = reviewer.get("/staff/api/conversations?red_flag=bladder_bowel").get_json()
    assert [r["id"] for r in flagged["conversations"]] == [emergency.conv_id]
    for query in ("status=done", "per_page=0", "per_page=1000", "page=x", "digits=12345"):
        response = reviewer.get(f"/staff/api/conversations?{query}")
        assert response.status_code == 400, query
        assert "error" in response.get_json()
