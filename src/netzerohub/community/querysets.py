"""Reads about peer groups, their members and discussions, named for the question they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Min, Q
from django.utils import timezone


class GroupQuerySet(models.QuerySet):
    def listed(self) -> GroupQuerySet:
        """Groups everyone may see: open ones and those closed to new members."""
        return self.filter(status__in=["open", "closed"])

    def visible_to(self, user: Any) -> GroupQuerySet:
        """Listed groups, plus drafts and archived groups for coordinators, and the groups a
        person facilitates."""
        if user.is_authenticated and user.is_coordinator:
            return self
        if user.is_authenticated:
            return self.filter(
                models.Q(status__in=["open", "closed"]) | models.Q(facilitators=user)
            ).distinct()
        return self.listed()

    def facilitated_by(self, user: Any) -> GroupQuerySet:
        return self.filter(facilitators=user)

    def about(self, *, kind: str = "", language: str = "") -> GroupQuerySet:
        """Groups on a field of action (`kind="field"`) or a lever of change (`"lever"`),
        working in `language`; an empty value does not filter."""
        groups = self
        if kind:
            groups = groups.filter(theme__kind=kind)
        if language:
            groups = groups.filter(language=language)
        return groups

    def with_next_meeting(self, now: datetime | None = None) -> GroupQuerySet:
        """Each group with `next_meeting`: the start of its next published meeting that has
        not ended (None when none is planned)."""
        upcoming = Q(meetings__status="published", meetings__ends_at__gt=now or timezone.now())
        return self.annotate(next_meeting=Min("meetings__starts_at", filter=upcoming))


class GroupMembershipQuerySet(models.QuerySet):
    def active(self) -> GroupMembershipQuerySet:
        """Members and pending applications: what holds one of a city's seats."""
        return self.filter(status__in=["pending", "approved"])

    def approved(self) -> GroupMembershipQuerySet:
        return self.filter(status="approved")

    def pending(self) -> GroupMembershipQuerySet:
        return self.filter(status="pending")

    def for_group(self, group: Any) -> GroupMembershipQuerySet:
        return self.filter(group=group)

    def for_city(self, city: Any) -> GroupMembershipQuerySet:
        return self.filter(city=city)

    def for_user(self, user: Any) -> GroupMembershipQuerySet:
        return self.filter(user=user)


class ThreadQuerySet(models.QuerySet):
    def for_group(self, group: Any) -> ThreadQuerySet:
        return self.filter(group=group)

    def visible(self, *, moderator: bool) -> ThreadQuerySet:
        """Hidden discussions are shown to moderators (facilitators, coordinators) only."""
        return self if moderator else self.filter(is_hidden=False)


class PostQuerySet(models.QuerySet):
    def visible(self, *, moderator: bool) -> PostQuerySet:
        return self if moderator else self.filter(is_hidden=False)
