"""Retention: conversations older than HOTLINE_RETENTION go, the audit log stays for its own
longer HOTLINE_AUDIT_RETENTION, and the daily RQ job books its next run."""

from __future__ import annotations

import time
from datetime import datetime

from hotline.outbound import followups
from hotline.settings import Settings
from hotline.staff.retention import next_purge_time, purge_job, schedule_daily_purge
from hotline.store.keys import INDEX_KEY, conv_key, log_key
from tests.staff.conftest import EMERGENCY_FIRST_TEXT, SOON, converse
from tests.support.webhooks import new_phone

DAY = 86400


def test_purge_removes_old_conversations_and_keeps_the_audit_log(
    make_env, admin, twilio, store, area
):
    old = converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT)
    other = converse(twilio, store, new_phone(), "my leg is numb", SOON)
    admin.get(f"/staff/conversations/{old.conv_id}")
    settings = Settings.from_env(make_env(HOTLINE_RETENTION="30d", HOTLINE_AUDIT_RETENTION="365d"))
    now = time.time()

    assert purge_job(settings, now=now + 29 * DAY) == {"conversations": 0, "audit_entries": 0}
    assert admin.get("/staff/api/conversations").get_json()["total"] == 2

    assert purge_job(settings, now=now + 31 * DAY) == {"conversations": 2, "audit_entries": 0}
    redis = area.records.r
    for texter in (old, other):
        assert not redis.exists(conv_key(texter.conv_id), log_key(texter.conv_id))
    assert redis.zcard(INDEX_KEY) == 0
    assert admin.get(f"/staff/conversations/{old.conv_id}").status_code == 404
    assert admin.get("/staff/api/conversations").get_json()["total"] == 0
    kept = [(e.action, e.target) for e in area.audit.page()]
    assert ("view", old.conv_id) in kept

    removed = purge_job(settings, now=now + 366 * DAY)["audit_entries"]
    assert removed == len(kept)
    # what is left is the record of this run itself
    assert [(e.actor, e.action) for e in area.audit.page()] == [("retention job", "purge")]


def test_the_daily_job_books_its_next_run_once(make_env, staff_app):
    settings = Settings.from_env(make_env(HOTLINE_TIMEZONE="America/New_York"))
    rq_redis = staff_app.extensions["hotline"].rq_redis
    now = datetime(2025, 3, 4, 12, 0, tzinfo=settings.timezone).timestamp()
    job_id = schedule_daily_purge(rq_redis, settings, now)
    assert job_id == "hotline-purge-20250305"
    assert schedule_daily_purge(rq_redis, settings, now) == job_id
    queue = followups.queue(rq_redis)
    assert queue.scheduled_job_registry.get_job_ids() == [job_id]
    job = queue.fetch_job(job_id)
    assert job.func_name == "hotline.staff.retention.purge_job"

    purge_job(settings, now=now + DAY)  # the run on the 5th books the 6th
    assert sorted(queue.scheduled_job_registry.get_job_ids()) == [job_id, "hotline-purge-20250306"]


def test_the_purge_runs_at_half_past_three_clinic_time(make_env):
    settings = Settings.from_env(make_env(HOTLINE_TIMEZONE="America/Chicago"))
    before = datetime(2025, 7, 1, 2, 0, tzinfo=settings.timezone).timestamp()
    after = datetime(2025, 7, 1, 4, 0, tzinfo=settings.timezone).timestamp()
    assert next_purge_time(settings, before).astimezone(settings.timezone).isoformat() == (
        "2025-07-01T03:30:00-05:00"
    )
    assert next_purge_time(settings, after).astimezone(settings.timezone).isoformat() == (
        "2025-07-02T03:30:00-05:00"
    )
