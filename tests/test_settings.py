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
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app(Settings.from_env(env))


@pytest.mark.parametrize("token", [None, "", "dev-auth-token"])
def test_production_refuses_to_start_without_a_real_auth_token(make_env, token):
    from hotline import create_app
    env = make_env(HOTLINE_ENV="production", TWILIO_AUTH_TOKEN=token)
    with pytest.raises(SettingsError, match="TWILIO_AUTH_TOKEN"):
        create_app(Settings.from_env(env))


def test_the_development_token_never_signs_in_production():
    prod = Settings(production=True, twilio_auth_token=None)
    assert prod.signing_token == ""  # validates nothing (twilio_auth refuses an empty secret)
    assert Settings(production=True, twilio_auth_token="dev-auth-token").signing_token == ""
    assert Settings(production=True, twilio_auth_token="real").signing_token == "real"
    assert Settings(twilio_auth_token=None).signing_token == "dev-auth-token"


def test_dev_insecure_is_refused_in_production():
    with pytest.raises(SettingsError, match="HOTLINE_DEV_INSECURE"):
        Settings.from_env({"HOTLINE_ENV": "production", "HOTLINE_DEV_INSECURE": "1"})


@pytest.mark.parametrize("value", ["prod", "staging", "dev", "1"])
def test_hotline_env_takes_development_or_production_only(value):
    with pytest.raises(SettingsError, match="HOTLINE_ENV"):
        Settings.from_env({"HOTLINE_ENV": value})


def test_hotline_env_values():
    assert Settings.from_env({"HOTLINE_ENV": "Production"}).production
    assert not Settings.from_env({"HOTLINE_ENV": "development"}).production
    assert not Settings.from_env({}).production


def test_trusted_proxies_are_parsed():
    import ipaddress
    assert Settings.from_env({}).trusted_proxies == ()
    assert Settings.from_env({"HOTLINE_TRUSTED_PROXIES": "*"}).trusted_proxies is None
    nets = Settings.from_env({"HOTLINE_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}).trusted_proxies
    assert nets == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))
    with pytest.raises(SettingsError, match="HOTLINE_TRUSTED_PROXIES"):
        Settings.from_env({"HOTLINE_TRUSTED_PROXIES": "the load balancer"})
