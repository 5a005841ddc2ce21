"""The "Groups and events" card of My city: the city's peer groups, its people's next
registrations and its attendance (a card of `cities.panels`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from netzerohub.community.models import GroupMembership

from .models import Registration

SHOWN = 5


def city_panel(city: Any, user: Any) -> dict[str, Any]:
    groups = (
        GroupMembership.objects.for_city(city)
        .approved()
        .values_list("group__slug", "group__title")
        .distinct()
        .order_by("group__title")
    )
    upcoming = (
        Registration.objects.for_city(city)
        .active()
        .filter(event__ends_at__gt=timezone.now())
        .select_related("event", "user")
        .order_by("event__starts_at", "id")
    )
    return {
        "city": city,
        "groups": list(groups[: SHOWN + 1]),
        "upcoming": list(upcoming[:SHOWN]),
        "attended": Registration.objects.for_city(city)
        .attended()
        .values("event")
        .distinct()
        .count(),
        "shown": SHOWN,
    }
