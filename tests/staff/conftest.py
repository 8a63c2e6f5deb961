"""Fixtures for the staff area: the app with /staff wired in, a clock tests can move, staff
accounts, signing in through the real login form, and conversations made the real way (signed
POST /sms)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest

PASSWORD = "correct horse battery staple"
REVIEWER = "reviewer@clinic.example"
ADMIN = "admin@clinic.example"

# Answers a texter gives, by question key; any question not named is answered "no".
EMERGENCY_FIRST_TEXT = "I peed myself and can't feel my legs"
URGENT = {"weakness": "yes"}
SOON = {"duration": "3 weeks"}
SELF_CARE = {"duration": "2 hours", "pressure_cause": "yes", "resolved": "yes"}


class Clock:
    """Time for the staff area that a test moves on by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def staff_app(app):
    return app


@pytest.fixture
def area(staff_app):
    return staff_app.extensions["staff"]


@pytest.fixture
def clock(area):
    clock = Clock()
    area.clock = clock
    return clock


@pytest.fixture
def accounts(area):
    area.auth.save_account(REVIEWER, "reviewer", PASSWORD)
    area.auth.save_account(ADMIN, "admin", PASSWORD)
    return {"reviewer": REVIEWER, "admin": ADMIN}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD):
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(page.get_data(as_text=True)),
        },
    )


@pytest.fixture
def reviewer(staff_app, accounts, clock):
    client = staff_app.test_client()
    assert log_in(client, REVIEWER).status_code == 302
    return client


@pytest.fixture
def admin(staff_app, accounts, clock):
    client = staff_app.test_client()
    assert log_in(client, ADMIN).status_code == 302
    return client


def page_csrf(client, path: str = "/staff/") -> str:
    return csrf_of(client.get(path).get_data(as_text=True))


@dataclass
class Texter:
    phone: str
    conv_id: str


def converse(twilio, store, phone: str, first_text: str, answers: dict | None = None) -> Texter:
    """Text the hotline like a patient until it gives its advice; the conversation it made."""
    answers = answers or {}
    reply = twilio.sms(phone, first_text)
    assert reply.status == 200, reply.xml
    for _ in range(30):
        stored = store.get_state(phone)
        state = stored["state"]
        if state["phase"] != "asking":
            return Texter(phone, stored["conv"])
        twilio.sms(phone, answers.get(state["question"], "no"))
    raise AssertionError("the conversation did not finish")


@pytest.fixture
def store(staff_app):
    return staff_app.extensions["hotline"].store
