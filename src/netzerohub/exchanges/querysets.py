"""Reads about calls, applications, host offers and pairs, named for the question they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from netzerohub.core.querysets import CityScopedQuerySet


class CallQuerySet(models.QuerySet):
    def published(self) -> CallQuerySet:
        return self.filter(status="published")

    def open_at(self, now: datetime | None = None) -> CallQuerySet:
        """Published calls whose window is open at `now` (UTC on the server)."""
        now = now or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def listed(self, now: datetime | None = None) -> CallQuerySet:
        """Published calls in the order the calls page reads them: open ones first (closing
        soonest first), then upcoming ones (opening soonest first), then closed ones (latest
        first). Each call gets `listing_phase`: 0 open, 1 upcoming, 2 closed."""
        now = now or timezone.now()
        phase = Case(
            When(opens_at__gt=now, then=Value(1)),
            When(closes_at__lte=now, then=Value(2)),
            default=Value(0),
            output_field=IntegerField(),
        )
        return (
            self.published()
            .annotate(listing_phase=phase)
            .annotate(
                ascending=Case(
                    When(listing_phase=0, then=F("closes_at")),
                    When(listing_phase=1, then=F("opens_at")),
                ),
                descending=Case(When(listing_phase=2, then=F("closes_at"))),
            )
            .order_by("listing_phase", "ascending", F("descending").desc(nulls_last=True), "id")
        )

    def visible_to(self, user: Any) -> CallQuerySet:
        """Published and archived calls for everyone; drafts for coordinators."""
        if user.is_authenticated and user.is_coordinator:
            return self
        return self.filter(status__in=["published", "archived"])

    def reviewed_by(self, user: Any) -> CallQuerySet:
        return self.filter(reviewers=user)


class ApplicationQuerySet(CityScopedQuerySet):
    def for_call(self, call: Any) -> ApplicationQuerySet:
        return self.filter(call=call)

    def submitted(self) -> ApplicationQuerySet:
        """Applications handed in: submitted and decided ones (not drafts, not withdrawn)."""
        return self.filter(status__in=["submitted", "accepted", "waitlisted", "rejected"])

    def accepted(self) -> ApplicationQuerySet:
        return self.filter(status="accepted")

    def active(self) -> ApplicationQuerySet:
        """Not withdrawn."""
        return self.exclude(status="withdrawn")

    def for_calls(self, calls: Any) -> ApplicationQuerySet:
        return self.filter(call__in=calls)

    def for_cities(self, city_ids: Any) -> ApplicationQuerySet:
        """The applications of several cities (a person's cities, say)."""
        return self.filter(city_id__in=city_ids)


class HostOfferQuerySet(CityScopedQuerySet):
    def for_call(self, call: Any) -> HostOfferQuerySet:
        return self.filter(call=call)

    def with_capacity(self) -> HostOfferQuerySet:
        return self.filter(capacity__gt=0)


class PairQuerySet(models.QuerySet):
    def for_call(self, call: Any) -> PairQuerySet:
        return self.filter(call=call)

    def published(self) -> PairQuerySet:
        return self.filter(status="published")

    def proposed(self) -> PairQuerySet:
        return self.filter(status="proposed")

    def of_city(self, city: Any) -> PairQuerySet:
        """Pairs with `city` on either side."""
        return self.filter(Q(application__city=city) | Q(offer__city=city))

    def of_cities(self, city_ids: Any) -> PairQuerySet:
        """Pairs with one of `city_ids` on either side."""
        return self.filter(Q(application__city_id__in=city_ids) | Q(offer__city_id__in=city_ids))
