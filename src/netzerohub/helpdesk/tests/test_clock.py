"""The service-level clock: working seconds between two moments, and a moment plus working time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from netzerohub.helpdesk import clock, services
from netzerohub.helpdesk.clock import WorkingCalendar
from netzerohub.helpdesk.models import Holiday, WorkingTime

BRUSSELS = ZoneInfo("Europe/Brussels")
LISBON = ZoneInfo("Europe/Lisbon")
UTC = dt.UTC
HOUR = 3600
MON_FRI = frozenset(range(5))
SUN_THU = frozenset({6, 0, 1, 2, 3})


def cal(zone=BRUSSELS, days=MON_FRI, starts=9, ends=17, holidays=()) -> WorkingCalendar:
    return WorkingCalendar(
        zone=zone,
        days=frozenset(days),
        starts=dt.time(starts),
        ends=dt.time(ends),
        holidays=frozenset(holidays),
    )


def at(year, month, day, hour=0, minute=0, zone=BRUSSELS) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


# 2026-01-05 is a Monday; 2026-01-09 a Friday.


def test_within_a_day():
    c = cal()
    assert c.seconds_between(at(2026, 1, 5, 10), at(2026, 1, 5, 12, 30)) == 2.5 * HOUR
    assert c.add(at(2026, 1, 5, 10), 2 * HOUR) == at(2026, 1, 5, 12)


def test_across_a_night_and_a_weekend():
    c = cal()
    assert c.seconds_between(at(2026, 1, 5, 16), at(2026, 1, 6, 10)) == 2 * HOUR
    assert c.add(at(2026, 1, 5, 16), 2 * HOUR) == at(2026, 1, 6, 10)
    assert c.seconds_between(at(2026, 1, 9, 16), at(2026, 1, 12, 10)) == 2 * HOUR
    assert c.add(at(2026, 1, 9, 16), 2 * HOUR) == at(2026, 1, 12, 10)
    assert c.seconds_between(at(2026, 1, 5, 9), at(2026, 1, 12, 9)) == 5 * 8 * HOUR


def test_a_holiday_stops_the_clock():
    c = cal(holidays=[dt.date(2026, 1, 9)])  # the Friday
    assert c.add(at(2026, 1, 8, 16), 2 * HOUR) == at(2026, 1, 12, 10)
    assert c.seconds_between(at(2026, 1, 8, 16), at(2026, 1, 12, 10)) == 2 * HOUR


def test_configured_work_days_sunday_to_thursday():
    c = cal(days=SUN_THU)
    # Thursday 16:00 + 2 h: Friday and Saturday are off, Sunday 10:00.
    assert c.add(at(2026, 1, 8, 16), 2 * HOUR) == at(2026, 1, 11, 10)
    assert c.seconds_between(at(2026, 1, 9, 10), at(2026, 1, 10, 23)) == 0
    assert c.seconds_between(at(2026, 1, 10, 12), at(2026, 1, 11, 12)) == 3 * HOUR


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 1, 5, 7), at(2026, 1, 5, 10)),  # before opening
        (at(2026, 1, 5, 18), at(2026, 1, 6, 10)),  # after closing
        (at(2026, 1, 10, 12), at(2026, 1, 12, 10)),  # a Saturday
        (at(2026, 1, 9, 17), at(2026, 1, 12, 10)),  # Friday 17:00 sharp
        (at(2026, 1, 5, 9), at(2026, 1, 5, 10)),  # 09:00 sharp
    ],
)
def test_a_start_outside_working_hours_counts_from_the_next_opening(start, expected):
    assert cal().add(start, HOUR) == expected
    assert cal().seconds_between(start, expected) == HOUR


def test_exact_boundaries():
    c = cal()
    assert c.seconds_between(at(2026, 1, 5, 9), at(2026, 1, 5, 17)) == 8 * HOUR
    assert c.seconds_between(at(2026, 1, 5, 17), at(2026, 1, 6, 9)) == 0
    assert c.seconds_between(at(2026, 1, 5, 12), at(2026, 1, 5, 12)) == 0
    assert c.seconds_between(at(2026, 1, 5, 13), at(2026, 1, 5, 12)) == 0
    # Reaching the end of the day exactly stays on that day.
    assert c.add(at(2026, 1, 5, 16), HOUR) == at(2026, 1, 5, 17)
    assert c.add(at(2026, 1, 5, 9), 8 * HOUR) == at(2026, 1, 5, 17)
    assert c.add(at(2026, 1, 5, 9), 8 * HOUR + 1) == at(2026, 1, 6, 9) + dt.timedelta(seconds=1)
    # No time to add from 17:00 sharp: the next opening.
    assert c.add(at(2026, 1, 9, 17), 0) == at(2026, 1, 12, 9)


@pytest.mark.parametrize(
    ("friday", "monday", "utc_friday", "utc_monday"),
    [
        # Summer time begins on Sunday 29 March 2026 (UTC+1 -> UTC+2).
        ((2026, 3, 27), (2026, 3, 30), 15, 8),
        # Summer time ends on Sunday 25 October 2026 (UTC+2 -> UTC+1).
        ((2026, 10, 23), (2026, 10, 26), 14, 9),
    ],
)
def test_a_daylight_saving_change_is_walked_in_wall_clock_time(
    friday, monday, utc_friday, utc_monday
):
    c = cal()
    start = at(*friday, 16)
    due = c.add(start, 2 * HOUR)
    assert due == at(*monday, 10)
    assert due.astimezone(BRUSSELS).hour == 10
    assert start.astimezone(UTC).hour == utc_friday and due.astimezone(UTC).hour == utc_monday
    assert c.seconds_between(start, due) == 2 * HOUR
    # A working day on the Monday after the change is still eight hours.
    assert c.seconds_between(at(*monday, 0), at(*monday, 23)) == 8 * HOUR


def test_working_hours_that_span_the_change_count_elapsed_time_whatever_the_zone_given():
    """On the day summer time begins 01:00–23:00 local is 21 hours long. A moment given in
    the helpdesk's zone and the same moment in UTC must give the same answers."""
    c = cal(days=range(7), starts=1, ends=23)
    local = at(2026, 3, 29, 1)
    utc = local.astimezone(UTC)
    assert c.seconds_between(local, at(2026, 3, 29, 23)) == 21 * HOUR
    assert c.add(local, 21 * HOUR) == c.add(utc, 21 * HOUR) == at(2026, 3, 29, 23)
    assert c.add(local, 21 * HOUR + 60) == at(2026, 3, 30, 1, 1)


def test_another_zone_lisbon():
    c = cal(zone=LISBON)
    # Lisbon is on UTC in winter: its 09:00 is 10:00 in Brussels.
    start = dt.datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
    assert c.add(start, HOUR) == dt.datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert cal().add(start, HOUR) == dt.datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    # In summer Lisbon is UTC+1.
    assert c.add(dt.datetime(2026, 7, 3, 15, tzinfo=UTC), 2 * HOUR) == at(2026, 7, 6, 10, 0, LISBON)


def test_add_returns_utc():
    assert cal().add(at(2026, 1, 5, 10), HOUR).utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "calendar",
    [
        cal(days=()),
        cal(days=(7, 8)),  # no such weekday
        cal(starts=17, ends=9),
        cal(starts=9, ends=9),
    ],
)
def test_a_calendar_without_working_time_raises_a_clear_value_error(calendar):
    assert not calendar.has_working_time
    with pytest.raises(ValueError, match="working time is empty"):
        calendar.add(at(2026, 1, 5, 10), HOUR)
    assert calendar.seconds_between(at(2026, 1, 5), at(2026, 2, 5)) == 0


def test_negative_time_is_refused():
    with pytest.raises(ValueError):
        cal().add(at(2026, 1, 5, 10), -1)


CALENDARS = [
    cal(holidays=[dt.date(2026, 1, 1), dt.date(2026, 4, 6), dt.date(2026, 12, 25)]),
    cal(zone=LISBON, days=SUN_THU, starts=8, ends=16),
    cal(days=range(7), starts=0, ends=23),  # spans both daylight-saving changes
]


@settings(max_examples=300, deadline=None)
@given(
    calendar=st.sampled_from(CALENDARS),
    start=st.datetimes(
        min_value=dt.datetime(2025, 12, 1),
        max_value=dt.datetime(2027, 2, 1),
        timezones=st.just(UTC),
    ),
    seconds=st.integers(min_value=0, max_value=400 * HOUR),
    more=st.integers(min_value=0, max_value=100 * HOUR),
)
def test_property_add_inverts_seconds_between_and_is_monotonic(calendar, start, seconds, more):
    due = calendar.add(start, seconds)
    assert due >= start
    assert abs(calendar.seconds_between(start, due) - seconds) <= 1
    assert calendar.add(start, seconds + more) >= due


# --- the configured calendar -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_configured_calendar_and_its_change_are_seen_at_once(
    coordinator, django_capture_on_commit_callbacks
):
    assert clock.calendar().days == MON_FRI  # the defaults without a row
    setting = WorkingTime(time_zone="Europe/Lisbon", work_days="6,0,1,2,3", day_ends=dt.time(16))
    holiday = Holiday(date=dt.date(2026, 1, 5), name="Sample holiday")
    with django_capture_on_commit_callbacks(execute=True):
        services.save_settings([setting, holiday], actor=coordinator, what="working time")
    found = clock.calendar()
    assert found.zone == LISBON and found.days == SUN_THU and found.ends == dt.time(16)
    assert found.holidays == {dt.date(2026, 1, 5)}


@pytest.mark.django_db
@override_settings(TIME_ZONE="Europe/Brussels")
def test_an_unknown_time_zone_in_the_settings_falls_back_to_the_site_zone():
    WorkingTime.objects.create(time_zone="Mars/Olympus_Mons")
    assert clock.calendar().zone == BRUSSELS
