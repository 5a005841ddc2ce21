"""Reads about events, registrations and calendar feeds, named for the question they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        """Published and cancelled events: both stay on the calendar (a cancelled one says so)."""
        return self.filter(status__in=["published", "cancelled"])

    def national(self) -> EventQuerySet:
        return self.filter(kind="national")

    def meetings(self) -> EventQuerySet:
        return self.filter(kind="meeting")

    def for_group(self, group: Any) -> EventQuerySet:
        return self.filter(group=group)

    def study_visits_of(self, call: Any) -> EventQuerySet:
        """The study visits hosted through the offers of exchange `call`."""
        return self.filter(kind="study-visit", offer__call=call)

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        """Events that have not ended yet."""
        return self.filter(ends_at__gt=now or timezone.now())

    def past(self, now: datetime | None = None) -> EventQuerySet:
        return self.filter(ends_at__lte=now or timezone.now())

    def between(self, start: datetime, end: datetime) -> EventQuerySet:
        """Events that start in [start, end)."""
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def visible_to(self, user: Any) -> EventQuerySet:
        """Published events for everyone (a meeting's time and agenda are not secret; its video
        link is, see the policy); drafts for coordinators, organisers and the group's
        facilitators."""
        if user.is_authenticated and user.is_coordinator:
            return self
        published = Q(status__in=["published", "cancelled"])
        if not user.is_authenticated:
            return self.filter(published)
        return self.filter(published | self._run_by(user))

    def managed_by(self, user: Any) -> EventQuerySet:
        """Events `user` runs: all for coordinators; otherwise the events they organise and the
        meetings of the groups they facilitate."""
        if user.is_authenticated and user.is_coordinator:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._run_by(user))

    def _run_by(self, user: Any) -> Q:
        """The events `user` organises, whose group they facilitate, or whose host city they
        lead or mentor (a study visit), as subqueries (no join: nothing is multiplied, no
        DISTINCT sorts every match)."""
        organised = self.model.organisers.through.objects.filter(user=user).values("event_id")
        group = self.model._meta.get_field("group").related_model
        facilitated = group.facilitators.through.objects.filter(user=user).values("group_id")
        membership = user.memberships.model
        hosting = membership.objects.approved().filter(
            Q(role=membership.Role.LEAD) | Q(is_mentor=True), user=user
        )
        return (
            Q(pk__in=organised)
            | Q(group_id__in=facilitated)
            | Q(offer__city_id__in=hosting.values("city_id"))
        )

    def with_counts(self) -> EventQuerySet:
        """Each event with `confirmed_count`, `offered_count` and `waitlisted_count`: counted
        per event in a subquery (an index range of each event's registrations), so that no
        join elsewhere in the query (`visible_to`) can multiply them."""
        registration = self.model._meta.get_field("registrations").related_model

        def count(status: str) -> Coalesce:
            per_event = (
                registration.objects.filter(event=OuterRef("pk"), status=status)
                .order_by()
                .values("event")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(per_event), 0)

        return self.annotate(
            confirmed_count=count("confirmed"),
            offered_count=count("offered"),
            waitlisted_count=count("waitlisted"),
        )


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        """Confirmed, offered and waitlisted: what a person or a city currently holds."""
        return self.filter(status__in=["confirmed", "waitlisted", "offered"])

    def holding_seat(self) -> RegistrationQuerySet:
        return self.filter(status__in=["confirmed", "offered"])

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status="confirmed")

    def waitlisted(self) -> RegistrationQuerySet:
        return self.filter(status="waitlisted")

    def offered(self) -> RegistrationQuerySet:
        return self.filter(status="offered")

    def waitlist_order(self) -> RegistrationQuerySet:
        """The waitlist's order: higher priority first, then first come, first served."""
        return self.order_by("-priority", "created", "id")

    def running_order(self) -> RegistrationQuerySet:
        """The order the people running an event read them in: confirmed, offered, the waitlist
        (in its order), then cancelled and expired."""
        rank = Case(
            When(status="confirmed", then=Value(0)),
            When(status="offered", then=Value(1)),
            When(status="waitlisted", then=Value(2)),
            default=Value(3),
        )
        return self.order_by(rank, "-priority", "created", "id")

    def for_event(self, event: Any) -> RegistrationQuerySet:
        return self.filter(event=event)

    def for_user(self, user: Any) -> RegistrationQuerySet:
        return self.filter(user=user)

    def for_city(self, city: Any) -> RegistrationQuerySet:
        return self.filter(city=city)

    def for_group(self, group: Any) -> RegistrationQuerySet:
        return self.filter(event__group=group, event__kind="meeting")

    def attended(self) -> RegistrationQuerySet:
        return self.filter(attended=True)

    def meetings_attended(self) -> int:
        """How many events these registrations attended: with `for_group(g).for_city(c)`, the
        meetings of g that at least one person of c attended (calls use it for eligibility:
        "attended at least N meetings of a group")."""
        return self.attended().values("event").distinct().count()

    def attendance_by_city(self) -> dict[int, int]:
        """{city id: events attended} over these registrations (a group's series, say)."""
        rows = self.attended().values("city").annotate(n=Count("event", distinct=True))
        return {row["city"]: row["n"] for row in rows}

    def offers_expired(self, now: datetime | None = None) -> RegistrationQuerySet:
        return self.filter(status="offered", offer_expires_at__lte=now or timezone.now())


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)
