"""The "Exchanges" card of My city: the city's applications to calls and its published pairs
(a card of `cities.panels`)."""

from __future__ import annotations

from typing import Any

from .models import Application, Pair

SHOWN = 5


def city_panel(city: Any, user: Any) -> dict[str, Any]:
    applications = (
        Application.objects.for_city(city)
        .active()
        .select_related("call")
        .order_by("-updated", "-id")[:SHOWN]
    )
    pairs = (
        Pair.objects.published()
        .of_city(city)
        .select_related("call", "application__city", "offer__city")
        .order_by("-created", "-id")[:SHOWN]
    )
    return {"city": city, "applications": list(applications), "pairs": list(pairs)}
