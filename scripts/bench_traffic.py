"""Signed webhook traffic for scripts/bench: whole conversations, as Twilio posts them.

Every request carries the form fields Twilio sends and an X-Twilio-Signature made with twilio's
RequestValidator over HOTLINE_PUBLIC_URL + path, so the hotline and the floor both do the real
signature check. Texters and callers are distinct numbers; each one goes through the questions
in order (the answers steer the conversation to its end: self-care, soon or emergency).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

PUBLIC_URL = "https://hotline.example.org"
AUTH_TOKEN = "bench-auth-token"
ACCOUNT_SID = "AC" + "b" * 32
HOTLINE_NUMBER = "+15550001111"

NO9 = ["no"] * 9
# (weight, first text, answers...): red-flag questions first, then the story
# (prompts/protocol.toml), each answered until the advice: a numbness of days is "soon" once its
# duration is known (the story stops there), a 20-minute one needs every story answer.
SMS_STORIES = (
    (50, ["my left leg is numb", *NO9, "about 3 days"]),
    (25, ["my foot fell asleep", *NO9, "20 minutes", "no", "no", "yes", "no", "yes"]),
    (10, ["my leg went numb and I can't hold my bladder", "yes"]),
    (15, ["tengo la pierna dormida", *(["no"] * 9), "hace 3 días"]),
)
# A call: the greeting, then one keypress per question (2 = no; 3 = "a few days" for how long,
# which decides "soon" and ends the questions).
VOICE_DIGITS = ["2"] * 9 + ["3"]


@dataclass(frozen=True)
class Request:
    path: str
    params: dict[str, str]
    signature: str

    @property
    def body(self) -> str:
        return urlencode(self.params)

    def wrk_line(self) -> str:
        return f"{self.path}\t{self.signature}\t{self.body}"


class Signer:
    def __init__(self, token: str = AUTH_TOKEN, public_url: str = PUBLIC_URL) -> None:
        self.validator, self.public_url = RequestValidator(token), public_url

    def request(self, path: str, params: dict[str, str]) -> Request:
        return Request(
            path, params, self.validator.compute_signature(self.public_url + path, params)
        )


def phone(run: int, index: int) -> str:
    return f"+1{200 + run:03d}{index:07d}"


def sms_params(sender: str, body: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "ToCountry": "US",
        "ToState": "NY",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "10001",
        "SmsSid": sid,
        "FromState": "NY",
        "SmsStatus": "received",
        "FromCity": "NEW YORK",
        "Body": body,
        "FromCountry": "US",
        "To": HOTLINE_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def call_params(caller: str, call_sid: str, digits: str | None) -> dict[str, str]:
    params = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Called": HOTLINE_NUMBER,
        "Caller": caller,
        "Direction": "inbound",
        "From": caller,
        "FromCountry": "US",
        "FromState": "NY",
        "To": HOTLINE_NUMBER,
        "ToCountry": "US",
    }
    if digits is not None:
        params.update(Digits=digits, FinishedOnKey="", msg="Gather End")
    return params


def sms_conversation(signer: Signer, sender: str, texts: list[str]) -> list[Request]:
    return [signer.request("/sms", sms_params(sender, text)) for text in texts]


def voice_call(signer: Signer, caller: str) -> list[Request]:
    """The incoming call, then each Gather's callback at the action URL the hotline gives."""
    call_sid = "CA" + uuid.uuid4().hex
    turns = [signer.request("/voice", call_params(caller, call_sid, None))]
    for turn, digits in enumerate(VOICE_DIGITS, start=1):
        turns.append(
            signer.request(
                f"/voice/answer?n={turn}&r=0&l=en", call_params(caller, call_sid, digits)
            )
        )
    return turns


def sms_stories() -> Iterator[list[str]]:
    """The stories in proportion to their weights, forever."""
    deck = [texts for weight, texts in SMS_STORIES for _ in range(weight)]
    return itertools.cycle(_spread(deck))


def _spread(deck: list) -> list:
    # Interleave so that each stretch of the deck has the mix, not 50 of one story in a row.
    step = 7
    return [deck[(i * step) % len(deck)] for i in range(len(deck))]


def conversations(kind: str, run: int, count: int, signer: Signer) -> list[list[Request]]:
    """`count` whole conversations of `kind` ("sms" or "voice"), numbers unique to `run`."""
    if kind == "voice":
        return [voice_call(signer, phone(run, i)) for i in range(count)]
    stories = sms_stories()
    return [sms_conversation(signer, phone(run, i), next(stories)) for i in range(count)]


def interleave(convs: list[list[Request]], slots: int) -> list[Request]:
    """One request from each of `slots` open conversations in turn; a finished one is replaced
    by the next. Two turns of one conversation are `slots` requests apart, so with fewer
    requests than that in flight a conversation's turns arrive one after the other."""
    pending = iter(convs)
    open_ = [iter(c) for c in itertools.islice(pending, slots)]
    out: list[Request] = []
    while open_:
        still = []
        for turns in open_:
            item = next(turns, None)
            if item is None:
                refill = next(pending, None)
                if refill is None:
                    continue
                turns = iter(refill)
                item = next(turns)
            out.append(item)
            still.append(turns)
        open_ = still
    return out
