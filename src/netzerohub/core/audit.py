"""The audit log writer. Every service that changes state calls `log_action`."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditLog

# Human-readable descriptions of action codes, registered by each app (lazy translations).
_LABELS: dict[str, Any] = {}


def register_labels(labels: dict[str, Any]) -> None:
    _LABELS.update(labels)


def describe(entry: AuditLog) -> str:
    """'Membership approved' for `cities.membership.approved`; the code itself if unknown."""
    return str(_LABELS.get(entry.action, entry.action))


def log_action(
    action: str,
    *,
    actor: Any | None,
    target: models.Model | None = None,
    city: Any | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Record `action` (a dotted code such as `cities.membership.approved`).

    `actor` is None for the system (a loader, a sweep). `city` defaults to the target's city.
    """
    if city is None and target is not None:
        # A change to a city itself belongs to that city's history too.
        is_city = isinstance(target, AuditLog._meta.get_field("city").related_model)
        city = target if is_city else getattr(target, "city", None)
    return AuditLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        city=city,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
