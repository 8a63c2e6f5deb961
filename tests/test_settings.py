"""Settings are read once from the environment; a bad value names the variable."""

from __future__ import annotations

import pytest

from hotline.cli import main
from hotline.settings import Settings, SettingsError


def test_defaults_are_the_documented_ones():
    s = Settings.from_env({})
    assert s.redis_url == "redis://localhost:6379/0"
    assert s.twilio_api_base_url == "https://api.twilio.com"
    assert s.emergency_number == "911"
    assert s.followup_delays == {"self_care": 86400, "soon": 259200, "urgent": 21600}
    assert s.quiet_hours is None and str(s.timezone) == "America/New_York"
    assert s.session_ttl == 86400 and s.retention == 90 * 86400
    assert not s.dev_insecure and not s.can_send


def test_values_are_parsed():
    s = Settings.from_env({
        "HOTLINE_FOLLOWUP_SOON": "off", "HOTLINE_FOLLOWUP_URGENT": "90m",
        "HOTLINE_QUIET_HOURS": "21:00-08:00", "HOTLINE_TIMEZONE": "America/Chicago",
        "HOTLINE_SESSION_TTL": "2s", "HOTLINE_RETENTION": "3d",
        "HOTLINE_PUBLIC_URL": "https://hotline.example.org/", "HOTLINE_DEV_INSECURE": "1",
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "HOTLINE_EMERGENCY_NUMBER": "112"})
    assert s.followup_delays["soon"] is None and s.followup_delays["urgent"] == 5400
    assert (s.quiet_hours[0].hour, s.quiet_hours[1].hour) == (21, 8)
    assert s.session_ttl == 2 and s.retention == 3 * 86400
    assert s.public_url == "https://hotline.example.org"
    assert s.dev_insecure and s.can_send and s.emergency_number == "112"


@pytest.mark.parametrize("name,value", [
    ("HOTLINE_FOLLOWUP_SELF_CARE", "tomorrow"), ("HOTLINE_SESSION_TTL", "off"),
    ("HOTLINE_SESSION_TTL", "0s"), ("HOTLINE_RETENTION", "90"),
    ("HOTLINE_QUIET_HOURS", "9pm-8am"), ("HOTLINE_QUIET_HOURS", "25:00-08:00"),
    ("HOTLINE_TIMEZONE", "Mars/Olympus"), ("HOTLINE_EMERGENCY_NUMBER", "call 911"),
    ("HOTLINE_PUBLIC_URL", "hotline.example.org"), ("TWILIO_PHONE_NUMBER", "my number"),
])
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_command_line_reports_a_bad_setting(monkeypatch, capsys):
    monkeypatch.setenv("HOTLINE_RETENTION", "forever")
    assert main(["purge"]) == 2
    assert "HOTLINE_RETENTION" in capsys.readouterr().err


def test_production_refuses_to_start_without_a_secret_key(make_env):
    from hotline import create_app
    env = make_env(HOTLINE_ENV="production", SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Settings.from_env(env))
