"""A text the hotline could not take while Redis was up (the outage buffer unreadable): staff
see what was said, the safe reply it got, and that it was not triaged."""

from __future__ import annotations

import pytest

from tests.conftest import AUTH_TOKEN
from tests.support.webhooks import TwilioWebhooks, new_phone


@pytest.fixture
def staff_app(make_app, tmp_path):
    spool = tmp_path / "spool"
    (spool / "outage.sqlite3").mkdir(parents=True)  # there, but SQLite cannot open it
    return make_app(HOTLINE_SPOOL_DIR=str(spool))


def test_staff_see_an_untriaged_text_as_such(staff_app, reviewer, store):
    phone = new_phone()
    reply = TwilioWebhooks(staff_app.test_client(), AUTH_TOKEN).sms(phone, "my leg is numb")
    assert "911" in reply.text
    page = reviewer.get(f"/staff/conversations/{store.get_state(phone)['conv']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "my leg is numb" in html and "Not triaged" in html
