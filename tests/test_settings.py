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
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "HOTLINE_EMERGENCY_NUMBER": "112",
        "TWILIO_PHONE_NUMBER": "+15550001111"})
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


def test_credentials_without_a_sender_stop_production_and_log_texts_in_development():
    creds = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "SECRET_KEY": "s"}
    with pytest.raises(SettingsError, match="TWILIO_PHONE_NUMBER") as caught:
        Settings.from_env({**creds, "HOTLINE_ENV": "production"})
    assert "\n" not in str(caught.value)
    dev = Settings.from_env(creds)
    assert not dev.can_send and "TWILIO_PHONE_NUMBER" in dev.sender_problem
    for sender in ({"TWILIO_PHONE_NUMBER": "+15550001111"},
                   {"TWILIO_MESSAGING_SERVICE_SID": "MG1"}):
        ok = Settings.from_env({**creds, "HOTLINE_ENV": "production", **sender})
        assert ok.can_send and ok.sender_problem is None


def test_the_web_line_reports_a_bad_setting_once_before_any_worker_boots():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_"))}
    env.update(HOTLINE_ENV="production", SECRET_KEY="s", TWILIO_ACCOUNT_SID="AC1",
               TWILIO_AUTH_TOKEN="t", REDIS_URL="redis://127.0.0.1:1/0")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    done = subprocess.run([gunicorn, "--workers", "2", "--bind", "127.0.0.1:0",
                           "hotline.wsgi:app"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    problems = [line for line in done.stderr.splitlines() if "bad setting" in line]
    assert problems == [problems[0]] and "TWILIO_PHONE_NUMBER" in problems[0]
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr


def test_the_procfile_web_line_reports_a_bad_setting_once_before_any_worker_boots():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    line = next(raw.split(":", 1)[1] for raw in (root / "Procfile").read_text().splitlines()
                if raw.startswith("web:"))
    words = line.replace("$PORT", "0").replace("0.0.0.0", "127.0.0.1").split()
    words = [str(Path(sys.executable).with_name(words[0])),
             *(w if not w.startswith("${") else "2" for w in words[1:])]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "HOTLINE_"))}
    env.update(HOTLINE_ENV="production", SECRET_KEY="s", TWILIO_ACCOUNT_SID="AC1",
               TWILIO_AUTH_TOKEN="t", REDIS_URL="redis://127.0.0.1:1/0")
    done = subprocess.run(words, cwd=root, env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    problems = [line for line in done.stderr.splitlines() if "bad setting" in line]
    assert problems == [problems[0]] and "TWILIO_PHONE_NUMBER" in problems[0]
    assert "Traceback" not in done.stderr and "granian" not in (done.stdout + done.stderr).lower()


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


@pytest.mark.parametrize("raw", ["0", "1001", "many", "-5", "6.5"])
def test_a_dispatch_window_out_of_range_names_the_variable(raw):
    with pytest.raises(SettingsError, match="HOTLINE_DISPATCH_WINDOW"):
        Settings.from_env({"HOTLINE_DISPATCH_WINDOW": raw})


def test_the_dispatch_window_is_read_and_defaults_to_the_dispatchers_own():
    assert Settings.from_env({"HOTLINE_DISPATCH_WINDOW": "128"}).dispatch_window == 128
    assert Settings.from_env({}).dispatch_window is None
