"""Reads of the helpdesk, named for the question they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q


class TicketQuerySet(models.QuerySet):
    def active(self) -> TicketQuerySet:
        """New, open or waiting for the city: the backlog."""
        return self.filter(status__in=["new", "open", "waiting"])

    def received(self) -> TicketQuerySet:
        """Everything but tickets whose visitor has not yet confirmed their address."""
        return self.exclude(status="unverified")

    def asked_by(self, user: Any) -> TicketQuerySet:
        return self.filter(requester=user)

    def of_cities(self, city_ids: Any) -> TicketQuerySet:
        return self.filter(city__in=city_ids)

    def in_queues(self, queue_ids: Any) -> TicketQuerySet:
        return self.filter(queue__in=queue_ids)

    def assigned_to(self, user: Any) -> TicketQuerySet:
        return self.filter(assignee=user)

    def overdue(self, now: datetime) -> TicketQuerySet:
        """Active tickets past a due time. A ticket waiting for the city is not: its clock is
        stopped (its due times move when it resumes)."""
        return self.filter(status__in=["new", "open"]).filter(
            Q(first_response_at__isnull=True, first_response_due__lt=now)
            | Q(resolution_due__lt=now)
        )

    def due_before(self, moment: datetime) -> TicketQuerySet:
        """Active tickets (clock running) with a due time before `moment`, not yet past due
        or past it: callers combine with `overdue`."""
        return self.filter(status__in=["new", "open"]).filter(
            Q(first_response_at__isnull=True, first_response_due__lt=moment)
            | Q(resolution_due__lt=moment)
        )

    def resolved_before(self, moment: datetime) -> TicketQuerySet:
        return self.filter(status="resolved", resolved_at__lt=moment)

    def for_listing(self) -> TicketQuerySet:
        return self.select_related("city", "queue", "assignee", "requester", "term")


class MessageQuerySet(models.QuerySet):
    def public(self) -> MessageQuerySet:
        """Replies only: what the city may read (never an internal note)."""
        return self.filter(kind="reply")

    def for_ticket(self, ticket: Any) -> MessageQuerySet:
        return self.filter(ticket=ticket)


class FaqEntryQuerySet(models.QuerySet):
    def published(self) -> FaqEntryQuerySet:
        return self.filter(status="published")
