"""Shared by the follow-up tests: an app whose texts go to the REST stand-in, with follow-ups
due 1 s after the advice and /sms/status registered, and helpers to read follow-ups."""

from __future__ import annotations

from hotline import create_app
from hotline.outbound import followup_jobs
from hotline.settings import Settings
from hotline.store.followups import FollowupStore
from hotline.store.turns import TurnInput, TurnOutput
from hotline.triage.conversation import FINISHED, new_state
from tests.conftest import ACCOUNT_SID
from tests.support.workers import wait_until

FROM_NUMBER = "+15550001111"
PUBLIC_URL = "http://localhost"  # what tests.support.webhooks signs against


def followup_env(make_env, twilio_api, **overrides: str) -> dict[str, str]:
    """Environment for the app and its workers, from conftest's make_env and twilio_api."""
    return make_env(
        **{
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_PHONE_NUMBER": FROM_NUMBER,
            "TWILIO_API_BASE_URL": twilio_api.url,
            "HOTLINE_PUBLIC_URL": PUBLIC_URL,
            "HOTLINE_FOLLOWUP_SELF_CARE": "1s",
            "HOTLINE_FOLLOWUP_SOON": "1s",
            "HOTLINE_FOLLOWUP_URGENT": "1s",
            **overrides,
        }
    )


def followup_app(env: dict[str, str]):
    app = create_app(Settings.from_env(env))
    app.config["TESTING"] = True
    return app


def plan_followup(app, phone: str, disposition: str = "self_care") -> str:
    """Finish a conversation the way the store does at the end of a triage, in one turn."""
    hotline = app.extensions["hotline"]

    def compute(_: TurnInput) -> TurnOutput:
        state = new_state()
        state.update(phase=FINISHED, disposition=disposition, rule="test")
        effects = [
            {"type": "new_conversation"},
            {"type": "finished", "disposition": disposition, "red_flags": [], "rule": "test"},
            {"type": "schedule_followup", "disposition": disposition},
        ]
        return TurnOutput(state, [], effects, inbound_text="my leg is numb")

    result = hotline.store.run_turn(phone, phone, "sms", None, compute)
    [(followup_id, _)] = result.followup_ids
    return followup_id


def services(app) -> followup_jobs.Services:
    hotline = app.extensions["hotline"]
    return followup_jobs.make_services(hotline.settings, hotline)


def followup(app, followup_id: str) -> dict:
    hotline = app.extensions["hotline"]
    return FollowupStore(hotline.redis, hotline.settings).get(followup_id)


def settled(app, followup_id: str, status: str = "sent", timeout: float = 20.0) -> dict:
    return wait_until(
        lambda: (fu := followup(app, followup_id))["status"] == status and fu,
        timeout=timeout,
        what=f"follow-up {followup_id} to be {status}",
    )


def text(app, key: str, lang: str = "en") -> str:
    hotline = app.extensions["hotline"]
    return hotline.protocol.text(lang, key, "sms", emergency_number="911", transfer_number="911")
