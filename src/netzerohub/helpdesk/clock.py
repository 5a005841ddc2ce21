"""The service-level clock: working time between two moments, and a moment plus working time.

The helpdesk works on the configured days (Monday–Friday by default) between the day's start and
end (09:00–17:00 by default) in its time zone, except on holidays; the clock runs only then. Days
are walked in the helpdesk's zone with wall-clock times, so a daylight-saving change shortens or
lengthens nothing: 09:00–17:00 is eight working hours on either side of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache

from netzerohub.core import versions

VERSION = "helpdesk:version:settings"
MAX_DAYS = 3660  # a walk longer than ten years means a misconfiguration (no working day)


@dataclass(frozen=True)
class WorkingCalendar:
    zone: ZoneInfo
    days: frozenset[int]  # 0 = Monday
    starts: dt.time
    ends: dt.time
    holidays: frozenset[dt.date]

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's working hours as aware datetimes, or None on a day off."""
        if day.weekday() not in self.days or day in self.holidays:
            return None
        return (
            dt.datetime.combine(day, self.starts, tzinfo=self.zone),
            dt.datetime.combine(day, self.ends, tzinfo=self.zone),
        )

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working seconds from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0
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
        """The moment when `seconds` of working time have passed since `start`."""
        if not self.days or self.starts >= self.ends:
            raise ValueError("the helpdesk has no working hours")
        day = start.astimezone(self.zone).date()
        left = float(seconds)
        for _ in range(MAX_DAYS):
            window = self._window(day)
            if window is not None:
                lower = max(window[0], start)
                if lower < window[1]:
                    available = (window[1] - lower).total_seconds()
                    if left <= available:
                        return (lower + dt.timedelta(seconds=left)).astimezone(dt.UTC)
                    left -= available
            day += dt.timedelta(days=1)
        raise ValueError("the helpdesk has no working day in ten years")


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
    return WorkingCalendar(
        zone=ZoneInfo(setting.time_zone),
        days=setting.days,
        starts=setting.day_starts,
        ends=setting.day_ends,
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


def settings_changed() -> None:
    versions.bump(VERSION)
