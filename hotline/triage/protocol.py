"""The protocol as data: the question flow (prompts/protocol.toml) and every message we send
(prompts/<lang>/messages.toml), loaded and checked once at start-up.

A problem in the files stops start-up with the file, the key and what is wrong, so a typo in a
translation can never reach a patient as a crash or an empty message.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hotline.triage.decision import DISPOSITIONS, EMERGENCY, FLAG_LEVELS, SELF_CARE, URGENT

LANGUAGES = ("en", "es")
CHANNELS = ("sms", "voice")
KINDS = ("yes_no", "duration")
PLACEHOLDERS = frozenset({"emergency_number", "transfer_number"})
MAX_SMS_CHARS = 320
MAX_FILLED = 4096  # wordings kept filled in: a few hundred keys x languages x channels

# Message keys the code uses besides one per question, advice level and check-in level.
SMS_KEYS = frozenset({
    "greeting", "help", "opted_out", "opted_in", "restarted", "language_switched", "gave_up",
    "already_finished", "safe_fallback", "outage_wait", "outage_resume", "followup_note",
    "safety_net",
    "reprompt.yes_no", "reprompt.duration", "reprompt.checkin",
    "bad_input.empty", "bad_input.media", "bad_input.unreadable",
    "checkin.better", "checkin.same", "checkin.worse",
    "self_care.gone", "self_care.still_numb",
})
# The safety net's texts (hotline/triage/safety_net.py): the nudge after silence, the text that
# closes a conversation nobody answered, the short name of each red flag they list, and the
# words of an on-call alert.
SAFETY_NET_KEYS = frozenset({
    "silence.nudge", "silence.call_now", "silence.resume", "silence.closed",
    "silence.start_again", "alert.intro", "alert.number", "alert.by_sms", "alert.by_voice",
    "alert.no_flags", *(f"sign.{flag}" for flag in FLAG_LEVELS),
})
# Spoken-only keys: things that exist only on a call.
VOICE_ONLY_KEYS = frozenset({
    "keys_hint", "no_input", "low_confidence", "goodbye", "transfer_offer", "transferring",
    "duration_menu", "transfer_hint", "transfer_failed", "no_answer_goodbye", "hints.yes_no",
    "hints.duration", "keypad_duration.1", "keypad_duration.2", "keypad_duration.3",
    "keypad_duration.4",
})


class ProtocolError(ValueError):
    """The prompts/ files are not a protocol the hotline can safely run."""

    def __init__(self, file: Path | str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = str(file), key, reason


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    flag: str | None = None

    @property
    def level(self) -> str | None:
        return FLAG_LEVELS[self.flag] if self.flag else None


@dataclass(frozen=True)
class Protocol:
    questions: tuple[Question, ...]
    messages: Mapping[str, Mapping[str, Mapping[str, str]]]  # lang -> channel -> key -> text
    meta: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # Each wording once filled in, under its language, key, channel and placeholder values.
    # Those values are settings (the emergency and transfer numbers), so a process fills each
    # wording once; a call's turn asks for three or four.
    _filled: dict = field(default_factory=dict, compare=False, repr=False)

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)

    @property
    def red_flag_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.flag)

    @property
    def story_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.flag)

    def text(self, lang: str, key: str, channel: str = "sms", **params: str) -> str:
        """A message in `lang`, the voice wording when a call has one, placeholders filled."""
        wanted = (lang, key, channel, *sorted(params.items()))
        filled = self._filled.get(wanted)
        if filled is None:
            filled = self._fill(lang, key, channel, params)
            if len(self._filled) < MAX_FILLED:  # a bound, should a caller ever vary params
                self._filled[wanted] = filled
        return filled

    def _fill(self, lang: str, key: str, channel: str, params: Mapping[str, str]) -> str:
        by_channel = self.messages[lang]
        template = by_channel["voice"].get(key) if channel == "voice" else None
        if template is None:
            template = by_channel["sms"][key]
        values = {name: params.get(name, "") for name in PLACEHOLDERS}
        if channel == "voice":
            values = {k: spoken_digits(v) for k, v in values.items()}
        return template.format_map(values)


def spoken_digits(number: str) -> str:
    """'911' is said "nine one one", not "nine hundred eleven"."""
    return " ".join(number) if number.isdigit() and len(number) <= 4 else number


def prompts_dir() -> Path:
    return Path(os.environ.get("HOTLINE_PROMPTS_DIR") or Path(__file__).resolve().parents[2]
                / "prompts")


def required_sms_keys(questions: tuple[Question, ...]) -> frozenset[str]:
    return SMS_KEYS | SAFETY_NET_KEYS | {f"question.{q.key}" for q in questions} | {
        f"advice.{d}" for d in DISPOSITIONS} | {
        f"checkin.{d}" for d in (SELF_CARE, "soon", URGENT)}


@lru_cache(maxsize=4)
def load_protocol(directory: Path | None = None) -> Protocol:
    """Load and validate prompts/; raises ProtocolError naming the file and key."""
    root = Path(directory) if directory else prompts_dir()
    questions = _load_questions(root / "protocol.toml")
    messages, meta = {}, {}
    for lang in LANGUAGES:
        path = root / lang / "messages.toml"
        meta[lang], messages[lang] = _load_messages(path, questions)
    _check_translations(root, messages)
    return Protocol(questions=questions, messages=messages, meta=meta)


def _read_toml(path: Path) -> dict:
    if not path.is_file():
        raise ProtocolError(path, "-", "file is missing")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(path, "-", f"not valid TOML: {exc}") from None


def _load_questions(path: Path) -> tuple[Question, ...]:
    data = _read_toml(path)
    raw = data.get("question")
    if not isinstance(raw, list) or not raw:
        raise ProtocolError(path, "question", "no [[question]] entries")
    questions, seen_flags = [], set()
    for index, entry in enumerate(raw):
        where = f"question[{index}]"
        key, kind, flag = entry.get("key"), entry.get("kind"), entry.get("flag")
        if not isinstance(key, str) or not re.fullmatch(r"[a-z_]+", key):
            raise ProtocolError(path, where, f"key {key!r} must be lower_snake_case")
        if any(q.key == key for q in questions):
            raise ProtocolError(path, f"{where}.key", f"{key!r} is defined twice")
        if kind not in KINDS:
            raise ProtocolError(path, f"{key}.kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        if flag is not None:
            if flag not in FLAG_LEVELS:
                raise ProtocolError(path, f"{key}.flag",
                                    f"{flag!r} is a flag the decision module does not know")
            if kind != "yes_no":
                raise ProtocolError(path, f"{key}.flag", "only a yes/no question can set a flag")
            if flag in seen_flags:
                raise ProtocolError(path, f"{key}.flag", f"{flag!r} is asked twice")
            seen_flags.add(flag)
        questions.append(Question(key, kind, flag))
    missing = [f for f in FLAG_LEVELS if f not in seen_flags]
    if missing:
        raise ProtocolError(path, "question", f"no question asks the red flag(s) {missing}")
    _check_order(path, questions)
    story_keys = {q.key for q in questions if not q.flag}
    if "duration" not in story_keys:
        raise ProtocolError(path, "question", "the decision needs a 'duration' question")
    return tuple(questions)


def _check_order(path: Path, questions: list[Question]) -> None:
    """Emergency flags first, then urgent ones, then the story: the danger order is clinical."""
    order = {EMERGENCY: 0, URGENT: 1, None: 2}
    stage = 0
    for q in questions:
        if order[q.level] < stage:
            raise ProtocolError(path, q.key,
                                "a red flag is asked after a less dangerous question; "
                                "emergency flags must come first, then urgent, then the story")
        stage = order[q.level]


def _flatten(table: Mapping, prefix: str = "") -> Iterator[tuple[str, object]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _load_messages(path: Path, questions: tuple[Question, ...]) -> tuple[dict, dict]:
    data = _read_toml(path)
    meta = data.get("meta", {})
    for key in ("language", "voice_language", "voice"):
        if not isinstance(meta.get(key), str):
            raise ProtocolError(path, f"meta.{key}", "missing")
    by_channel = {}
    required = required_sms_keys(questions)
    for channel in CHANNELS:
        flat = dict(_flatten(data.get(channel, {})))
        for key, text in flat.items():
            _check_text(path, f"{channel}.{key}", text, channel)
        allowed = required | (VOICE_ONLY_KEYS if channel == "voice" else frozenset())
        for key in flat:
            if key not in allowed:
                why = ("a question no path reaches" if key.startswith("question.")
                       else "a message the hotline never sends")
                raise ProtocolError(path, f"{channel}.{key}", f"unknown key: {why}")
        needed = required if channel == "sms" else VOICE_ONLY_KEYS
        for key in sorted(needed - flat.keys()):
            raise ProtocolError(path, f"{channel}.{key}", "missing message")
        by_channel[channel] = flat
    return meta, by_channel


def _check_text(path: Path, where: str, text: object, channel: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ProtocolError(path, where, "must be non-empty text")
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise ProtocolError(path, where, f"bad placeholder syntax: {exc}") from None
    unknown = fields - PLACEHOLDERS
    if unknown:
        raise ProtocolError(path, where, f"unknown placeholder {{{sorted(unknown)[0]}}}; "
                            f"known: {', '.join(sorted(PLACEHOLDERS))}")
    if channel == "sms":
        longest = len(text.format_map(dict.fromkeys(PLACEHOLDERS, "+15555550100")))
        if longest > MAX_SMS_CHARS:
            raise ProtocolError(path, where, f"{longest} characters; keep texts under "
                                f"{MAX_SMS_CHARS}")


def _check_translations(root: Path, messages: Mapping[str, Mapping[str, Mapping]]) -> None:
    base = LANGUAGES[0]
    for lang in LANGUAGES[1:]:
        for channel in CHANNELS:
            ours, theirs = messages[base][channel].keys(), messages[lang][channel].keys()
            for key in sorted(ours - theirs):
                raise ProtocolError(root / lang / "messages.toml", f"{channel}.{key}",
                                    f"missing translation (present in {base})")
            for key in sorted(theirs - ours):
                raise ProtocolError(root / base / "messages.toml", f"{channel}.{key}",
                                    f"missing translation (present in {lang})")
