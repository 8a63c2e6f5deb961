"""`hotline protocol show`: the whole flow as Markdown a clinician can review and sign off."""

from __future__ import annotations

from hotline.triage.decision import (
    ADVICE_ONLY_KEYS,
    DISPOSITIONS,
    EMERGENCY,
    FLAG_LEVELS,
    SELF_CARE_MAX_HOURS,
    URGENT,
)
from hotline.triage.lexicon import Lexicon, PhraseSet, load_lexicon
from hotline.triage.protocol import Protocol

FIELDS = {"emergency_number": "{emergency_number}", "transfer_number": "{transfer_number}"}


def render_markdown(protocol: Protocol, lang: str) -> str:
    meta = protocol.meta[lang]
    text = lambda key, channel="sms": protocol.messages[lang][channel].get(key) or (  # noqa: E731
        protocol.messages[lang]["sms"][key])
    lines = [f"# Leg numbness triage protocol: {meta.get('name', lang)} ({lang})", ""]
    if not meta.get("reviewed_by_fluent_speaker", False):
        lines += ["> **Not yet reviewed by a fluent speaker.** Do not release before review.", ""]
    lines += ["## First message", "", f"> {text('greeting')}", "", "## Questions, in order", "",
              "| # | key | asks | a *yes* means |", "| --- | --- | --- | --- |"]
    for n, q in enumerate(protocol.questions, 1):
        outcome = _outcome(q.flag, q.kind)
        if q.key in ADVICE_ONLY_KEYS:
            outcome = "story: never changes the level; asked only when the answer is self-care, "
            outcome += "whose advice it changes"
        lines.append(f"| {n} | `{q.key}` | {text('question.' + q.key)} | {outcome} |")
    lines += ["", "## How answers lead to advice", "",
              "1. An emergency red flag (a *yes*, or named in any message) stops the questions and "
              "gives the emergency advice at once.",
              "2. An urgent red flag skips the story; the emergency flags not yet answered are "
              "still asked; then the urgent advice.",
              f"3. Self-care only when all hold: a pressure cause, under {SELF_CARE_MAX_HOURS:g} "
              "hours, not worsening, not recurring, no risk condition.",
              "4. Otherwise: soon.",
              "5. Three unclear answers to one question: the person is told how to reach a "
              "person, and the unanswered question counts as the worst answer (an unanswered red "
              "flag counts as present; an unknown story answer rules out self-care).",
              "6. Red flags are always asked. A story question is asked only while its answer "
              "can still change the disposition (for example, once the numbness has lasted 24 "
              "hours or more, self-care is out and the story stops); `resolved` is asked only "
              "when the answer is self-care, where it changes the advice. The record's rule "
              "names the questions not asked and why.",
              ""]
    lines += _reading_rules(load_lexicon(lang))
    lines += ["## Advice per disposition", ""]
    for level in DISPOSITIONS:
        lines += [f"### {level}", "", f"> {text('advice.' + level)}", ""]
        if level != EMERGENCY:
            lines += [f"Follow-up text: > {text('checkin.' + level)}", ""]
    lines += ["## Spoken wording that differs on a call", ""]
    for key, value in sorted(protocol.messages[lang]["voice"].items()):
        lines.append(f"- `{key}`: {value}")
    lines += ["", "## Other messages", ""]
    for key, value in sorted(protocol.messages[lang]["sms"].items()):
        if not key.startswith(("question.", "advice.")):
            lines.append(f"- `{key}`: {value}")
    lines += ["", "Signed off by: ____________________  Date: __________", ""]
    return "\n".join(lines)


def _phrases(phrase_set: PhraseSet) -> str:
    return ", ".join(f"`{pattern.source}`" for _, pattern in phrase_set.entries)


def _words(words: frozenset[str]) -> str:
    return ", ".join(f"`{word}`" for word in sorted(words))


def _story(lex: Lexicon, key: str) -> PhraseSet:
    return PhraseSet([(value, p) for value, p in lex.story.entries if value == key])


def _own_answers(lex: Lexicon) -> list[str]:
    by_answer: dict[tuple[str, str], list[str]] = {}
    for (question, answer), pattern in lex.own_answers.entries:
        by_answer.setdefault((question, answer), []).append(f"`{pattern.source}`")
    return [
        f"- {question}, *{answer}*: {', '.join(sources)}"
        for (question, answer), sources in by_answer.items()
    ]


def _reading_rules(lex: Lexicon) -> list[str]:
    """How replies are read, from prompts/<lang>/understanding.toml, for clinical review."""
    duration = lex.duration
    return [
        "## How replies are read", "",
        "- Every reply, to any question, is scanned for every red flag (in this language and "
        "the other, for people who mix them); a flag found counts as that flag's *yes*. A "
        "scan can only raise a level.",
        "- A red flag a reply describes is a *yes* whatever yes/no word it starts with "
        "(\"nope, although the knee gives out\").",
        f"- These begin like a *no* but state something, so they are never the answer *no*: "
        f"{_phrases(lex.yes_no_statements)}.",
        "- An answer taken back is read from what follows the last of these: "
        f"{_phrases(lex.yes_no_corrections)}. A *no* taken back with nothing after it is "
        "asked again; a red flag said before it still counts.",
        "- A reply that is only one of these gives the last yes/no answer again (asked again "
        f"when there is none): {_phrases(lex.yes_no_same)}.",
        "- A negation (\"no weakness\", \"didn't fall\") hides a phrase only when it is "
        "plainly a denial; a near miss (\"nearly fell\") is not a fall. A denial ends at a "
        f"comma, or at {_phrases(lex.negation.closers)} (speech has no commas).",
        "- Story answers said in passing count only when they rule out self-care: a *yes* to "
        f"worsening ({_phrases(_story(lex, 'worsening'))}), recurring "
        f"({_phrases(_story(lex, 'recurring'))}) or a risk condition "
        f"({_phrases(_story(lex, 'risk_condition'))}), or a duration of "
        f"{SELF_CARE_MAX_HOURS:g} hours or more said as how long it has lasted. A *no* or a "
        "short duration is always asked.",
        "",
        "### What counts as unsure", "",
        f"Any of these anywhere in a reply: {_phrases(lex.unclear)}; or a question mark after "
        "nothing but answer words (\"yes?\", \"?\"). Unsure is *unknown*, never *no*: a "
        "story answer counts as unknown at once (it rules out self-care); a hedged *yes* to a "
        "red flag (\"yes, a little\") is a *yes*; otherwise a red-flag question is asked once "
        "more, then counts as present. Unknown never lowers a level.",
        "",
        f"An answer that opens a clause ({_phrases(lex.negation.answer_phrases)}, or a lone "
        "*no*) followed by a new statement (\"not really i just wobble\") answers the question; "
        "it does not deny the statement.",
        "",
        "A reply to a red-flag question with no yes or no in it, that names that red flag only "
        "to deny it (\"it doesn't give way\", \"didn't fall off the ladder or anything\") "
        "and states no red flag at all, is a *no*.",
        "",
        "A reply with no yes or no in it that answers its question in words of its own, every "
        "part of it one of these (fillers aside), with no red flag, doubt or question mark, "
        "is that answer; \"I walk fine but slowly\" is asked again:",
        "",
        *_own_answers(lex),
        "",
        "### A reply with several readings", "",
        "- Both a *yes* and a *no* in the answer: unclear, asked again (never guessed).",
        "- Several durations (\"ever since my nap 3 days ago\"): the one that says how long the "
        f"numbness has lasted wins: right after {_words(duration.lasting_before)} (or up to "
        f"three words after them), or right before {_words(duration.lasting_after)}. Between "
        "plausible readings, the longer. A range (\"2 or 3 days\") counts as its larger end.",
        "- A weekday (\"since tuesday\") is the last one before today, from its start, in "
        "HOTLINE_TIMEZONE; the weekend counts from its Saturday.",
        "- A time of day (\"since 4pm\", \"desde las 10\") is the hours since the clock last "
        "showed it, in HOTLINE_TIMEZONE: always under a day; an hour without am or pm counts "
        "from the earlier of its two readings.",
        "- A part of a day (\"since last night\", \"desde ayer en la tarde\") is the hours since "
        "the earliest it can mean, in HOTLINE_TIMEZONE (last night from 6 pm the day before: "
        "said at 9 pm, over a day). Before 6 am, \"yesterday\" and \"last night\" may be a "
        "day further back, and are counted so. A day and a time side by side (\"since 4pm "
        "yesterday\", \"desde ayer a las 4\") are that time on that day.",
        "- No duration understood, or \"not sure\": unknown, counted as long.",
        "",
    ]


def _outcome(flag: str | None, kind: str) -> str:
    if flag is None:
        if kind == "duration":
            return "story: read as hours"
        return "story (no single answer is a red flag)"
    level = FLAG_LEVELS[flag]
    return ("**emergency**: stop, emergency advice" if level == EMERGENCY else
            "**urgent**: skip the story, urgent advice" if level == URGENT else level)
