"""The staff area in a real browser: Debian's headless Chromium driven by Playwright, against
the app served on a free local port. Also takes the README's screenshots.

Needs /usr/bin/chromium (apt-get install chromium) and the playwright package (pip install
playwright; never `playwright install`: the system Chromium is used). Without them these tests
are skipped and say why.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.staff.conftest import (
    EMERGENCY_FIRST_TEXT,
    PASSWORD,
    REVIEWER,
    SELF_CARE,
    SOON,
    URGENT,
    converse,
)
from tests.support.webhooks import new_phone

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the skip below says how to get it
    sync_playwright = None

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_url(staff_app):
    server = make_server("127.0.0.1", 0, staff_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_url, accounts, clock):
    context = browser.new_context(
        base_url=live_url, viewport={"width": 1280, "height": 860}, accept_downloads=True
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def sign_in(page, password: str = PASSWORD) -> None:
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    page.fill("#email", REVIEWER)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()


def test_a_nurse_reviews_an_emergency_then_exports_and_signs_out(page, twilio, store, area):
    emergency = converse(twilio, store, new_phone(), EMERGENCY_FIRST_TEXT)  # the oldest
    reviewed = converse(twilio, store, new_phone(), "my leg went numb after sitting", SELF_CARE)
    area.records.write_review(
        reviewed.conv_id, "lee@clinic.example", "Advice understood.", "self_care"
    )
    converse(twilio, store, new_phone(), "numb foot for weeks", SOON)
    converse(twilio, store, new_phone(), "my leg is numb and weak", URGENT)
    twilio.sms(new_phone(), "hi, my leg feels numb")  # still answering questions

    sign_in(page)
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_have_attribute("data-conversation", emergency.conv_id)
    expect(rows.first).to_contain_text("Emergency")
    expect(rows.first).to_contain_text("Needs review")
    expect(rows.nth(1)).to_contain_text("Urgent")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    rows.first.locator("a.open").click()
    expect(page).to_have_url(re.compile(f"/staff/conversations/{emergency.conv_id}$"))
    expect(page.locator("#transcript")).to_contain_text(EMERGENCY_FIRST_TEXT)
    expect(page.locator("#phone")).to_contain_text("…" + emergency.phone[-4:])
    expect(page.locator("#phone")).not_to_contain_text(emergency.phone)
    page.screenshot(path=str(SCREENSHOTS / "conversation.png"), full_page=True)

    page.fill("#note", "Called back: ambulance on its way.")
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.locator("#review-status")).to_contain_text("Reviewed")
    expect(page.locator("#review-status")).to_contain_text(f"by {REVIEWER}")
    expect(page.locator(".note")).to_have_text("Called back: ambulance on its way.")

    page.get_by_role("link", name="Queue", exact=True).click()
    expect(rows.first).to_contain_text("Urgent")
    expect(page.locator(f'tr[data-conversation="{emergency.conv_id}"]')).to_contain_text("Reviewed")

    with page.expect_download() as download:
        page.locator("#export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    exported = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert len(exported) == 5
    assert exported[emergency.conv_id]["reviewed_by"] == REVIEWER
    assert exported[emergency.conv_id]["phone"] == "…" + emergency.phone[-4:]

    page.locator("#sign-out").click()
    expect(page.locator("main")).to_contain_text("You are signed out.")
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))


def test_an_sms_with_a_script_shows_as_text(page, twilio, store):
    text = (
        '<script>window.pwned = true</script><img src=x onerror="window.pwned = true"> '
        "my leg is numb"
    )
    texter = converse(twilio, store, new_phone(), text, SOON)
    sign_in(page)
    page.locator(f'tr[data-conversation="{texter.conv_id}"] a.open').click()
    first_message = page.locator(".msg-in .text").first
    expect(first_message).to_have_text(text)
    assert page.evaluate("() => window.pwned === undefined")
    assert page.locator("#transcript script, #transcript img").count() == 0


def test_a_wrong_password_does_not_sign_in(page):
    sign_in(page, password="not the password")
    expect(page.locator("#login-problem")).to_contain_text("Wrong email or password.")
    expect(page.locator("#sign-out")).to_have_count(0)
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))


def test_an_idle_session_ends(page, clock):
    sign_in(page)
    expect(page.locator("#sign-out")).to_be_visible()
    clock.advance(15 * 60 + 5)
    page.get_by_role("link", name="Queue", exact=True).click()
    expect(page.locator("#session-ended")).to_contain_text("15 minutes without activity")
    expect(page.locator("#sign-out")).to_have_count(0)
