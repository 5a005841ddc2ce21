"""A group's attendance across its meeting series: which member city attended which past
meeting, and how many meetings each city attended (later calls use it for eligibility)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netzerohub.events.models import Event, Registration

from .models import Group, GroupMembership


@dataclass
class CityAttendance:
    city_id: int
    city_name: str
    marks: list[bool] = field(default_factory=list)  # one per meeting of the table, in order
    total: int = 0  # meetings of the whole series attended


@dataclass
class AttendanceTable:
    meetings: list[Event]
    rows: list[CityAttendance]


def member_cities(group: Group) -> list[tuple[int, str]]:
    """(id, name) of the cities with approved members in `group`, by name."""
    rows = (
        GroupMembership.objects.for_group(group)
        .approved()
        .order_by("city__name", "city_id")
        .values_list("city_id", "city__name")
        .distinct()
    )
    return list(rows)


def attendance_table(group: Group, cities: list[tuple[int, str]]) -> AttendanceTable:
    """`cities` × the group's past meetings (held, not cancelled), with a mark where at least one
    person of the city attended; three queries whatever the size."""
    meetings = list(
        Event.objects.for_group(group)
        .meetings()
        .past()
        .filter(status=Event.Status.PUBLISHED)
        .only("id", "title", "starts_at", "ends_at", "time_zone", "kind", "group_id")
        .order_by("starts_at", "id")
    )
    city_ids = [city_id for city_id, _name in cities]
    series = Registration.objects.for_group(group).filter(city__in=city_ids)
    attended: set[tuple[int, int]] = set()
    if meetings and city_ids:
        attended = set(
            series.attended()
            .filter(event__in=[m.pk for m in meetings])
            .order_by()
            .values_list("city_id", "event_id")
            .distinct()
        )
    totals = series.attendance_by_city() if city_ids else {}
    rows = [
        CityAttendance(
            city_id=city_id,
            city_name=name,
            marks=[(city_id, m.pk) in attended for m in meetings],
            total=totals.get(city_id, 0),
        )
        for city_id, name in cities
    ]
    return AttendanceTable(meetings=meetings, rows=rows)


def meetings_attended(group: Group, city: Any) -> int:
    """How many meetings of `group` at least one person of `city` attended (for eligibility
    rules such as "attended at least N meetings of a peer group")."""
    return Registration.objects.for_group(group).for_city(city).meetings_attended()
