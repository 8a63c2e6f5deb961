"""CSV cells a spreadsheet will not run as formulas (OWASP CSV injection)."""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(_TRIGGERS) else value
