"""A call's side of the triage, pure: what a caller's keypress or speech means for the current
question, and the TwiML that says the core's replies and listens for the next answer.

Nothing here touches Flask or Redis; hotline/channels/voice.py runs the turns and picks the URLs.
TwiML is built only with twilio's VoiceResponse builders.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline.triage import decision
from hotline.triage.conversation import ASKING, FINISHED, Context, Turn
from hotline.triage.decision import EMERGENCY
from hotline.triage.protocol import Protocol, Question
from hotline.triage.safety_net import red_flags_unanswered

CONFIDENCE_FLOOR = 0.5  # below this Twilio's recogniser is guessing; we ask again instead
MAX_REASKS = 2  # a question is asked again at most twice for silence or a doubtful answer
GATHER_TIMEOUT = 6  # seconds of silence after the prompt before the Gather gives up
OFFER_TIMEOUT = 5  # seconds to press 0 for the nurse before we connect anyway
DIAL_TIMEOUT = 30  # seconds the nurse's phone rings

REPEAT_KEY, LANGUAGE_KEY, PERSON_KEY = "*", "9", "0"
YES_NO_KEYS = ("1", "2")  # the core reads "1" as yes and "2" as no
DURATION_KEYS = ("1", "2", "3", "4")  # duration_menu, meanings in prompts [voice.keypad_duration]
SWITCH_TO = {"en": "español", "es": "english"}  # the core's language keywords

# What a caller's input is, for the adapter.
ANSWER = "answer"  # give `text` to the core as the answer
SWITCH_LANGUAGE = "switch_language"  # give `text` (a language keyword) to the core
REPEAT = "repeat"  # say the question again
PERSON = "person"  # connect to the on-call nurse
SILENCE = "silence"  # nothing heard
DOUBTFUL = "doubtful"  # heard, but not well enough to act on: a low-confidence guess or a
# key that means nothing here


@dataclass(frozen=True)
class Heard:
    kind: str
    text: str = ""  # what the core is given
    shown: str = ""  # what the transcript shows staff


def hear(
    protocol: Protocol,
    lang: str,
    question: Question,
    digits: str,
    speech: str,
    confidence: str | None,
    can_transfer: bool,
) -> Heard:
    """What the caller's Gather result means for `question`."""
    digits, speech = (digits or "").strip(), (speech or "").strip()
    if digits:
        return _keypress(protocol, lang, question, digits[0], can_transfer)
    if not speech:
        return Heard(SILENCE)
    if _confidence(confidence) < CONFIDENCE_FLOOR:
        return Heard(DOUBTFUL)
    return Heard(ANSWER, speech, speech)


def _keypress(
    protocol: Protocol, lang: str, question: Question, key: str, can_transfer: bool
) -> Heard:
    shown = f"[keypad {key}]"
    if key == REPEAT_KEY:
        return Heard(REPEAT)
    if key == LANGUAGE_KEY:
        return Heard(SWITCH_LANGUAGE, SWITCH_TO[lang], shown)
    if key == PERSON_KEY and can_transfer:
        return Heard(PERSON, shown=shown)
    if question.kind == "duration" and key in DURATION_KEYS:
        words = protocol.text(lang, f"keypad_duration.{key}", "voice")
        return Heard(ANSWER, words, f"{shown} {words}")
    if question.kind == "yes_no" and key in YES_NO_KEYS:
        return Heard(ANSWER, key, shown)
    return Heard(DOUBTFUL)


def _confidence(raw: str | None) -> float:
    """Twilio sends Confidence with every SpeechResult; a missing one is not a doubt."""
    if raw is None or not raw.strip():
        return 1.0
    try:
        return float(raw)
    except ValueError:
        return 0.0


# --- adjusting the core's turn for a call ---------------------------------------------------


def for_the_call(
    ctx: Context,
    state: dict,
    replies: list[dict],
    effects: list[dict],
    can_text: bool,
    greet_again: bool,
) -> tuple[list[dict], list[dict]]:
    """The core's replies and effects as they apply on a call.

    A caller who cannot get texts (no usable number, or opted out) gets no follow-up and is not
    promised one. A caller who switches language before answering anything hears the greeting
    (the disclaimer) again in the new language instead of a bare "OK".
    """
    if not can_text:
        replies = [r for r in replies if r["key"] != "followup_note"]
        effects = [e for e in effects if e["type"] != "schedule_followup"]
    if greet_again:
        replies = [
            _reply(ctx, state["lang"], "greeting") if r["key"] == "language_switched" else r
            for r in replies
        ]
    return replies, effects


def hang_up(state: dict) -> tuple[dict, list[dict]]:
    """The caller hung up: keep what was answered, and a red flag already given keeps its level.

    The questions that were never asked stay unanswered; decide() only counts the flags raised,
    so a hang-up can never lower a level, and with no flag raised there is no disposition.
    """
    state = copy.deepcopy(state)
    if state.get("phase") != ASKING:
        return state, []
    if decision.flag_level(state["answers"]) is None:
        # Closed like a texter who stopped answering: status no_reply, at this question.
        return state, [{"type": "hung_up", "stopped_at": state.get("question"),
                        "flags_open": red_flags_unanswered(state["answers"])}]
    result = decision.decide(state["answers"])
    rule = f"{result.rule}; the caller hung up before the questions ended"
    state.update(
        phase=FINISHED,
        question=None,
        unclear=0,
        disposition=result.disposition,
        rule=rule,
        red_flags=list(result.red_flags),
    )
    effects = [
        {
            "type": "finished",
            "disposition": result.disposition,
            "red_flags": list(result.red_flags),
            "rule": rule,
        }
    ]
    if result.disposition == EMERGENCY:
        effects.append({"type": "alert_staff", "disposition": EMERGENCY})
    effects.append({"type": "hung_up"})
    return state, effects


# --- speaking -------------------------------------------------------------------------------


def _reply(ctx: Context, lang: str, key: str) -> dict:
    turn = Turn({"lang": lang}, ctx, "voice")
    turn.say(key)
    return turn.replies[0]


def spoken(ctx: Context, lang: str, key: str) -> str:
    """One message's voice wording in `lang`, placeholders filled as the core fills them."""
    return _reply(ctx, lang, key)["text"]


class Speaker:
    """Says lines in one language with that language's voice (prompts meta)."""

    def __init__(self, ctx: Context, lang: str) -> None:
        meta = ctx.protocol.meta[lang]
        self.ctx, self.lang = ctx, lang
        self.voice, self.language = str(meta["voice"]), str(meta["voice_language"])

    def text(self, key: str) -> str:
        return spoken(self.ctx, self.lang, key)

    def say(self, target: VoiceResponse | Gather, text: str) -> None:
        target.say(text, voice=self.voice, language=self.language)

    def say_slowly(self, target: VoiceResponse | Gather, text: str) -> None:
        say = target.say(voice=self.voice, language=self.language)
        say.prosody(text, rate="slow")


def ask(ctx: Context, lang: str, lines: list[str], question: Question, action: str) -> str:
    """Say `lines` (which end with the question) and listen for the answer to `question`."""
    speaker = Speaker(ctx, lang)
    hints_key, hint_key = (
        ("hints.duration", "duration_menu")
        if question.kind == "duration"
        else ("hints.yes_no", "keys_hint")
    )
    return _gather_twiml(
        speaker.voice, speaker.language, speaker.text(hints_key),
        (*lines, speaker.text(hint_key)), action,
    )


# The same questions are asked in every call: the TwiML of one (its words, voice and action URL
# are the whole key) is built by twilio's builders once and reused.
@functools.lru_cache(maxsize=2048)
def _gather_twiml(voice: str, language: str, hints: str, lines: tuple[str, ...],
                  action: str) -> str:
    response = VoiceResponse()
    # actionOnEmptyResult: without it a Gather that hears nothing falls through to the next
    # verb instead of calling us; the Redirect is the same request for the case it is ignored.
    gather = response.gather(
        input="dtmf speech",
        action=action,
        method="POST",
        num_digits=1,
        timeout=GATHER_TIMEOUT,
        speech_timeout="auto",
        language=language,
        hints=hints,
        action_on_empty_result=True,
    )
    for line in lines:
        gather.say(line, voice=voice, language=language)
    response.redirect(action, method="POST")
    return str(response)


def question_again(ctx: Context, state: dict, lead: str | None) -> list[str]:
    """The current question, after `lead` (no_input, low_confidence) when there is one."""
    lines = [spoken(ctx, state["lang"], lead)] if lead else []
    return lines + [spoken(ctx, state["lang"], f"question.{state['question']}")]


def with_transfer_hint(
    ctx: Context, lang: str, replies: list[dict], can_transfer: bool
) -> list[dict]:
    """The nurse is mentioned right after the greeting (in either language) when there is one."""
    lines = []
    for reply in replies:
        lines.append(reply)
        if reply["key"] == "greeting" and can_transfer:
            lines.append(_reply(ctx, lang, "transfer_hint"))
    return lines


def ending(
    ctx: Context, lang: str, replies: list[dict], disposition: str | None, offer_action: str | None
) -> str:
    """The advice, then goodbye; after emergency advice the nurse is offered if there is one."""
    speaker = Speaker(ctx, lang)
    response = VoiceResponse()
    _say_replies(speaker, response, replies)
    if disposition == EMERGENCY and offer_action:
        gather = response.gather(
            input="dtmf",
            action=offer_action,
            method="POST",
            num_digits=1,
            timeout=OFFER_TIMEOUT,
            action_on_empty_result=True,
        )
        speaker.say(gather, speaker.text("transfer_offer"))
        response.redirect(offer_action, method="POST")
        return str(response)
    speaker.say(response, speaker.text("goodbye"))
    response.hangup()
    return str(response)


def _say_replies(speaker: Speaker, response: VoiceResponse, replies: list[dict]) -> None:
    """Each reply in turn; the emergency advice slowly, and twice, so it is heard."""
    for reply in replies:
        if reply["key"] == f"advice.{EMERGENCY}":
            speaker.say_slowly(response, reply["text"])
            response.pause(length=1)
            speaker.say_slowly(response, reply["text"])
        else:
            speaker.say(response, reply["text"])


def after_turn(
    ctx: Context, state: dict, replies: list[dict], action: str, offer_action: str | None
) -> str | None:
    """The TwiML for where a turn left the conversation; None when it is nowhere a call can be."""
    if state.get("phase") == ASKING and state.get("question"):
        question = ctx.protocol.question(state["question"])
        lines = [r["text"] for r in replies]
        if not any(r["key"] == f"question.{question.key}" for r in replies):
            # e.g. after STOP the core says only that texts are off; a caller needs the question
            lines.append(spoken(ctx, state["lang"], f"question.{question.key}"))
        return ask(ctx, state["lang"], lines, question, action)
    if state.get("phase") == FINISHED and state.get("disposition"):
        return ending(ctx, state["lang"], replies, state["disposition"], offer_action)
    return None


def goodbye(ctx: Context, lang: str, keys: list[str]) -> str:
    """Say each message, then goodbye, then hang up."""
    speaker = Speaker(ctx, lang)
    response = VoiceResponse()
    for key in [*keys, "goodbye"]:
        speaker.say(response, speaker.text(key))
    response.hangup()
    return str(response)


def transfer(ctx: Context, lang: str, number: str, action: str) -> str:
    speaker = Speaker(ctx, lang)
    response = VoiceResponse()
    speaker.say(response, speaker.text("transferring"))
    response.dial(number, action=action, method="POST", timeout=DIAL_TIMEOUT)
    return str(response)


def safe_ending(ctx: Context, lang: str, replies: list[dict]) -> str:
    """The error path: replies that need no state (safety.safe_replies), then hang up politely."""
    speaker = Speaker(ctx, lang)
    response = VoiceResponse()
    _say_replies(speaker, response, replies)
    response.hangup()
    return str(response)


def bare_hangup() -> str:
    """The last resort when even the safe ending cannot be built."""
    response = VoiceResponse()
    response.hangup()
    return str(response)
