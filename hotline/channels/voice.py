"""The phone line: Twilio posts each step of a call, we answer with TwiML <Say>/<Gather>.

POST /voice           an incoming call: the greeting and the first question
POST /voice/answer    each Gather's result (?n= the turn number, r= re-asks so far, l= language)
POST /voice/offer     after emergency advice: 0 or staying on the line connects to the nurse
POST /voice/dialed    the nurse's <Dial> ended
POST /voice/status    Twilio's call status callback (204): a hang-up is recorded, the text sent

The call runs the same core, state and log as a text conversation, keyed call:<CallSid>. Each
route answers TwiML whatever fails inside: the error path names the emergency number and hangs up.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from rq import Retry

from hotline.channels import voice_flow as flow
from hotline.channels import writeback
from hotline.channels.safe_reply import safe_replies
from hotline.channels.sms import sender_of
from hotline.channels.twilio_auth import twilio_signed
from hotline.channels.webhook_form import webhook_form
from hotline.outbound import followups
from hotline.outbound.after_call import can_receive_texts
from hotline.outbound.alerts import plan_turn_alerts
from hotline.outbound.nudges import plan_call_closing
from hotline.redact import log_failure
from hotline.store.clock import now_iso
from hotline.store.turns import TurnInput, TurnOutput
from hotline.triage.conversation import Inbound, step
from hotline.triage.protocol import LANGUAGES

bp = Blueprint("voice", __name__)
# The Gather and Dial callbacks: routes here, and the URLs the TwiML names (route_url).
ANSWER_PATH, OFFER_PATH, DIALED_PATH = "/voice/answer", "/voice/offer", "/voice/dialed"
log = logging.getLogger("hotline.voice")

_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
NURSE_ANSWERED = frozenset({"completed", "answered"})
UNKNOWN_CALLER = "anonymous"  # with the CallSid: each hidden caller is their own "number"


@dataclass(frozen=True)
class Call:
    sid: str
    phone: str

    @property
    def session(self) -> str:
        return f"call:{self.sid}"


class NotACall(ValueError):
    """The request carries no CallSid we can key a conversation on."""


class CallIsOver(Exception):
    """A replayed request of a call whose state has gone: nothing to say, nothing to record."""


def call_of(form) -> Call:
    sid = (form.get("CallSid") or "").strip()
    if not _SID.match(sid):
        raise NotACall("no usable CallSid")
    phone = sender_of(form.get("From"))
    if not can_receive_texts(phone):  # hidden ("anonymous", Twilio's +266696687, ...)
        phone = f"{UNKNOWN_CALLER}:{sid}"  # two hidden callers must not share a "number"
    return Call(sid, phone)


def call_language() -> str:
    """The call's language as the last TwiML we sent says it: for when the state is out of reach."""
    lang = request.args.get("l", "")
    return lang if lang in LANGUAGES else LANGUAGES[0]


def twiml_route(where: str) -> Callable:
    """Answer with the view's TwiML, or with the safe ending when anything inside fails."""

    def wrap(view: Callable[..., str]) -> Callable[[], Response]:
        @functools.wraps(view)
        def answered() -> Response:
            hotline = current_app.extensions["hotline"]
            try:
                xml = view(hotline)
            except CallIsOver:
                xml = flow.goodbye(hotline.context, call_language(), [])
            except Exception as exc:
                log_failure(log, where, webhook_form().get("From"), exc)
                try:
                    xml = failure_twiml(hotline, exc)
                except Exception as again:  # even the prompts failed: hang up, never a 500
                    log_failure(log, f"{where} (safe ending)", webhook_form().get("From"), again)
                    xml = flow.bare_hangup()
            return Response(xml, mimetype="application/xml")

        return answered

    return wrap


def failure_twiml(hotline, failure: BaseException | None = None) -> str:
    """The safe ending, from the request alone: the callback URL names the question (q) and
    the language (l), so a yes to a red-flag question still gets that level's advice."""
    lang, question, form = call_language(), request.args.get("q") or None, webhook_form()
    said, digits = form.get("SpeechResult", ""), form.get("Digits", "")
    replies = safe_replies(
        hotline.protocol, said, hotline.settings.emergency_number, channel="voice", lang=lang,
        question=question, keypress=digits,
    )
    if (said or digits) and request.path.endswith("/answer"):
        try:
            call = call_of(form)
        except NotACall:
            call = None
        if call is not None:
            writeback.keep_call_turn(
                hotline, call.session, call.phone, f"{call.sid}:{_count(request.args.get('n'))}",
                digits, said, form.get("Confidence"), question, replies, failure,
            )
    return flow.safe_ending(hotline.context, lang, replies)


# --- routes ---------------------------------------------------------------------------------


@bp.post("/voice")
@twilio_signed
@twiml_route("incoming call")
def incoming_call(hotline) -> str:
    return start_call(hotline, call_of(webhook_form()))


@bp.post(ANSWER_PATH)
@twilio_signed
@twiml_route("call answer")
def answer(hotline) -> str:
    form = webhook_form()
    call = call_of(form)
    writeback.catch_up(hotline, call.session)  # this call's own outage turns come first
    turn, reasks = _count(request.args.get("n")), _count(request.args.get("r"))
    # What a keypress or utterance means depends on the question being asked, so it is read
    # inside the turn, from the state the turn loaded: no separate read (Redis round trip).
    seen: dict = {}

    def hear(state: dict) -> flow.Heard:
        seen["state"] = state
        question = hotline.protocol.question(state["question"])
        seen["heard"] = flow.hear(
            hotline.protocol,
            state["lang"],
            question,
            form.get("Digits", ""),
            form.get("SpeechResult", ""),
            form.get("Confidence"),
            can_transfer=bool(hotline.settings.transfer_number),
        )
        return seen["heard"]

    state, replies, committed = run_call_turn(hotline, call, turn, None, hear=hear)
    if committed:  # an answer, or Twilio's retry of one
        return respond(hotline, state, replies, turn + 1)
    if "heard" in seen:
        return _not_an_answer(hotline, call, seen["state"], seen["heard"], turn, reasks)
    if state is None:  # the call's state expired, or /voice failed: begin again
        return start_call(hotline, call)
    return flow.goodbye(hotline.context, state["lang"], [])


# Handled by the call itself: what they mean depends on the call, not on the triage.
NOT_FOR_THE_CORE = frozenset({flow.REPEAT, flow.SILENCE, flow.DOUBTFUL, flow.PERSON})


def _not_an_answer(
    hotline, call: Call, state: dict, heard: flow.Heard, turn: int, reasks: int
) -> str:
    """Star, silence, doubtful speech or 0: handled here, nothing for the core to read."""
    ctx, lang = hotline.context, state["lang"]
    if heard.kind == flow.REPEAT:
        return _ask(hotline, state, flow.question_again(ctx, state, None), turn, reasks)
    if heard.kind in (flow.SILENCE, flow.DOUBTFUL):
        if reasks >= flow.MAX_REASKS:
            note(hotline, call, {"type": "no_answer", "question": state["question"]})
            return flow.goodbye(ctx, lang, ["no_answer_goodbye"])
        lead = "no_input" if heard.kind == flow.SILENCE else "low_confidence"
        return _ask(hotline, state, flow.question_again(ctx, state, lead), turn, reasks + 1)
    return connect_nurse(hotline, call, lang, state["question"])


@bp.post(OFFER_PATH)
@twilio_signed
@twiml_route("nurse offer")
def offer(hotline) -> str:
    return connect_nurse(hotline, call_of(webhook_form()), call_language(), None)


@bp.post(DIALED_PATH)
@twilio_signed
@twiml_route("nurse call ended")
def dialed(hotline) -> str:
    form = webhook_form()
    call, status = call_of(form), form.get("DialCallStatus", "")
    note(hotline, call, {"type": "transfer_ended", "dial_status": status})
    lang = call_language()
    if status in NURSE_ANSWERED:
        return flow.goodbye(hotline.context, lang, [])
    return flow.goodbye(hotline.context, lang, ["transfer_failed"])


@bp.post("/voice/status")
@twilio_signed
def call_status() -> Response:
    hotline, form = current_app.extensions["hotline"], webhook_form()
    status = form.get("CallStatus", "")
    try:
        call = call_of(form)
        if status in ENDED:
            conversation_id = record_call_end(hotline, call, status, form.get("CallDuration"))
            if conversation_id:
                enqueue_summary(hotline, conversation_id)
    except Exception as exc:
        log_failure(log, "call status", form.get("From"), exc)
        if status in ENDED and _SID.match(form.get("CallSid", "")):
            call = call_of(form)
            writeback.keep_call_end(hotline, call.session, call.phone, f"{call.sid}:end", status,
                                    exc)
    return Response(status=204)


# --- turns ----------------------------------------------------------------------------------


def start_call(hotline, call: Call) -> str:
    state, replies, _ = run_call_turn(hotline, call, 0, flow.Heard(flow.ANSWER))
    return respond(hotline, state, replies, 1)


def run_call_turn(
    hotline, call: Call, turn: int, heard: flow.Heard | None, hear=None
) -> tuple[dict | None, list[dict], bool]:
    """One core turn for what the caller said: the state after it, what to say, and whether
    a turn was committed.

    With `hear`, what was said is read from the loaded state first; when it is no answer, or
    the call is not asking anything, nothing is committed (the loaded state comes back when
    the call is not asking)."""
    committed: dict = {}

    def compute(loaded: TurnInput) -> TurnOutput | None:
        said = heard
        if hear is not None:
            if (
                not loaded.state
                or loaded.state["phase"] != "asking"
                or not loaded.state["question"]
            ):
                committed["state"] = loaded.state
                return None
            said = hear(loaded.state)
            if said.kind in NOT_FOR_THE_CORE:
                return None
        # A caller who opted out of texts is still talking to us: the core is told they are
        # not, and opting out only keeps texts (the follow-up, the after-call text) away.
        state, replies, effects = step(loaded.state, Inbound(said.text, "voice"), hotline.context)
        replies, effects = flow.for_the_call(
            hotline.context,
            state,
            replies,
            effects,
            can_text=can_receive_texts(call.phone) and not loaded.opted_out,
            greet_again=bool(loaded.state) and not loaded.state.get("answers"),
        )
        committed["state"] = state
        return TurnOutput(state, replies, effects, inbound_text=said.shown or None)

    result = hotline.store.run_turn(
        call.session, call.phone, "voice", f"{call.sid}:{turn}", compute
    )
    if not result.committed:
        return committed.get("state"), [], False
    if result.duplicate:  # Twilio sent this request again: say again what we said then
        stored = hotline.store.get_state(call.session)
        if stored is None:
            raise CallIsOver(call.sid)
        committed["state"] = stored["state"]
    lang = (committed.get("state") or {}).get("lang", "en")
    plan_turn_alerts(hotline, result, call.phone, "voice", lang)
    return committed["state"], result.replies, True


def respond(hotline, state: dict, replies: list[dict], next_turn: int) -> str:
    lang, nurse = state["lang"], bool(hotline.settings.transfer_number)
    replies = flow.with_transfer_hint(hotline.context, lang, replies, nurse)
    offer_url = route_url(OFFER_PATH, l=lang) if nurse else None
    xml = flow.after_turn(
        hotline.context, state, replies, _answer_url(next_turn, 0, state), offer_url
    )
    if xml is None:
        raise RuntimeError(f"a call turn ended in phase {state.get('phase')!r}")
    return xml


def _ask(hotline, state: dict, lines: list[str], turn: int, reasks: int) -> str:
    question = hotline.protocol.question(state["question"])
    return flow.ask(
        hotline.context, state["lang"], lines, question, _answer_url(turn, reasks, state)
    )


def _answer_url(turn: int, reasks: int, state: dict) -> str:
    """The Gather's action; q names the question asked, for when the state is out of reach."""
    query = {"n": turn, "r": reasks, "l": state["lang"]}
    if state.get("question"):
        query["q"] = state["question"]
    return route_url(ANSWER_PATH, **query)


def route_url(path: str, **query: object) -> str:
    """A callback URL for TwiML: this app's own path (under any prefix the proxy gave it) and
    the query. What url_for builds, at a fraction of its cost on every Gather."""
    return f"{request.script_root}{path}?{_query_string(tuple(query.items()))}"


# A Gather's query is a turn and re-ask count, a language and a question id: a few hundred
# distinct ones, each encoded once per process instead of on every turn.
@functools.lru_cache(maxsize=4096)
def _query_string(items: tuple[tuple[str, object], ...]) -> str:
    return urlencode(items)


def _count(raw: str | None) -> int:
    try:
        return max(0, min(int(raw or 0), 10_000))
    except ValueError:
        return 0


def connect_nurse(hotline, call: Call, lang: str, question: str | None) -> str:
    number = hotline.settings.transfer_number
    if not number:  # HOTLINE_TRANSFER_NUMBER was unset while the call went on
        return flow.goodbye(hotline.context, lang, [])
    note(hotline, call, {"type": "transfer", "question": question})
    return flow.transfer(hotline.context, lang, number, route_url(DIALED_PATH, l=lang))


def note(hotline, call: Call, event: dict) -> None:
    """An event in the call's log for staff; best effort, the TwiML does not wait on it."""
    try:
        stored = hotline.store.get_state(call.session)
        if stored:
            hotline.store.append_log(stored["conv"], [event_entry(event)])
    except Exception as exc:
        log_failure(log, "noting a call event", call.phone, exc)


def event_entry(event: dict) -> dict:
    return {"at": now_iso(), "direction": "event", "channel": "voice", "text": json.dumps(event)}


# --- the end of a call ----------------------------------------------------------------------


def record_call_end(hotline, call: Call, status: str, duration: str | None) -> str | None:
    """Record that the call ended; the conversation id when there is advice to text them."""
    if hotline.store.get_state(call.session) is None:
        return None  # a call we never answered (or whose state expired)
    committed: dict = {}

    def compute(loaded: TurnInput) -> TurnOutput:
        if loaded.state is None:
            raise NotACall("the call's state expired while it ended")
        state, effects = flow.hang_up(loaded.state)
        event = {
            "type": "call_ended",
            "call_status": status,
            "duration_s": _count(duration),
            "during": loaded.state.get("question") or loaded.state.get("phase"),
        }
        committed["state"] = state
        return TurnOutput(state, [], effects, extra_log=[event_entry(event)])

    result = hotline.store.run_turn(call.session, call.phone, "voice", f"{call.sid}:end", compute)
    if result.duplicate:
        return None
    plan_turn_alerts(hotline, result, call.phone, "voice", committed["state"].get("lang", "en"))
    if any(e["type"] == "hung_up" and e.get("stopped_at") for e in result.effects):
        plan_call_closing(hotline, result.conversation_id, call.phone)  # the safety-net text
    if not committed["state"].get("disposition"):
        return None
    return result.conversation_id


def enqueue_summary(hotline, conversation_id: str) -> None:
    followups.queue(hotline.rq_redis).enqueue(
        "hotline.outbound.after_call.send_call_summary",
        conversation_id,
        job_id=f"call-summary-{conversation_id}",
        retry=Retry(max=3, interval=[10, 60, 300]),
    )
