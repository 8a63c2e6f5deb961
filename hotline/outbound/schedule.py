"""When a follow-up text is due: the disposition's delay, moved out of quiet hours. Pure."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.settings import Settings


def in_window(moment: time, window: tuple[time, time]) -> bool:
    start, end = window
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # the window spans midnight, e.g. 21:00-08:00


def out_of_quiet_hours(due: datetime, window: tuple[time, time] | None, tz: ZoneInfo) -> datetime:
    """A time inside the quiet window moves to the window's end, in the hotline's time zone."""
    if window is None:
        return due
    local = due.astimezone(tz)
    if not in_window(local.time().replace(tzinfo=None), window):
        return due
    end = local.replace(hour=window[1].hour, minute=window[1].minute, second=0, microsecond=0)
    if end <= local:
        end = end + timedelta(days=1)
    # Rebuild from wall-clock fields so a DST change in the night lands on the real local time.
    end = datetime(end.year, end.month, end.day, end.hour, end.minute, tzinfo=tz)
    return end.astimezone(due.tzinfo)


def followup_due(disposition: str, now: datetime, settings: Settings) -> datetime | None:
    """The moment the check-in for `disposition` goes out, or None when that one is off."""
    delay = settings.followup_delays.get(disposition)
    if delay is None:
        return None
    return out_of_quiet_hours(now + timedelta(seconds=delay), settings.quiet_hours,
                              settings.timezone)
