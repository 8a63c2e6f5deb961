"""The floor for scripts/bench: the least any Twilio webhook must do, served the same way.

It checks X-Twilio-Signature with twilio's RequestValidator (against HOTLINE_PUBLIC_URL, as the
hotline does) and answers a fixed TwiML document built once. No Redis, no triage. The bench
serves it with the Procfile's own gunicorn line, so the gap between this and the hotline is
what the hotline's turn costs on top of receiving and answering a webhook.

    gunicorn --pythonpath scripts floor_app:app
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

app = Flask(__name__)
_validator = RequestValidator(os.environ.get("TWILIO_AUTH_TOKEN", "dev-auth-token"))
_public_url = os.environ.get("HOTLINE_PUBLIC_URL", "").rstrip("/")

_sms_reply = MessagingResponse()
_sms_reply.message("Is the leg weak, or does it give way under you? Reply YES or NO.")
SMS_TWIML = str(_sms_reply)

_voice_reply = VoiceResponse()
_gather = _voice_reply.gather(
    input="dtmf speech", action="/voice/answer?n=1&r=0&l=en", num_digits=1, timeout=6
)
_gather.say("Is the leg weak, or does it give way under you? Press 1 for yes, 2 for no.")
VOICE_TWIML = str(_voice_reply)


def _signed() -> None:
    query = request.query_string.decode("latin-1")
    url = (
        (_public_url + request.path + (f"?{query}" if query else ""))
        if _public_url
        else request.url
    )
    if not _validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
        abort(403)


@app.post("/sms")
def sms() -> Response:
    _signed()
    return Response(SMS_TWIML, mimetype="application/xml")


@app.post("/voice")
@app.post("/voice/answer")
def voice() -> Response:
    _signed()
    return Response(VOICE_TWIML, mimetype="application/xml")


@app.get("/healthz")
def healthz() -> str:
    return "ok"
