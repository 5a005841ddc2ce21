"""Reads about calls, applications, host offers and pairs, named for the question they answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Avg, Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from netzerohub.core.querysets import CityScopedQuerySet


class ReviewScore(models.Func):
    """The score a review's `scores` give one criterion (its id as text), as a number; NULL
    when not scored. (Django's key transforms read a key of digits as an array index.)"""

    output_field = models.FloatField()

    def __init__(self, expression: Any, *, key: str) -> None:
        if not key.isdigit():
            raise ValueError("criterion keys are ids")
        super().__init__(expression)
        self.key = key

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"JSON_EXTRACT({sql}, %s)", (*params, f'$."{self.key}"')

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql} ->> %s))::double precision", (*params, self.key)


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

    def with_score(self, weights: Mapping[str, float]) -> ApplicationQuerySet:
        """Each application's review score as `score`, as `services.weighted_score` computes it
        (the mean over its reviews of Σ weight × score / Σ weight of the criteria each scored;
        None before any review), but in the database, so that a long list is sorted by it
        without loading every review. `weights`: {criterion id as text: weight}."""
        total, scored = Value(0.0), Value(0.0)
        for key, weight in weights.items():
            points = Coalesce(ReviewScore("reviews__scores", key=key), Value(0.0))
            total = total + points * Value(float(weight))
            given = When(**{"reviews__scores__has_key": key}, then=Value(float(weight)))
            scored = scored + Case(given, default=Value(0.0))
        return self.annotate(score=Avg(total / NullIf(scored, Value(0.0))))


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
