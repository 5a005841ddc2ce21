"""Notifications: an in-app row per recipient, emailed by a background task after commit."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.cache import cache
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
    _forget_unread_on_commit({n.user_id for n in created})
    for notification in created:
        transaction.on_commit(partial(email_notification.enqueue, notification.pk))
    return created


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _forget_unread_on_commit({notification.user_id})


def mark_all_read(user: Any) -> int:
    _forget_unread_on_commit({user.pk})
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user: Any) -> int:
    """How many notifications `user` has not read (cached; every change here forgets it)."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.for_user(user).unread().count()
        cache.set(key, count, 300)
    return int(count)


def _forget_unread_on_commit(user_ids: set[int]) -> None:
    keys = [_unread_key(pk) for pk in user_ids]
    transaction.on_commit(partial(cache.delete_many, keys))
