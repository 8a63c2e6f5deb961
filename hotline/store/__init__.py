"""Redis: every key name and every script. Conversation state and its atomic turn (turns.py),
records and the log read back (conversations.py, records.py), the wording store (wording.py),
follow-up bookkeeping (followups.py), the safety net's silence index and tasks (safety_net.py),
the staff area's accounts, sessions and audit (staff.py),
the outage buffer kept on disk while Redis is away (outage_buffer.py), the sent, retry and
failed calls shared by follow-ups and safety-net texts (send_scripts.py) and how to connect
(connect.py).

May import: hotline.settings, hotline.triage values, hotline.outbound.schedule (a follow-up's
due time is computed as the turn that plans it is committed). Nothing outside this package
names a Redis key; the other parts call these classes instead.

This file imports nothing of the hotline, so `hotline.settings` can use `store.connect` while
the store uses the settings.
"""

from pathlib import Path

LUA_DIR = Path(__file__).with_name("lua")


def load_script(client, name: str):
    """lua/<name>.lua registered with `client` (a redis-py Script, run by its sha)."""
    return client.register_script((LUA_DIR / f"{name}.lua").read_text())
