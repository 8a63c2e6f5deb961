"""One turn of a conversation: step(state, inbound, context) -> (state, replies, effects).

Pure and serialisable: the state is a plain dict that fits in Redis as JSON, replies are
rendered messages, and effects are plain dicts the adapters carry out (opt-out, schedule or
cancel follow-ups, conversation finished). The same step serves SMS, voice and check-ins.

Effects (all dicts with a "type"):
  {"type": "new_conversation"}                  a fresh conversation begins (first message, RESTART)
  {"type": "finished", "disposition", "red_flags", "rule"}
  {"type": "schedule_followup", "disposition"}  adapters apply HOTLINE_FOLLOWUP_* delays
  {"type": "cancel_followups"}
  {"type": "alert_staff", "disposition"}        emergency: top of the staff queue
  {"type": "opt_out"} / {"type": "opt_in"}
  {"type": "checkin_answered", "reply": "better|same|worse|unclear"}
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from hotline.triage import decision
from hotline.triage.answers import (
    UNCLEAR,
    choose_duration,
    denies_flag,
    leans_yes,
    own_words_answer,
    parse_checkin,
    parse_duration_hours,
    parse_yes_no,
    says_same_as_before,
    says_unsure,
)
from hotline.triage.decision import EMERGENCY, NO, SELF_CARE, SOON, UNKNOWN, URGENT, YES
from hotline.triage.keywords import match_keyword
from hotline.triage.language import detect_language
from hotline.triage.protocol import Protocol, Question
from hotline.triage.reading import Reading, read
from hotline.triage.redflags import flags_stated, scan_red_flags

STATE_VERSION = 1
MAX_UNCLEAR = 3
NEW, ASKING, FINISHED, CHECKIN = "new", "asking", "finished", "checkin"
FOLLOWUP_LEVELS = (SELF_CARE, SOON, URGENT)


@dataclass(frozen=True)
class Inbound:
    text: str
    channel: str = "sms"
    media_count: int = 0
    opted_out: bool = False


@dataclass(frozen=True)
class Context:
    protocol: Protocol
    emergency_number: str = "911"
    transfer_number: str = ""
    followup_levels: frozenset[str] = frozenset(FOLLOWUP_LEVELS)
    # HOTLINE_TIMEZONE: "since tuesday" is the last Tuesday before today where the person is.
    timezone: tzinfo = field(default_factory=lambda: ZoneInfo("America/New_York"))
    # What time it is where the person is: durations such as "since last night" depend on it.
    clock: Callable[[tzinfo], datetime] = datetime.now

    def now(self) -> datetime:
        return self.clock(self.timezone)


@dataclass
class Turn:
    """What one step produces, gathered while the step runs."""

    state: dict
    ctx: Context
    channel: str
    replies: list[dict] = field(default_factory=list)
    effects: list[dict] = field(default_factory=list)

    def say(self, key: str) -> None:
        text = self.ctx.protocol.text(
            self.state["lang"], key, self.channel,
            emergency_number=self.ctx.emergency_number,
            transfer_number=self.ctx.transfer_number or self.ctx.emergency_number)
        self.replies.append({"key": key, "text": text})

    def effect(self, kind: str, **data: object) -> None:
        self.effects.append({"type": kind, **data})


def new_state(lang: str = "en", channel: str = "sms") -> dict:
    return {"v": STATE_VERSION, "lang": lang, "channel": channel, "phase": NEW,
            "question": None, "unclear": 0, "answers": {}, "red_flags": [], "scanned": [],
            "disposition": None, "rule": None, "floor": None, "checkin_for": None,
            "from_words": []}


def copied(value):
    """A deep copy of JSON-shaped data (dicts, lists, scalars): what copy.deepcopy does for
    the state, at a fraction of its cost (no memo, no reduce protocol). Anything else is
    handed to deepcopy."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    return copy.deepcopy(value)


def step(state: dict | None, inbound: Inbound, ctx: Context) -> tuple[dict, list[dict], list[dict]]:
    """Advance the conversation by one inbound message."""
    state = copied(state) if state else new_state(channel=inbound.channel)
    turn = Turn(state, ctx, inbound.channel)
    keyword = match_keyword(inbound.text)
    if inbound.opted_out and keyword not in ("start", "help"):
        return state, [], []  # opted out: nothing may be sent until START (HELP is answered)
    if keyword:
        _keyword(turn, keyword, inbound)
    elif state["phase"] == NEW:
        _start(turn, inbound)
    elif not inbound.text.strip():
        _empty(turn, inbound)
    elif state["phase"] == ASKING:
        _answer(turn, inbound.text)
    elif state["phase"] == CHECKIN:
        _checkin_reply(turn, inbound.text)
    else:
        _after_finish(turn, inbound.text)
    return turn.state, turn.replies, turn.effects


def start_checkin(state: dict, ctx: Context, channel: str = "sms") -> tuple[dict, list[dict]]:
    """The follow-up text is going out: expect better / same / worse next."""
    state = copied(state)
    level = state.get("disposition") or SOON
    state.update(phase=CHECKIN, checkin_for=level, unclear=0, question=None)
    turn = Turn(state, ctx, channel)
    turn.say(f"checkin.{level}")
    return turn.state, turn.replies


def current_question(state: dict, protocol: Protocol) -> Question | None:
    key = state.get("question")
    return protocol.question(key) if key else None


# --- keywords -------------------------------------------------------------------------------

def _keyword(turn: Turn, keyword: str, inbound: Inbound) -> None:
    state = turn.state
    if keyword == "stop":
        turn.effect("opt_out")
        turn.effect("cancel_followups")
        turn.say("opted_out")
    elif keyword == "start":
        turn.effect("opt_in")
        turn.say("opted_in")
    elif keyword == "help":
        turn.say("help")
        if inbound.opted_out:  # carriers' rule: HELP always gets an answer, and how to return
            turn.say("opted_out")
        else:
            _repeat_question(turn)
    elif keyword == "restart":
        lang = state["lang"] if state["phase"] != NEW else detect_language(inbound.text)
        turn.state = new_state(lang, inbound.channel)
        turn.effect("cancel_followups")
        turn.effect("new_conversation")
        turn.say("restarted")
        turn.state["phase"] = ASKING
        _ask_next(turn)
    else:
        state["lang"] = "es" if keyword == "spanish" else "en"
        if state["phase"] == NEW:
            _start(turn, Inbound("", inbound.channel), detect=False)
        else:
            turn.say("language_switched")
            _repeat_question(turn)


def _repeat_question(turn: Turn) -> None:
    if turn.state["phase"] == ASKING and turn.state["question"]:
        turn.say(f"question.{turn.state['question']}")
    elif turn.state["phase"] == CHECKIN:
        turn.say("reprompt.checkin")


# --- the first message ----------------------------------------------------------------------

def _start(turn: Turn, inbound: Inbound, detect: bool = True) -> None:
    state = turn.state
    if detect:  # a language keyword as the first message has already chosen
        state["lang"] = detect_language(inbound.text)
    turn.effect("new_conversation")
    state["phase"] = ASKING
    turn.say("greeting")
    reading = read(inbound.text, state["lang"])
    _record_scan(turn, reading)
    _record_story(turn, reading)
    _ask_next(turn)


# --- answers --------------------------------------------------------------------------------

def _answer(turn: Turn, text: str) -> None:
    state = turn.state
    question = current_question(state, turn.ctx.protocol)
    reading = read(text, state["lang"])  # read once: scan and answer share it
    stated = _record_scan(turn, reading)
    if question is None:
        _ask_next(turn)
        return
    if question.flag and (question.flag in stated or state["answers"].get(question.flag) == YES):
        # What a reply describes counts, whichever yes/no word it starts with ("nope, although
        # the knee gives out"): a described red flag is a yes, and a scan only ever raises.
        value: object | None = YES
    else:
        value = _understand(question, reading, state, turn.ctx)
    if value is None:
        _record_story(turn, reading)
        if question.key in state["answers"]:  # their words answered it after all
            state["unclear"] = 0
            _ask_next(turn)
            return
        _unclear(turn, question, text)
        return
    state["answers"][question.key] = value
    state["unclear"] = 0
    _record_story(turn, reading)
    _ask_next(turn)


def _understand(question: Question, reading: Reading, state: dict, ctx: Context) -> object | None:
    if question.kind == "duration":
        hours = parse_duration_hours(reading, now=ctx.now())
        if hours is None and says_unsure(reading):
            return UNKNOWN  # they don't know how long: counted as long, never as short
        return hours
    if says_unsure(reading):
        # Unsure is unknown, never a no: an unknown story answer rules out self-care, and an
        # unknown red flag counts as present. A hedged yes to a red flag ("yes, a little") is a
        # yes; otherwise a red flag is asked once more first, because counting it present may
        # send the person to the emergency department.
        if question.flag and leans_yes(reading):
            return YES
        if question.flag and state["unclear"] == 0:
            return None
        return UNKNOWN
    answer = parse_yes_no(reading)
    if answer != UNCLEAR:
        return answer
    if question.flag and denies_flag(reading, question.flag):
        return NO
    if says_same_as_before(reading):
        return _last_yes_no(state["answers"])
    return own_words_answer(reading, question.key)


def _last_yes_no(answers: dict) -> str | None:
    # "same as before" repeats the answer given last; with none yet it is asked again.
    return next((v for v in reversed(list(answers.values())) if v in (YES, NO)), None)


def _unclear(turn: Turn, question: Question, text: str) -> None:
    state = turn.state
    if decision.flag_level(state["answers"]) == EMERGENCY:
        _ask_next(turn)  # a flag found in their words already decides
        return
    state["unclear"] += 1
    if state["unclear"] >= MAX_UNCLEAR:
        # Never guessed: an unanswered red flag counts as present, an unknown story answer
        # rules out self-care (decision.py), so giving up can only raise the level.
        state["answers"][question.key] = UNKNOWN
        state["unclear"] = 0
        turn.say("gave_up")
        _ask_next(turn)
        return
    turn.say("bad_input.unreadable" if _unreadable(text) else f"reprompt.{_reprompt_for(question)}")
    turn.say(f"question.{question.key}")


def _reprompt_for(question: Question) -> str:
    return "duration" if question.kind == "duration" else "yes_no"


def _unreadable(text: str) -> bool:
    """Letters, but none we can read: another script."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not any(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def _empty(turn: Turn, inbound: Inbound) -> None:
    turn.say("bad_input.media" if inbound.media_count else "bad_input.empty")
    _repeat_question(turn)
    if turn.state["phase"] == FINISHED:
        turn.say("already_finished")


def _record_scan(turn: Turn, reading: Reading) -> frozenset[str]:
    """Red flags in free text count as that flag's yes; a scan only ever adds. Returns the
    flags this message states."""
    state = turn.state
    stated = flags_stated(reading)
    for flag in sorted(stated):
        if state["answers"].get(flag) != YES:
            state["answers"][flag] = YES
        if flag not in state["scanned"]:
            state["scanned"].append(flag)
    state["red_flags"] = list(decision.raised_flags(state["answers"]))
    return stated


def _record_story(turn: Turn, reading: Reading) -> None:
    """Story answers said in passing ("numb for 3 weeks", "I'm diabetic") count when they rule
    out self-care, so the story can stop without asking them; like a scan, only ever raising."""
    state = turn.state
    lasting = choose_duration([d for d in reading.durations if d.lasting], turn.ctx.now())
    for key, value in decision.story_from_words(reading.story_stated, lasting).items():
        if decision.raises_story(key, state["answers"].get(key), value):
            state["answers"][key] = value
            words = state.setdefault("from_words", [])
            if key not in words:
                words.append(key)


# --- choosing what to ask -------------------------------------------------------------------

def next_question(state: dict, protocol: Protocol) -> Question | None:
    """The first question still needed: one that could still change the level (or, for
    `resolved`, the advice). Red flags are always asked; the story stops once decided."""
    answers = state["answers"]
    level = decision.flag_level(answers)
    if level == EMERGENCY:
        return None
    for question in protocol.questions:
        if question.key in answers:
            continue
        if question.level == EMERGENCY:
            return question
        if question.level == URGENT and level is None:
            return question
        if (question.level is None and level is None
                and decision.story_question_needed(answers, question.key)):
            return question
    return None


def _ask_next(turn: Turn) -> None:
    state = turn.state
    state["red_flags"] = list(decision.raised_flags(state["answers"]))
    question = next_question(state, turn.ctx.protocol)
    if question is None:
        _finish(turn)
        return
    state["question"] = question.key
    turn.say(f"question.{question.key}")


def _finish(turn: Turn, floor: str | None = None) -> None:
    state = turn.state
    result = decision.decide(state["answers"])
    level, rule = result.disposition, result.rule
    if not result.red_flags:
        story = [q.key for q in turn.ctx.protocol.story_questions]
        rule += decision.skipped_note(state["answers"], story)
        if state.get("from_words"):
            rule += f"; from their own words: {', '.join(state['from_words'])}"
    floor = decision.higher(floor, state.get("floor"))
    if decision.rank(floor) > decision.rank(level):
        level, rule = floor, f"{rule}; kept at the earlier {floor}"
    state.update(phase=FINISHED, question=None, unclear=0, disposition=level, rule=rule,
                 red_flags=list(result.red_flags))
    turn.effect("finished", disposition=level, red_flags=list(result.red_flags), rule=rule)
    _give_advice(turn, level)


def _give_advice(turn: Turn, level: str) -> None:
    for key in decision.advice_keys(level, turn.state["answers"]):
        turn.say(key)
    if level in (SOON, SELF_CARE):
        turn.say("safety_net")
    if level == EMERGENCY:
        turn.effect("alert_staff", disposition=level)
    elif level in turn.ctx.followup_levels:
        turn.effect("schedule_followup", disposition=level)
        turn.say("followup_note")


# --- after the advice -----------------------------------------------------------------------

def _after_finish(turn: Turn, text: str) -> None:
    """A message after the advice: only a new red flag changes anything."""
    state = turn.state
    before = state["disposition"]
    _record_scan(turn, read(text, state["lang"]))
    level = decision.flag_level(state["answers"])
    if decision.rank(level) > decision.rank(before):
        turn.effect("cancel_followups")
        _reopen(turn, floor=before)
        return
    turn.say("already_finished")


def _checkin_reply(turn: Turn, text: str) -> None:
    state = turn.state
    reading = read(text, state["lang"])
    reply = parse_checkin(reading)
    flags_before = set(state["scanned"])
    _record_scan(turn, reading)
    new_flag = set(state["scanned"]) - flags_before
    if new_flag or reply == "worse":
        turn.effect("checkin_answered", reply="worse")
        _retriage(turn)
    elif reply == "same":
        turn.effect("checkin_answered", reply="same")
        turn.say("checkin.same")
        _conclude_as_same(turn)
    elif reply == "better":
        turn.effect("checkin_answered", reply="better")
        turn.say("checkin.better")
        turn.say("safety_net")
        state.update(phase=FINISHED, unclear=0)
    else:
        _checkin_unclear(turn)


def _checkin_unclear(turn: Turn) -> None:
    state = turn.state
    state["unclear"] += 1
    if state["unclear"] < MAX_UNCLEAR:
        turn.say("reprompt.checkin")
        return
    turn.effect("checkin_answered", reply="unclear")
    turn.say("gave_up")
    _conclude_as_same(turn)  # playing it safe: a reply never understood is no "better"


def _conclude_as_same(turn: Turn) -> None:
    # The same after self-care is a doctor's visit, followed up; any other level stands.
    checked = turn.state["checkin_for"]
    self_care = checked == SELF_CARE
    _conclude(turn, SOON if self_care else checked, schedule=self_care)


def _conclude(turn: Turn, level: str, schedule: bool) -> None:
    state = turn.state
    level = decision.higher(level, state["disposition"])
    rule = f"check-in: {state['checkin_for']} → {level}"
    state.update(phase=FINISHED, unclear=0, disposition=level, rule=rule)
    turn.effect("finished", disposition=level, red_flags=state["red_flags"], rule=rule)
    turn.say(f"advice.{level}")
    if level in (SOON, SELF_CARE):
        turn.say("safety_net")
    if schedule and level in turn.ctx.followup_levels:
        turn.effect("schedule_followup", disposition=level)
        turn.say("followup_note")


def _retriage(turn: Turn) -> None:
    """Worse, or a new red flag: the red-flag questions again, the story kept, worsening yes."""
    state = turn.state
    floor = state["disposition"]
    story = {k: v for k, v in state["answers"].items() if k in decision.STORY_KEYS}
    scanned = {f: YES for f in state["scanned"] if f in decision.FLAG_LEVELS}
    state["answers"] = {**story, **scanned, "worsening": YES}
    turn.say("checkin.worse")
    _reopen(turn, floor=floor)


def _reopen(turn: Turn, floor: str | None) -> None:
    state = turn.state
    state.update(phase=ASKING, unclear=0, floor=decision.higher(floor, state.get("floor")))
    _ask_next(turn)


def flags_in(texts: Iterable[str], lang: str = "en") -> frozenset[str]:
    """Every red flag named in a batch of messages (used where no conversation state exists)."""
    found: set[str] = set()
    for text in texts:
        found |= scan_red_flags(text, lang)
    return frozenset(found)


def flags_heard(protocol: Protocol, text: str, lang: str, question_key: str | None = None,
                keypress: str = "") -> frozenset[str]:
    """The red flags a message names without any conversation state (Redis is away): those
    in its words, and the asked question's own flag when the answer is yes (a call's callback
    URL names the question; keypad 1 is yes)."""
    found = set(scan_red_flags(text, lang)) if text.strip() else set()
    question = next((q for q in protocol.questions if q.key == question_key), None)
    if question is not None and question.flag and question.kind == "yes_no":
        said = keypress.strip()[:1] or text
        if said and parse_yes_no(said, lang) == YES:
            found.add(question.flag)
    return frozenset(found)


def heard_level(flags: Iterable[str]) -> str | None:
    """The level the flags alone call for (None: no flag)."""
    return decision.flag_level({flag: YES for flag in flags if flag in decision.FLAG_LEVELS})


def where_we_are(state: dict, ctx: Context, channel: str = "sms") -> list[dict]:
    """What the conversation is waiting on, said again: the pending question, the check-in's
    reply options, or the advice given (for a reply owed after a Redis outage)."""
    turn = Turn(copied(state), ctx, channel)
    if state.get("phase") == ASKING and state.get("question"):
        turn.say(f"question.{state['question']}")
    elif state.get("phase") == CHECKIN:
        turn.say("reprompt.checkin")
    elif state.get("phase") == FINISHED and state.get("disposition"):
        turn.say(f"advice.{state['disposition']}")
        if state["disposition"] in (SOON, SELF_CARE):
            turn.say("safety_net")
    return turn.replies
