"""The "Helpdesk" card of My city (a card of `cities.panels`): for a lead (and a coordinator)
the city's open tickets, for a member their own open tickets for the city — a count and the
latest three — and a link to ask the helpdesk. Two queries, whatever the number of tickets."""

from __future__ import annotations

from typing import Any

from netzerohub.cities.policies import is_coordinator, is_lead

from .models import Ticket

SHOWN = 3


def city_panel(city: Any, user: Any) -> dict[str, Any]:
    whole_city = is_lead(user, city) or is_coordinator(user)
    tickets = Ticket.objects.active().of_cities([city.pk])
    if not whole_city:
        tickets = tickets.asked_by(user)
    return {
        "city": city,
        "whole_city": whole_city,
        "open_count": tickets.count(),
        "latest": list(
            tickets.only("subject", "status", "created").order_by("-created", "-id")[:SHOWN]
        ),
    }
