"""The safety net in a real browser (as tests/staff/test_browser.py: headless Chromium driven by
Playwright, skipped with the reason when either is missing): the no-reply filter and a
conversation's on-call alerts."""

from __future__ import annotations

import re

import pytest

from hotline.store.safety_net import SafetyNetStore
from tests.staff.conftest import EMERGENCY_FIRST_TEXT, SOON, converse
from tests.staff.test_browser import browser, live_url, page, sign_in  # noqa: F401
from tests.staff.test_safety_net_staff import went_quiet
from tests.support.webhooks import new_phone

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips
    expect = None

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    return make_app(
        HOTLINE_ONCALL_NUMBERS="+15550007001,+15550007002",
        HOTLINE_NUDGE_AFTER="1s",
        HOTLINE_NO_REPLY_AFTER="2s",
    )


def test_staff_filter_quiet_texters_and_see_an_emergencys_alerts(
    page,  # noqa: F811
    twilio,
    store,
    staff_app,
):
    quiet = went_quiet(twilio, store, staff_app, ["no", "no"])
    converse(twilio, store, new_phone(), "my leg is numb", SOON)
    emergency = converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT).conv_id
    hotline = staff_app.extensions["hotline"]
    tasks = SafetyNetStore(hotline.redis, hotline.settings)
    sent = tasks.claim(f"{emergency}:alert-emergency-t0", 10)
    tasks.record_sent(sent, sid="SM" + "2" * 32, twilio_status="queued",
                      entry={"direction": "event", "channel": "sms", "text": "{}"})

    sign_in(page)
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_have_attribute("data-conversation", quiet)
    expect(rows.nth(1)).to_contain_text("stopped at: Stroke signs")

    page.select_option("select[name=status]", "no_reply")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"status=no_reply"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No reply")

    page.goto(f"/staff/conversations/{emergency}")
    alerts = page.locator("#alerts tbody tr")
    expect(alerts).to_have_count(2)
    expect(page.locator("#alerts")).to_contain_text("…7001")
    expect(page.locator("#alerts")).to_contain_text("Sent")
    expect(page.locator("#alerts")).to_contain_text("…7002")
    expect(page.locator("#alerts")).to_contain_text("Sending")  # no worker ran it yet
    expect(page.locator("#transcript")).to_contain_text("on-call staff alerted")
