import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from brukermote.core.timeutil import WallClockError, to_local, to_utc

OSLO = ZoneInfo("Europe/Oslo")


def test_summer_time_is_two_hours_ahead_of_utc():
    moment = to_utc(dt.date(2026, 6, 10), dt.time(17, 30), OSLO)
    assert moment == dt.datetime(2026, 6, 10, 15, 30, tzinfo=dt.UTC)
    assert to_local(moment, OSLO).strftime("%H:%M") == "17:30"


def test_winter_time_is_one_hour_ahead_of_utc():
    assert to_utc(dt.date(2026, 1, 14), dt.time(13, 30), OSLO) == dt.datetime(2026, 1, 14, 12, 30, tzinfo=dt.UTC)


def test_spring_gap_is_refused():
    # On 29 March 2026 Norwegian clocks jump from 02:00 to 03:00.
    with pytest.raises(WallClockError) as info:
        to_utc(dt.date(2026, 3, 29), dt.time(2, 30), OSLO)
    assert info.value.kind == "nonexistent"


def test_autumn_overlap_is_refused():
    # On 25 October 2026 02:00–03:00 happens twice.
    with pytest.raises(WallClockError) as info:
        to_utc(dt.date(2026, 10, 25), dt.time(2, 30), OSLO)
    assert info.value.kind == "ambiguous"


def test_a_meeting_across_the_dst_change_keeps_its_wall_clock_times():
    before = to_utc(dt.date(2026, 3, 28), dt.time(13, 30), OSLO)
    after = to_utc(dt.date(2026, 3, 30), dt.time(13, 30), OSLO)
    assert (after - before) == dt.timedelta(hours=47)
