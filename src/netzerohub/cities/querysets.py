"""Reads about countries, cities and memberships, named for the question they answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, F, Q, Value, When

from netzerohub.core.text import fold, prefix_upper_bound

if TYPE_CHECKING:
    from .models import City

SEARCH_MAX_CHARS = 100
RANK_MIN_CHARS = 3


class CountryQuerySet(models.QuerySet):
    def in_directory(self) -> CountryQuerySet:
        """Countries that have at least one city in the directory (for filters)."""
        return self.filter(Q(is_european=True) | Q(is_associated=True))

    def eligible(self) -> CountryQuerySet:
        return self.filter(Q(is_eu_member=True) | Q(is_associated=True, pillar_ii_only=False))


class CityQuerySet(models.QuerySet):
    def search(self, query: str) -> CityQuerySet:
        """Cities with a name (or alternate name, or a word of one) starting with `query`.

        Case and accents do not matter: `koln` and `cologne` both find Köln. The match is an
        index range scan over `CityName.key`. Empty input matches everything; input that folds
        to nothing (emoji, punctuation) matches nothing.
        """
        if not query or not query.strip():
            return self
        key = fold(query[:SEARCH_MAX_CHARS])
        if not key:
            return self.none()
        city_name = self.model._meta.get_field("search_names").related_model
        matching = city_name.objects.filter(key__gte=key, key__lt=prefix_upper_bound(key))
        found = self.filter(pk__in=matching.values("city_id"))
        if len(key) < RANK_MIN_CHARS:
            # A prefix this short matches thousands of cities: keep the population order, which
            # an index serves, instead of sorting every match.
            return found
        # Cities whose own name starts with the query rank before those found by another name.
        return found.annotate(
            name_rank=Case(When(name_folded__startswith=key, then=Value(0)), default=Value(1))
        )

    def with_status(self, status: str) -> CityQuerySet:
        return self.filter(status=status)

    def in_country(self, code: str) -> CityQuerySet:
        return self.filter(country__code=code.upper())

    def population_between(self, low: int | None, high: int | None) -> CityQuerySet:
        qs = self
        if low is not None:
            qs = qs.filter(population__gte=low)
        if high is not None:
            qs = qs.filter(population__lt=high)
        return qs

    def directory(
        self,
        *,
        q: str = "",
        country: str = "",
        status: str = "",
        population_low: int | None = None,
        population_high: int | None = None,
    ) -> CityQuerySet:
        """The directory's filters combined, most populous first."""
        qs = self.search(q) if q else self
        if country:
            qs = qs.in_country(country)
        if status:
            qs = qs.with_status(status)
        qs = qs.population_between(population_low, population_high)
        # Cities without a population figure last, on PostgreSQL too (NULL sorts first there).
        most_populous = F("population").desc(nulls_last=True)
        if "name_rank" in qs.query.annotations:
            return qs.order_by("name_rank", most_populous, "id")
        return qs.order_by(most_populous, "id")

    def mission_cities(self) -> CityQuerySet:
        return self.filter(status="mission")

    def for_listing(self) -> CityQuerySet:
        """Only what a directory row shows."""
        return self.select_related("country").only(
            "id", "name", "population", "status", "country__code", "country__name"
        )

    def where_member(self, user: Any) -> CityQuerySet:
        """Cities where `user` is an approved member (or lead)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__status="approved")


class MembershipQuerySet(models.QuerySet):
    def approved(self) -> MembershipQuerySet:
        return self.filter(status="approved")

    def pending(self) -> MembershipQuerySet:
        return self.filter(status="pending")

    def open(self) -> MembershipQuerySet:
        """Pending or approved: the states that block a second request."""
        return self.filter(status__in=["pending", "approved"])

    def open_between(self, user: Any, city: Any) -> MembershipQuerySet:
        """The pending or approved membership of `user` in `city` (at most one, by constraint)."""
        return self.open().filter(user=user, city=city)

    def leads(self) -> MembershipQuerySet:
        return self.approved().filter(role="lead")

    def for_city(self, city: City) -> MembershipQuerySet:
        return self.filter(city=city)

    def for_user(self, user: Any) -> MembershipQuerySet:
        return self.filter(user=user)

    def awaiting_lead_of(self, user: Any) -> MembershipQuerySet:
        """Requests that `user`, as lead of their cities, can decide."""
        lead_cities = self.model.objects.leads().filter(user=user).values("city_id")
        return self.pending().filter(city_id__in=lead_cities, needs_coordinator=False)

    def awaiting_coordinator(self) -> MembershipQuerySet:
        return self.pending().filter(needs_coordinator=True)


class ProposalQuerySet(models.QuerySet):
    def pending(self) -> ProposalQuerySet:
        return self.filter(status="pending")
