"""`hotline chat --voice`: be a caller in the terminal, following the hotline's TwiML as Twilio
does. <Say> is printed; at a <Gather> you type digits (keypad) or words (speech, sent with a
confidence of 0.9), or an empty line for silence; <Redirect> is followed; <Dial> is printed and
ends the call here; <Hangup> ends it. At the end the call's status callback is posted, as Twilio
posts it, so the after-call text goes out as on a real call.
"""

from __future__ import annotations

import sys
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from hotline.dev.chat import DEFAULT_FROM, input_lines, post_signed

SPEECH_CONFIDENCE = "0.9"
KEYPAD = frozenset("0123456789*#")
MAX_DOCUMENTS = 500  # a loop in the TwiML must not spin forever


class CallEnded(Exception):
    """The hotline hung up, dialled out, or the caller ran out of lines."""


class TerminalCaller:
    def __init__(
        self,
        base_url: str,
        phone: str,
        token: str,
        lines: Iterator[str],
        public_url: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or "").rstrip("/") or None
        self.token, self.lines = token, lines
        self.params = {
            "CallSid": "CA" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": phone or DEFAULT_FROM,
            "To": "+15550001111",
            "Direction": "inbound",
            "CallStatus": "in-progress",
        }

    def post(self, url: str, extra: dict[str, str] | None = None) -> str:
        status, body = post_signed(
            url, {**self.params, **(extra or {})}, self.token, self.signed(url)
        )
        if status != 200:
            raise RuntimeError(f"the hotline answered HTTP {status}: {body[:200]}")
        return body

    def run(self) -> None:
        url = self.base_url + "/voice"
        twiml = self.post(url)
        for _ in range(MAX_DOCUMENTS):
            url, twiml = self.follow(url, twiml)

    def follow(self, url: str, twiml: str) -> tuple[str, str]:
        """Play one document; return the next request's URL and its answer."""
        for verb in ET.fromstring(twiml):
            if verb.tag == "Say":
                say(verb)
            elif verb.tag == "Gather":
                for inner in verb:
                    if inner.tag == "Say":
                        say(inner)
                extra = self.listen(verb)
                action = urllib.parse.urljoin(url, verb.get("action") or url)
                if extra or verb.get("actionOnEmptyResult") == "true":
                    return action, self.post(action, extra)
            elif verb.tag == "Redirect":
                target = urllib.parse.urljoin(url, (verb.text or "").strip())
                return target, self.post(target)
            elif verb.tag == "Dial":
                print(f"(the hotline connects you to {(verb.text or '').strip()})")
                raise CallEnded
            elif verb.tag == "Hangup":
                print("(the hotline hung up)")
                raise CallEnded
        print("(the call ended)")  # Twilio hangs up at the end of a document
        raise CallEnded

    def listen(self, gather: ET.Element) -> dict[str, str]:
        try:
            line = next(self.lines).strip()
        except StopIteration:
            print("(you hung up)")
            raise CallEnded from None
        if not line:
            return {}
        if set(line) <= KEYPAD and "dtmf" in (gather.get("input") or "dtmf"):
            return {"Digits": line[: int(gather.get("numDigits") or len(line))]}
        return {"SpeechResult": line, "Confidence": SPEECH_CONFIDENCE}

    def signed(self, url: str) -> str | None:
        """Behind HOTLINE_PUBLIC_URL the hotline checks signatures against the public URL."""
        if not self.public_url or not url.startswith(self.base_url):
            return None
        return self.public_url + url[len(self.base_url) :]

    def hang_up(self) -> None:
        params = {**self.params, "CallStatus": "completed"}
        url = self.base_url + "/voice/status"
        status, body = post_signed(url, params, self.token, self.signed(url))
        if status not in (200, 204):
            raise RuntimeError(f"the hotline answered HTTP {status}: {body[:200]}")


def say(verb: ET.Element) -> None:
    print(f"hotline> {' '.join(''.join(verb.itertext()).split())}")
    sys.stdout.flush()


def run_voice_chat(
    url: str,
    phone: str,
    token: str,
    lines: Iterable[str] | None,
    public_url: str | None = None,
) -> int:
    """Call the hotline at `url` from `phone`; returns an exit status. `public_url`: the
    HOTLINE_PUBLIC_URL the hotline checks signatures against, when it has one."""
    print("(calling: type digits for the keypad, words to speak, an empty line to stay silent)")
    source = iter(lines) if lines is not None else input_lines(sys.stdin)
    caller = TerminalCaller(url, phone, token, source, public_url)
    try:
        caller.run()
        print("(the call went on too long; hanging up)")
    except CallEnded:
        pass
    except OSError as exc:
        print(f"cannot reach the hotline at {url}: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        caller.hang_up()
    except (OSError, RuntimeError) as exc:
        print(f"the hang-up did not reach the hotline: {exc}", file=sys.stderr)
        return 1
    return 0
