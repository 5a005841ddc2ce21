"""Notifications: an in-app row per recipient, emailed by a background task after commit."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .tasks import email_notification


def notify(
    users: Iterable[Any], *, kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Create a notification for each user and email each one once the transaction commits."""
    created = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title, body=body, url=url) for u in users]
    )
    for notification in created:
        transaction.on_commit(partial(email_notification.enqueue, notification.pk))
    return created


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(user: Any) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())
