"""The helpdesk's writes: routing, assignment, the conversation and the clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, UserFactory
from netzerohub.helpdesk import services
from netzerohub.helpdesk.models import Category, Message, Ticket

from .factories import QueueFactory, RoutingRuleFactory, ServiceLevelFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status


def test_a_ticket_is_routed_assigned_and_timed_then_answered_paused_resumed_and_resolved():
    expert = HelpdeskExpertFactory()
    queue = QueueFactory(experts=[expert])
    RoutingRuleFactory(category=Category.PORTAL, queue=queue)
    ServiceLevelFactory()
    asker = UserFactory()
    ticket = services.open_ticket(
        actor=asker, city=None, category=Category.PORTAL, subject="Login", description="Help"
    )
    assert (ticket.queue, ticket.assignee, ticket.status) == (queue, expert, S.NEW)
    assert ticket.first_response_due > ticket.received_at
    assert ticket.resolution_due > ticket.first_response_due

    services.reply_as_helpdesk(ticket, actor=expert, body="Which browser?", status=S.WAITING)
    ticket.refresh_from_db()
    assert ticket.status == S.WAITING and ticket.first_response_at is not None
    assert ticket.waiting_since is not None
    due = ticket.resolution_due

    services.reply_as_city(ticket, actor=asker, body="Firefox")
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN and ticket.waiting_since is None
    assert ticket.resolution_due >= due

    services.reply_as_helpdesk(ticket, actor=expert, body="Internal", note=True)
    services.reply_as_helpdesk(ticket, actor=expert, body="Fixed", status=S.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED and ticket.resolution_seconds is not None
    assert ticket.message_count == 5
    assert Message.objects.public().filter(ticket=ticket).count() == 4

    later = timezone.now() + dt.timedelta(days=8)
    assert services.close_resolved(now=later) == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    services.rate(ticket, actor=asker, rating=5, comment="Thanks")
    with pytest.raises(services.HelpdeskError):
        services.reply_as_city(ticket, actor=asker, body="One more thing")
