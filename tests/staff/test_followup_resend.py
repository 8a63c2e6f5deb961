"""A follow-up whose send Twilio never confirmed is shown as unconfirmed, not "Sent"; staff can
see it and send it again, on an explicit, audited request."""

from __future__ import annotations

import re
import time

import pytest

from hotline.outbound import followup_jobs
from tests.staff.conftest import REVIEWER, page_csrf
from tests.support.followups import followup, followup_app, followup_env, plan_followup, services
from tests.support.webhooks import new_phone


@pytest.fixture
def app(make_env, twilio_api):
    return followup_app(followup_env(make_env, twilio_api))


def unconfirmed_followup(app, twilio_api, monkeypatch) -> str:
    """A follow-up Twilio took after our timeout, and whose lookup Twilio refused: settled as
    sent, unconfirmed."""
    monkeypatch.setattr(followup_jobs, "SEND_TIMEOUT", 0.3)
    fid = plan_followup(app, new_phone(), "urgent")
    twilio_api.delay(1.0)
    assert followup_jobs.deliver(services(app), fid, now=time.time() + 2) == "unknown"
    twilio_api.wait_for(1)
    twilio_api.delay(0)
    twilio_api.refuse_lookups()
    later = time.time() + followup_jobs.in_flight_window() + 2
    assert followup_jobs.deliver(services(app), fid, now=later) == "unconfirmed"
    return fid


def status_cell(html: str) -> str:
    match = re.search(r'<span class="fu fu-([a-z]+)">([^<]+)</span>', html)
    return f"{match.group(1)}: {match.group(2)}" if match else ""


def test_an_unconfirmed_followup_is_shown_so_and_can_be_sent_again(
    app, reviewer, area, twilio_api, monkeypatch
):
    fid = unconfirmed_followup(app, twilio_api, monkeypatch)
    conv_id = fid.rsplit(":", 1)[0]
    page = reviewer.get(f"/staff/conversations/{conv_id}").get_data(as_text=True)
    assert status_cell(page) == "unconfirmed: Sent? Unconfirmed"
    assert "may not have gone out" in page and "Send it again" in page
    queue = reviewer.get("/staff/").get_data(as_text=True)
    assert "Sent? Unconfirmed" in queue
    assert " unconfirmed" in reviewer.get("/staff/export.csv").get_data(as_text=True)

    csrf = page_csrf(reviewer, f"/staff/conversations/{conv_id}")
    resend = reviewer.post(f"/staff/conversations/{conv_id}/followups/{fid}/resend",
                           data={"csrf_token": csrf})
    assert resend.status_code == 302
    fu = followup(app, fid)
    assert fu["status"] == "scheduled" and fu["resends"][0]["by"] == REVIEWER
    entry = next(e for e in area.audit.entries() if e.action == "followup_resend")
    assert (entry.actor, entry.target, entry.detail) == (REVIEWER, conv_id, fid)

    assert followup_jobs.deliver(services(app), fid) == "sent"
    fu = followup(app, fid)
    assert fu["status"] == "sent" and fu["confirmed"] is True
    assert len(twilio_api.messages) == 2
    page = reviewer.get(f"/staff/conversations/{conv_id}").get_data(as_text=True)
    assert status_cell(page) == "sent: Sent" and "sent again at" in page


def test_only_an_unconfirmed_followup_can_be_resent_and_only_with_csrf(
    app, reviewer, twilio_api
):
    fid = plan_followup(app, new_phone(), "urgent")
    assert followup_jobs.deliver(services(app), fid, now=time.time() + 2) == "sent"
    conv_id = fid.rsplit(":", 1)[0]
    url = f"/staff/conversations/{conv_id}/followups/{fid}/resend"
    assert reviewer.post(url, data={}).status_code == 400  # no CSRF token
    csrf = page_csrf(reviewer, f"/staff/conversations/{conv_id}")
    assert reviewer.post(url, data={"csrf_token": csrf}).status_code == 302
    assert followup(app, fid)["status"] == "sent"  # confirmed: nothing happens
    assert len(twilio_api.messages) == 1
    other = f"/staff/conversations/{conv_id}/followups/{conv_id}:ffffffff/resend"
    assert reviewer.post(other, data={"csrf_token": csrf}).status_code == 404
