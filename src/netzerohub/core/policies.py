"""Permission policy base: one policy object per model, used by views, API, templates and tasks.

A policy answers `can(user, action, obj)`. Fetch helpers built on `fetch_or_404` return the same
404 for an object that does not exist and for one the user may not see, so that nobody can probe
which private objects exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class Policy:
    """Subclasses implement `can_<action>(user, obj)` methods returning bool."""

    actions: tuple[str, ...] = ()

    def can(self, user: Any, action: str, obj: Any = None) -> bool:
        if action not in self.actions:
            raise ValueError(f"{type(self).__name__} knows no action {action!r}")
        return bool(getattr(self, f"can_{action}")(user, obj))


def fetch_or_404(
    queryset: models.QuerySet[M], policy: Policy, user: Any, action: str, **lookup: Any
) -> M:
    """Fetch one object and check `action` on it; 404 when missing *or* forbidden."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not policy.can(user, action, obj):
        raise Http404
    return obj


def coordinator_only(view: Callable) -> Callable:
    """A page of the coordinators: others are asked to sign in, then get a 404 (the page does
    not exist for them)."""

    @login_required
    @wraps(view)
    def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_coordinator:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
