"""Turns answered while Redis could not take them: kept in this host's outage buffer
(hotline/store/outage_buffer.py) and applied to their conversations once Redis takes writes
again, exactly once and in order.

Applying an entry is a normal turn (store.run_turn) under the dedupe id the webhook had
(Twilio's MessageSid, a call's turn), so the step reads it as it would have then: a STOP opts
the number out and cancels its follow-ups, a red flag raises the record's disposition, alerts
staff and ends the questions, an answer is taken as the answer to the question that was
pending. The log shows what was said and answered at the time it was said. A crash between the
commit and the entry's removal is harmless: the entry is applied again, the turn commit knows
its dedupe id, and nothing changes twice.

Who applies: the `Drainer` thread of every web process and worker (never a webhook's own
request, so a webhook answers in its normal time whatever the backlog), sessions holding a STOP
first. A webhook only brings its own conversation up to date before its turn (`catch_up`), a
handful of entries at most; if it cannot (Redis stalls, the write-back holds the lock too long)
the new turn joins the buffer behind them and gets the safe reply.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass

import redis

from hotline.channels import voice_flow as flow
from hotline.outbound.alerts import plan_turn_alerts
from hotline.outbound.nudges import ends_silence_watch, silence_check_at
from hotline.outbound.resume import enqueue_resume
from hotline.redact import log_failure, mask_phone
from hotline.store.clock import iso_from_ms
from hotline.store.outage_buffer import Entry, OutageBuffer
from hotline.store.turns import TurnInput, TurnOutput, TurnResult
from hotline.triage.conversation import ASKING, Inbound, new_state, step

log = logging.getLogger("hotline.writeback")

CATCH_UP_WAIT = 2.0  # seconds a webhook waits for the write-back lock before buffering
SESSIONS_PER_BATCH = 50  # the drain lock is released between batches, so webhooks get it
PER_SESSION = 3  # entries of one session committed before they are removed
DRAIN_EVERY = 1.0  # seconds between looks at the buffer


class Backlogged(RuntimeError):
    """This session's earlier turns could not be written back yet: buffer this one too."""


def buffer_of(hotline) -> OutageBuffer:
    buffer = getattr(hotline, "_outage_buffer", None)
    if buffer is None or str(buffer.directory) != str(hotline.settings.spool_dir):
        buffer = OutageBuffer(hotline.settings.spool_dir)
        hotline._outage_buffer = buffer
    return buffer


# --- keeping a turn -------------------------------------------------------------------------


def _said(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies]


def keep_sms(hotline, phone: str, sid: str | None, body: str, media: int, keyword: str | None,
             replies: list[dict], failure: BaseException | None = None) -> None:
    """Keep a text answered with the safe reply; never raises (the reply must still go).
    `failure` is what kept the turn from being taken (see _keep)."""
    entry = {"kind": "sms", "dedupe": sid or f"outage-{uuid.uuid4().hex}", "in": body,
             "media": media, "out": _said(replies)}
    _keep(hotline, phone, phone, entry, replies, failure, opt_out=keyword == "stop")


def keep_call_turn(hotline, session: str, phone: str, dedupe: str, digits: str, speech: str,
                   confidence: str | None, question: str | None, replies: list[dict],
                   failure: BaseException | None = None) -> None:
    entry = {"kind": "voice", "dedupe": dedupe, "digits": digits, "speech": speech,
             "confidence": confidence, "q": question, "out": _said(replies)}
    _keep(hotline, session, phone, entry, replies, failure)


def keep_call_end(hotline, session: str, phone: str, dedupe: str, status: str,
                  failure: BaseException | None = None) -> None:
    entry = {"kind": "call_end", "dedupe": dedupe, "status": status}
    _keep(hotline, session, phone, entry, [], failure)


def _keep(hotline, session: str, phone: str, entry: dict, replies: list[dict],
          failure: BaseException | None, opt_out: bool = False) -> None:
    try:
        buffer_of(hotline).append(session, phone, entry, opt_out=opt_out)
        return
    except Exception as exc:  # a full, read-only or unreadable disk: the reply still goes
        refused = exc
    # Redis answered, or may have: the turn failed for another reason (the buffer itself, a
    # bug). What was said can still go to the conversation's log.
    if not _redis_unreachable(failure) and _log_untriaged(
        hotline, session, phone, entry, replies, opt_out
    ):
        return
    _not_kept(phone, entry.get("kind"), refused)


def _redis_unreachable(failure: BaseException | None) -> bool:
    return isinstance(failure, redis.ConnectionError | redis.TimeoutError)


def _log_untriaged(hotline, session: str, phone: str, body: dict, replies: list[dict],
                   opt_out: bool) -> bool:
    """The buffer refused a turn that Redis can take: what was said and the safe reply it got
    are written to the conversation's log with an event saying it was not triaged, the state
    left as it was (the next text is taken as if this one had not come), a STOP still
    honoured. Returns False when Redis refused too."""
    channel = _channel(body)

    def compute(loaded: TurnInput) -> TurnOutput:
        shown = _words(body)
        if body.get("kind") == "sms" and not shown and body.get("media"):
            shown = f"[{body['media']} attachment(s), no text]"
        effects = [{"type": "opt_out"}] if opt_out else []
        return TurnOutput(
            loaded.state or new_state(channel=channel), replies, effects, inbound_text=shown,
            extra_log=[{"direction": "event", "channel": channel,
                        "text": '{"type": "answered_not_triaged"}'}],
            unwatch_silence=opt_out,
        )

    try:
        result = hotline.store.run_turn(session, phone, channel, body["dedupe"], compute)
    except Exception as exc:
        log_failure(log, "writing an untriaged turn to its conversation's log", phone, exc)
        return False
    if result.duplicate:  # a retry of a webhook already kept (or taken): nothing written
        return True
    log.error("NOT TRIAGED: a %s turn from %s got the safe reply; the outage buffer refused "
              "it, so it was written to its conversation's log as said, untriaged",
              body.get("kind"), mask_phone(phone))
    return True


def _not_kept(phone: str, kind: str | None, exc: Exception) -> None:
    """Loud: the person was answered safely, but what they said is now kept nowhere and will
    never reach their conversation. SQLite's error code names the cause (SQLITE_FULL,
    SQLITE_READONLY, SQLITE_IOERR_...) and carries none of their words."""
    code = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    log.critical("NOT KEPT: a %s turn from %s got the safe reply but the outage buffer in "
                 "HOTLINE_SPOOL_DIR refused it (%s); it will not be written back",
                 kind, mask_phone(phone), code)
    log_failure(log, "keeping a turn in the outage buffer", phone, exc)


# --- applying -------------------------------------------------------------------------------


def catch_up(hotline, session: str) -> None:
    """Before a live turn: apply this session's own buffered entries, or raise Backlogged."""
    buffer = buffer_of(hotline)
    if not buffer.has_session(session):
        return
    with buffer.writer(CATCH_UP_WAIT) as held:
        if not held:
            raise Backlogged("the write-back is busy")
        while apply_batch(hotline, buffer, [session], owe=False):  # the live turn answers them
            pass


def apply_batch(hotline, buffer: OutageBuffer, sessions: list[str], owe: bool = True) -> int:
    """Apply the next entries of each session in order; remove those committed in one
    transaction. Hold buffer.writer().

    At most PER_SESSION entries of a session are committed before their removal: should the
    removal never happen (a crash), the next writer applies them again and each one's dedupe
    id is still remembered with its reply (REPLAY_MEMORY, 48 h), so each is a replay, not a
    turn."""
    committed: list[int] = []
    try:
        for session in sessions:
            entries = buffer.for_session(session, PER_SESSION + 1)
            for n, entry in enumerate(entries[:PER_SESSION]):
                apply_entry(hotline, entry)
                if owe and n == len(entries) - 1:  # the session's last: owed a reply now
                    owe_reply(hotline, entry)
                committed.append(entry.id)
    finally:
        if committed:
            buffer.remove(committed)
    return len(committed)


def apply_entry(hotline, entry: Entry) -> TurnResult:
    kind = entry.body.get("kind")
    if kind == "sms":
        compute = _sms_compute(hotline, entry)
    elif kind == "voice":
        compute = _call_compute(hotline, entry)
    elif kind == "call_end":
        compute = _call_end_compute(entry)
    elif kind == "log_only":  # from the spool of earlier versions: words and replies only
        compute = _log_only_compute(entry)
    else:
        raise ValueError(f"unknown outage entry kind {kind!r}")
    channel = _channel(entry.body)
    stepped: dict = {}

    def remembered(loaded: TurnInput) -> TurnOutput | None:
        output = compute(loaded)
        stepped["state"] = output.state if output else loaded.state
        return output

    result = hotline.store.run_turn(
        entry.session, entry.phone, channel, entry.body["dedupe"], _or_log_only(entry, remembered)
    )
    # What a live turn does after its commit: on-call alerts for a red flag said during the
    # outage (a re-applied entry plans nothing twice). The silence watch of a texter now being
    # asked questions was in the commit itself.
    state = stepped.get("state") or {}
    plan_turn_alerts(hotline, result, entry.phone, channel, state.get("lang", "en"))
    # A follow-up it planned is in the due index already, where the dispatcher finds it.
    return result


def owe_reply(hotline, entry: Entry) -> None:
    """A text answered with the safe reply ("we will reply when we can") is owed where its
    conversation now stands; handed to the worker before the entry is removed, and the job
    sends at most once, so a crash in between neither loses nor doubles it."""
    if entry.body.get("kind") != "sms" or entry.opt_out:
        return
    try:
        enqueue_resume(hotline, entry.session, entry.phone, entry.body["dedupe"])
    except redis.RedisError:
        raise  # Redis went away again: the entry stays, and is owed the reply next time
    except Exception as exc:
        log_failure(log, "handing the reply owed after an outage to RQ", entry.phone, exc)


def _or_log_only(entry: Entry, compute):
    """A turn the step itself cannot take (the bug that made the webhook fail) is still
    written to the log, the state left as it was, so one bad entry never blocks the rest."""

    def guarded(loaded: TurnInput) -> TurnOutput | None:
        try:
            return compute(loaded)
        except Exception as exc:
            log_failure(log, "applying an outage turn (kept in the log only)", entry.phone, exc)
            return _log_only_compute(entry)(loaded)

    return guarded


def _channel(body: dict) -> str:
    """The channel of a kept turn's body."""
    kind = body.get("kind")
    return "sms" if kind == "sms" else body.get("channel", "voice")


def _words(body: dict) -> str | None:
    """What the person texted or said (or pressed) in a kept turn's body, if anything."""
    return body.get("in") or body.get("speech") or body.get("digits") or None


def _log_only_compute(entry: Entry):
    def compute(loaded: TurnInput) -> TurnOutput:
        channel = _channel(entry.body)
        state = loaded.state or new_state(channel=channel)
        return TurnOutput(state, [], [], extra_log=_as_said(entry, channel, _words(entry.body)))

    return compute


def _as_said(entry: Entry, channel: str, shown: str | None) -> list[dict]:
    """The log entries of what was said and answered, at the time they were."""
    at = iso_from_ms(int(entry.at * 1000))
    lines = [] if shown is None else [
        {"direction": "in", "channel": channel, "text": shown, "at": at}
    ]
    lines += [{"direction": "out", "channel": channel, "text": text, "at": at}
              for text in entry.body.get("out", [])]
    lines.append({"direction": "event", "channel": channel, "at": at,
                  "text": '{"type": "answered_during_outage"}'})
    return lines


def _sms_compute(hotline, entry: Entry):
    body, media = entry.body.get("in", ""), int(entry.body.get("media") or 0)

    def compute(loaded: TurnInput) -> TurnOutput:
        inbound = Inbound(body, "sms", media_count=media, opted_out=loaded.opted_out)
        state, _, effects = step(loaded.state, inbound, hotline.context)
        shown = body if body or not media else f"[{media} attachment(s), no text]"
        return TurnOutput(state, [], effects, extra_log=_as_said(entry, "sms", shown),
                          watch_silence_at=silence_check_at(hotline.settings, state, effects),
                          unwatch_silence=ends_silence_watch(state, effects))

    return compute


def _call_compute(hotline, entry: Entry):
    digits, speech = entry.body.get("digits", ""), entry.body.get("speech", "")

    def compute(loaded: TurnInput) -> TurnOutput | None:
        state, effects, shown = loaded.state, [], None
        if state and state.get("phase") == ASKING and state.get("question"):
            key = entry.body.get("q") or state["question"]
            heard = flow.hear(hotline.protocol, state["lang"], hotline.protocol.question(key),
                              digits, speech, entry.body.get("confidence"), can_transfer=False)
            shown = heard.shown or None
            if heard.kind in (flow.ANSWER, flow.SWITCH_LANGUAGE):
                state, _, effects = step(state, Inbound(heard.text, "voice"), hotline.context)
        elif state is None:
            return None  # the call never reached Redis at all: nothing to attach it to
        # The safe ending hung up: a red flag said keeps its level, as a hang-up does.
        state, ended = flow.hang_up(state)
        effects = [e for e in [*effects, *ended] if e["type"] != "schedule_followup"]
        return TurnOutput(state, [], effects, extra_log=_as_said(entry, "voice", shown))

    return compute


def _call_end_compute(entry: Entry):
    def compute(loaded: TurnInput) -> TurnOutput | None:
        if loaded.state is None:
            return None
        state, effects = flow.hang_up(loaded.state)
        event = {"direction": "event", "channel": "voice",
                 "at": iso_from_ms(int(entry.at * 1000)),
                 "text": f'{{"type": "call_ended", "call_status": "{entry.body.get("status")}"}}'}
        return TurnOutput(state, [], effects, extra_log=[event])

    return compute


# --- the background write-back ----------------------------------------------------------------


@dataclass
class DrainReport:
    applied: int = 0
    failed: bool = False


class Drainer(threading.Thread):
    """Every DRAIN_EVERY seconds: when the buffer holds entries and Redis takes writes, apply
    them, sessions holding a STOP first; drop entries older than HOTLINE_RETENTION."""

    def __init__(self, hotline, every: float = DRAIN_EVERY) -> None:
        super().__init__(name="outage-writeback", daemon=True)
        self.hotline, self.every = hotline, every
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            drain(self.hotline)

    def stop(self) -> None:
        self._stop_event.set()


def drain(hotline, max_batches: int | None = None) -> DrainReport:
    report = DrainReport()
    buffer = buffer_of(hotline)
    try:
        buffer.adopt_old_spool()
        if not buffer.exists() or not buffer.count():
            if buffer.journal_owed:
                buffer.empty_journal()
            return report
        buffer.purge(time.time() - hotline.settings.retention)
        if not hotline.store.can_write():
            return report
        batches = 0
        while max_batches is None or batches < max_batches:
            sessions = buffer.next_sessions(SESSIONS_PER_BATCH)
            if not sessions:
                break
            with buffer.writer() as held:
                if not held:
                    break  # another process of this host is writing back
                report.applied += apply_batch(hotline, buffer, sessions)
            batches += 1
    except Exception as exc:  # Redis went away again: the rest waits for the next round
        report.failed = True
        log_failure(log, "writing back the outage buffer", None, exc)
    if report.applied:
        log.warning("wrote back %d turn(s) answered during a Redis outage", report.applied)
    return report


_started: dict[int, Drainer] = {}
_start_lock = threading.Lock()


def start_drainer(hotline, every: float = DRAIN_EVERY) -> Drainer:
    """One write-back thread per process (a forked gunicorn worker starts its own)."""
    import os

    drainer = _started.get(os.getpid())
    if drainer is not None and drainer.is_alive():  # every request after the first: no lock
        return drainer
    with _start_lock:
        pid = os.getpid()
        drainer = _started.get(pid)
        if drainer is None or not drainer.is_alive():
            drainer = Drainer(hotline, every)
            drainer.start()
            _started[pid] = drainer
        return drainer
