"""`hotline chat`: be a patient in the terminal, texting the running hotline like Twilio does."""

from __future__ import annotations

import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from twilio.request_validator import RequestValidator

from hotline.settings import Settings

DEFAULT_FROM = "+15555550123"


def post_signed(url: str, params: dict[str, str], token: str, signed_url: str | None = None,
                timeout: float = 20.0) -> tuple[int, str]:
    signature = RequestValidator(token).compute_signature(signed_url or url, params)
    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(url, data=data, headers={"X-Twilio-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def message_texts(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    return [(m.findtext("Body") or m.text or "").strip() for m in root.iter("Message")]


def input_lines(stream) -> Iterator[str]:
    interactive = stream.isatty()
    while True:
        if interactive:
            try:
                line = input("you> ")
            except EOFError:
                print()
                return
        else:
            line = stream.readline()
            if not line:
                return
            line = line.rstrip("\n")
            print(f"you> {line}")
        yield line


def run_sms_chat(base_url: str, phone: str, settings: Settings,
                 lines: Iterable[str] | None = None) -> int:
    """Send each line as a text from `phone`; print every reply. Returns an exit status."""
    url = base_url.rstrip("/") + "/sms"
    signed_url = settings.public_url + "/sms" if settings.public_url else None
    for line in lines if lines is not None else input_lines(sys.stdin):
        params = {"From": phone, "To": settings.twilio_phone_number or "+15550001111",
                  "Body": line, "MessageSid": "SM" + uuid.uuid4().hex, "NumMedia": "0",
                  "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32}
        try:
            status, body = post_signed(url, params, settings.signing_token, signed_url)
        except OSError as exc:
            print(f"cannot reach the hotline at {url}: {exc}", file=sys.stderr)
            return 2
        if status != 200:
            print(f"the hotline answered HTTP {status}: {body[:200]}", file=sys.stderr)
            return 1
        texts = message_texts(body)
        for text in texts:
            print(f"hotline> {text}")
        if not texts:
            print("hotline> (no reply)")
        sys.stdout.flush()
    return 0
