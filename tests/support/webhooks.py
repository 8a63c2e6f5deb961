"""Post to the hotline as Twilio does: form-encoded, signed with twilio's RequestValidator."""

from __future__ import annotations

import itertools
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from twilio.request_validator import RequestValidator

BASE_URL = "http://localhost"
_counter = itertools.count(1)


def sign(token: str, url: str, params: dict) -> str:
    return RequestValidator(token).compute_signature(url, params)


def message_sid() -> str:
    return "SM" + uuid.uuid4().hex


def texts_of(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    assert root.tag == "Response", twiml
    return [(m.findtext("Body") or m.text or "").strip() for m in root.iter("Message")]


@dataclass
class SmsReply:
    status: int
    xml: str
    texts: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


class TwilioWebhooks:
    """Signed webhook calls against a Flask test client (or any client with .post)."""

    def __init__(self, client, token: str, base_url: str = BASE_URL) -> None:
        self.client, self.token, self.base_url = client, token, base_url

    def post(self, path: str, params: dict, signed: bool = True, headers: dict | None = None):
        url = self.base_url + path
        all_headers = dict(headers or {})
        if signed:
            all_headers["X-Twilio-Signature"] = sign(self.token, url, params)
        return self.client.post(url, data=params, headers=all_headers)

    def sms(self, sender: str, body: str, sid: str | None = None, **extra: str) -> SmsReply:
        params = {"From": sender, "To": "+15550001111", "Body": body,
                  "MessageSid": sid or message_sid(), "AccountSid": "AC" + "0" * 32,
                  "NumMedia": "0", **extra}
        response = self.post("/sms", params)
        xml = response.get_data(as_text=True)
        texts = texts_of(xml) if response.status_code == 200 else []
        return SmsReply(response.status_code, xml, texts)


def new_phone() -> str:
    return f"+1555{next(_counter):03d}{uuid.uuid4().int % 10000:04d}"
