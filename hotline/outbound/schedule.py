"""When a follow-up text is due: the disposition's delay (absolute time: 24 h is 24 h across a
DST change), moved out of quiet hours (wall-clock time in HOTLINE_TIMEZONE). Pure."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
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
    # Rebuilt from wall-clock fields so a DST change in the night lands on the real local time.
    wall = datetime(end.year, end.month, end.day, end.hour, end.minute)
    return first_instant_at(wall, tz).astimezone(due.tzinfo)


def first_instant_at(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first real moment whose local clock reads `wall` or later. Usually `wall` itself
    (the first of the two, when clocks go back); when clocks go forward over it (02:30 on the
    spring-forward night does not exist), the moment they jump: 03:00, not 03:30."""
    moment = wall.replace(tzinfo=tz, fold=0)
    if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return moment
    # In the gap: the clock before the jump reads earlier than wall, after it later.
    step = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    while step.astimezone(tz).replace(tzinfo=None) < wall:
        step += timedelta(minutes=1)
    return step.astimezone(tz).replace(second=0, microsecond=0)


def quiet_until(now: datetime, settings: Settings) -> datetime | None:
    """At send time: when the quiet window `now` is in ends, or None when texts may go now.
    A follow-up late for any reason (worker down, retries, the sweeper) must not go out in
    the night it was planned to avoid."""
    later = out_of_quiet_hours(now, settings.quiet_hours, settings.timezone)
    return later if later > now else None


def followup_due(disposition: str, now: datetime, settings: Settings) -> datetime | None:
    """The moment the check-in for `disposition` goes out, or None when that one is off."""
    delay = settings.followup_delays.get(disposition)
    if delay is None:
        return None
    return out_of_quiet_hours(now + timedelta(seconds=delay), settings.quiet_hours,
                              settings.timezone)
