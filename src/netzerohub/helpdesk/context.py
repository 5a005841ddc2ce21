"""What the helpdesk knows about the city behind a ticket, shown beside it to the expert: the
city's status, its latest readiness stage and weakest dimensions, the learning pathways its
members follow, its exchange applications and its other tickets (of the asker, or of the
visitor's address, when there is no city).

A fixed number of queries whatever the city has done (each part is capped); only for the
helpdesk side (`ticket_policy.can_manage`): nothing here is for the city's eyes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.urls import reverse

from netzerohub.assessment.results import Readiness, readiness_of
from netzerohub.exchanges.models import Application
from netzerohub.learning.models import Enrolment

from .models import Ticket

PAST_TICKETS = 5
PATHWAYS = 8
APPLICATIONS = 5


@dataclass
class PathwayFollowed:
    title: str
    url: str
    people: int


@dataclass
class TicketContext:
    city: Any = None
    readiness: Readiness | None = None
    pathways: list[PathwayFollowed] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    past_tickets: list[Ticket] = field(default_factory=list)
    email: str = ""  # a visitor's address (their ticket has no city and no account)
    past_of: str = ""  # "city", "asker" or "email": whose tickets `past_tickets` are


def ticket_context(ticket: Ticket) -> TicketContext:
    """The context panel's data for `ticket` (its `city` and `requester` already loaded)."""
    found = TicketContext(city=ticket.city, email=ticket.contact_email)
    city = ticket.city
    if city is not None:
        readiness = readiness_of([city])[city.pk]
        found.readiness = readiness if readiness.latest or readiness.in_progress else None
        found.pathways = _pathways(city)
        found.applications = list(
            Application.objects.for_city(city)
            .active()
            .select_related("call")
            .order_by("-updated", "-id")[:APPLICATIONS]
        )
    past = Ticket.objects.received().exclude(pk=ticket.pk)
    if city is not None:
        past, found.past_of = past.filter(city=city), "city"
    elif ticket.requester_id is not None:
        past, found.past_of = past.filter(requester=ticket.requester_id), "asker"
    elif ticket.contact_email:
        past, found.past_of = past.filter(contact_email__iexact=ticket.contact_email), "email"
    else:
        past = past.none()
    if found.past_of:
        found.past_tickets = list(
            past.order_by("-created", "-id").only("pk", "subject", "status", "created")[
                :PAST_TICKETS
            ]
        )
    return found


def _pathways(city: Any) -> list[PathwayFollowed]:
    """The pathways the city's approved members are enrolled in, with how many follow each."""
    rows = (
        Enrolment.objects.of_members(city)
        .in_pathways()
        .values("pathway__key", "pathway__title")
        .annotate(people=Count("user", distinct=True))
        .order_by("-people", "pathway__title")[:PATHWAYS]
    )
    return [
        PathwayFollowed(
            title=row["pathway__title"],
            url=reverse("learning:pathway", args=[row["pathway__key"]]),
            people=row["people"],
        )
        for row in rows
    ]
