"""Who may do what in the helpdesk: one policy for tickets, serving pages, API, emails, exports.

- The *city side* of a ticket: the person who asked, and the leads of the ticket's city. They
  read the public replies (never the internal notes), reply and — the asker — rate.
- The *helpdesk side*: the experts of the ticket's queue, the expert it is assigned to, and
  coordinators (all tickets). They read notes, write notes, reply, and change status,
  priority, queue and assignee.
Anyone else gets the same 404 as for a ticket that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from netzerohub.cities.policies import approved_memberships
from netzerohub.core.policies import Policy, fetch_or_404

from .models import Queue, Ticket
from .querysets import TicketQuerySet

_QUEUES_ATTR = "_helpdesk_queue_ids"


def queue_ids(user: Any) -> frozenset[int]:
    """The queues an expert works in (loaded once per request, cached on the user)."""
    if not user.is_authenticated or not (user.is_helpdesk_expert or user.is_staff):
        return frozenset()
    cached = getattr(user, _QUEUES_ATTR, None)
    if cached is None:
        cached = frozenset(Queue.objects.filter(experts=user).values_list("pk", flat=True))
        setattr(user, _QUEUES_ATTR, cached)
    return cached


def is_expert(user: Any) -> bool:
    """Someone who answers tickets: a helpdesk expert or a coordinator."""
    return bool(user.is_authenticated and (user.is_helpdesk_expert or user.is_coordinator))


def lead_city_ids(user: Any) -> list[int]:
    return [pk for pk, m in approved_memberships(user).items() if m.role == m.Role.LEAD]


class TicketPolicy(Policy):
    actions = ("view", "view_notes", "reply", "note", "manage", "rate")

    def on_city_side(self, user: Any, ticket: Ticket) -> bool:
        if not user.is_authenticated:
            return False
        if ticket.requester_id is not None and ticket.requester_id == user.pk:
            return True
        return ticket.city_id is not None and ticket.city_id in lead_city_ids(user)

    def on_helpdesk_side(self, user: Any, ticket: Ticket) -> bool:
        if not user.is_authenticated:
            return False
        if user.is_coordinator:
            return True
        if not user.is_helpdesk_expert:
            return False
        return ticket.assignee_id == user.pk or ticket.queue_id in queue_ids(user)

    def can_view(self, user: Any, ticket: Ticket) -> bool:
        if ticket.status == Ticket.Status.UNVERIFIED:
            return user.is_authenticated and user.is_coordinator
        return self.on_city_side(user, ticket) or self.on_helpdesk_side(user, ticket)

    def can_view_notes(self, user: Any, ticket: Ticket) -> bool:
        return self.on_helpdesk_side(user, ticket)

    def can_reply(self, user: Any, ticket: Ticket) -> bool:
        """Write a public reply (a closed ticket takes none: the page offers a follow-up)."""
        return ticket.status != Ticket.Status.CLOSED and self.can_view(user, ticket)

    def can_note(self, user: Any, ticket: Ticket) -> bool:
        return self.on_helpdesk_side(user, ticket)

    def can_manage(self, user: Any, ticket: Ticket) -> bool:
        return self.on_helpdesk_side(user, ticket)

    def can_rate(self, user: Any, ticket: Ticket) -> bool:
        return (
            user.is_authenticated
            and ticket.requester_id == user.pk
            and ticket.status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
            and ticket.rating is None
        )


ticket_policy = TicketPolicy()


def get_ticket_for_user(user: Any, ticket_id: int, action: str = "view") -> Ticket:
    """The ticket, or the same 404 for missing and not-yours."""
    queryset = Ticket.objects.select_related("city", "queue", "assignee", "requester", "term")
    return fetch_or_404(queryset, ticket_policy, user, action, pk=ticket_id)


def visible_tickets(user: Any) -> TicketQuerySet:
    """Every ticket `user` may open (for lists): own, their led cities', their queues', all
    for coordinators."""
    tickets = Ticket.objects.received()
    if not user.is_authenticated:
        return tickets.none()
    if user.is_coordinator:
        return tickets
    condition = Q(requester=user)
    leads = lead_city_ids(user)
    if leads:
        condition |= Q(city__in=leads)
    if user.is_helpdesk_expert:
        condition |= Q(assignee=user) | Q(queue__in=queue_ids(user))
    return tickets.filter(condition)


def can_answer_faq(user: Any) -> bool:
    """Experts and coordinators write the FAQ and the canned replies."""
    return is_expert(user)


def can_configure(user: Any) -> bool:
    """Queues, rules, service levels, working time: coordinators."""
    return bool(user.is_authenticated and user.is_coordinator)
