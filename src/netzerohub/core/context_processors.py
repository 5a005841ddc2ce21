from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import Notification


def portal(request: HttpRequest) -> dict[str, Any]:
    """Navigation facts every page needs; one indexed query for signed-in users."""
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = Notification.objects.for_user(user).unread().count()
    return {"unread_notifications": unread, "DEV_MAIL": settings.DEBUG}
