"""The service-level clock: working time between two moments, and a moment plus working time.

The helpdesk works on the configured days (Monday–Friday by default) between the day's start and
end (09:00–17:00 by default) in its time zone, except on holidays; the clock runs only then. Days
are walked in the helpdesk's zone with wall-clock opening times, so a daylight-saving change
shortens or lengthens no working day: 09:00–17:00 is eight working hours on either side of it.
Within a day the time counted is elapsed time (the windows are turned into UTC moments), so the
answers do not depend on the zone a moment is given in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache

from netzerohub.core import versions

VERSION = "helpdesk:version:settings"
MAX_DAYS = 3660  # a walk longer than ten years means a misconfiguration (no working day)
WEEK = frozenset(range(7))


@dataclass(frozen=True)
class WorkingCalendar:
    zone: ZoneInfo
    days: frozenset[int]  # 0 = Monday
    starts: dt.time
    ends: dt.time
    holidays: frozenset[dt.date]

    @property
    def has_working_time(self) -> bool:
        """False for settings that leave no working hour in a week (no valid day, or a day
        that ends before it starts): `add` cannot answer then."""
        return bool(self.days & WEEK) and self.starts < self.ends

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's working hours (wall-clock times in the helpdesk's zone) as UTC moments,
        or None on a day off. All arithmetic is on UTC moments, so mixing moments given in
        any zone never mixes wall-clock and elapsed time."""
        if day.weekday() not in self.days or day in self.holidays:
            return None
        return (
            dt.datetime.combine(day, self.starts, tzinfo=self.zone).astimezone(dt.UTC),
            dt.datetime.combine(day, self.ends, tzinfo=self.zone).astimezone(dt.UTC),
        )

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working seconds from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        total = 0.0
        while day <= last:
            window = self._window(day)
            if window is not None:
                lower, upper = max(window[0], start), min(window[1], end)
                if upper > lower:
                    total += (upper - lower).total_seconds()
            day += dt.timedelta(days=1)
        return int(total)

    def add(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The moment (in UTC) when `seconds` of working time have passed since `start`; a
        start outside working hours counts from the next opening. Raises ValueError when the
        calendar has no working time."""
        if not self.has_working_time:
            raise ValueError(
                "the helpdesk's working time is empty: no working day, or a day that ends "
                "before it starts"
            )
        if seconds < 0:
            raise ValueError("working time to add cannot be negative")
        start = start.astimezone(dt.UTC)
        day = start.astimezone(self.zone).date()
        left = float(seconds)
        for _ in range(MAX_DAYS):
            window = self._window(day)
            if window is not None:
                lower = max(window[0], start)
                if lower < window[1]:
                    available = (window[1] - lower).total_seconds()
                    if left <= available:
                        return lower + dt.timedelta(seconds=left)
                    left -= available
            day += dt.timedelta(days=1)
        raise ValueError("the helpdesk has no working day in ten years (holidays everywhere)")


def calendar() -> WorkingCalendar:
    """The configured working calendar (cached until the settings change)."""
    key = f"helpdesk:calendar:{versions.current(VERSION)}"
    found = cache.get(key)
    if found is None:
        found = _load()
        cache.set(key, found, 3600)
    return found


def _load() -> WorkingCalendar:
    from .models import Holiday, WorkingTime

    setting = WorkingTime.objects.first() or WorkingTime()
    try:
        zone = ZoneInfo(setting.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        # The settings form offers known zones only; a row written otherwise must not break
        # every page that shows a due time.
        zone = ZoneInfo(settings.TIME_ZONE)
    return WorkingCalendar(
        zone=zone,
        days=setting.days,
        starts=setting.day_starts,
        ends=setting.day_ends,
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


def warn_hours() -> int:
    """The warning window before a breach, in working hours (cached until the settings change,
    as the calendar is)."""
    from .models import WorkingTime

    key = f"helpdesk:warn-hours:{versions.current(VERSION)}"
    found = cache.get(key)
    if found is None:
        found = (WorkingTime.objects.first() or WorkingTime()).warn_hours
        cache.set(key, found, 3600)
    return found


def settings_changed() -> None:
    versions.bump(VERSION)
