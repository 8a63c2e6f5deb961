"""The safety net's settings: documented defaults, parsed values, and bad values that name the
variable (tests/test_settings.py holds the others)."""

from __future__ import annotations

import pytest

from hotline.settings import Settings, SettingsError


def test_defaults_are_the_documented_ones():
    s = Settings.from_env({})
    assert s.nudge_after == 15 * 60 and s.no_reply_after == 2 * 3600
    assert s.oncall_numbers == ()
    assert s.alert_levels == {"emergency", "urgent"}
    assert s.alert_webhook_url is None and s.alert_webhook_secret is None


def test_values_are_parsed():
    s = Settings.from_env({
        "HOTLINE_NUDGE_AFTER": "off", "HOTLINE_NO_REPLY_AFTER": "90m",
        "HOTLINE_ONCALL_NUMBERS": "+15550001234, +447700900123,",
        "HOTLINE_ALERT_LEVELS": "emergency",
        "HOTLINE_ALERT_WEBHOOK_URL": "https://pager.example.org/hook",
        "HOTLINE_ALERT_WEBHOOK_SECRET": "s3cret",
    })
    assert s.nudge_after is None and s.no_reply_after == 5400
    assert s.oncall_numbers == ("+15550001234", "+447700900123")
    assert s.alert_levels == {"emergency"}
    assert s.alert_webhook_url == "https://pager.example.org/hook"
    assert s.alert_webhook_secret == "s3cret"


@pytest.mark.parametrize("env,name", [
    ({"HOTLINE_NUDGE_AFTER": "soon"}, "HOTLINE_NUDGE_AFTER"),
    ({"HOTLINE_NO_REPLY_AFTER": "off"}, "HOTLINE_NO_REPLY_AFTER"),
    ({"HOTLINE_NUDGE_AFTER": "3h"}, "HOTLINE_NUDGE_AFTER"),  # after the close: never sent
    ({"HOTLINE_ONCALL_NUMBERS": "5551234"}, "HOTLINE_ONCALL_NUMBERS"),
    ({"HOTLINE_ALERT_LEVELS": "emergency,critical"}, "HOTLINE_ALERT_LEVELS"),
    ({"HOTLINE_ALERT_WEBHOOK_URL": "pager.example.org"}, "HOTLINE_ALERT_WEBHOOK_URL"),
    ({"HOTLINE_ALERT_WEBHOOK_URL": "https://pager.example.org"}, "HOTLINE_ALERT_WEBHOOK_SECRET"),
])
def test_a_bad_value_names_the_variable(env, name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)
