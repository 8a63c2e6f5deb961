"""When a follow-up is due: the disposition's delay, moved out of quiet hours (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.outbound.schedule import followup_due, in_window, out_of_quiet_hours
from hotline.settings import Settings

NY = ZoneInfo("America/New_York")
NIGHT = (time(21, 0), time(8, 0))


def settings(**env: str) -> Settings:
    return Settings.from_env({"HOTLINE_TIMEZONE": "America/New_York", **env})


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_default_delays_per_disposition():
    now = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
    s = settings()
    assert followup_due("self_care", now, s) == now + timedelta(hours=24)
    assert followup_due("soon", now, s) == now + timedelta(hours=72)
    assert followup_due("urgent", now, s) == now + timedelta(hours=6)


def test_configured_delays_and_off():
    now = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
    s = settings(
        HOTLINE_FOLLOWUP_SELF_CARE="2s", HOTLINE_FOLLOWUP_SOON="90m", HOTLINE_FOLLOWUP_URGENT="off"
    )
    assert followup_due("self_care", now, s) == now + timedelta(seconds=2)
    assert followup_due("soon", now, s) == now + timedelta(minutes=90)
    assert followup_due("urgent", now, s) is None


def test_emergency_never_gets_a_followup():
    assert followup_due("emergency", datetime(2024, 6, 3, tzinfo=UTC), settings()) is None


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_window_across_midnight(moment, inside):
    assert in_window(moment, NIGHT) is inside


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (time(12, 59), False),
        (time(13, 0), True),
        (time(13, 59), True),
        (time(14, 0), False),
    ],
)
def test_window_within_a_day(moment, inside):
    assert in_window(moment, (time(13, 0), time(14, 0))) is inside


def test_evening_due_moves_to_next_morning():
    due = ny(2024, 6, 3, 22, 15)
    assert out_of_quiet_hours(due, NIGHT, NY) == ny(2024, 6, 4, 8, 0)


def test_early_morning_due_moves_to_same_morning():
    due = ny(2024, 6, 4, 3, 40)
    assert out_of_quiet_hours(due, NIGHT, NY) == ny(2024, 6, 4, 8, 0)


def test_due_outside_the_window_is_kept_to_the_second():
    due = ny(2024, 6, 4, 8, 0, 1)
    assert out_of_quiet_hours(due, NIGHT, NY) == due
    assert out_of_quiet_hours(ny(2024, 6, 4, 20, 59, 59), NIGHT, NY) == ny(2024, 6, 4, 20, 59, 59)


def test_no_window_keeps_the_due_time():
    due = ny(2024, 6, 4, 3, 0)
    assert out_of_quiet_hours(due, None, NY) == due


def test_window_is_read_in_the_hotline_time_zone():
    # 02:00 UTC is 22:00 the evening before in New York: quiet there, not in UTC.
    due = datetime(2024, 6, 4, 2, 0, tzinfo=UTC)
    moved = out_of_quiet_hours(due, NIGHT, NY)
    assert moved == ny(2024, 6, 4, 8, 0)
    assert moved.tzinfo is UTC  # handed back in the zone it came in
    assert out_of_quiet_hours(due, NIGHT, ZoneInfo("Asia/Tokyo")) == due  # 11:00 in Tokyo


def test_spring_forward_night_ends_at_the_real_local_morning():
    # 2024-03-10: New York moves from EST (-5) to EDT (-4) at 02:00.
    moved = out_of_quiet_hours(ny(2024, 3, 9, 23, 0), NIGHT, NY)
    assert moved == datetime(2024, 3, 10, 12, 0, tzinfo=UTC)  # 08:00 EDT, not 09:00


def test_fall_back_night_ends_at_the_real_local_morning():
    # 2024-11-03: New York moves from EDT (-4) back to EST (-5) at 02:00.
    moved = out_of_quiet_hours(ny(2024, 11, 2, 23, 0), NIGHT, NY)
    assert moved == datetime(2024, 11, 3, 13, 0, tzinfo=UTC)  # 08:00 EST, not 07:00


def test_followup_due_applies_quiet_hours_after_the_delay():
    s = settings(HOTLINE_QUIET_HOURS="21:00-08:00", HOTLINE_FOLLOWUP_URGENT="6h")
    finished = ny(2024, 6, 3, 17, 30).astimezone(UTC)  # + 6 h = 23:30, inside the window
    assert followup_due("urgent", finished, s) == ny(2024, 6, 4, 8, 0)
    finished = ny(2024, 6, 3, 9, 0).astimezone(UTC)  # + 6 h = 15:00, outside
    assert followup_due("urgent", finished, s) == ny(2024, 6, 3, 15, 0)


def test_window_end_on_the_hour_and_minute():
    s = settings(HOTLINE_QUIET_HOURS="12:10-12:45", HOTLINE_FOLLOWUP_SELF_CARE="1s")
    assert followup_due("self_care", ny(2024, 6, 3, 12, 20), s) == ny(2024, 6, 3, 12, 45)
