#!/usr/bin/env python3
"""How many texts a person sends before they get their advice, for the sample stories.

Plays every story of ../shared/vignettes-sample.json and vignettes-hard-sample.json through the
core's step (no web, no Redis), answering only what is asked (the story's own words where it has
them), and prints the median number of inbound texts to a disposition, per disposition.

    .venv/bin/python scripts/texts_to_disposition.py [--shared DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from hotline.triage.conversation import ASKING, Context, Inbound, step
from hotline.triage.decision import DISPOSITIONS
from hotline.triage.protocol import load_protocol

STORY_FILES = ("vignettes-sample.json", "vignettes-hard-sample.json")
YES = {"en": "yes", "es": "sí"}
NO = {"en": "no", "es": "no"}
MAX_TEXTS = 40


def default_shared() -> Path:
    return Path(os.environ.get("HOTLINE_SHARED_DIR") or Path(__file__).resolve().parents[2]
                / "shared")


def load_stories(shared: Path) -> list[dict]:
    stories = []
    for name in STORY_FILES:
        path = shared / name
        if path.is_file():
            stories += json.loads(path.read_text(encoding="utf-8"))["stories"]
    return stories


def reply_to(story: dict, question: str) -> str:
    """What the person says: their own words where the story has them, else yes / no."""
    if question in story.get("says", {}):
        return story["says"][question]
    facts, lang = story["facts"], story["lang"]
    if question == "duration":
        return facts.get("duration", "a few days")
    return YES[lang] if facts.get(question) else NO[lang]


def play(story: dict, ctx: Context) -> tuple[str | None, int]:
    """The disposition reached and how many texts the person sent to reach it."""
    state, _, _ = step(None, Inbound(story["opening"]), ctx)
    texts = 1
    while state["phase"] == ASKING and texts < MAX_TEXTS:
        state, _, _ = step(state, Inbound(reply_to(story, state["question"])), ctx)
        texts += 1
    return state["disposition"], texts


def texts_per_disposition(stories: list[dict]) -> tuple[dict[str, list[int]], list[str]]:
    """The texts each story took, per expected disposition, and the stories that went wrong."""
    ctx = Context(protocol=load_protocol())
    counts: dict[str, list[int]] = {level: [] for level in DISPOSITIONS}
    wrong = []
    for story in stories:
        disposition, texts = play(story, ctx)
        if disposition != story["expect"]:
            wrong.append(f"{story['id']}: expected {story['expect']}, got {disposition}")
        counts[story["expect"]].append(texts)
    return counts, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=default_shared(),
                        help="folder holding the vignette files (default: ../shared)")
    args = parser.parse_args(argv)
    stories = load_stories(args.shared)
    if not stories:
        print(f"no stories found in {args.shared}", file=sys.stderr)
        return 1
    counts, wrong = texts_per_disposition(stories)
    print("| disposition | stories | median texts to disposition | range |")
    print("| --- | --- | --- | --- |")
    for level in DISPOSITIONS:
        if counts[level]:
            values = counts[level]
            print(f"| {level} | {len(values)} | {statistics.median(values):g} "
                  f"| {min(values)}-{max(values)} |")
    for line in wrong:
        print(f"wrong disposition: {line}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
