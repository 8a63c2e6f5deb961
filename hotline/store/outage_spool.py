"""What was said while Redis was down, kept on local disk and written to the log once Redis
answers again, so nothing a person sent (or was told) during an outage is lost."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger("hotline.store.outage_spool")
SPOOL_FILE = "outage.jsonl"


def spool_turn(directory: str, entry: dict) -> None:
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with open(path / SPOOL_FILE, "a", encoding="utf-8") as handle:
            handle.write(line)  # one write of one line: appends from processes don't interleave
    except OSError as exc:
        log.error("could not spool a turn during an outage: %s", type(exc).__name__)


def has_spooled(directory: str) -> bool:
    return (Path(directory) / SPOOL_FILE).exists()


def take_spooled(directory: str) -> list[dict]:
    """Claim the spool by renaming it, so two processes never replay the same entries."""
    source = Path(directory) / SPOOL_FILE
    claimed = source.with_name(f"replaying-{os.getpid()}-{time.time_ns()}.jsonl")
    try:
        source.rename(claimed)
    except FileNotFoundError:
        return []
    entries = []
    for line in claimed.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            log.error("skipped a damaged spool line")
    claimed.unlink()
    return entries
