"""Read-side building blocks shared by every app."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import models

if TYPE_CHECKING:
    from netzerohub.accounts.models import User


class TermQuerySet(models.QuerySet):
    def fields(self) -> TermQuerySet:
        return self.filter(kind="field")

    def levers(self) -> TermQuerySet:
        return self.filter(kind="lever")

    def steps(self) -> TermQuerySet:
        return self.filter(kind="step")

    def labels(self) -> dict[str, dict[str, str]]:
        """{kind: {slug: name}} of the taxonomy in its order (cached: terms rarely change)."""
        labels = cache.get("core:term-labels")
        if labels is None:
            labels = {"field": {}, "lever": {}, "step": {}}
            rows = self.order_by("kind", "position").values_list("kind", "slug", "name")
            for kind, slug, name in rows:
                labels.setdefault(kind, {})[slug] = name
            cache.set("core:term-labels", labels, 600)
        return labels


class AuditLogQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> AuditLogQuerySet:
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: User) -> NotificationQuerySet:
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class CityScopedQuerySet(models.QuerySet):
    """Base for city-owned models. Subclasses name the path to the city in `city_field`.

    `for_city()` is the only way to list rows of one city; `visible_to(user)` limits rows to the
    cities where the user is an approved member (coordinators see all).
    """

    city_field = "city"

    def for_city(self, city: Any) -> CityScopedQuerySet:
        return self.filter(**{self.city_field: city})

    def visible_to(self, user: Any) -> CityScopedQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_coordinator:
            return self
        return self.filter(
            **{
                f"{self.city_field}__memberships__user": user,
                f"{self.city_field}__memberships__status": "approved",
            }
        ).distinct()


def make_key(prefix: str, *parts: Any) -> str:
    """A cache key for `parts` (any repr-able values), short enough for every cache backend."""
    return f"{prefix}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_count(
    queryset: models.QuerySet,
    *,
    key: str | None = None,
    timeout: int = 300,
    cap: int | None = None,
) -> int:
    """Count a queryset through the cache.

    Exact counts over large tables are the most expensive part of a listing page; a total that
    is a few minutes old is good enough for "1,234 cities". `key` names the question (e.g. from
    validated filters); without it the key is derived from the SQL, which costs a compilation.
    `cap` stops counting after that many rows (the caller says "more than N").
    """
    if queryset.query.is_empty():  # `.none()` has no SQL to key on, and nothing to count
        return 0
    if key is None:
        sql, params = queryset.query.sql_with_params()
        key = make_key("count", sql, params, cap)
    else:
        key = make_key("count", key, cap)
    value = cache.get(key)
    if value is None:
        value = queryset[:cap].count() if cap else queryset.count()
        cache.set(key, value, timeout)
    return int(value)
