"""Reads of the knowledge repository, named for the question they answer."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, Q

from netzerohub.cities.policies import approved_memberships, is_coordinator, is_programme_member

PUBLISHED = "published"
ARCHIVED = "archived"
SUBMITTED = "submitted"


class ResourceQuerySet(models.QuerySet):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=PUBLISHED)

    def readable_by(self, user: Any) -> ResourceQuerySet:
        """Published resources `user` may read (members-only ones need a programme member)."""
        queryset = self.published()
        if not is_programme_member(user):
            queryset = queryset.filter(visibility="public")
        return queryset

    def exportable_by(self, user: Any) -> ResourceQuerySet:
        """The catalogue `user` may export: what they may read; coordinators every resource."""
        return self if is_coordinator(user) else self.readable_by(user)

    def contributed_by(self, user: Any) -> ResourceQuerySet:
        return self.filter(submitted_by=user) if user.is_authenticated else self.none()

    def awaiting_review_by(self, user: Any) -> ResourceQuerySet:
        """Submitted resources `user` reviews: all for coordinators, their cities' for mentors."""
        queryset = self.filter(status=SUBMITTED)
        if is_coordinator(user):
            return queryset
        mentor_cities = [c for c, m in approved_memberships(user).items() if m.is_mentor]
        if not mentor_cities:
            return self.none()
        return queryset.filter(city__in=mentor_cities).exclude(submitted_by=user)

    def from_mission_cities(self) -> ResourceQuerySet:
        return self.filter(city__status="mission")

    def inspiring_examples(self) -> ResourceQuerySet:
        """Public published resources from Mission Cities, newest first (for the home page)."""
        return (
            self.published()
            .filter(visibility="public")
            .from_mission_cities()
            .order_by("-published_on", "-id")
        )

    def for_listing(self) -> ResourceQuerySet:
        return self.select_related("city", "city__country", "step")

    def related_to(self, resource: Any, fields: list[int], levers: list[int]) -> ResourceQuerySet:
        """Others sharing fields of action or levers, most shared terms first."""
        if not fields and not levers:
            return self.none()
        return (
            self.exclude(pk=resource.pk)
            .annotate(
                shared=Count("fields", filter=Q(fields__in=fields), distinct=True)
                + Count("levers", filter=Q(levers__in=levers), distinct=True)
            )
            .filter(shared__gt=0)
            .order_by("-shared", "-published_on", "-id")
        )


class CollectionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> CollectionQuerySet:
        return self if is_coordinator(user) else self.filter(is_published=True)
