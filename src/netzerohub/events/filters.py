"""The public calendar's question: which national events, in which month, and the month grid.

The filters come from the calendar's GET form (`forms.CalendarFilterForm`): the address is the
state. Every filter is index-friendly on the events table: the country by its key (the
`country, status, starts_at` index), the month as a range of start times (`starts_at` index),
fields and levers through the many-to-many tables' own indexes; the language is a containment
test on the JSON list (jsonb `@>` on PostgreSQL), applied to rows already narrowed by time.
"""

from __future__ import annotations

import calendar as pycalendar
import dataclasses
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection

from .querysets import EventQuerySet

MONTH_VIEW = "month"
LIST_VIEW = "list"
# The default list shows the events that have not ended. Bounding their start as well lets the
# start-time index answer it (at 20,000 events, 8 ms of filtered scanning become a range read);
# an event that began longer ago than this and still runs is found by its month.
LONGEST_EVENT = dt.timedelta(days=62)


@dataclass(frozen=True)
class CalendarFilters:
    """The valid filters of one calendar request (invalid values are dropped by the form)."""

    view: str = LIST_VIEW
    country: str = ""  # ISO code
    language: str = ""  # ISO 639-1 code
    field: str = ""  # term slug
    lever: str = ""  # term slug
    month: dt.date | None = None  # the first of the month
    day: dt.date | None = None

    def key(self) -> tuple:
        """What names the results of these filters (for caches)."""
        return (
            self.view,
            self.country,
            self.language,
            self.field,
            self.lever,
            self.month.isoformat() if self.month else "",
            self.day.isoformat() if self.day else "",
        )

    @property
    def is_filtered(self) -> bool:
        return self.has_criteria or bool(self.month or self.day)

    @property
    def has_criteria(self) -> bool:
        """Filtered by something other than time."""
        return any((self.country, self.language, self.field, self.lever))

    def query(self, **changes: object) -> str:
        """The address query of these filters with `changes` (None drops a parameter), built
        from the valid values only: links never carry what the request had besides them."""
        values: dict[str, object] = {
            "view": self.view if self.view != LIST_VIEW else None,
            "country": self.country,
            "language": self.language,
            "field": self.field,
            "lever": self.lever,
            "month": self.month.strftime("%Y-%m") if self.month else None,
            "day": self.day.isoformat() if self.day else None,
        }
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value})

    def apply(self, events: EventQuerySet) -> EventQuerySet:
        """`events` narrowed by country, language, field and lever (not by time)."""
        if self.country:
            events = events.filter(country__code=self.country)
        if self.language:
            events = in_language(events, self.language)
        if self.field:
            events = events.filter(fields__kind="field", fields__slug=self.field)
        if self.lever:
            events = events.filter(levers__kind="lever", levers__slug=self.lever)
        return events


def upcoming(events: EventQuerySet, now: dt.datetime) -> EventQuerySet:
    """Events that have not ended at `now`, among those that started at most `LONGEST_EVENT`
    ago."""
    return events.upcoming(now).filter(starts_at__gte=now - LONGEST_EVENT)


def in_language(events: EventQuerySet, code: str) -> EventQuerySet:
    """Events held in `code` (a member of the `languages` JSON list).

    PostgreSQL tests containment natively; SQLite has no JSON containment lookup, so the quoted
    code is looked for in the stored JSON text (codes are letters only, validated by the form).
    """
    if connection.vendor == "postgresql":
        return events.filter(languages__contains=[code])
    return events.filter(languages__icontains=f'"{code}"')


def start_of_day(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Local midnight of `day` in `zone`, as an aware time (compare it with UTC times)."""
    return dt.datetime.combine(day, dt.time.min).replace(tzinfo=zone)


def month_range(month: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `month` in `zone`: from local midnight of the 1st to that of the next."""
    return start_of_day(month, zone), start_of_day(next_month(month), zone)


def day_range(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return start_of_day(day, zone), start_of_day(day + dt.timedelta(days=1), zone)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass
class Day:
    """One cell of the month grid."""

    date: dt.date
    in_month: bool
    is_today: bool
    events: list = dataclasses.field(default_factory=list)
    more: int = 0  # events of the day not shown in the cell
    more_query: str = ""  # the list of that day's events


def month_grid(month: dt.date, today: dt.date) -> list[list[Day]]:
    """The weeks (Monday to Sunday) that cover `month`, each a list of seven days."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [
        [Day(date=d, in_month=d.month == month.month, is_today=d == today) for d in week]
        for week in weeks
    ]
