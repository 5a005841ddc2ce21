"""Factories for the helpdesk: queues with experts, service levels, tickets and messages."""

from __future__ import annotations

import factory

from netzerohub.accounts.tests.factories import HelpdeskExpertFactory, UserFactory
from netzerohub.helpdesk.models import (
    Absence,
    CannedReply,
    Category,
    FaqEntry,
    Message,
    Priority,
    Queue,
    RoutingRule,
    ServiceLevel,
    Ticket,
)


class QueueFactory(factory.django.DjangoModelFactory):
    """An active queue assigning automatically; `experts=[...]` adds its experts."""

    class Meta:
        model = Queue
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Queue {n}")
    slug = factory.Sequence(lambda n: f"queue-{n}")

    @factory.post_generation
    def experts(self, create, extracted, **kwargs):
        if create and extracted:
            self.experts.add(*extracted)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    category = Category.PORTAL
    queue = factory.SubFactory(QueueFactory)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    expert = factory.SubFactory(HelpdeskExpertFactory)
    starts_on = factory.Faker("date_this_year")
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    """Normal priority: first response within 2 working days (16 h), resolution within 5."""

    class Meta:
        model = ServiceLevel
        django_get_or_create = ("priority",)

    priority = Priority.NORMAL
    first_response_hours = 16
    resolution_hours = 40


class TicketFactory(factory.django.DjangoModelFactory):
    """A member's new ticket, without queue or clock: use `services.open_ticket` for a routed
    ticket with its first message; this is for lists and policies."""

    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    category = Category.PORTAL
    subject = factory.Sequence(lambda n: f"Question {n}")
    status = Ticket.Status.NEW


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    kind = Message.Kind.REPLY
    from_city = True
    body = "A sample message."


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CannedReply

    title = factory.Sequence(lambda n: f"Canned reply {n}")
    body = "Thank you for your question. A sample answer."


class FaqEntryFactory(factory.django.DjangoModelFactory):
    """A published entry (not in the search index: save it through `services.save_faq_entry`
    for that)."""

    class Meta:
        model = FaqEntry

    question = factory.Sequence(lambda n: f"How do I do thing {n}?")
    slug = factory.Sequence(lambda n: f"how-do-i-do-thing-{n}")
    answer = "A sample answer."
    category = Category.PORTAL
    status = FaqEntry.Status.PUBLISHED
