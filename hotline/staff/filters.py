"""The queue's filters, read once from a query string and shared by the queue, exports and API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.triage.decision import DISPOSITIONS, FLAG_LEVELS

CHANNELS = ("sms", "voice")
STATUSES = ("active", "completed", "expired", "opted_out", "no_reply")
LANGUAGES = ("en", "es")
NO_DISPOSITION = "none"
# Only the last four digits: the same part of a number every role may see, so a search never
# puts a whole phone number into a URL or an access log.
MAX_DIGITS = 4


class FilterError(ValueError):
    """A filter value the queue does not know."""


@dataclass(frozen=True)
class Filters:
    disposition: str = ""
    red_flag: str = ""
    channel: str = ""
    status: str = ""
    language: str = ""
    reviewed: str = ""
    date_from: date | None = None
    date_to: date | None = None
    digits: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        def choice(name: str, allowed: tuple[str, ...]) -> str:
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                raise FilterError(f"{name}: {value[:40]!r} is not one of {', '.join(allowed)}")
            return value

        digits = re.sub(r"\D", "", args.get("digits") or "")
        if len(digits) > MAX_DIGITS:
            raise FilterError(f"digits: search by at most the last {MAX_DIGITS} digits")
        filters = cls(
            disposition=choice("disposition", (*DISPOSITIONS, NO_DISPOSITION)),
            red_flag=choice("red_flag", tuple(FLAG_LEVELS)),
            channel=choice("channel", CHANNELS),
            status=choice("status", STATUSES),
            language=choice("language", LANGUAGES),
            reviewed=choice("reviewed", ("yes", "no")),
            date_from=_date(args, "from"),
            date_to=_date(args, "to"),
            digits=digits,
        )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise FilterError("from: the start date is after the end date")
        return filters

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links that keep them (paging, exports)."""
        out = {}
        for name, value in asdict(self).items():
            if value:
                key = {"date_from": "from", "date_to": "to"}.get(name, name)
                out[key] = value.isoformat() if isinstance(value, date) else value
        return out

    def describe(self) -> str:
        """For the audit log: what was asked for, in one line."""
        return " ".join(f"{k}={v}" for k, v in self.query().items()) or "all"

    def score_range(self, tz: ZoneInfo) -> tuple[float | str, float | str]:
        """Start-time bounds (unix seconds) for the index, the dates read in the clinic's zone."""
        low: float | str = "-inf"
        high: float | str = "+inf"
        if self.date_from:
            low = datetime.combine(self.date_from, time.min, tz).timestamp()
        if self.date_to:
            high = datetime.combine(self.date_to + timedelta(days=1), time.min, tz).timestamp()
            high = f"({high}"  # the next midnight itself belongs to the next day
        return low, high

    def scan_args(self) -> list[str]:
        """The filter arguments of hotline/store/lua/queue_scan.lua, in its ARGV order."""
        disposition = "-" if self.disposition == NO_DISPOSITION else self.disposition
        flag = f'"{self.red_flag}"' if self.red_flag else ""
        return [
            disposition,
            self.channel,
            self.status,
            flag,
            self.reviewed,
            self.digits,
            self.language,
        ]


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{name}: {raw[:40]!r} is not a date (YYYY-MM-DD)") from None
