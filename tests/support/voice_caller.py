"""A phone caller for tests: follows the hotline's TwiML exactly as Twilio would.

It posts /voice as Twilio does for an incoming call, parses each TwiML document, "hears" every
<Say> (nested ones too), waits at a <Gather> for the test to press keys, speak or stay silent,
then posts to the Gather's action (with Digits, or SpeechResult and Confidence; with nothing
only when actionOnEmptyResult is true, else it falls through to the next verb as Twilio does),
follows <Redirect>, and stops at <Dial> or <Hangup>. Every request is signed.
"""

from __future__ import annotations

import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from tests.support.webhooks import BASE_URL, TwilioWebhooks, new_phone

MAX_HOPS = 50  # requests without the caller doing anything: a Redirect loop otherwise


@dataclass
class Document:
    url: str
    xml: str
    root: ET.Element


@dataclass
class Said:
    text: str
    slow: bool
    voice: str | None
    language: str | None


def call_sid() -> str:
    return "CA" + uuid.uuid4().hex


@dataclass
class VoiceCaller:
    webhooks: TwilioWebhooks
    phone: str = field(default_factory=new_phone)
    sid: str = field(default_factory=call_sid)
    documents: list[Document] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    dialed: str | None = None
    dial: ET.Element | None = None
    hung_up: bool = False
    _gather: ET.Element | None = None
    _after_gather: list[ET.Element] = field(default_factory=list)
    _prompt_start: int = 0  # index in `said` where the current Gather's document began

    # --- what the test does -------------------------------------------------------------------

    def call(self) -> VoiceCaller:
        self._request(BASE_URL + "/voice", {})
        return self

    def press(self, digits: str) -> VoiceCaller:
        return self._respond({"Digits": digits})

    def speak(self, text: str, confidence: float = 0.9) -> VoiceCaller:
        return self._respond({"SpeechResult": text, "Confidence": f"{confidence:.2f}"})

    def silence(self) -> VoiceCaller:
        return self._respond({})

    def hang_up(self, status: str = "completed", duration: int = 42) -> int:
        """Twilio's status callback for this call; returns the HTTP status."""
        params = {**self._base_params(), "CallStatus": status, "CallDuration": str(duration)}
        return self.webhooks.post("/voice/status", params).status_code

    # --- what the test reads ------------------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self._gather is not None

    @property
    def ended(self) -> bool:
        return self.hung_up or self.dialed is not None

    @property
    def gather(self) -> ET.Element:
        assert self._gather is not None, "the hotline is not listening"
        return self._gather

    @property
    def prompt(self) -> list[str]:
        """What was said since the last answer: the lines leading to the current Gather."""
        return [s.text for s in self.said[self._prompt_start :]]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.said)

    def last_said(self, count: int = 1) -> list[str]:
        return [s.text for s in self.said[-count:]]

    def asked(self, protocol, lang: str) -> str | None:
        """The protocol question the current prompt asks, by its spoken wording."""
        prompt = " ".join(self.prompt)
        found = [
            q.key
            for q in protocol.questions
            if protocol.text(lang, f"question.{q.key}", "voice") in prompt
        ]
        assert len(found) <= 1, found
        return found[0] if found else None

    # --- Twilio's side ------------------------------------------------------------------------

    def _base_params(self) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.phone,
            "To": "+15550001111",
            "Direction": "inbound",
            "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01",
        }

    def _respond(self, extra: dict[str, str]) -> VoiceCaller:
        gather, rest = self.gather, self._after_gather
        self._gather, self._after_gather = None, []
        self._prompt_start = len(self.said)
        url = self.documents[-1].url
        if extra or gather.get("actionOnEmptyResult") == "true":
            action = urllib.parse.urljoin(url, gather.get("action") or url)
            self._request(action, extra)
        else:
            self._play(url, rest, hops=0)
        return self

    def _request(self, url: str, extra: dict[str, str], hops: int = 0) -> None:
        assert hops < MAX_HOPS, "the TwiML keeps redirecting"
        assert url.startswith(BASE_URL + "/"), url
        params = {**self._base_params(), **extra}
        self.requests.append((url, params))
        response = self.webhooks.post(url[len(BASE_URL) :], params)
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype in ("application/xml", "text/xml"), response.mimetype
        xml = response.get_data(as_text=True)
        root = ET.fromstring(xml)
        assert root.tag == "Response", xml
        self.documents.append(Document(url, xml, root))
        self._play(url, list(root), hops)

    def _play(self, url: str, verbs: list[ET.Element], hops: int) -> None:
        for index, verb in enumerate(verbs):
            if verb.tag == "Say":
                self._hear(verb)
            elif verb.tag == "Gather":
                for inner in verb:
                    if inner.tag == "Say":
                        self._hear(inner)
                self._gather, self._after_gather = verb, verbs[index + 1 :]
                return
            elif verb.tag == "Redirect":
                self._request(urllib.parse.urljoin(url, (verb.text or "").strip()), {}, hops + 1)
                return
            elif verb.tag == "Dial":
                self.dial, self.dialed = verb, (verb.text or "").strip()
                return
            elif verb.tag == "Hangup":
                self.hung_up = True
                return
        self.hung_up = True  # Twilio ends the call when a document runs out of verbs

    def _hear(self, say: ET.Element) -> None:
        text = " ".join("".join(say.itertext()).split())
        slow = any(el.tag == "prosody" and el.get("rate") == "slow" for el in say.iter())
        self.said.append(Said(text, slow, say.get("voice"), say.get("language")))


def answer_every_question(
    caller: VoiceCaller, protocol, lang: str, answer, limit: int = 40
) -> list[str]:
    """Answer each question the hotline asks, as `answer(key) -> ("keypad"|"speech", value)`
    says, until it stops asking; returns the keys asked, in order."""
    asked: list[str] = []
    while caller.listening and len(asked) < limit:
        key = caller.asked(protocol, lang)
        if key is None:
            break
        asked.append(key)
        how, value = answer(key)
        if how == "keypad":
            caller.press(value)
        else:
            caller.speak(value)
    return asked
